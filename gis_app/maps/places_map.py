"""The unsafe-places map: layers, clustering, legend and extent; the page's JavaScript fills in the places."""

from dataclasses import dataclass, field

import folium
from folium.plugins import MarkerCluster
from markupsafe import Markup, escape

from gis_app.core.choices import safe_color
from gis_app.maps.assets import AssetUrl, use_local_cluster_assets
from gis_app.maps.base import base_map, centre_of, fit_at_once
from gis_app.maps.legend import Legend

CLUSTER_OPTIONS = {
    "show_coverage_on_hover": False,
    "max_cluster_radius": 50,
    "disable_clustering_at_zoom": 17,  # street level: show every place
}


@dataclass(frozen=True)
class MapLabels:
    """Texts of the map, already in the page's language."""

    legend_title: str
    districts: str
    basemap: str
    generalised: str = ""  # why sensitive places are shown approximately (the legend's note)


@dataclass
class PlacesMap:
    """The folium map and the JavaScript names of the layers the page's script fills."""

    map: folium.Map
    category_layers: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> {"group", "cluster", "color"}
    districts_layer: str = ""

    def js_names(self) -> dict:
        """Return the variable names the page's script looks up on `window`."""
        return {"map": self.map.get_name(), "categories": self.category_layers, "districts": self.districts_layer}


def layer_name(label: str, color: str) -> Markup:
    """Return a layer control entry: a colour swatch and the escaped label (Leaflet inserts it as HTML)."""
    return Markup('<span class="swatch" style="background-color: {}"></span>{}').format(safe_color(color), label)


def build_places_map(
    categories, bounds, labels: MapLabels, asset_url: AssetUrl, tile_url: str = "", tile_attribution: str = ""
) -> PlacesMap:
    """Build the empty map: one layer per category (clustered points), district outlines, legend, fitted view."""
    m = base_map(centre_of(bounds), 10, asset_url, tile_url, tile_attribution, labels.basemap)
    fit_at_once(m, bounds)
    places_map = PlacesMap(m)
    for category in categories:
        places_map.category_layers[category.code] = _category_layer(m, category, asset_url)
    districts = folium.FeatureGroup(name=str(escape(labels.districts))).add_to(m)
    places_map.districts_layer = districts.get_name()
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    Legend(
        labels.legend_title, [_legend_item(c) for c in categories], labels.districts, note=labels.generalised
    ).add_to(m)
    return places_map


def _category_layer(m: folium.Map, category, asset_url: AssetUrl) -> dict[str, str]:
    """A toggleable group per category; its points go into a cluster (lines and polygons cannot be clustered)."""
    group = folium.FeatureGroup(name=str(layer_name(category.label, category.color))).add_to(m)
    cluster = MarkerCluster(control=False, options=dict(CLUSTER_OPTIONS)).add_to(group)
    use_local_cluster_assets(cluster, asset_url)
    return {"group": group.get_name(), "cluster": cluster.get_name(), "color": safe_color(category.color)}


def _legend_item(category) -> dict[str, str]:
    return {"label": category.label, "color": safe_color(category.color)}
