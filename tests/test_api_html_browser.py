"""In Chromium: a browser asking /api/collections/places/items gets the Swedish web page; its map draws the
features, hostile titles stay text in the table and the popups, nothing is fetched off the server, no script or
CSP error, and axe-core finds no serious WCAG 2.1 A/AA violation."""

import pytest

from tests.factories import STORTORGET, make_place
from tests.helpers import guarded_page, journey_screenshot
from tests.test_accessibility_browser import axe_violations
from tests.xss_corpus import CORPUS

pytestmark = pytest.mark.browser
LON, LAT = STORTORGET
HOSTILE = '<img src=x onerror="window.__xss=1">${window.__xss=2}'
OPEN_POPUPS = """() => {
  const map = window[JSON.parse(document.getElementById('api-map-config').textContent).layers.map];
  const texts = [];
  map.eachLayer(layer => { if (layer.getPopup && layer.getPopup()) {
    layer.openPopup(); texts.push(layer.getPopup().getElement().querySelector('.api-map-popup').textContent); } });
  return texts;
}"""


def test_a_browser_explores_the_items_as_a_web_page(live_server, chromium, app_context):
    make_place({"type": "Point", "coordinates": [LON, LAT]}, title=HOSTILE)
    for i, text in enumerate(CORPUS[:3]):
        make_place({"type": "Point", "coordinates": [LON + 0.002 * (i + 1), LAT + 0.001]}, title=text)
    make_place({"type": "Point", "coordinates": [LON - 0.002, LAT - 0.001]}, title="Mörk gångtunnel")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    page = guarded_page(context)
    try:
        page.goto(f"{live_server}/api/collections/places/items?limit=4")  # the browser's own Accept: HTML
        page.wait_for_load_state("networkidle")
        page.wait_for_function("document.getElementById('api-map-config').dataset.drawn === '4'")
        assert page.locator("h1").text_content() == "Otrygga platser"
        assert page.locator("table.api-items tbody tr").count() == 4
        assert page.locator("table.api-items", has_text=HOSTILE).count() == 1  # the title as text
        popups = page.evaluate(OPEN_POPUPS)
        assert HOSTILE in popups and len(popups) == 4
        assert page.evaluate("window.__xss") is None
        journey_screenshot(page, "api", "items-page")
        assert axe_violations(page) == []
        page.locator("[data-paging=next]").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("table.api-items tbody tr").count() == 1
        assert page.locator("table.api-items", has_text="Mörk gångtunnel").count() == 1
        assert page.js_errors == [] and page.external_requests == []
    finally:
        context.close()
