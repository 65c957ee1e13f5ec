"""The inventory year's map: places coloured by measure status; last year's comparison is one of the page's filters.

folium builds the layers, their control and the legend; static/js/inventory_map.js draws counts per cell from the
vector tiles zoomed out, and the places in view with their popups zoomed in (gis_app/api/activity_tiles.py).
"""

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
# The layer list starts folded on a phone (it would cover the map), open on wider screens; the same width as the
# places map's legend (places_map.js).
NARROW_SCREEN = JsCode('window.matchMedia("(max-width: 47.99em)").matches')


@dataclass(frozen=True)
class InventoryMapLabels:
    """Texts of the map, already in the page's language."""

    statuses: dict[str, str]
    legend_title: str
    basemap: str
    colors: dict[str, str]


def build_inventory_map(
    bounds, labels: InventoryMapLabels, asset_url: AssetUrl, tile_url: str = "", tile_attribution: str = ""
) -> ScriptedMap:
    """A layer per measure status (the script fills them, and counts only the statuses shown), fitted to `bounds`."""
    m = base_map(centre_of(bounds), 10, asset_url, tile_url, tile_attribution, labels.basemap)
    colors = {code: safe_color(labels.colors.get(code)) for code in STATUS_ORDER}
    layers = {"map": m.get_name(), "status": {}}
    for code in STATUS_ORDER:
        group = folium.FeatureGroup(name=str(layer_name(labels.statuses[code], colors[code]))).add_to(m)
        layers["status"][code] = group.get_name()
    folium.LayerControl(position="topright", collapsed=NARROW_SCREEN).add_to(m)
    Legend(labels.legend_title, [{"label": labels.statuses[c], "color": colors[c]} for c in STATUS_ORDER]).add_to(m)
    fit_at_once(m, bounds)
    return ScriptedMap(m, layers, {"colors": colors})
