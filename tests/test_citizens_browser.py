"""A citizen reports a place on a 360 px phone (search an address, pin, send), a planner merges it into an existing
place, and the citizen's status page follows; all in Chromium, with no request leaving 127.0.0.1."""

import re
import time

import pytest
from sqlalchemy import select

from gis_app.citizens import demo
from gis_app.citizens.models import CitizenReport
from gis_app.extensions import db
from gis_app.places.models import Observation
from tests.factories import PASSWORD, make_place, make_user
from tests.helpers import guarded_page, journey_screenshot

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


def _wait(page, expression: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.05)


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="sv-SE")
    yield guarded_page(context)
    context.close()


def _log_in(page, live_server, role: str):
    user = make_user(role)
    page.goto(live_server + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.locator("button[type=submit].button-primary").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return user


def test_a_citizen_reports_on_a_phone_a_planner_merges_and_the_status_follows(live_server, phone, page, app_context):
    demo.load()
    storgatan_12 = next(row for row in demo.rows() if (row["street"], row["number"]) == ("Storgatan", "12"))
    lamp = make_place(
        geometry={"type": "Point", "coordinates": [storgatan_12["lon"] + 0.0002, storgatan_12["lat"]]},
        title="Trasig lampa",
    )  # about 10 m from the address
    phone.goto(live_server + "/report")
    _wait(phone, "document.body.dataset.reportReady === 'true'")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling

    phone.locator("#place-search").fill("storgtan 12")  # a typo, as on a phone keyboard
    phone.locator("#search-button").tap()
    first = phone.locator("#search-results button").first
    first.wait_for()
    assert "Storgatan 12, Östersund" in first.inner_text() and "demodata" in first.inner_text()
    first.tap()
    assert "Storgatan 12" in phone.locator("#pin-status").inner_text()
    # The pin can also be moved by tapping the map: tap near the middle, then choose the address again.
    phone.locator("#report-map").tap(position={"x": 150, "y": 120})
    assert phone.input_value("#address") == ""
    phone.locator("#place-search").fill("Storgatan 12")
    phone.locator("#search-button").tap()
    phone.locator("#search-results button").first.tap()
    assert phone.input_value("#address") == "Storgatan 12, Östersund"
    time.sleep(0.5)  # longer than the typing pause after which a search runs: none may bring the list back
    assert phone.locator("#search-results li").count() == 0

    phone.locator("label.choice:has(input[value=poor_lighting])").tap()
    phone.locator("label.choice:has(input[name=time_of_day][value=night])").tap()
    phone.fill("#text", "Lampan vid porten är trasig sedan en månad")
    journey_screenshot(phone, "citizens", "report-form-phone")
    phone.locator("#send-report").tap()  # the widget solves its challenge, then the form is sent
    phone.wait_for_url(re.compile(r"/status/"), timeout=30_000)
    reference = phone.locator("[data-reference]").inner_text()
    assert phone.locator("[data-stage]").get_attribute("data-stage") == "received"
    journey_screenshot(phone, "citizens", "status-received-phone")
    report = db.session.scalar(select(CitizenReport))
    assert report.reference == reference and report.address_label == "Storgatan 12, Östersund"
    assert report.time_of_day == "night"

    _log_in(page, live_server, "planner")
    page.goto(live_server + "/citizens/queue")
    page.locator(f"a:has-text('{reference}')").click()
    suggested = page.locator("input[data-suggested]")
    assert suggested.count() == 1 and suggested.get_attribute("value") == str(lamp.id)  # the lamp ~10 m away
    journey_screenshot(page, "citizens", "moderation-report")
    page.locator("#merge-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/places/{lamp.id}$"))
    db.session.expire_all()
    assert db.session.scalar(select(Observation.place_id).where(Observation.source_code == "citizen_report")) == lamp.id

    phone.reload()
    assert phone.locator("[data-stage]").get_attribute("data-stage") == "in_inventory"
    assert "Lampan vid porten" not in phone.content()
    journey_screenshot(phone, "citizens", "status-in-inventory-phone")
    assert phone.js_errors == [] and phone.external_requests == []
    assert page.js_errors == [] and page.external_requests == []
