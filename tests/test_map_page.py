"""The unsafe-places map page: server-rendered shell (language, no embedded data, no CDN) and, in Chromium,
drawing, popups, layer toggling and filtering against the real API."""

import re

import pytest
from playwright.sync_api import expect

from gis_app import create_app
from gis_app.core.choices import Choice
from gis_app.maps.places_map import MapLabels, build_places_map
from tests.factories import STORTORGET, make_area, make_place

XSS_TITLE = "<img src=x onerror=alert(1)>"
XSS_TEXT = "<script>window.pwned=1</script>"
EXTERNAL_URL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//(?!127\.0\.0\.1[:/])([^"'\s>]+)""", re.I)


def _square(lon, lat, size=0.002):
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


# --- the page as served -------------------------------------------------------------------------------------


def test_map_page_is_swedish_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in html
    assert "Dålig belysning" in html  # a category label, in the filters and the legend
    assert "Trygghetskartan" in html
    assert "Poor lighting" not in html


def test_map_page_in_english_on_request(app):
    client = app.test_client()  # its own cookie jar: the choice is remembered in the session
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Poor lighting" in html and "Safety map" in html
    assert "Dålig belysning" not in html
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in client.get("/?lang=sv").get_data(as_text=True)


def test_map_page_does_not_embed_places(client, app_context):
    make_place(title="Unik-titel-4711", observations=["Unik-observation-4711"])
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Unik-titel-4711" not in html
    assert "Unik-observation-4711" not in html


def test_map_page_loads_nothing_from_the_internet(client):
    html = client.get("/").get_data(as_text=True)
    assert EXTERNAL_URL.findall(html) == []
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg", "fontawesome"):
        assert cdn not in html
    for asset in (
        "/vendor/leaflet/dist/leaflet.js",
        "/vendor/leaflet/dist/leaflet.css",
        "/vendor/jquery/dist/jquery.min.js",
        "/vendor/leaflet.markercluster/dist/leaflet.markercluster.js",
        "/vendor/leaflet.markercluster/dist/MarkerCluster.css",
        "/static/js/places_map.js",
    ):
        assert asset in html
        assert client.get(asset).status_code == 200


def test_no_tile_layer_without_tile_url(client):
    html = client.get("/").get_data(as_text=True)
    assert "L.tileLayer" not in html


def test_tile_layer_from_settings(app):
    tiled = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "TILE_URL": "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    html = tiled.test_client().get("/").get_data(as_text=True)
    assert "L.tileLayer" in html and '"/tiles/{z}/{x}/{y}.png"' in html  # through the app, not the upstream
    assert "127.0.0.1:9" not in html


def test_filters_offer_reference_data_and_keep_the_query(client, app_context):
    district = make_area(_square(14.6, 63.15, 0.1), name="Centrum")
    html = client.get(f"/?category=vandalism,graffiti&year=1999&district={district.id}").get_data(as_text=True)
    assert re.search(r'value="vandalism"\s+checked', html)
    assert re.search(r'value="graffiti"\s+checked', html)
    assert not re.search(r'value="poor_lighting"\s+checked', html)
    assert re.search(rf'value="{district.id}" selected>Centrum', html)
    assert 'name="time_of_day" value="evening"' in html and "Kväll" in html
    assert 'name="status" value="remediated"' in html and "Åtgärdad" in html


def test_the_map_is_fitted_to_the_municipality(client, app_context):
    assert "[[62.89, 14.26], [63.6, 15.56]]" in client.get("/").get_data(as_text=True)  # AREA_BOUNDS
    make_area(_square(14.0, 62.0, 1.0), kind="municipality", code="2380", name="Östersund")
    assert "[[62.0, 14.0], [63.0, 15.0]]" in client.get("/").get_data(as_text=True)


def test_error_page_is_html_in_the_page_language(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="sv">' in html and "404" in html


def test_map_builder_escapes_labels_and_colours():
    """Category labels and colours are editable data: they reach the layer control and legend only escaped."""
    evil = Choice("evil", "<b onmouseover=x>Evil</b>", "red;background:url(http://x)")
    places_map = build_places_map(
        [evil], (14.0, 62.0, 15.0, 63.0), MapLabels("Legend", "Districts", "Base"), lambda path: "/vendor/" + path
    )
    html = places_map.map.get_root().render()
    assert "<b onmouseover" not in html and "url(http" not in html
    assert "&lt;b onmouseover=x&gt;Evil&lt;/b&gt;" in html  # legend and layer name
    assert set(places_map.js_names()["categories"]) == {"evil"}
    assert places_map.js_names()["categories"]["evil"]["color"] == "#666666"


# --- in the browser -----------------------------------------------------------------------------------------

ONE_LAYER_NAME = "Dålig belysning"


@pytest.fixture
def demo_places(app_context):
    """A district; points in two categories, a line, a polygon and a place whose texts try to run script."""
    lon, lat = STORTORGET
    district = make_area(_square(lon - 0.005, lat - 0.005, 0.015), name="Centrum")  # holds the two lighting points
    places = {
        "light": make_place(title="Mörk busshållplats", category_code="poor_lighting", observations=["Trasig lampa"]),
        "light2": make_place(
            title="Mörk parkering",
            category_code="poor_lighting",
            geometry={"type": "Point", "coordinates": [lon + 0.01, lat + 0.004]},
        ),
        "vandal": make_place(
            title="Krossade rutor",
            category_code="vandalism",
            geometry={"type": "Point", "coordinates": [lon - 0.01, lat - 0.004]},
        ),
        "path": make_place(
            title="Mörk gångväg vid ån",
            category_code="dark_path",
            geometry={"type": "LineString", "coordinates": [[lon, lat - 0.01], [lon + 0.02, lat - 0.012]]},
        ),
        "park": make_place(
            title="Igenvuxen park", category_code="overgrown_vegetation", geometry=_square(lon - 0.03, lat + 0.01, 0.01)
        ),
        "xss": make_place(
            title=XSS_TITLE,
            category_code="graffiti",
            observations=[XSS_TEXT],
            geometry={"type": "Point", "coordinates": [lon + 0.02, lat + 0.02]},
        ),
    }
    return {"district": district.id} | {key: place.id for key, place in places.items()}


def _open_map(page, live_server, query=""):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server}/{query}")
    page.wait_for_selector("#map-status[data-state=ready]")
    return int(page.get_attribute("#map-status", "data-feature-count"))


def _drawn(page) -> int:
    """Places drawn on the map: count bubbles and clusters count their members, single places are SVG paths."""
    return page.evaluate("""() => {
        let n = document.querySelectorAll("path.place").length;
        document.querySelectorAll(".place-cluster span, .place-cell span").forEach(s => {
            n += Number(s.textContent.replace(/\\D/g, ""));
        });
        return n;
    }""")


def _zoom_in(page, lat, lon, zoom=16):
    """Go to the zoom where places are drawn one by one (the opening view shows counts per cell)."""
    page.evaluate(f"window.placesMap.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    page.wait_for_function(
        f"() => document.querySelector('#map-status').dataset.state === 'ready'"
        f" && window.placesMap.map.getZoom() === {zoom} && !document.querySelector('.place-cell')"
    )


@pytest.mark.browser
def test_map_draws_places_and_escapes_user_text(live_server, page, demo_places):
    assert _open_map(page, live_server) == 6
    assert page.locator(".leaflet-marker-pane .place-cell").count() > 0  # counts per cell at the opening zoom
    assert _drawn(page) == 6
    assert page.text_content("#map-status") == "6 platser i kartbilden"
    page.locator(".leaflet-districts-pane path").wait_for()  # the district outline
    lon, lat = STORTORGET
    page.evaluate(f"window.placesMap.map.setView([{lat + 0.005}, {lon - 0.005}], 13, {{animate: false}})")
    page.wait_for_function(
        "() => document.querySelector('#map-status').dataset.state === 'ready' && window.placesMap.map.getZoom() === 13"
    )
    assert _drawn(page) == 6  # still all in view, in smaller cells
    _zoom_in(page, lat - 0.011, lon + 0.01)  # the line's middle
    page.locator(f"path.place-{demo_places['path']}").wait_for()
    page.evaluate("window.placesMap.map.setZoom(15, {animate: false})")  # below the point zoom: counts again
    page.wait_for_selector(".place-cell")
    assert page.locator("path.place").count() == 0
    _zoom_in(page, lat + 0.015, lon - 0.025)  # the park
    page.locator(f"path.place-{demo_places['park']}").wait_for()

    assert page.evaluate(f"window.placesMap.openPlace({demo_places['xss']})")
    popup = page.locator(".leaflet-popup-content .place-popup")
    popup.wait_for()
    assert popup.locator(".place-popup-title").text_content() == XSS_TITLE
    assert popup.locator(".place-popup-text").text_content() == XSS_TEXT
    assert "Klotter" in popup.text_content()  # category label, Swedish
    assert "Rapporterad" in popup.text_content()  # status label
    assert "Medborgarrapport" in popup.text_content()  # source of the last observation
    assert page.evaluate("window.pwned") is None
    assert page.locator(".leaflet-popup img, img[src=x]").count() == 0

    page.wait_for_function("getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
    page.screenshot(path="/tmp/map.png")
    assert page.js_errors == []
    assert page.external_requests == []


@pytest.mark.browser
def test_popup_opens_on_click(live_server, page, demo_places):
    _open_map(page, live_server)
    lon, lat = STORTORGET
    _zoom_in(page, lat + 0.015, lon - 0.025)  # the park's centre
    page.locator(f"path.place-{demo_places['park']}").click()
    popup = page.locator(".leaflet-popup-content .place-popup")
    popup.wait_for()
    assert popup.locator(".place-popup-title").text_content() == "Igenvuxen park"
    assert "Inga iakttagelser ännu" in popup.text_content()
    assert page.js_errors == []


@pytest.mark.browser
def test_layer_control_toggles_a_category(live_server, page, demo_places):
    assert _open_map(page, live_server) == 6
    page.hover(".leaflet-control-layers")
    toggle = page.locator(".leaflet-control-layers-overlays label", has_text="Mörk gångväg").locator("input")
    toggle.uncheck()  # zoomed out: the bubbles and the counter leave the category out
    page.wait_for_function("() => document.querySelector('#map-status').dataset.featureCount === '5'")
    assert _drawn(page) == 5
    toggle.check()
    page.wait_for_function("() => document.querySelector('#map-status').dataset.featureCount === '6'")
    lon, lat = STORTORGET
    _zoom_in(page, lat - 0.011, lon + 0.01, 15 + 1)
    page.wait_for_function("() => document.querySelectorAll('path.place').length >= 1")
    before = _drawn(page)
    page.hover(".leaflet-control-layers")
    toggle = page.locator(".leaflet-control-layers-overlays label", has_text="Mörk gångväg").locator("input")
    page.screenshot(path="/tmp/map-layers.png")
    toggle.uncheck()
    page.wait_for_function(f"() => !document.querySelector('path.place-{demo_places['path']}')")
    assert _drawn(page) == before - 1
    toggle.check()
    page.locator(f"path.place-{demo_places['path']}").wait_for()
    assert page.js_errors == []
    assert page.external_requests == []


@pytest.mark.browser
def test_filters_reload_without_navigation(live_server, page, demo_places):
    assert _open_map(page, live_server) == 6
    page.evaluate("window.sameDocument = true")
    page.locator("#map-filters input[name=category][value=poor_lighting]").check()
    page.wait_for_function("() => document.querySelector('#map-status').dataset.featureCount === '2'")
    page.wait_for_selector("#map-status[data-state=ready]")
    assert page.evaluate("window.sameDocument") is True
    assert "category=poor_lighting" in page.url  # the filter is kept in the address
    assert page.locator(f"path.place-{demo_places['park']}").count() == 0

    page.locator("#map-filters .filters-clear").click()
    page.wait_for_function("() => document.querySelector('#map-status').dataset.featureCount === '6'")
    page.select_option("#map-filters select[name=district]", str(demo_places["district"]))
    page.wait_for_function("() => document.querySelector('#map-status').dataset.featureCount === '2'")
    assert f"district={demo_places['district']}" in page.url
    assert page.evaluate("window.sameDocument") is True
    assert page.js_errors == []
    assert page.external_requests == []


@pytest.mark.browser
def test_map_page_in_english_and_on_a_phone(live_server, page, demo_places):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server}/?lang=en")
    page.wait_for_selector("#map-status[data-state=ready]")
    assert page.text_content("#map-status") == "6 places in view"
    assert not page.locator("#filter-panel").is_visible()  # folded away on a narrow screen
    page.screenshot(path="/tmp/map-phone-closed.png")
    page.click(".filters-toggle")
    assert page.locator("#filter-panel").is_visible()
    assert page.locator("#filter-panel").get_by_text("Poor lighting").is_visible()
    page.screenshot(path="/tmp/map-phone.png")
    page.locator("#filter-panel").get_by_text("Poor lighting").click()
    page.locator("#map-filters button[type=submit]").click()  # "Show" closes the panel: the map is what one wants
    expect(page.locator("#filter-panel")).to_be_hidden()
    assert page.get_attribute(".filters-toggle", "aria-expanded") == "false"
    page.wait_for_function("() => document.querySelector('#map-status').dataset.featureCount === '2'")
    assert page.js_errors == []
    assert page.external_requests == []
