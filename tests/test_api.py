"""OGC API – Features: landing page, collections, items with filters, bbox and paging, errors, OpenAPI."""

from datetime import UTC, date, datetime

import pytest
from openapi_spec_validator import validate
from shapely.geometry import LineString, box

from gis_app.extensions import db
from gis_app.places.models import Observation
from tests.factories import STORTORGET, make_area, make_place

ITEMS = "/api/collections/places/items"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return sorted(f["id"] for f in response.json["features"])


def test_landing_page_links_to_every_part(client):
    links = {link["rel"]: link["href"] for link in client.get("/api/").json["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(links)
    for href in links.values():
        assert client.get(href.replace("http://localhost", "")).status_code == 200


def test_conformance_declares_core_and_geojson(client):
    conforms = client.get("/api/conformance").json["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conforms
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conforms


def test_collections_describe_places_and_areas(client):
    collections = {c["id"]: c for c in client.get("/api/collections").json["collections"]}
    assert set(collections) == {"places", "areas"}
    assert collections["places"]["extent"]["spatial"]["bbox"][0][0] == pytest.approx(14.26)
    assert client.get("/api/collections/places").json["id"] == "places"


def test_items_are_geojson_with_the_three_geometry_types(client, app_context):
    make_place(title="Punkt", observations=["Lampan är trasig"])
    make_place(
        {"type": "LineString", "coordinates": [[14.63, 63.17], [14.64, 63.175]]},
        title="Stig",
        category_code="dark_path",
    )
    make_place(box(14.65, 63.18, 14.655, 63.183).__geo_interface__, title="Park", category_code="vandalism")
    response = client.get(ITEMS)
    assert response.mimetype == "application/geo+json"
    body = response.json
    assert body["numberReturned"] == body["numberMatched"] == 3
    by_title = {f["properties"]["title"]: f for f in body["features"]}
    assert by_title["Punkt"]["geometry"] == {"type": "Point", "coordinates": list(STORTORGET)}
    assert by_title["Stig"]["geometry"]["type"] == "LineString"
    assert by_title["Park"]["geometry"]["type"] == "Polygon"
    point = by_title["Punkt"]["properties"]
    assert point["category_label"] == "Dålig belysning"
    assert point["status"] == "reported" and point["status_label"] == "Rapporterad"
    assert point["last_observation"]["text"] == "Lampan är trasig"
    assert by_title["Stig"]["properties"]["last_observation"] is None


def test_labels_follow_lang(client, app_context):
    make_place()
    props = client.get(ITEMS + "?lang=en").json["features"][0]["properties"]
    assert props["category_label"] == "Poor lighting" and props["status_label"] == "Reported"


def test_last_observation_is_the_newest(client, app_context):
    place = make_place(observations=["äldre"])
    db.session.add(
        Observation(
            place_id=place.id,
            source_code="police",
            text="nyast",
            reviewed=True,
            observed_at=datetime(2030, 1, 1, tzinfo=UTC),
            geom=place.geom,
        )
    )
    db.session.commit()
    assert client.get(f"{ITEMS}/{place.id}").json["properties"]["last_observation"]["text"] == "nyast"


def test_single_item_and_unknown_ids(client, app_context):
    place = make_place(title="En plats")
    feature = client.get(f"{ITEMS}/{place.id}").json
    assert feature["id"] == place.id and feature["properties"]["title"] == "En plats"
    assert {link["rel"] for link in feature["links"]} == {"self", "collection"}
    for unknown in ("999999", "abc", "-1", "99999999999999999999"):
        response = client.get(f"{ITEMS}/{unknown}")
        assert response.status_code == 404 and response.json["code"] == "NotFound"


def test_bbox_keeps_only_intersecting_features(client, app_context):
    inside = make_place(title="inne")
    make_place({"type": "Point", "coordinates": [14.85, 63.32]}, title="Lit")
    path = make_place(LineString([(14.60, 63.17), (14.70, 63.17)]).__geo_interface__, title="lång stig")
    assert ids(client.get(ITEMS + "?bbox=14.63,63.17,14.64,63.18")) == sorted([inside.id, path.id])
    assert ids(client.get(ITEMS + "?bbox=14.80,63.30,14.90,63.40")) != []


def test_attribute_filters(client, app_context):
    a = make_place(category_code="vandalism", status_code="confirmed", time_of_day="night", affected_group="women")
    b = make_place(category_code="graffiti", time_of_day="day", affected_group="everyone")
    c = make_place(
        category_code="vandalism", status_code="dismissed", dismissed_reason="Fel plats", time_of_day="evening"
    )
    assert ids(client.get(ITEMS + "?category=vandalism")) == [a.id, c.id]
    assert ids(client.get(ITEMS + "?category=vandalism,graffiti")) == [a.id, b.id, c.id]
    assert ids(client.get(ITEMS + "?status=confirmed,dismissed")) == [a.id, c.id]
    assert ids(client.get(ITEMS + "?time_of_day=evening,night")) == [a.id, c.id]
    assert ids(client.get(ITEMS + "?affected_group=women")) == [a.id]
    assert ids(client.get(ITEMS + "?category=vandalism&time_of_day=night")) == [a.id]


def test_year_matches_reports_and_observations(client, app_context):
    reported_2024 = make_place(reported_on=date(2024, 5, 1))
    observed_2025 = make_place(reported_on=date(2023, 5, 1))
    db.session.add(
        Observation(
            place_id=observed_2025.id,
            source_code="safety_walk",
            text="igen",
            observed_at=datetime(2025, 10, 1, 21, tzinfo=UTC),
            geom=observed_2025.geom,
        )
    )
    db.session.commit()
    assert ids(client.get(ITEMS + "?year=2024")) == [reported_2024.id]
    assert ids(client.get(ITEMS + "?year=2025")) == [observed_2025.id]
    assert ids(client.get(ITEMS + "?datetime=2024-01-01/..")) == [reported_2024.id]
    assert ids(client.get(ITEMS + "?datetime=../2023-12-31")) == [observed_2025.id]
    assert ids(client.get(ITEMS + "?datetime=2024-05-01")) == [reported_2024.id]


def test_district_is_derived_spatially_and_filters(client, app_context):
    district = make_area(box(14.62, 63.16, 14.66, 63.19), code="C", name="Centrum")
    inside = make_place(title="centrum")
    make_place({"type": "Point", "coordinates": [14.85, 63.32]}, title="Lit")
    assert ids(client.get(f"{ITEMS}?district={district.id}")) == [inside.id]
    props = client.get(f"{ITEMS}/{inside.id}").json["properties"]
    assert props["district_id"] == district.id and props["district_name"] == "Centrum"


def test_paging_walks_every_feature_once(client, app_context):
    created = [make_place(title=f"p{i}").id for i in range(7)]
    seen, url, pages = [], ITEMS + "?limit=3", 0
    while url:
        body = client.get(url.replace("http://localhost", "")).json
        assert body["numberReturned"] == len(body["features"]) <= 3
        assert body.get("numberMatched", 7) == 7  # counted on the first page and given on the last
        seen += [f["id"] for f in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        pages += 1
    assert seen == created and pages == 3
    assert "numberMatched" not in client.get(ITEMS + "?limit=3&offset=2").json
    prev = [link for link in client.get(ITEMS + "?limit=3&offset=3").json["links"] if link["rel"] == "prev"]
    assert "offset=0" in prev[0]["href"]


def test_number_matched_is_left_out_above_the_count_cap(client, app_context, monkeypatch, app):
    for i in range(4):
        make_place(title=f"p{i}")
    monkeypatch.setitem(app.config, "API_COUNT_CAP", 2)
    assert "numberMatched" not in client.get(ITEMS + "?limit=1").json
    assert client.get(ITEMS + "?limit=1&offset=3").json["numberMatched"] == 4  # the last page counts for free


def test_limit_above_the_maximum_is_served_as_the_maximum(client, app, monkeypatch, app_context, client_as):
    for i in range(4):
        make_place(title=f"p{i}")
    monkeypatch.setitem(app.config, "API_MAX_LIMIT", 3)
    monkeypatch.setitem(app.config, "API_PUBLIC_MAX_LIMIT", 2)
    assert client.get(ITEMS + "?limit=500").json["numberReturned"] == 2  # the public's pages are smaller
    assert client_as("planner").get(ITEMS + "?limit=500").json["numberReturned"] == 3


def test_areas_collection(client, app_context):
    district = make_area(box(14.62, 63.16, 14.66, 63.19), code="C", name="Centrum")
    make_area(box(14.2, 62.8, 15.6, 63.6), kind="municipality", code="2380", name="Östersund")
    body = client.get("/api/collections/areas/items?kind=district").json
    assert [f["id"] for f in body["features"]] == [district.id]
    assert body["features"][0]["properties"] == {"kind": "district", "code": "C", "name": "Centrum"}
    assert body["features"][0]["geometry"]["type"] == "MultiPolygon"


BAD_QUERIES = [
    ("bbox=1,2,3", "bbox"),
    ("bbox=a,b,c,d", "bbox"),
    ("bbox=14,63,15,NaN", "bbox"),
    ("bbox=14,64,15,63", "bbox"),
    ("bbox=14,63,200,64", "bbox"),
    ("limit=0", "limit"),
    ("limit=-5", "limit"),
    ("limit=ten", "limit"),
    ("offset=-1", "offset"),
    ("offset=1.5", "offset"),
    ("year=abc", "year"),
    ("year=99999", "year"),
    ("category=nope", "category"),
    ("category=", "category"),
    ("status=open", "status"),
    ("time_of_day=noon", "time_of_day"),
    ("affected_group=cats", "affected_group"),
    ("district=x", "district"),
    ("district=0", "district"),
    ("datetime=yesterday", "datetime"),
    ("datetime=2025-01-01/2024-01-01", "datetime"),
    ("datetime=..", "datetime"),
    ("unknown=1", "unknown"),
    ("title=%00", "title"),
    ("lang=AAA", "lang"),
    ("limit=10001", "limit"),
    ("datetime=", "datetime"),
    ("category=vandalism,", "category"),
]


@pytest.mark.parametrize("query,field", BAD_QUERIES)
def test_bad_parameters_get_400_naming_the_field(client, query, field):
    response = client.get(f"{ITEMS}?{query}")
    assert response.status_code == 400
    assert set(response.json) == {"code", "description", "status", "field"}
    assert response.json["field"] == field and response.json["status"] == 400


@pytest.mark.parametrize(
    "url",
    ["/api/collections/nope", "/api/collections/nope/items", "/api/nothing-here", "/api/collections/areas/items/12345"],
)
def test_unknown_things_get_404_in_the_error_shape(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert {"code", "description", "status"} <= set(response.json)


def test_openapi_document_is_valid_and_covers_every_route(client, app):
    response = client.get("/api/openapi")
    assert response.mimetype == "application/vnd.oai.openapi+json"
    document = response.json
    validate(document)
    paths = document["paths"]
    for expected in (
        "/",
        "/conformance",
        "/collections",
        "/collections/places/items",
        "/collections/areas/items/{feature_id}",
        "/openapi",
    ):
        assert expected in paths
    names = {p["name"] for p in paths["/collections/places/items"]["get"]["parameters"]}
    assert {"bbox", "limit", "offset", "datetime", "year", "category", "status", "time_of_day", "district"} <= names
    api_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]
    # Reads and writes share paths (GET and POST .../items): one path per distinct rule, one operation per method.
    ogc_paths = [path for path in paths if not path.startswith(("/walks", "/outreach"))]
    # Tilesets are documented only for the collection with tiles (places).
    per_rule = [2 if "collection_id" in rule and "/tiles" not in rule else 1 for rule in {r.rule for r in api_rules}]
    assert len(ogc_paths) == sum(per_rule)
    for rule in api_rules:
        path = (
            rule.rule.removeprefix("/api")
            .replace("<collection_id>", "places")
            .replace("<feature_id>", "{feature_id}")
            .replace("<tile_matrix_set_id>", "{tile_matrix_set_id}")
            or "/"
        )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path], (path, method)
