"""The inventory year's map: places coloured by measure status, and last year's comparison as layers."""
import json
from dataclasses import dataclass

import folium
from folium.map import FitBounds
from folium.utilities import JsCode
from markupsafe import escape

from gis_app.maps.assets import AssetUrl, use_local_map_assets
from gis_app.maps.legend import Legend
from gis_app.maps.places_map import MAX_ZOOM, layer_name, safe_color

STATUS_ORDER = ("none", "proposed", "decided", "in_progress", "done", "verified", "not_feasible")
COMPARISON_ORDER = ("new", "still_unsafe", "remediated")
COMPARISON_COLORS = {"new": "#d62728", "still_unsafe": "#ff7f0e", "remediated": "#2ca02c"}
# The layer list starts folded on a phone (it would cover the map), open on wider screens; the same width as the
# places map's legend (places_map.js).
NARROW_SCREEN = JsCode('window.matchMedia("(max-width: 47.99em)").matches')


@dataclass(frozen=True)
class InventoryMapLabels:
    """Texts of the map, already in the page's language."""

    statuses: dict[str, str]
    comparison: dict[str, str]
    legend_title: str
    basemap: str
    unsafe: str
    safe: str
    not_assessed: str
    priority: str
    colors: dict[str, str]
    locale: str = "sv"


def _base_map(bounds, asset_url: AssetUrl, tile_url: str, attribution: str, basemap: str) -> folium.Map:
    west, south, east, north = bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=10, tiles=None,
                   control_scale=True, width="100%", height="100%")
    m.options["max_zoom"] = MAX_ZOOM
    use_local_map_assets(m, asset_url)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution or " ", name=basemap, max_zoom=MAX_ZOOM,
                         control=False).add_to(m)
    return m


def _feature(place: dict, status_color: str, labels: InventoryMapLabels) -> dict:
    """A GeoJSON feature whose texts are escaped here: folium's tooltip inserts them as HTML."""
    state = labels.not_assessed if place["still_unsafe"] is None else (
        labels.unsafe if place["still_unsafe"] else labels.safe)
    category = place["category_en"] if labels.locale == "en" else place["category_sv"]
    return {"type": "Feature", "id": place["id"], "geometry": json.loads(place["geometry"]),
            "properties": {"title": str(escape(place["title"])), "category": str(escape(category)),
                           "status": str(escape(labels.statuses[place["measure_status"] or "none"])),
                           "assessment": str(escape(state)), "priority": place["priority"] or "–",
                           "color": status_color}}


def _geojson_layer(features: list[dict], labels: InventoryMapLabels, outline: str | None = None) -> folium.GeoJson:
    def style(feature):
        color = feature["properties"]["color"]
        # "fill": True, or Leaflet keeps the CircleMarker's own fill: false and draws a point as a hollow ring.
        return {"color": outline or "#ffffff" if feature["geometry"]["type"] == "Point" else outline or color,
                "weight": 3 if outline else 2, "fill": True, "fillColor": color, "fillOpacity": 0.8,
                "opacity": 0.95, "radius": 8}

    tooltip = folium.GeoJsonTooltip(fields=["title", "category", "assessment", "status", "priority"],
                                    aliases=[str(escape(a)) for a in ("", "", "", "", labels.priority)],
                                    labels=True, sticky=False)
    return folium.GeoJson({"type": "FeatureCollection", "features": features}, style_function=style,
                          marker=folium.CircleMarker(radius=8), tooltip=tooltip)


def build_inventory_map(places: list[dict], comparison, bounds, labels: InventoryMapLabels, asset_url: AssetUrl,
                        tile_url: str = "", tile_attribution: str = "") -> folium.Map:
    """Places in a layer per measure status; new, still unsafe and remediated places in three more layers."""
    m = _base_map(bounds, asset_url, tile_url, tile_attribution, labels.basemap)
    colors = {code: safe_color(labels.colors.get(code)) for code in STATUS_ORDER}
    by_status: dict[str, list[dict]] = {code: [] for code in STATUS_ORDER}
    by_id = {}
    for place in places:
        status = place["measure_status"] or "none"
        feature = _feature(place, colors[status], labels)
        by_status[status].append(feature)
        by_id[place["id"]] = feature
    for code in STATUS_ORDER:
        group = folium.FeatureGroup(name=str(layer_name(labels.statuses[code], colors[code]))).add_to(m)
        if by_status[code]:
            _geojson_layer(by_status[code], labels).add_to(group)
    for kind in COMPARISON_ORDER:
        ids = sorted(getattr(comparison, kind))
        features = [_recoloured(by_id[i], COMPARISON_COLORS[kind]) for i in ids if i in by_id]
        group = folium.FeatureGroup(name=str(layer_name(labels.comparison[kind], COMPARISON_COLORS[kind])),
                                    show=False).add_to(m)
        if features:
            _geojson_layer(features, labels, outline="#000000").add_to(group)
    folium.LayerControl(position="topright", collapsed=NARROW_SCREEN).add_to(m)
    Legend(labels.legend_title, [{"label": labels.statuses[c], "color": colors[c]} for c in STATUS_ORDER]
                 ).add_to(m)
    _fit(m, places, bounds)
    return m


def _recoloured(feature: dict, color: str) -> dict:
    return {**feature, "properties": {**feature["properties"], "color": color}}


def _fit(m: folium.Map, places: list[dict], bounds) -> None:
    """Fit the view to the places (or the municipality when there are none)."""
    west, south, east, north = bounds
    fit = FitBounds([[south, west], [north, east]])
    if places:
        m.get_root()  # folium computes bounds from its children on render; give it the whole extent instead
        fit = FitBounds(m.get_bounds()) if m.get_bounds()[0][0] is not None else fit
    fit.options["animate"] = False
    m.add_child(fit)
