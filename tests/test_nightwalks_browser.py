"""In Chromium: an association member plans a shift on a risk weekend, drawing its route on the map, files the
night report with counts by kind at a point marked on the map; it lands as observations, and a planner sees it."""

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from gis_app.auth.models import Organisation
from gis_app.core.clock import local_now
from gis_app.extensions import db
from gis_app.nightwalks.models import NightEvent, NightGroup, NightShift
from gis_app.places.models import Observation
from tests.factories import PASSWORD, make_user
from tests.helpers import journey_screenshot
from tests.test_accessibility_browser import axe_violations

ORGANISATION = "Nattvandrarna Östersund (test)"


def _log_in(page, live_server, user):
    page.goto(live_server + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.locator("button[type=submit].button-primary").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def association(app_context):
    """An association under agreement, its member, and a risk weekend that began a week ago."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == ORGANISATION))
    if organisation is None:
        organisation = Organisation(name=ORGANISATION, kind="other")
        db.session.add(organisation)
        db.session.commit()
    group = NightGroup(
        name="Nattvandrarna Östersund",
        kind="association",
        organisation_id=organisation.id,
        agreement_from=date(2025, 1, 1),
    )
    start = local_now().date() - timedelta(days=7)
    event = NightEvent(
        title="Riskhelg: skolavslutning", kind="risk_weekend", starts_on=start, ends_on=start + timedelta(days=1)
    )
    db.session.add_all([group, event])
    db.session.commit()
    return make_user("association", organisation=ORGANISATION), group, event


@pytest.mark.browser
def test_a_member_plans_a_shift_files_the_report_and_a_planner_sees_it(live_server, page, association):
    member, group, event = association
    page.set_viewport_size({"width": 1200, "height": 1000})
    _log_in(page, live_server, member)
    page.goto(f"{live_server}/nightwalks/shifts/new?event={event.id}")
    page.wait_for_function("document.body.dataset.nightMapReady === 'true'")
    assert page.input_value("#event_id") == str(event.id)
    page.fill("#starts_at", f"{event.starts_on.isoformat()}T21:00")
    page.fill("#ends_at", f"{event.ends_on.isoformat()}T02:00")
    page.fill("#walkers", "8")
    page.fill("#leader", "Vandringsledare Test")
    page.locator(".leaflet-draw-draw-polyline").click()
    box = page.locator(".walk-map .folium-map").bounding_box()
    for dx, dy in ((0.4, 0.4), (0.55, 0.45), (0.6, 0.6)):
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        time.sleep(0.2)  # apart, so Leaflet.draw does not read two clicks as a double click
    page.locator(".leaflet-draw-actions a", has_text="Klar").first.click()
    page.wait_for_function("document.body.dataset.routeDrawn === 'true'")
    assert '"LineString"' in page.input_value("#route")
    journey_screenshot(page, "nightwalks", "1-plan-shift")
    page.locator("#shift-form button.button-primary").click()
    page.wait_for_url(lambda url: "/nightwalks/shifts/" in url and "/new" not in url)
    shift = db.session.scalar(select(NightShift))
    assert shift.group_id == group.id and shift.walkers == 8 and shift.event_id == event.id
    journey_screenshot(page, "nightwalks", "2-shift")

    page.locator("#file-report").click()
    page.wait_for_selector("#report-form")
    page.wait_for_function("document.body.dataset.nightMapReady === 'true'")
    page.fill("#summary", "Många ute efter skolavslutningen, lugnt efter 01.")
    page.select_option("#sightings-0-kind", "intoxicated_people")
    page.fill("#sightings-0-count", "4")
    box = page.locator(".walk-map .folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    page.wait_for_function("document.body.dataset.pointsMarked === '1'")
    assert page.input_value("[name=sightings-0-lon]") and page.input_value("[name=sightings-0-lat]")
    assert axe_violations(page) == []
    journey_screenshot(page, "nightwalks", "3-report")
    page.locator("#report-form button.button-primary").click()
    page.wait_for_selector("#sightings")
    assert "4" in page.text_content("#sightings tr[data-kind=intoxicated_people]")
    db.session.expire_all()
    observation = db.session.scalar(select(Observation).where(Observation.source_code == "night_walk"))
    assert observation is not None and "4 × Berusade personer" in observation.text
    journey_screenshot(page, "nightwalks", "4-reported")

    page.context.clear_cookies()
    _log_in(page, live_server, make_user("planner"))
    page.goto(f"{live_server}/nightwalks/shifts")
    assert "Nattvandrarna Östersund" in page.text_content("#shifts")
    page.locator(f"tr[data-shift='{shift.id}'] a").click()
    page.wait_for_selector("#shift-facts")
    page.wait_for_function("document.body.dataset.sightingsDrawn === '1'")
    assert "Vandringsledare Test" in page.text_content("#shift-facts")
    page.locator("#sightings a").click()
    page.wait_for_url(lambda url: f"/places/{observation.place_id}" in url)
    assert "Nattvandring" in page.content()
    journey_screenshot(page, "nightwalks", "5-planner-sees-it")
    page.goto(f"{live_server}/nightwalks/")
    calendar = page.text_content("main")
    assert "Riskhelg: skolavslutning" in calendar and "Vandringsledare" not in calendar
    assert axe_violations(page) == []
    assert page.js_errors == [] and page.external_requests == []
