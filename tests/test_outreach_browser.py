"""In Chromium: an officer logs in, plans a shift and sees the numbered stops on the map and in the list."""

from tests.factories import PASSWORD, STORTORGET, make_place, make_user


def _log_in(page, live_server, user) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].button-primary")
    page.wait_for_url(f"{live_server}/")


def test_shift_plan_page_shows_numbered_stops(live_server, page, app_context):
    for k in range(5):
        make_place(
            title=f"Stopp {k}",
            category_code="youth_gatherings",
            geometry={"type": "Point", "coordinates": [STORTORGET[0] + 0.004 * k, STORTORGET[1] + 0.001 * k]},
        )
    officer = make_user("police")
    _log_in(page, live_server, officer)
    page.goto(
        f"{live_server}/outreach/plan?shift_date=2026-11-27&starts_at=20:00&ends_at=02:00"
        "&start=Polisstationen&count=4&return_to_start=y"
    )
    page.wait_for_function("() => document.querySelectorAll('.leaflet-marker-icon .outreach-stop').length === 4")
    numbers = page.eval_on_selector_all(".leaflet-marker-icon .outreach-stop", "els => els.map(e => e.textContent)")
    assert sorted(numbers, key=int) == ["1", "2", "3", "4"]
    assert page.locator(".stop-list .stop[data-stop]").count() == 4
    assert page.locator(".leaflet-overlay-pane path").count() >= 1  # the route line
    assert page.js_errors == []
    assert page.external_requests == []
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the list stays readable
    assert page.locator(".stop-list .stop[data-stop='1'] .stop-number").is_visible()
