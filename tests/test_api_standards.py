"""OGC API – Features Parts 2 (CRS), 3 (queryables, CQL2 filters) and 4 (conformance), read by real clients: GDAL's
OAPIF driver and OWSLib; and what the public can learn through a filter (nothing beyond the public positions)."""

import json
from urllib.parse import quote

import pyogrio
import pytest
from owslib.ogcapi.features import Features
from pyproj import Transformer
from shapely.geometry import box

from gis_app.api.crs import CRS84, epsg_uri
from tests.factories import STORTORGET, make_area, make_place

ITEMS = "/api/collections/places/items"
LON, LAT = STORTORGET
OGC = "http://www.opengis.net/spec/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return sorted(f["id"] for f in response.json["features"])


def cql(client, text: str, **extra) -> list[int]:
    query = "&".join([f"filter={quote(text)}", *(f"{k.replace('_', '-')}={quote(v)}" for k, v in extra.items())])
    return ids(client.get(f"{ITEMS}?{query}"))


# --- Part 2: coordinate reference systems ---------------------------------------------------------------------------


def test_collections_list_their_crs_and_storage_crs(client):
    places = client.get("/api/collections/places").json
    assert places["storageCrs"] == CRS84
    assert {CRS84, epsg_uri(4326), epsg_uri(3006), epsg_uri(3012), epsg_uri(3018)} <= set(places["crs"])


@pytest.mark.parametrize("code", [3006, 3012])
def test_geometries_in_sweref_99_come_northing_first(client, app_context, code):
    place = make_place()
    response = client.get(f"{ITEMS}/{place.id}?crs={quote(epsg_uri(code))}")
    assert response.headers["Content-Crs"] == f"<{epsg_uri(code)}>"
    northing, easting = response.json["geometry"]["coordinates"]
    expected_easting, expected_northing = Transformer.from_crs(4326, code, always_xy=True).transform(LON, LAT)
    assert northing == pytest.approx(expected_northing, abs=0.01)
    assert easting == pytest.approx(expected_easting, abs=0.01)


def test_epsg_4326_is_latitude_first_and_crs84_longitude_first(client, app_context):
    make_place()
    assert client.get(ITEMS).headers["Content-Crs"] == f"<{CRS84}>"
    assert client.get(ITEMS).json["features"][0]["geometry"]["coordinates"] == [LON, LAT]
    lat_first = client.get(f"{ITEMS}?crs={quote(epsg_uri(4326))}").json["features"][0]["geometry"]["coordinates"]
    assert lat_first == [pytest.approx(LAT), pytest.approx(LON)]


def test_bbox_crs_takes_the_box_in_that_crs_and_axis_order(client, app_context):
    inside = make_place()
    make_place({"type": "Point", "coordinates": [14.8536, 63.3225]}, title="Lit")
    easting, northing = Transformer.from_crs(4326, 3006, always_xy=True).transform(LON, LAT)
    sweref = f"{northing - 50},{easting - 50},{northing + 50},{easting + 50}"
    assert ids(client.get(f"{ITEMS}?bbox={sweref}&bbox-crs={quote(epsg_uri(3006))}")) == [inside.id]
    lat_first = f"{LAT - 0.001},{LON - 0.001},{LAT + 0.001},{LON + 0.001}"
    assert ids(client.get(f"{ITEMS}?bbox={lat_first}&bbox-crs={quote(epsg_uri(4326))}")) == [inside.id]
    far = client.get(f"{ITEMS}?bbox=1e300,1e300,2e300,2e300&bbox-crs={quote(epsg_uri(3012))}")
    assert far.status_code == 200 and far.json["features"] == []  # cut to where the CRS is defined, not a 500


@pytest.mark.parametrize("bad", ["EPSG:3006", epsg_uri(3857), epsg_uri(3019), "", CRS84 + "x"])
def test_unoffered_crs_get_400(client, bad):
    for name in ("crs", "bbox-crs", "filter-crs"):
        response = client.get(f"{ITEMS}?{name}={quote(bad)}")
        assert response.status_code == 400 and response.json["field"] == name


@pytest.mark.parametrize("code", [3006, 3012])
def test_gdal_reads_places_in_sweref_99_as_pyproj_computes_them(live_server, app_context, code):
    points = [(14.63 + i * 0.01, 63.17 + i * 0.005) for i in range(3)]
    for lon, lat in points:
        make_place({"type": "Point", "coordinates": [lon, lat]}, title=f"{lon}")
    frame = pyogrio.read_dataframe(f"OAPIF:{live_server}/api", layer="places", CRS=f"EPSG:{code}")
    assert frame.crs.to_epsg() == code
    to_sweref = Transformer.from_crs(4326, code, always_xy=True)
    for (lon, lat), geometry in zip(points, frame.sort_values("title").geometry, strict=True):
        easting, northing = to_sweref.transform(lon, lat)
        # GeoPandas holds x = easting whatever the CRS's axis order: GDAL swapped the northing-first answer back.
        assert (geometry.x, geometry.y) == (pytest.approx(easting, abs=0.01), pytest.approx(northing, abs=0.01))
    assert f"crs={epsg_uri(code)}" in live_server.access_log.read_text()


# --- Part 3: queryables and CQL2 ------------------------------------------------------------------------------------


def test_queryables_are_a_json_schema(client):
    response = client.get("/api/collections/places/queryables")
    assert response.mimetype == "application/schema+json"
    schema = response.json
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert {"geometry", "category", "status", "reported_on", "district_id"} <= set(schema["properties"])
    assert set(client.get("/api/collections/areas/queryables").json["properties"]) == {
        "geometry",
        "kind",
        "code",
        "name",
    }


@pytest.fixture
def three_places(app_context):
    a = make_place(title="Mörk tunnel", category_code="vandalism", priority=3, time_of_day="night")
    b = make_place(
        {"type": "Point", "coordinates": [14.70, 63.20]}, title="Ljus park", category_code="graffiti", priority=1
    )
    c = make_place({"type": "Point", "coordinates": [14.85, 63.32]}, title="Mörk gata", priority=2)
    return a, b, c


def test_cql2_text_operators(client, three_places):
    a, b, c = (p.id for p in three_places)
    assert cql(client, "category = 'vandalism'") == [a]
    assert cql(client, "priority >= 2") == [a, c]
    assert cql(client, "category IN ('vandalism', 'graffiti')") == [a, b]
    assert cql(client, "title LIKE 'Mörk%'") == [a, c]
    assert cql(client, "CASEI(title) LIKE 'mörk%'") == [a, c]
    assert cql(client, "priority BETWEEN 1 AND 2") == [b, c]
    assert cql(client, "NOT (priority = 1) AND time_of_day IS NULL") == [c]
    assert cql(client, "S_INTERSECTS(geometry, BBOX(14.6, 63.1, 14.75, 63.25))") == [a, b]
    assert cql(client, f"S_INTERSECTS(geometry, POINT({LON} {LAT}))") == [a]
    assert cql(client, "S_DWITHIN(geometry, POINT(14.70 63.201), 200)") == [b]  # metres: 111 m away
    assert cql(client, "S_DWITHIN(geometry, POINT(14.70 63.201), 100)") == []
    today = str(three_places[0].reported_on)
    assert cql(client, f"T_INTERSECTS(reported_on, INTERVAL('{today}', '..'))") == [a, b, c]
    assert cql(client, "T_INTERSECTS(reported_on, INTERVAL('2001-01-01', '2001-12-31'))") == []


def test_cql2_json_and_filter_crs(client, three_places):
    a, b, _ = (p.id for p in three_places)
    between = {"op": "between", "args": [{"property": "priority"}, 2, 3]}
    both = {
        "op": "and",
        "args": [
            between,
            {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [14.6, 63.1, 14.75, 63.25]}]},
        ],
    }
    assert cql(client, json.dumps(both), filter_lang="cql2-json") == [a]
    easting, northing = Transformer.from_crs(4326, 3006, always_xy=True).transform(14.70, 63.20)
    near = f"S_DWITHIN(geometry, POINT({northing} {easting}), 10)"  # SWEREF 99 TM, northing first
    assert cql(client, near, filter_crs=epsg_uri(3006)) == [b]


@pytest.mark.parametrize(
    "text,reason",
    [
        ("colour = 'red'", "not queryable"),
        ("category = ", "Invalid filter"),
        ("priority = 'high'", "compare"),
        ("title LIKE 5", "not valid"),
        ("S_DWITHIN(geometry, POINT(14 63), 1e9)", "metres"),
        ("S_INTERSECTS(geometry, POINT(14 95))", "outside"),
        ("category", "not valid"),
        ("T_INTERSECTS(title, DATE('2024-01-01'))", "date"),
        ("FOO(title) = 1", "not offered"),
    ],
)
def test_bad_filters_get_400_naming_the_filter(client, text, reason):
    response = client.get(f"{ITEMS}?filter={quote(text)}")
    assert response.status_code == 400, response.json
    assert response.json["field"] == "filter" and reason in response.json["description"]


def test_a_filter_on_areas(client, app_context):
    centre = make_area(box(14.62, 63.16, 14.66, 63.19), code="C", name="Centrum")
    make_area(box(14.2, 62.8, 15.6, 63.6), kind="municipality", code="2380", name="Östersund")
    response = client.get("/api/collections/areas/items?filter=" + quote("kind = 'district' AND name LIKE 'Cen%'"))
    assert [f["id"] for f in response.json["features"]] == [centre.id]


def test_the_public_filters_only_on_what_it_may_see(client, client_as, app_context):
    """A sensitive place is shown at its cell's centre: a tiny S_DWITHIN around its true position finds it for staff,
    never for the public; nor does its unreviewed title or its true district."""
    make_area(box(14.60, 63.15, 14.70, 63.20), code="C", name="Centrum")
    place = make_place(category_code="drug_related", title="Langning vid busstorget", title_reviewed=False)
    staff = client_as("planner")
    public_position = client.get(f"{ITEMS}/{place.id}").json["geometry"]["coordinates"]
    assert public_position != [LON, LAT]
    exact = f"S_DWITHIN(geometry, POINT({LON} {LAT}), 5)"
    assert cql(staff, exact) == [place.id]
    assert cql(client, exact) == []
    for probe in (
        f"S_INTERSECTS(geometry, POINT({LON} {LAT}))",
        "title LIKE '%busstorget%'",
        "title = 'Langning vid busstorget'",
    ):
        assert cql(client, probe) == [], probe
    assert cql(staff, "title LIKE '%busstorget%'") == [place.id]
    near_centre = f"S_DWITHIN(geometry, POINT({public_position[0]} {public_position[1]}), 5)"
    assert cql(client, near_centre) == [place.id]  # the public finds what it is shown, where it is shown


# --- real clients ---------------------------------------------------------------------------------------------------


def test_owslib_reads_the_api(live_server, app_context):
    make_place(title="Centrum")
    make_place({"type": "Point", "coordinates": [14.8536, 63.3225]}, title="Lit", category_code="graffiti")
    api = Features(f"{live_server}/api")
    assert {c["id"] for c in api.collections()["collections"]} == {"places", "areas"}
    assert OGC + "ogcapi-features-3/1.0/conf/filter" in api.conformance()["conformsTo"]
    assert "category" in api.collection_queryables("places")["properties"]
    page = api.collection_items("places", limit=1)
    assert page["numberReturned"] == 1 and page["numberMatched"] == 2
    filtered = api.collection_items("places", filter="category = 'graffiti'")
    assert [f["properties"]["title"] for f in filtered["features"]] == ["Lit"]
    one = api.collection_item("places", str(filtered["features"][0]["id"]))
    assert one["properties"]["title"] == "Lit"


def test_gdal_sends_attribute_filters_to_the_server_as_cql2(live_server, app_context):
    make_place(title="Centrum", category_code="vandalism")
    make_place({"type": "Point", "coordinates": [14.8536, 63.3225]}, title="Lit", category_code="graffiti")
    frame = pyogrio.read_dataframe(
        f"OAPIF:{live_server}/api", layer="places", where="category = 'graffiti' OR category = 'litter'"
    )
    assert list(frame["title"]) == ["Lit"]
    # GDAL names the language by the draft's name, cql-text; the text itself is CQL2.
    assert "filter=(category%20%3D%20'graffiti')%20OR" in live_server.access_log.read_text()


def test_conformance_lists_what_is_implemented(client):
    conforms = set(client.get("/api/conformance").json["conformsTo"])
    for name in (
        "ogcapi-features-2/1.0/conf/crs",
        "ogcapi-features-3/1.0/conf/queryables",
        "ogcapi-features-3/1.0/conf/features-filter",
        "cql2/1.0/conf/cql2-text",
        "cql2/1.0/conf/cql2-json",
        "ogcapi-features-4/1.0/conf/create-replace-delete",
        "ogcapi-features-4/1.0/conf/update",
        "ogcapi-features-4/1.0/conf/optimistic-locking-etags",
    ):
        assert OGC + name in conforms, name


def test_a_geometry_in_another_crs_has_no_geojson_2008_crs_member(client, app_context):
    place = make_place()
    feature = client.get(f"/api/collections/places/items/{place.id}?crs=http://www.opengis.net/def/crs/EPSG/0/3012")
    assert feature.headers["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/3012>"
    assert set(feature.json["geometry"]) == {"type", "coordinates"}
