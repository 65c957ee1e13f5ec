"""OGC API – Tiles over the places' vector tiles: a client finds the tiles from the metadata alone (links, limits,
layers), and GDAL reads them through the tileset."""

import mapbox_vector_tile
import pyogrio
import pytest
from pyproj import Transformer

from tests.factories import STORTORGET, make_place

TILES = "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/"
REL = "http://www.opengis.net/def/rel/ogc/1.0/"
TILESET = "/api/collections/places/tiles/WebMercatorQuad"
TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)


def link(document: dict, rel: str, media_type: str | None = None) -> str:
    found = [x["href"] for x in document["links"] if x["rel"] == rel and media_type in (None, x.get("type"))]
    assert found, (rel, document["links"])
    return found[0]


def path(url: str) -> str:
    return url.removeprefix("http://localhost")


def fill(template: str, z: int, x: int, y: int) -> str:
    return path(template).replace("{tileMatrix}", str(z)).replace("{tileCol}", str(x)).replace("{tileRow}", str(y))


def test_landing_page_and_conformance_declare_the_tiles(client):
    classes = client.get("/api/conformance").json["conformsTo"]
    for name in ("core", "tileset", "tilesets-list", "geodata-tilesets", "mvt", "oas30"):
        assert TILES + name in classes
    assert "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset" in classes
    schemes = client.get(path(link(client.get("/api/").json, REL + "tiling-schemes"))).json
    assert [tms["id"] for tms in schemes["tileMatrixSets"]] == ["WebMercatorQuad"]
    definition = client.get(path(link(schemes["tileMatrixSets"][0], REL + "tiling-scheme"))).json
    assert definition["crs"] == "http://www.opengis.net/def/crs/EPSG/0/3857"
    assert len(definition["tileMatrices"]) == 25 and definition["tileMatrices"][0]["matrixWidth"] == 1


def test_a_client_finds_the_tiles_from_the_collection_alone(client, app_context):
    make_place(title="Mörk gång", category_code="vandalism")
    collection = client.get("/api/collections/places").json
    tilesets = client.get(path(link(collection, REL + "tilesets-vector", "application/json"))).json
    assert [t["dataType"] for t in tilesets["tilesets"]] == ["vector"]
    tileset = client.get(path(link(tilesets["tilesets"][0], "self", "application/json"))).json
    assert tileset["tileMatrixSetURI"].endswith("/WebMercatorQuad")
    assert link(tileset, REL + "tiling-scheme").endswith("/api/tileMatrixSets/WebMercatorQuad")
    template = link(tileset, "item", "application/vnd.mapbox-vector-tile")
    assert template.endswith("/tiles/places/{tileMatrix}/{tileCol}/{tileRow}.mvt")
    layers = {layer["id"]: layer for layer in tileset["layers"]}
    assert layers["cells"]["maxTileMatrix"] == "15" and layers["places"]["minTileMatrix"] == "16"
    assert layers["places"]["maxTileMatrix"] == "20"
    # The tile at Stortorget at zoom 16, found through the limits and the template, holds the place with the
    # fields the metadata names.
    import morecantile

    tile = morecantile.tms.get("WebMercatorQuad").tile(*STORTORGET, 16)
    limit = next(x for x in tileset["tileMatrixSetLimits"] if x["tileMatrix"] == "16")
    assert limit["minTileCol"] <= tile.x <= limit["maxTileCol"] and limit["minTileRow"] <= tile.y <= limit["maxTileRow"]
    response = client.get(fill(template, 16, tile.x, tile.y))
    assert response.status_code == 200 and response.mimetype == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.data)
    assert list(decoded) == ["places"]
    (feature,) = decoded["places"]["features"]
    assert set(feature["properties"]) == set(layers["places"]["propertiesSchema"]["properties"])


def test_the_limits_are_the_tiles_the_server_offers(client):
    tileset = client.get(TILESET).json
    template = link(tileset, "item")
    for limit in tileset["tileMatrixSetLimits"][8:11]:
        z = int(limit["tileMatrix"])
        assert client.get(fill(template, z, limit["minTileCol"], limit["minTileRow"])).status_code == 200
        assert client.get(fill(template, z, limit["maxTileCol"], limit["maxTileRow"])).status_code == 200
        assert client.get(fill(template, z, limit["maxTileCol"] + 2, limit["maxTileRow"])).status_code == 404
        assert client.get(fill(template, z, limit["minTileCol"], limit["minTileRow"] - 2)).status_code == 404


def test_tilejson_for_maplibre_names_the_layers_and_their_fields(client, app_context):
    make_place(title="Mörk gång", category_code="vandalism")
    tilejson = client.get(path(link(client.get(TILESET).json, "alternate"))).json
    assert tilejson["tilejson"] == "3.0.0" and tilejson["minzoom"] == 0 and tilejson["maxzoom"] == 20
    (template,) = tilejson["tiles"]
    assert template.startswith("http://localhost/") and template.endswith("/{z}/{x}/{y}.mvt")
    fields = {layer["id"]: layer["fields"] for layer in tilejson["vector_layers"]}
    assert fields == {
        "cells": {"count": "Number", "categories": "String"},
        "places": {"id": "Number", "category": "String", "generalised": "Boolean"},
    }
    west, south, east, north = tilejson["bounds"]
    assert west < STORTORGET[0] < east and south < STORTORGET[1] < north
    tile = path(template).replace("{z}", "0").replace("{x}", "0").replace("{y}", "0")
    cells = mapbox_vector_tile.decode(client.get(tile).data)["cells"]["features"]
    assert sum(cell["properties"]["count"] for cell in cells) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/collections/areas/tiles",
        "/api/collections/areas/tiles/WebMercatorQuad",
        "/api/collections/nothing/tiles",
        "/api/collections/places/tiles/WorldCRS84Quad",
        "/api/collections/places/tiles/WorldCRS84Quad/tilejson",
        "/api/tileMatrixSets/WorldCRS84Quad",
    ],
)
def test_missing_tilesets_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404 and response.json["code"] == "NotFound"


def test_only_the_places_link_to_tiles(client):
    areas = client.get("/api/collections/areas").json
    assert not [x for x in areas["links"] if x["rel"] == REL + "tilesets-vector"]


# --- a real client ----------------------------------------------------------------------------------------------------


def test_gdal_reads_the_places_through_the_tileset(live_server, app_context):
    lon, lat = STORTORGET
    for i in range(5):  # inside one zoom-16 tile, away from its edges (no copy in a neighbour's buffer)
        make_place({"type": "Point", "coordinates": [lon - 0.001 + i * 0.0004, lat + 0.0002]}, title=f"Plats {i}")
    make_place({"type": "Point", "coordinates": [14.70, 63.20]}, title="Odenskog")
    source = f"OGCAPI:{live_server}/api/collections/places"
    # GDAL compares the collection's CRS84 extent with the tile matrices' metres: give it the area in metres
    # (a few tiles around Stortorget; a layer reads every tile of the area).
    west, south = TO_MERCATOR.transform(lon - 0.01, lat - 0.005)
    east, north = TO_MERCATOR.transform(lon + 0.01, lat + 0.005)
    area = {"API": "TILES", "MINX": west, "MINY": south, "MAXX": east, "MAXY": north}
    info = pyogrio.read_info(source, layer="Zoom level 16", **area)
    assert info["driver"] == "OGCAPI" and info["crs"] == "EPSG:3857"
    assert {"id", "category", "generalised"} <= set(info["fields"])
    places = pyogrio.read_dataframe(source, layer="Zoom level 16", **area)
    assert len(places) == 5 and places["id"].nunique() == 5 and set(places["category"]) == {"poor_lighting"}
    west, south = TO_MERCATOR.transform(14.2, 62.9)
    east, north = TO_MERCATOR.transform(15.2, 63.4)
    area = {"API": "TILES", "MINX": west, "MINY": south, "MAXX": east, "MAXY": north}
    cells = pyogrio.read_dataframe(source, layer="Zoom level 9", **area)
    assert cells["count"].sum() == 6  # the counts of the tiles add up to every place
