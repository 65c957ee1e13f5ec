"""Front-end files folium needs, served by the app from node_modules instead of the CDNs folium names."""

from collections.abc import Callable

import folium
from folium.plugins import MarkerCluster

AssetUrl = Callable[[str], str]  # a path inside node_modules -> the URL the app serves it at

LEAFLET_JS = "leaflet/dist/leaflet.js"
LEAFLET_CSS = "leaflet/dist/leaflet.css"
JQUERY_JS = "jquery/dist/jquery.min.js"
MARKERCLUSTER_JS = "leaflet.markercluster/dist/leaflet.markercluster.js"
MARKERCLUSTER_CSS = "leaflet.markercluster/dist/MarkerCluster.css"
MARKERCLUSTER_DEFAULT_CSS = "leaflet.markercluster/dist/MarkerCluster.Default.css"
LEAFLET_DRAW_JS = "leaflet-draw/dist/leaflet.draw.js"  # drawing and editing walk routes
LEAFLET_DRAW_CSS = "leaflet-draw/dist/leaflet.draw.css"
LEAFLET_HEAT_JS = "leaflet.heat/dist/leaflet-heat.js"  # the heat map page loads it for static/js/outreach_map.js


def use_local_map_assets(m: folium.Map, asset_url: AssetUrl) -> None:
    """Load Leaflet and jQuery from the app; drop Bootstrap, Font Awesome and awesome-markers (unused here)."""
    # Instance attributes: the class lists are shared module globals that other maps must not see changed.
    m.default_js = [("leaflet", asset_url(LEAFLET_JS)), ("jquery", asset_url(JQUERY_JS))]
    m.default_css = [("leaflet_css", asset_url(LEAFLET_CSS))]


def use_local_cluster_assets(cluster: MarkerCluster, asset_url: AssetUrl) -> None:
    """Load Leaflet.markercluster from the app."""
    cluster.default_js = [("markerclusterjs", asset_url(MARKERCLUSTER_JS))]
    cluster.default_css = [
        ("markerclustercss", asset_url(MARKERCLUSTER_CSS)),
        ("markerclusterdefaultcss", asset_url(MARKERCLUSTER_DEFAULT_CSS)),
    ]
