"""In Chromium: a security coordinator registers an exposed property, records a camera with its view and permit,
a site visit with the owner and an agreed measure; then the owner logs in and sees only its own property, the visit
and the measure, never the camera."""

import json

import pytest
from sqlalchemy import select

from gis_app.extensions import db
from gis_app.inventory.models import Measure
from gis_app.properties.models import Camera, Property
from tests.factories import PASSWORD, make_place, make_user
from tests.helpers import journey_screenshot
from tests.test_properties import ELSEWHERE, OUTLINE, geojson, make_owner, open_this_year, register

HOSTILE = '<img src=x onerror="window.__xss=1">Skolan `${window.__xss=2}`'


def _log_in(page, live_server, user):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-nav=properties]")


@pytest.mark.browser
def test_a_security_coordinator_registers_a_property_and_the_owner_sees_only_its_own(
    live_server, chromium, page, app_context
):
    owner = make_owner("Storsjö Fastigheter AB")
    make_place(title="Mörk skolgård")
    open_this_year()
    register(make_owner("Grannen AB"), ref="Annat 3:4", name="Grannens butik", outline=ELSEWHERE)
    security = make_user("security")
    page.set_viewport_size({"width": 1200, "height": 900})
    _log_in(page, live_server, security)

    page.click("[data-nav=properties]")
    page.click("#new-property")
    page.fill("input[name=ref]", "Stadsdelen 1:2")
    page.fill("input[name=name]", HOSTILE)
    page.select_option("select[name=kind]", "building")
    page.select_option("select[name=owner_id]", str(owner.id))
    page.fill("textarea[name=geometry]", json.dumps(geojson(OUTLINE)))
    journey_screenshot(page, "properties", "1-register-property")
    page.click("#property-form button[type=submit]")
    page.wait_for_selector("#properties-status[data-state=ready]", state="attached")
    assert page.text_content("h1").startswith(HOSTILE)

    page.click("summary >> text=Registrera en kamera")
    page.fill("input[name=name]", "Kamera gårdssidan")
    page.fill("input[name=direction]", "90")
    page.fill("input[name=angle]", "60")
    page.fill("input[name=range_metres]", "30")
    page.fill("input[name=permit_ref]", "IMY-2026-0042")
    journey_screenshot(page, "properties", "2-camera-form")
    page.press("#camera-form button[type=submit]", "Enter")  # keys, not a click: a full-page screenshot shifts clicks
    page.wait_for_selector("#properties-status[data-state=ready][data-cameras='1']", state="attached")
    assert "IMY-2026-0042" in page.text_content("#cameras")
    assert page.locator("path.property-views").count() == 1
    page.locator("path.property-properties").first.dispatch_event("click")
    page.wait_for_selector(".property-popup")
    assert HOSTILE in page.text_content(".property-popup h2")
    journey_screenshot(page, "properties", "3-property-with-camera")

    page.press("#new-visit", "Enter")
    page.fill("textarea[name=participants]", "Förvaltare Lena (ägaren), trygghetssamordnare Ali, kommunpolis")
    page.fill("textarea[name=findings]", "Mörkt och skymt vid cykelstället på baksidan.")
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#measure-form")
    page.select_option("select[name=measure_type]", "lighting")
    page.fill("textarea[name=description]", "Belysning vid cykelstället")
    page.select_option("select[name=responsible]", "property_owner")
    page.fill("input[name=responsible_name]", "Storsjö Fastigheter AB")
    page.fill("input[name=due_on]", "2030-05-31")
    journey_screenshot(page, "properties", "4-site-visit-measure")
    page.press("#measure-form button[type=submit]", "Enter")
    page.wait_for_selector("#measures tr[data-status=decided]")
    assert "Belysning vid cykelstället" in page.text_content("#measures")
    assert page.js_errors == [] and page.external_requests == []
    assert page.evaluate("() => window.__xss") is None

    db.session.expire_all()
    prop = db.session.scalar(select(Property).where(Property.ref == "Stadsdelen 1:2"))
    assert prop.owner_id == owner.id and db.session.scalar(select(Camera.property_id)) == prop.id
    assert db.session.scalar(select(Measure.description)) == "Belysning vid cykelstället"

    context = chromium.new_context()  # the owner, in a browser of its own
    from tests.helpers import guarded_page

    owner_page = guarded_page(context)
    try:
        owner_page.set_viewport_size({"width": 1200, "height": 900})
        _log_in(owner_page, live_server, make_user("property_owner", organisation="Storsjö Fastigheter AB"))
        owner_page.click("[data-nav=properties]")
        owner_page.wait_for_selector("#properties-status[data-state=ready][data-properties='1']", state="attached")
        rows = owner_page.text_content("#properties")
        assert HOSTILE in rows and "Grannens butik" not in rows
        assert owner_page.get_attribute("#properties-status", "data-cameras") == "0"
        journey_screenshot(owner_page, "properties", "5-owner-list")
        owner_page.press(f"#properties a[href='/properties/{prop.id}']", "Enter")
        owner_page.wait_for_selector("#measures")
        page_text = owner_page.content()
        assert "Belysning vid cykelstället" in page_text
        assert "Kamera gårdssidan" not in page_text and "IMY-2026-0042" not in page_text
        assert owner_page.locator("#camera-form, #measure-form, #new-visit").count() == 0
        journey_screenshot(owner_page, "properties", "6-owner-property")
        assert owner_page.js_errors == [] and owner_page.external_requests == []
    finally:
        context.close()
