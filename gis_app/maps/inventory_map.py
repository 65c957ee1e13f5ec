"""The inventory year's map: places coloured by measure status, and last year's comparison as layers.

folium builds the layers, their control and the legend; static/js/inventory_map.js draws the places.
"""

import json
from dataclasses import dataclass

import folium
from folium.utilities import JsCode

from gis_app.core.choices import safe_color
from gis_app.maps.assets import AssetUrl
from gis_app.maps.base import base_map, centre_of, fit_at_once
from gis_app.maps.embed import ScriptedMap
from gis_app.maps.legend import Legend
from gis_app.maps.places_map import layer_name

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


def _feature(place: dict, status_color: str, labels: InventoryMapLabels) -> dict:
    """A GeoJSON feature for the page's script, which shows its texts with textContent."""
    state = (
        labels.not_assessed
        if place["still_unsafe"] is None
        else (labels.unsafe if place["still_unsafe"] else labels.safe)
    )
    category = place["category_en"] if labels.locale == "en" else place["category_sv"]
    status = place["measure_status"] or "none"
    return {
        "type": "Feature",
        "id": place["id"],
        "geometry": json.loads(place["geometry"]),
        "properties": {
            "title": place["title"],
            "category": category,
            "status": labels.statuses[status],
            "status_code": status,
            "assessment": state,
            "priority": place["priority"] or "–",
            "color": status_color,
        },
    }


def build_inventory_map(
    places: list[dict],
    comparison,
    bounds,
    labels: InventoryMapLabels,
    asset_url: AssetUrl,
    tile_url: str = "",
    tile_attribution: str = "",
) -> ScriptedMap:
    """A layer per measure status, and layers of new, still unsafe and remediated places (the script fills them)."""
    m = base_map(centre_of(bounds), 10, asset_url, tile_url, tile_attribution, labels.basemap)
    colors = {code: safe_color(labels.colors.get(code)) for code in STATUS_ORDER}
    layers = {"map": m.get_name(), "status": {}, "comparison": {}}
    for code in STATUS_ORDER:
        group = folium.FeatureGroup(name=str(layer_name(labels.statuses[code], colors[code]))).add_to(m)
        layers["status"][code] = group.get_name()
    for kind in COMPARISON_ORDER:
        group = folium.FeatureGroup(
            name=str(layer_name(labels.comparison[kind], COMPARISON_COLORS[kind])), show=False
        ).add_to(m)
        layers["comparison"][kind] = group.get_name()
    folium.LayerControl(position="topright", collapsed=NARROW_SCREEN).add_to(m)
    Legend(labels.legend_title, [{"label": labels.statuses[c], "color": colors[c]} for c in STATUS_ORDER]).add_to(m)
    fit_at_once(m, bounds)  # the municipality; the script fits the view to the places, if any
    features = {
        "places": [_feature(p, colors[p["measure_status"] or "none"], labels) for p in places],
        "comparison": {kind: sorted(getattr(comparison, kind)) for kind in COMPARISON_ORDER},
        "comparisonColors": COMPARISON_COLORS,
        "priority": labels.priority,
    }
    return ScriptedMap(m, layers, features)
