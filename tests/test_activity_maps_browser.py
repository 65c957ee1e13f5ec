"""The EST year map and the police heat map with thousands of rows, in Chromium: zoomed out they draw counts per
grid cell from the vector tiles that add up to the database's count for the view and the filters; zoomed in they
draw the places themselves, with popups."""

import pytest
from sqlalchemy import text

from gis_app.extensions import db
from gis_app.inventory import service
from gis_app.outreach import queries as outreach_queries
from tests.factories import STORTORGET, make_user
from tests.helpers import journey_screenshot
from tests.test_inventory_browser import _log_in

LON, LAT = STORTORGET
ROWS = 3000
YEAR = 2025

# A block of places around the centre, all reported in the year (so all in its scope), three categories.
PLACES = """
INSERT INTO place (title, title_reviewed, category_code, status_code, reported_on, geom)
SELECT 'Plats ' || i, true, (ARRAY['poor_lighting','vandalism','graffiti'])[1 + i % 3], 'reported', DATE '2025-05-01',
       ST_SetSRID(ST_MakePoint(:lon + 0.06 * ((i * 37) % 1000) / 1000.0 - 0.03,
                               :lat + 0.03 * ((i * 61) % 997) / 997.0 - 0.015), 4326)
FROM generate_series(1, :n) AS i
"""
# One report per place, at every hour of a week in turn.
REPORTS = """
INSERT INTO observation (place_id, source_code, observed_at, geom)
SELECT id, 'citizen_report', TIMESTAMPTZ '2026-11-02 00:00:00+00' + (id % 168) * INTERVAL '1 hour', geom FROM place
"""
IN_VIEW = "SELECT count(*) FROM place WHERE ST_Intersects(geom, ST_MakeEnvelope(:w, :s, :e, :n, 4326)) AND {where}"
BOUNDS = """name => { const b = window[name].map.getBounds();
    return {w: b.getWest(), s: b.getSouth(), e: b.getEast(), n: b.getNorth()}; }"""


def _wait_ready(page, name: str, zoom: int) -> None:
    page.wait_for_function(
        f"() => document.querySelector('#map-status').dataset.state === 'ready'"
        f" && window.{name}.map.getZoom() === {zoom} && !window.{name}.map._animatingZoom"
    )


NEAREST_THE_CENTRE = """selector => {
  const box = document.querySelector('.leaflet-container').getBoundingClientRect();
  const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
  const distance = el => { const r = el.getBoundingClientRect();
    return Math.hypot(r.left + r.width / 2 - cx, r.top + r.height / 2 - cy); };
  const nearest = [...document.querySelectorAll(selector)].sort((a, b) => distance(a) - distance(b))[0];
  nearest.classList.add('nearest-the-centre');
}"""


def _click_nearest_the_centre(page, selector: str) -> None:
    """Click the feature nearest the map's centre (those at the edge may lie under the controls)."""
    page.evaluate(NEAREST_THE_CENTRE, selector)
    page.locator(f"{selector}.nearest-the-centre").click()


def _shown(page) -> int:
    return int(page.get_attribute("#map-status", "data-feature-count"))


@pytest.fixture
def many_places(app_context):
    db.session.execute(text(PLACES), {"n": ROWS, "lon": LON, "lat": LAT})
    db.session.commit()


@pytest.mark.browser
def test_year_map_counts_cells_for_the_filters_and_opens_popups_zoomed_in(live_server, page, many_places):
    for year in (YEAR - 1, YEAR):
        service.open_year(year)
    planner = make_user("planner")
    page.set_viewport_size({"width": 1280, "height": 800})
    _log_in(page, live_server, planner)
    page.goto(f"{live_server}/inventory/{YEAR}/map?lat={LAT}&lon={LON}&zoom=12")
    _wait_ready(page, "inventoryMap", 12)
    bounds = page.evaluate(BOUNDS, "inventoryMap")
    expected = db.session.scalar(text(IN_VIEW.format(where="true")), bounds)
    assert expected == ROWS  # the whole block is in view
    bubbles = page.eval_on_selector_all(
        ".inventory-cell span", "els => els.map(e => Number(e.textContent.replace(/\\D/g, '')))"
    )
    assert len(bubbles) > 1 and sum(bubbles) == expected == _shown(page)
    assert page.locator("text=Visar de första").count() == 0  # no "showing the first N"
    journey_screenshot(page, "maps", "year-map-cells")

    page.select_option("select[name=category]", "graffiti")  # the filter changes the counts
    page.wait_for_function(f"() => document.querySelector('#map-status').dataset.featureCount !== '{expected}'")
    _wait_ready(page, "inventoryMap", 12)
    graffiti = db.session.scalar(text(IN_VIEW.format(where="category_code = 'graffiti'")), bounds)
    assert _shown(page) == graffiti == ROWS // 3
    assert "category=graffiti" in page.url

    page.evaluate(f"window.inventoryMap.map.setView([{LAT}, {LON}], 17, {{animate: false}})")
    _wait_ready(page, "inventoryMap", 17)
    assert page.locator(".inventory-cell").count() == 0
    zoomed = page.evaluate(BOUNDS, "inventoryMap")
    assert _shown(page) == db.session.scalar(text(IN_VIEW.format(where="category_code = 'graffiti'")), zoomed) > 0
    _click_nearest_the_centre(page, "path.inventory-place")
    popup = page.locator(".leaflet-popup-content .place-popup")
    popup.wait_for()
    assert popup.locator(".place-popup-title").text_content().startswith("Plats ")
    assert popup.locator("a").get_attribute("href").startswith(f"/inventory/{YEAR}/places/")
    journey_screenshot(page, "maps", "year-map-popup")
    assert page.js_errors == [] and page.external_requests == []


EVERY_DAY = "&".join(f"weekday={d}" for d in range(1, 8))
EVERY_HOUR = "&".join(f"hour={h}" for h in range(24))


@pytest.mark.browser
def test_heat_map_comes_from_the_cells_for_the_times_and_opens_popups_zoomed_in(live_server, page, many_places):
    db.session.execute(text(REPORTS))
    db.session.commit()
    police = make_user("police")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", police.email)
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("button[type=submit].button-primary")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/outreach/layers?filtered=1&{EVERY_DAY}&{EVERY_HOUR}")
    page.wait_for_function("() => !!window.outreachHeatMap")
    assert page.get_attribute("[data-count]", "data-count") == str(ROWS)  # every report, none left out
    page.evaluate(f"window.outreachHeatMap.map.setView([{LAT}, {LON}], 12, {{animate: false}})")
    _wait_ready(page, "outreachHeatMap", 12)
    bounds = page.evaluate(BOUNDS, "outreachHeatMap")
    box = (bounds["w"], bounds["s"], bounds["e"], bounds["n"])
    assert _shown(page) == outreach_queries.heat_count(list(range(1, 8)), list(range(24)), box) == ROWS
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
    journey_screenshot(page, "maps", "heat-map-cells")

    nights = [*range(18, 24), *range(6)]
    query = "&".join(["weekday=5", "weekday=6", *(f"hour={h}" for h in nights)])
    page.goto(f"{live_server}/outreach/layers?filtered=1&{query}")  # Friday and Saturday nights
    page.wait_for_function("() => !!window.outreachHeatMap")
    page.evaluate(f"window.outreachHeatMap.map.setView([{LAT}, {LON}], 12, {{animate: false}})")
    _wait_ready(page, "outreachHeatMap", 12)
    expected = outreach_queries.heat_count([5, 6], nights, box)
    assert _shown(page) == expected == int(page.get_attribute("[data-count]", "data-count"))
    assert 0 < expected < ROWS

    page.evaluate(f"window.outreachHeatMap.map.setView([{LAT}, {LON}], 17, {{animate: false}})")
    _wait_ready(page, "outreachHeatMap", 17)
    page.wait_for_selector("path.outreach-heat-place")
    _click_nearest_the_centre(page, "path.outreach-heat-place")
    popup = page.locator(".leaflet-popup-content .outreach-popup")
    popup.wait_for()
    assert popup.locator(".outreach-popup-title").text_content().startswith("Plats ")
    assert popup.locator("a").get_attribute("href").startswith("/outreach/places/")
    journey_screenshot(page, "maps", "heat-map-popup")
    assert page.js_errors == [] and page.external_requests == []
