"""axe-core (from npm, node_modules) in Chromium on every public page, the report form, the login and the capture
page, on a phone and a desktop: no serious or critical WCAG 2.1 A/AA violation."""

import time
from pathlib import Path

import pytest

from gis_app.citizens import demo
from tests.factories import PASSWORD, STORTORGET, make_place, make_user
from tests.helpers import guarded_page, journey_screenshot

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
PUBLIC_PAGES = [
    *("/", "/report", "/status", "/accessibility", "/privacy", "/login", "/what-we-did", "/evening/", "/wastewater/"),
    *("/lighting/dark-hours", "/nightwalks/", "/api/collections/places/items?f=html"),
]


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page (evaluated from outside, so the page's CSP need not allow it); serious ones only."""
    page.wait_for_function(  # map popups fade in: axe would measure the contrast of half-transparent text
        "[...document.querySelectorAll('.leaflet-popup')].every(p => getComputedStyle(p).opacity === '1')"
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [node["target"] for node in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _settle(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    time.sleep(0.2)  # let scripts finish drawing (map status, widgets) before the audit


@pytest.fixture(params=list(VIEWPORTS))
def viewport_page(request, chromium):
    context = chromium.new_context(viewport=VIEWPORTS[request.param], locale="sv-SE")
    page = guarded_page(context)
    page.viewport_name = request.param
    yield page
    context.close()


def test_public_pages_have_no_serious_violations(live_server, viewport_page, app_context):

    make_place(observations=["Mörkt"])
    demo.load()
    failures = {}
    for path in PUBLIC_PAGES + ["/status/ABCD-EFGH"]:
        _settle(viewport_page, live_server + path)
        found = axe_violations(viewport_page)
        if found:
            failures[path] = found
    assert failures == {}, failures
    assert viewport_page.external_requests == []


def test_the_report_form_with_errors_has_no_serious_violations(live_server, viewport_page):
    _settle(viewport_page, live_server + "/report")
    viewport_page.locator("#send-report").click()  # nothing filled in: the widget's check and the server refuse it
    viewport_page.wait_for_load_state("networkidle")
    time.sleep(0.5)
    assert axe_violations(viewport_page) == []


def test_the_status_page_has_no_serious_violations(live_server, viewport_page, app_context):
    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point

    from gis_app.citizens.models import CitizenReport
    from gis_app.extensions import db

    report = CitizenReport(
        reference="K7QF-M3XP",
        category_code="poor_lighting",
        text="x",
        geom=from_shape(Point(14.6372, 63.1767), srid=4326),
    )
    db.session.add(report)
    db.session.commit()
    _settle(viewport_page, live_server + "/status/K7QF-M3XP?new=1")
    assert axe_violations(viewport_page) == []


def test_staff_pages_have_no_serious_violations(live_server, viewport_page, app_context):
    from tests.test_walk_api import make_walk

    walk = make_walk()
    user = make_user("planner")
    viewport_page.goto(live_server + "/login")
    viewport_page.fill("#email", user.email)
    viewport_page.fill("#password", PASSWORD)
    viewport_page.locator("button[type=submit].button-primary").click()
    viewport_page.wait_for_url(lambda url: "/login" not in url)
    failures = {}
    for path in (f"/walks/{walk.id}/capture", "/citizens/queue"):
        _settle(viewport_page, live_server + path)
        found = axe_violations(viewport_page)
        if found:
            failures[path] = found
    assert failures == {}, failures


def test_the_places_on_the_map_are_also_a_list_for_keyboards(live_server, page, app_context):
    make_place(title="Mörk tunnel", observations=["Granskad: ingen belysning"])
    make_place(title="Trasig lampa", observations=["Ogranskad text"], reviewed=False)
    _settle(page, live_server + "/")
    page.wait_for_function("document.getElementById('map-status').dataset.state === 'ready'")
    lon, lat = STORTORGET  # zoomed out the map shows counts; the list names the places from the point zoom
    page.evaluate(f"window.placesMap.map.setView([{lat}, {lon}], 16, {{animate: false}})")
    page.wait_for_function(
        "document.getElementById('map-status').dataset.state === 'ready'"
        " && document.querySelectorAll('#places-list .places-list-item').length === 2"
    )
    page.locator("#places-in-view summary").focus()
    page.keyboard.press("Enter")  # a keyboard opens the list
    items = page.locator("#places-list .places-list-item")
    assert items.count() == 2
    text = page.locator("#places-list").inner_text()
    assert "Mörk tunnel" in text and "Granskad: ingen belysning" in text and "Ogranskad text" not in text
    items.first.locator("button").focus()
    page.keyboard.press("Enter")  # and shows the place's popup on the map
    page.locator(".leaflet-popup").wait_for()
    journey_screenshot(page, "citizens", "map-list-of-places-desktop")
    assert axe_violations(page) == []
    assert page.js_errors == []
