"""OGC API – Tiles over the places' vector tiles: the tile matrix sets (from morecantile), each tiled collection's
tilesets and their metadata, and a TileJSON for MapLibre. The tiles themselves stay at /tiles/places/{z}/{x}/{y}.mvt
(gis_app/api/vectortiles.py); the metadata links to them by their route."""

from dataclasses import dataclass
from functools import cache

import morecantile
from flask import current_app, jsonify, request, url_for

from gis_app.api.crs import CRS84
from gis_app.api.params import parse_query
from gis_app.api.vectortiles import MAX_ZOOM, MVT
from gis_app.api.views import JSON, _link, blueprint, collection_or_404
from gis_app.errors import NotFound
from gis_app.tiles import offered_box

TMS_ID = "WebMercatorQuad"
OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0/"
TILING_SCHEME = OGC_REL + "tiling-scheme"
TILING_SCHEMES = OGC_REL + "tiling-schemes"
TILESETS_VECTOR = OGC_REL + "tilesets-vector"
CENTRE_ZOOM = 12


@dataclass(frozen=True)
class TileLayer:
    """One layer inside the tiles, and the zooms whose tiles hold it."""

    id: str
    description: str
    fields: dict[str, dict]  # property name -> JSON Schema
    first_zoom: int
    last_zoom: int
    geometry_dimension: int | None = None  # None: points, lines and polygons


@dataclass(frozen=True)
class VectorTileset:
    """A collection's vector tiles: the route that serves them and the layers they hold."""

    endpoint: str
    title: str
    description: str

    def layers(self) -> list[TileLayer]:
        point_zoom = min(current_app.config["MVT_POINT_ZOOM"], MAX_ZOOM)
        cells = TileLayer(
            "cells",
            "Zoomed out: one point per grid cell with the number of places there, in all and per category.",
            {
                "count": {"type": "integer", "minimum": 1, "description": "Places in the cell"},
                "categories": {"type": "string", "description": "A JSON object: category code -> places"},
            },
            0,
            point_zoom - 1,
            0,
        )
        places = TileLayer(
            "places",
            "Zoomed in: the places themselves; the public sees sensitive ones at their generalised position.",
            {
                "id": {"type": "integer", "description": "The place's id in the places collection"},
                "category": {"type": "string", "description": "The category code"},
                "generalised": {"type": "boolean", "description": "Shown at an approximate position"},
            },
            point_zoom,
            MAX_ZOOM,
        )
        return [layer for layer in (cells, places) if layer.first_zoom <= layer.last_zoom]


# Collections with vector tiles, by collection id.
TILESETS = {
    "places": VectorTileset(
        "vectortiles.places_tile",
        "Unsafe places as vector tiles",
        "Counts per grid cell zoomed out, the places themselves zoomed in (Mapbox Vector Tiles).",
    ),
}


@cache
def matrix_set() -> morecantile.TileMatrixSet:
    return morecantile.tms.get(TMS_ID)


def tile_template(tileset: VectorTileset, x: str = "{tileCol}", y: str = "{tileRow}", z: str = "{tileMatrix}") -> str:
    """The tiles' absolute URL with placeholders (the route's integer converters cannot spell them)."""
    tile = url_for(tileset.endpoint, z=0, x=0, y=0, _external=True)
    return tile[: -len("0/0/0.mvt")] + f"{z}/{x}/{y}.mvt"


def tile_limits() -> list[dict]:
    """Per zoom, the columns and rows of the tiles the server offers (those over the municipality)."""
    west, south, east, north = offered_box()
    tms = matrix_set()
    limits = []
    for zoom in range(MAX_ZOOM + 1):
        upper_left, lower_right = tms.tile(west, north, zoom), tms.tile(east, south, zoom)
        limits.append(
            {
                "tileMatrix": str(zoom),
                "minTileRow": upper_left.y,
                "maxTileRow": lower_right.y,
                "minTileCol": upper_left.x,
                "maxTileCol": lower_right.x,
            }
        )
    return limits


def tileset_or_404(collection_id: str, tile_matrix_set_id: str | None = None) -> VectorTileset:
    collection_or_404(collection_id)
    if collection_id not in TILESETS:
        raise NotFound(f"The collection '{collection_id}' has no tiles.")
    if tile_matrix_set_id is not None and tile_matrix_set_id != TMS_ID:
        raise NotFound(f"No tileset in the tile matrix set '{tile_matrix_set_id}'.")
    return TILESETS[collection_id]


def _tiling_scheme_link() -> dict:
    href = url_for(".tile_matrix_set", tile_matrix_set_id=TMS_ID, _external=True)
    return _link(href, TILING_SCHEME, JSON, "The tile matrix set (WebMercatorQuad)")


def _tileset_summary(collection_id: str, tileset: VectorTileset) -> dict:
    href = url_for(".collection_tileset", collection_id=collection_id, tile_matrix_set_id=TMS_ID, _external=True)
    return {
        "title": tileset.title,
        "dataType": "vector",
        "crs": matrix_set().crs.root,
        "tileMatrixSetURI": matrix_set().uri,
        "links": [_link(href, "self", JSON, "The tileset"), _tiling_scheme_link()],
    }


def _layer(layer: TileLayer) -> dict:
    body: dict = {
        "id": layer.id,
        "description": layer.description,
        "dataType": "vector",
        "minTileMatrix": str(layer.first_zoom),
        "maxTileMatrix": str(layer.last_zoom),
        "propertiesSchema": {"type": "object", "properties": layer.fields},
    }
    if layer.geometry_dimension is not None:
        body["geometryDimension"] = layer.geometry_dimension
    return body


def tileset_metadata(collection_id: str, tileset: VectorTileset) -> dict:
    """The OGC API – Tiles tileset: limits, layers and their fields, and the templated link to the tiles."""
    west, south, east, north = offered_box()
    self_url = url_for(".collection_tileset", collection_id=collection_id, tile_matrix_set_id=TMS_ID, _external=True)
    tile_link = _link(tile_template(tileset), "item", MVT, "A vector tile")
    tile_link["templated"] = True
    tilejson_url = url_for(
        ".collection_tilejson", collection_id=collection_id, tile_matrix_set_id=TMS_ID, _external=True
    )
    collection_url = url_for(".collection", collection_id=collection_id, _external=True)
    return {
        **_tileset_summary(collection_id, tileset),
        "description": tileset.description,
        "tileMatrixSetLimits": tile_limits(),
        "boundingBox": {"lowerLeft": [west, south], "upperRight": [east, north], "crs": CRS84},
        "centerPoint": {
            "coordinates": [(west + east) / 2, (south + north) / 2],
            "tileMatrix": str(CENTRE_ZOOM),
            "crs": CRS84,
        },
        "layers": [_layer(layer) for layer in tileset.layers()],
        "links": [
            _link(self_url, "self", JSON, "This tileset"),
            _tiling_scheme_link(),
            tile_link,
            _link(tilejson_url, "alternate", JSON, "The same tileset as TileJSON 3.0 (MapLibre, QGIS)"),
            _link(collection_url, OGC_REL + "geodata", JSON, "The collection"),
        ],
    }


def tilejson(tileset: VectorTileset) -> dict:
    """TileJSON 3.0.0: what MapLibre's and QGIS's vector tile sources read."""
    west, south, east, north = offered_box()
    layers = tileset.layers()
    return {
        "tilejson": "3.0.0",
        "name": tileset.title,
        "description": tileset.description,
        "scheme": "xyz",
        "tiles": [tile_template(tileset, "{x}", "{y}", "{z}")],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": [west, south, east, north],
        "center": [(west + east) / 2, (south + north) / 2, CENTRE_ZOOM],
        "vector_layers": [
            {
                "id": layer.id,
                "description": layer.description,
                "minzoom": layer.first_zoom,
                "maxzoom": layer.last_zoom,
                "fields": {name: _tilejson_type(schema) for name, schema in layer.fields.items()},
            }
            for layer in layers
        ],
    }


def _tilejson_type(schema: dict) -> str:
    return {"integer": "Number", "number": "Number", "boolean": "Boolean"}.get(schema["type"], "String")


# --- routes ---------------------------------------------------------------------------------------------------------


@blueprint.get("/tileMatrixSets")
def tile_matrix_sets():
    """The tile matrix sets the tiles use."""
    parse_query((), request.args)
    tms = matrix_set()
    href = url_for(".tile_matrix_set", tile_matrix_set_id=TMS_ID, _external=True)
    return jsonify(
        {
            "links": [_link(url_for(".tile_matrix_sets", _external=True), "self", JSON)],
            "tileMatrixSets": [
                {
                    "id": tms.id,
                    "title": tms.title,
                    "uri": tms.uri,
                    "crs": tms.crs.root,
                    "links": [_link(href, TILING_SCHEME, JSON, "The tile matrix set")],
                }
            ],
        }
    )


@blueprint.get("/tileMatrixSets/<tile_matrix_set_id>")
def tile_matrix_set(tile_matrix_set_id: str):
    """One tile matrix set's definition (OGC Two Dimensional Tile Matrix Set 2.0, JSON)."""
    parse_query((), request.args)
    if tile_matrix_set_id != TMS_ID:
        raise NotFound(f"No tile matrix set '{tile_matrix_set_id}'.")
    return jsonify(matrix_set().model_dump(exclude_none=True, mode="json"))


@blueprint.get("/collections/<collection_id>/tiles")
def collection_tilesets(collection_id: str):
    """The collection's vector tilesets."""
    tileset = tileset_or_404(collection_id)
    parse_query((), request.args)
    self_url = url_for(".collection_tilesets", collection_id=collection_id, _external=True)
    return jsonify({"links": [_link(self_url, "self", JSON)], "tilesets": [_tileset_summary(collection_id, tileset)]})


@blueprint.get("/collections/<collection_id>/tiles/<tile_matrix_set_id>")
def collection_tileset(collection_id: str, tile_matrix_set_id: str):
    """The collection's vector tileset in a tile matrix set: limits, layers, fields and the tile URL template."""
    tileset = tileset_or_404(collection_id, tile_matrix_set_id)
    parse_query((), request.args)
    return jsonify(tileset_metadata(collection_id, tileset))


@blueprint.get("/collections/<collection_id>/tiles/<tile_matrix_set_id>/tilejson")
def collection_tilejson(collection_id: str, tile_matrix_set_id: str):
    """The collection's vector tileset as TileJSON 3.0.0, for MapLibre and QGIS."""
    tileset = tileset_or_404(collection_id, tile_matrix_set_id)
    parse_query((), request.args)
    return jsonify(tilejson(tileset))
