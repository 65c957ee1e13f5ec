"""In Chromium: the Purple Flag map for the public and for the police (filters, popups that keep hostile text as
text, no request off the app), a joint inspection recorded through the form, and a planner's self-assessment saved
and downloaded as XLSX."""

from datetime import time

import openpyxl
import pytest
from sqlalchemy import select

from gis_app.evening import demo, service
from gis_app.evening.models import Inspection, ThemeEntry
from gis_app.extensions import db
from tests.factories import PASSWORD, STORTORGET, make_place, make_user
from tests.helpers import journey_screenshot

HOSTILE = '<img src=x onerror="window.__xss=1">Baren `${window.__xss=2}`'


def _log_in(page, live_server, user):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-nav=evening]")


@pytest.fixture
def demo_evening(app_context):
    demo.load(2380)
    make_place(title="Mörk gång bakom krogen", time_of_day="night")


def _shown(page, kind: str) -> int:
    return int(page.get_attribute("#evening-status", f"data-shown-{kind}"))


@pytest.mark.browser
def test_the_public_map_draws_the_layers_without_unsafe_places(live_server, page, demo_evening):
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{live_server}/evening/")
    page.wait_for_selector("#evening-status[data-state=ready]")
    assert _shown(page, "premises") == len(demo.PREMISES)
    assert _shown(page, "features") == len(demo.FEATURES) and _shown(page, "places") == 0
    assert page.locator("path.evening-places").count() == 0
    assert page.locator("path.evening-premises").count() == len(demo.PREMISES)
    assert page.locator("path.evening-lit_route").count() == 3
    page.locator("path.evening-premises").first.dispatch_event("click")
    page.wait_for_selector(".evening-popup")
    popup = page.text_content(".evening-popup")
    assert "Demo" in popup and "tillsyn" not in popup.lower()
    assert "Mörk gång" not in page.content()
    journey_screenshot(page, "evening", "evening-map-public")
    assert page.js_errors == [] and page.external_requests == []


@pytest.mark.browser
def test_the_police_filter_the_night_and_see_inspection_outcomes(live_server, page, demo_evening):
    police = make_user("police")
    late = [
        p
        for p in demo.PREMISES  # serving past 22:00, or past midnight
        if time.fromisoformat(p[4]) > time(22) or time.fromisoformat(p[4]) <= time.fromisoformat(p[3])
    ]
    page.set_viewport_size({"width": 1200, "height": 900})
    _log_in(page, live_server, police)
    page.goto(f"{live_server}/evening/")
    page.wait_for_selector("#evening-status[data-state=ready]")
    assert _shown(page, "places") == 1 and _shown(page, "premises") == len(demo.PREMISES)
    page.check("input[name=time][value=night]")
    assert page.get_attribute("#evening-status", "data-time") == "night"
    assert _shown(page, "premises") == len(late) < len(demo.PREMISES)
    assert _shown(page, "places") == 1  # reported as a night place
    page.check("input[name=time][value=evening]")
    assert _shown(page, "places") == 0
    page.check("input[name=time][value=night]")
    page.locator("path.evening-premises").first.dispatch_event("click")
    page.wait_for_selector(".evening-popup a")
    assert "Senaste utfall" in page.text_content(".evening-popup")
    journey_screenshot(page, "evening", "evening-map-police-night")
    assert page.js_errors == [] and page.external_requests == []


@pytest.mark.browser
def test_hostile_premises_names_stay_text_in_the_popup(live_server, page, app_context):
    service.write_premises(
        [
            {
                "licence_ref": "X-1",
                "name": HOSTILE,
                "address": "</script><b>x</b>",
                "opening_hours": None,
                "opens_at": None,
                "closes_at": None,
                "capacity": None,
                "geom": f"SRID=4326;POINT({STORTORGET[0]} {STORTORGET[1]})",
            }
        ]
    )
    page.goto(f"{live_server}/evening/")
    page.wait_for_selector("#evening-status[data-state=ready]")
    page.locator("path.evening-premises").first.dispatch_event("click")
    page.wait_for_selector(".evening-popup")
    assert HOSTILE in page.text_content(".evening-popup h2")
    assert "</script><b>x</b>" in page.text_content(".evening-popup")
    assert page.evaluate("() => window.__xss") is None
    assert page.js_errors == [] and page.external_requests == []


@pytest.mark.browser
def test_a_joint_inspection_is_recorded_through_the_form(live_server, page, demo_evening):
    police = make_user("police")
    _log_in(page, live_server, police)
    page.click("[data-nav=evening]")
    page.click(".evening-nav >> text=Serveringsställen och tillsyn")
    page.click("#premises-summary a >> text=Demo: Krogen vid Stortorget")
    page.click("text=Registrera en gemensam tillsyn")
    page.fill("input[name=municipality_staff]", "Alkoholhandläggare Eva")
    page.fill("input[name=police_staff]", "Polisassistent Omar")
    page.check("input[name=over_serving][value=remark]")
    page.check("input[name=age_checks][value=ok]")
    page.select_option("select[name=outcome]", "serious")
    journey_screenshot(page, "evening", "evening-inspection-form")
    page.click("#inspection-form button[type=submit]")
    page.wait_for_selector(".field-error")  # a serious outcome needs a follow-up
    assert page.locator("textarea[name=follow_up][aria-invalid=true]").count() == 1
    page.fill("textarea[name=follow_up]", "Ny tillsyn nästa fredag; möte med tillståndsenheten.")
    page.click("#inspection-form button[type=submit]")
    page.wait_for_selector("#inspection")
    assert "Polisassistent Omar" in page.text_content("#inspection")
    assert page.text_content("dd[data-item=over_serving]") == "Anmärkning"
    db.session.expire_all()
    recorded = db.session.scalar(select(Inspection).where(Inspection.police_staff == "Polisassistent Omar"))
    assert recorded.outcome == "serious" and recorded.premises.name == "Demo: Krogen vid Stortorget"
    assert page.js_errors == [] and page.external_requests == []


@pytest.mark.browser
def test_a_planner_saves_the_self_assessment_and_downloads_it(live_server, page, demo_evening, tmp_path):
    planner = make_user("planner")
    _log_in(page, live_server, planner)
    page.goto(f"{live_server}/evening/assessment")
    page.locator("#assessment-links a").first.click()
    page.wait_for_selector("#assessment-form")
    theme = page.locator("#theme-movement")
    theme.locator("select").select_option("met")
    theme.locator("textarea").fill("Taxi och nattbuss från centrum hela natten; stråken lyses upp.")
    theme.locator("input[value=toilets]").check()
    page.click("#assessment-form button[type=submit]")
    page.wait_for_selector(".flash")
    journey_screenshot(page, "evening", "evening-self-assessment")
    with page.expect_download() as info:
        page.click("#assessment-xlsx")
    path = tmp_path / "pf.xlsx"
    info.value.save_as(path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    movement = [row for row in rows if row[0] == "Rörelse"]
    assert {row[3] for row in movement} >= {"Taxihållplatser", "Offentliga toaletter"}
    assert movement[0][1] == "Uppfylls" and movement[0][2].startswith("Taxi och nattbuss")
    db.session.expire_all()
    assert db.session.scalar(select(ThemeEntry).where(ThemeEntry.theme == "movement")).rating == "met"
    assert page.js_errors == [] and page.external_requests == []


@pytest.mark.browser
def test_the_public_wastewater_page_draws_its_charts(live_server, page, app_context):
    from gis_app.wastewater import demo as wastewater_demo

    wastewater_demo.load(2380)
    page.goto(f"{live_server}/wastewater/")
    page.wait_for_selector("svg.chart polyline")
    assert page.locator("svg.chart polyline.series").count() == 6
    assert page.locator("#figures tbody tr").count() >= 1
    journey_screenshot(page, "evening", "wastewater-public")
    assert page.js_errors == [] and page.external_requests == []
