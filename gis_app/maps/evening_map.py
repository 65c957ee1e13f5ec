"""The evening economy map: the zone and one empty layer per Purple Flag layer; the page's script fills them from
the page's JSON, so no user text ever passes through folium."""

from dataclasses import dataclass, field

import folium

from gis_app.maps.assets import AssetUrl
from gis_app.maps.base import base_map, centre_of, fit_at_once
from gis_app.maps.legend import Legend
from gis_app.maps.places_map import layer_name, safe_color


@dataclass(frozen=True)
class EveningLayer:
    """One toggleable layer: its key for the script, its label (escaped into the layer control) and colour."""

    key: str
    label: str
    color: str
    show: bool = True


@dataclass
class EveningMap:
    map: folium.Map
    layers: dict[str, str] = field(default_factory=dict)  # key -> JavaScript name of its FeatureGroup

    def js_names(self) -> dict:
        return {"map": self.map.get_name(), "layers": self.layers}


def build_evening_map(
    layers: list[EveningLayer],
    bounds,
    legend_title: str,
    asset_url: AssetUrl,
    tile_url: str = "",
    attribution: str = "",
    basemap: str = "",
    more_legend: tuple[tuple[str, str], ...] = (),
) -> EveningMap:
    """Build the map: a base layer, an empty group per layer in the layer control, a legend (the layers, then
    `more_legend`'s (label, colour) pairs), fitted to `bounds`."""
    m = base_map(centre_of(bounds), 14, asset_url, tile_url, attribution, basemap)
    evening_map = EveningMap(m)
    for layer in layers:
        group = folium.FeatureGroup(name=str(layer_name(layer.label, layer.color)), show=layer.show).add_to(m)
        evening_map.layers[layer.key] = group.get_name()
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    items = [(layer.label, layer.color) for layer in layers] + list(more_legend)
    Legend(legend_title, [{"label": text, "color": safe_color(color)} for text, color in items]).add_to(m)
    fit_at_once(m, bounds)
    return evening_map
