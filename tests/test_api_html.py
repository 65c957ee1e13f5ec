"""The API as web pages: f=html or a browser's Accept gets Swedish pages with a map and paging links; API clients
keep JSON; the public sees what the JSON shows it, and planted text never reaches a script that runs."""

import json
import re

import pytest

from tests.factories import STORTORGET, make_area, make_place
from tests.xss_corpus import CORPUS, script_problems

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
PAGES = ["/api/", "/api/collections", "/api/collections/places", "/api/collections/places/items"]


def map_config(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="api-map-config">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


@pytest.mark.parametrize("path", PAGES + ["/api/collections/areas", "/api/collections/areas/items"])
def test_pages_answer_html_to_f_and_to_a_browser(client, app_context, path):
    for query, headers in (("?f=html", {}), ("", {"Accept": BROWSER})):
        response = client.get(path + query, headers=headers)
        assert response.status_code == 200, response.data[:300]
        assert response.mimetype == "text/html" and "Accept" in response.headers["Vary"]
        page = response.get_data(as_text=True)
        assert '<html lang="sv">' in page and "Öppna data (OGC API)" in page


@pytest.mark.parametrize("accept", ["application/json", "application/geo+json", "*/*", None])
def test_api_clients_keep_json(client, accept):
    headers = {"Accept": accept} if accept else {}
    for path in PAGES:
        response = client.get(path, headers=headers)
        assert response.status_code == 200 and response.mimetype in ("application/json", "application/geo+json")


@pytest.mark.parametrize(
    "path",
    [
        "/api/openapi",
        "/api/conformance",
        "/api/collections/places/queryables",
        "/api/tileMatrixSets",
        "/api/qgis-project",
    ],
)
def test_routes_without_a_page_refuse_f_html(client, path):
    response = client.get(path + "?f=html")
    assert response.status_code == 406 and response.json["field"] == "f"


def test_items_page_lists_features_with_paging_links_in_swedish(client, app_context):
    for i in range(3):
        make_place({"type": "Point", "coordinates": [14.63 + i * 0.001, 63.17]}, title=f"Plats {i}")
    page = client.get("/api/collections/places/items?f=html&limit=2").get_data(as_text=True)
    assert "Plats 0" in page and "Plats 1" in page and "Plats 2" not in page
    assert "Nästa sida" in page and "Otrygga platser" in page and "2 visas av 3" in page
    next_page = re.search(r'href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "f=html" in next_page
    second = client.get(next_page).get_data(as_text=True)
    assert "Plats 2" in second and "Plats 0" not in second
    features = map_config(page)["features"]["features"]
    assert [f["properties"]["label"] for f in features] == ["Plats 0", "Plats 1"]
    item = client.get(features[0]["properties"]["href"]).get_data(as_text=True)
    assert "<h1>Plats 0</h1>" in item and "Dålig belysning" in item  # the category's Swedish label


def test_the_public_page_shows_the_generalised_position_the_json_shows(client, app_context):
    place = make_place(title="Känslig", category_code="drug_related")
    json_feature = client.get(f"/api/collections/places/items/{place.id}").json
    page = client.get(f"/api/collections/places/items/{place.id}?f=html").get_data(as_text=True)
    (drawn,) = map_config(page)["features"]["features"]
    assert drawn["geometry"] == json_feature["geometry"]
    assert drawn["geometry"]["coordinates"] != list(STORTORGET)  # generalised, not the exact point


def test_planted_text_stays_text(client, app_context):
    for text in CORPUS:
        make_place(title=text, title_reviewed=True)
    make_area(
        {"type": "Polygon", "coordinates": [[[14.5, 63.1], [14.8, 63.1], [14.8, 63.3], [14.5, 63.1]]]}, name=CORPUS[0]
    )
    for path in ("/api/collections/places/items?f=html&limit=100", "/api/collections/areas/items?f=html"):
        page = client.get(path).get_data(as_text=True)
        assert script_problems(page) == [], path
    first = client.get("/api/collections/places/items?limit=1").json["features"][0]["id"]
    assert script_problems(client.get(f"/api/collections/places/items/{first}?f=html").get_data(as_text=True)) == []
