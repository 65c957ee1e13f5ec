"""A planner writes a citizen promise in Chromium: a period, a promise with its activities, a computed and a manual
indicator, and a value with a date; the promise page then shows it. No request leaves 127.0.0.1."""

import re

import pytest
from sqlalchemy import select

from gis_app.extensions import db
from gis_app.promise.models import IndicatorValue, Promise
from tests.factories import PASSWORD, make_user
from tests.helpers import journey_screenshot

pytestmark = pytest.mark.browser


def test_a_planner_writes_the_promise(live_server, page, app_context):
    user = make_user("planner")
    page.goto(live_server + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.locator("button[type=submit].button-primary").click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.goto(live_server + "/promises")
    page.get_by_role("link", name="Ny löftesperiod").click()
    page.fill("#title", "Medborgarlöfte 2027–2028")
    page.fill("#starts_on", "2027-01-01")
    page.fill("#ends_on", "2026-12-31")  # before the start: refused, named
    page.get_by_role("button", name="Spara perioden").click()
    assert page.locator("#ends_on-error").is_visible()
    page.fill("#ends_on", "2028-12-31")
    page.get_by_role("button", name="Spara perioden").click()
    page.wait_for_url(re.compile(r"/promises#period-\d+$"))

    page.get_by_role("link", name="Lägg till ett löfte").click()
    page.fill("#title", "Vi lagar belysningen på gångvägarna")
    page.select_option("#owner", "municipality")
    page.fill("#activities", "Inventera belysningen varje höst\nLaga trasiga lampor inom en vecka")
    journey_screenshot(page, "citizens", "promise-new")
    page.get_by_role("button", name="Spara löftet").click()
    page.wait_for_url(re.compile(r"/promises/\d+/edit$"))

    page.fill("#new-label", "Belysningsåtgärder")
    page.select_option("#new-source", "lighting_measures_done")
    page.get_by_role("button", name="Lägg till indikatorn").click()
    page.fill("#new-label", "Andel som känner sig trygga")
    page.select_option("#new-source", "manual")
    page.fill("#new-unit", "%")
    page.fill("#new-target", "-5")  # refused, named
    page.get_by_role("button", name="Lägg till indikatorn").click()
    assert page.locator("#new-target-error").is_visible()
    page.fill("#new-target", "75")
    page.get_by_role("button", name="Lägg till indikatorn").click()
    journey_screenshot(page, "citizens", "promise-indicators")

    page.goto(live_server + "/promises")
    row = page.locator("tr[data-indicator=manual]")
    indicator_id = row.get_attribute("id").split("-")[1]
    page.fill(f"#measured-{indicator_id}", "2027-05-01")
    page.fill(f"#value-{indicator_id}", "71,5")
    page.locator(f"#value-{indicator_id}").press("Enter")
    page.wait_for_url(re.compile(rf"#indicator-{indicator_id}$"))
    assert "71.5" in page.locator(f"#indicator-{indicator_id}").inner_text()
    journey_screenshot(page, "citizens", "promise-page")
    promise = db.session.scalar(select(Promise))
    assert [a.description for a in promise.activities] == [
        "Inventera belysningen varje höst",
        "Laga trasiga lampor inom en vecka",
    ]
    assert [i.source for i in promise.indicators] == ["lighting_measures_done", "manual"]
    assert float(db.session.scalar(select(IndicatorValue.value))) == 71.5
    assert page.js_errors == [] and page.external_requests == []
