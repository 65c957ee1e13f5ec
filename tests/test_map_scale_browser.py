"""The public map with thousands of places: counts per cell from the vector tiles zoomed out that add up to the
database's count for the view, places with popups zoomed in, the view kept in the address, the approximate-position
note for sensitive places."""

import pytest
from sqlalchemy import text

from gis_app.extensions import db
from tests.factories import STORTORGET

LON, LAT = STORTORGET
IN_VIEW = 3000
FAR_AWAY = 200

# A grid of places around the centre (every fourth one sensitive), and some far to the south, out of the view.
PLACES = """
INSERT INTO place (title, title_reviewed, category_code, status_code, geom)
SELECT 'Plats ' || i, true,
       CASE WHEN i % 4 = 0 THEN 'drug_related' ELSE (ARRAY['poor_lighting','vandalism','graffiti'])[1 + i % 3] END,
       'reported',
       ST_SetSRID(ST_MakePoint(:lon + 0.06 * ((i * 37) % 1000) / 1000.0 - 0.03,
                               :lat + 0.03 * ((i * 61) % 997) / 997.0 - 0.015), 4326)
FROM generate_series(1, :n) AS i
"""
FAR = """
INSERT INTO place (title, title_reviewed, category_code, status_code, geom)
SELECT 'Långt bort ' || i, true, 'vandalism', 'reported', ST_SetSRID(ST_MakePoint(:lon + i / 10000.0, 62.95), 4326)
FROM generate_series(1, :n) AS i
"""


@pytest.fixture
def many_places(app_context):
    db.session.execute(text(PLACES), {"n": IN_VIEW, "lon": LON, "lat": LAT})
    db.session.execute(text(FAR), {"n": FAR_AWAY, "lon": LON})
    db.session.commit()


def _sql_count_in(bounds: dict) -> int:
    """Places whose public position lies in the map's view, counted by the database."""
    return db.session.scalar(
        text("SELECT count(*) FROM place WHERE ST_Intersects(public_geom, ST_MakeEnvelope(:w, :s, :e, :n, 4326))"),
        bounds,
    )


def _wait_ready(page, zoom: int) -> None:
    page.wait_for_function(
        f"() => document.querySelector('#map-status').dataset.state === 'ready'"
        f" && window.placesMap.map.getZoom() === {zoom}"
    )


@pytest.mark.browser
def test_zoomed_out_bubbles_add_up_to_the_database_count_and_zoomed_in_shows_popups(live_server, page, many_places):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/?lat={LAT}&lon={LON}&zoom=12")  # a shared link's view
    _wait_ready(page, 12)
    bounds = page.evaluate("""() => { const b = window.placesMap.map.getBounds();
        return {w: b.getWest(), s: b.getSouth(), e: b.getEast(), n: b.getNorth()}; }""")
    expected = _sql_count_in(bounds)
    assert expected == IN_VIEW  # the far places are out of the view
    bubbles = page.eval_on_selector_all(
        ".place-cell span", "els => els.map(e => Number(e.textContent.replace(/\\D/g, '')))"
    )
    assert len(bubbles) > 1 and sum(bubbles) == expected
    assert int(page.get_attribute("#map-status", "data-feature-count")) == expected
    assert page.text_content("#map-status") == f"{expected:,} platser i kartbilden".replace(",", "\u00a0")
    assert page.locator("text=Visar de första").count() == 0  # no "showing the first N" any more
    assert "250 m" in page.text_content(".map-legend")  # why sensitive places are approximate

    # Zoomed out from the whole municipality the far places count too.
    page.evaluate("window.placesMap.map.setZoom(9, {animate: false})")
    _wait_ready(page, 9)
    assert int(page.get_attribute("#map-status", "data-feature-count")) == IN_VIEW + FAR_AWAY

    page.evaluate(f"window.placesMap.map.setView([{LAT}, {LON}], 17, {{animate: false}})")
    _wait_ready(page, 17)
    page.wait_for_function("() => window.location.search.includes('zoom=17')")  # written once moves settle
    assert page.locator(".place-cell").count() == 0
    assert "zoom=17" in page.url and f"lat={LAT:.5f}" in page.url  # the view is kept for a shared link
    assert "zoom=17" in page.get_attribute("[data-lang-link=en]", "href")  # and for the language switch
    page.locator("path.place").first.click()
    popup = page.locator(".leaflet-popup-content .place-popup")
    popup.wait_for()
    assert popup.locator(".place-popup-title").text_content().startswith("Plats ")
    assert page.locator("#places-list .places-list-item").count() > 0  # the keyboard list of the places in view

    sensitive = db.session.scalar(text("SELECT min(id) FROM place WHERE category_code = 'drug_related'"))
    page.evaluate("window.placesMap.map.closePopup()")
    assert page.evaluate(f"window.placesMap.openPlace({sensitive})")
    page.wait_for_function("() => !!document.querySelector('.leaflet-popup-content .place-popup-generalised')")
    assert "250 m" in page.text_content(".place-popup-generalised")
    assert page.js_errors == []
    assert page.external_requests == []
