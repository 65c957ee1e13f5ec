"""What the preview page shows of a file: the CRS choices and a guess for CSV, and a small map of its rows (folium
scaffolding only; the rows and their titles go to the page as JSON, drawn by static/js/import_map.js)."""

from __future__ import annotations

from statistics import median

import folium
import shapely
from shapely.geometry import mapping as geojson

from gis_app.core.readers import BadGeometry, SourceFile, is_blank
from gis_app.maps.assets import AssetUrl
from gis_app.maps.base import base_map, centre_of, fit_at_once
from gis_app.maps.embed import ScriptedMap

# The coordinate systems a CSV file (or a file that declares none) can be read in: Swedish municipal data is in
# SWEREF 99 TM, a local SWEREF zone (Östersund: 14 15), the older RT 90, or GPS degrees.
CRS_CHOICES = {
    "EPSG:4326": "WGS 84 (EPSG:4326)",
    "EPSG:3006": "SWEREF 99 TM (EPSG:3006)",
    "EPSG:3012": "SWEREF 99 14 15 (EPSG:3012)",
    "EPSG:3021": "RT 90 2.5 gon V (EPSG:3021)",
}
PREVIEW_MAX_FEATURES = 2000  # rows drawn on the preview map; the dry run checks them all


def guess_crs(source: SourceFile) -> str:
    """Guess a CSV file's CRS from the size of its numbers (read as degrees): degrees, RT 90, a local zone or TM."""
    firsts = [
        shapely.get_coordinates(geom)[0]
        for geom in source.geometries
        if geom is not None and not isinstance(geom, BadGeometry) and not geom.is_empty
    ]
    if not firsts:
        return "EPSG:4326"
    x, y = median(float(first[0]) for first in firsts), median(float(first[1]) for first in firsts)
    if abs(x) <= 180 and abs(y) <= 90:
        return "EPSG:4326"
    if x > 1_200_000:  # RT 90 eastings are about 1.2–1.9 million metres
        return "EPSG:3021"
    if x < 300_000:  # SWEREF 99 local zones have a false easting of 150 km
        return "EPSG:3012"
    return "EPSG:3006"


def _on_the_globe(geom) -> bool:
    if geom is None or isinstance(geom, BadGeometry) or geom.is_empty:
        return False
    west, south, east, north = geom.bounds
    return -180 <= west <= east <= 180 and -90 <= south <= north <= 90


def preview_features(source: SourceFile, title_column: str | None) -> dict:
    """The first rows that have a drawable geometry, as GeoJSON with their row number and title (plain text)."""
    titles = source.attributes[title_column].tolist() if title_column else [None] * len(source)
    features: list[dict] = []
    for index, (geom, title) in enumerate(zip(source.geometries, titles)):
        if len(features) >= PREVIEW_MAX_FEATURES:
            break
        if _on_the_globe(geom):
            features.append(
                {
                    "type": "Feature",
                    "geometry": geojson(geom),
                    "properties": {"row": source.row_number(index), "title": "" if is_blank(title) else str(title)},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def drawable_count(source: SourceFile) -> int:
    """How many rows have a geometry a map can draw (the others lie off the globe: a wrong CRS, say)."""
    return sum(1 for geom in source.geometries if _on_the_globe(geom))


def build_preview_map(
    features: dict, fallback_bounds, asset_url: AssetUrl, tile_url: str = "", attribution: str = ""
) -> ScriptedMap:
    """The map's scaffolding: a base layer and an empty group for the rows, fitted to them (or to the area)."""
    shapes = [shapely.geometry.shape(feature["geometry"]) for feature in features["features"]]
    bounds = shapely.GeometryCollection(shapes).bounds if shapes else fallback_bounds
    west, south, east, north = bounds
    pad = 0.002
    bounds = (west - pad, south - pad, east + pad, north + pad)
    m = base_map(centre_of(bounds), 12, asset_url, tile_url, attribution)
    rows = folium.FeatureGroup(name="rows").add_to(m)
    fit_at_once(m, bounds)
    return ScriptedMap(m, {"map": m.get_name(), "rows": rows.get_name()}, features)
