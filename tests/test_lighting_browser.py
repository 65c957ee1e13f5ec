"""In Chromium: the lamp and gap map draws both layers and the day/night line from local files; the walk form
shows when it gets dark and proposes start times; register text stays text."""

import pytest

from gis_app.extensions import db
from gis_app.lighting import service
from tests.factories import PASSWORD, make_user
from tests.test_lighting import _lamp, _network

XSS_OWNER = '<img src=x onerror="window.__xss=1">Kommunen'


def _log_in(page, live_server, user):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-nav=lighting]")


@pytest.mark.browser
def test_the_lighting_map_draws_lamps_gaps_and_the_day_night_line(live_server, page, app_context):
    _network()
    lamp = _lamp("XSS", 10, 5)
    lamp.owner = XSS_OWNER
    db.session.commit()
    service.analyse_gaps(25)
    _log_in(page, live_server, make_user("field_staff"))
    page.goto(f"{live_server}/lighting/")
    page.wait_for_function("() => document.querySelectorAll('path.lighting-gap').length === 3")
    page.wait_for_function("() => document.querySelectorAll('path.lamp').length === 5")
    # The terminator is a polygon covering the night side; it follows the chosen time.
    page.fill("#terminator-time", "2025-12-21T16:00")
    page.dispatch_event("#terminator-time", "change")
    assert page.evaluate("() => typeof L.terminator") == "function"
    page.locator(f"path.lamp-{lamp.id}").click(force=True)
    page.wait_for_selector(".leaflet-popup-content dl")
    assert XSS_OWNER in page.inner_text(".leaflet-popup-content")
    assert not page.evaluate("() => window.__xss")
    assert page.js_errors == [] and page.external_requests == []


@pytest.mark.browser
def test_the_walk_form_shows_sunset_and_proposes_start_times_after_dark(live_server, page, app_context):
    _log_in(page, live_server, make_user("planner"))
    page.goto(f"{live_server}/walks/new")
    page.fill("#starts_at", "2025-12-15T13:00")
    page.dispatch_event("#starts_at", "change")
    page.wait_for_function("() => document.querySelectorAll('#walk-sun button').length === 3")
    text = page.inner_text("#walk-sun")
    assert "14:" in text  # sunset before 15:00 in December
    page.locator("#walk-sun button").first.click()
    chosen = page.input_value("#starts_at")
    assert chosen.startswith("2025-12-15T15:") or chosen.startswith("2025-12-15T16:")
    assert page.js_errors == [] and page.external_requests == []
