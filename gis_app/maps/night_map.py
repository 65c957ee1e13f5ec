"""The night-walk map: folium scaffolding (base map, a route layer and a sightings layer); static/js/night_map.js
draws the route and sightings from the page's JSON, lets the user draw a route or mark a sighting."""

import folium

from gis_app.maps.assets import AssetUrl
from gis_app.maps.base import base_map, centre_of, fit_at_once
from gis_app.maps.embed import ScriptedMap

ROUTE_COLOR = "#1f3a93"
SIGHTING_COLOR = "#d62728"


def build_night_map(
    bounds, features: dict, asset_url: AssetUrl, tile_url: str = "", attribution: str = ""
) -> ScriptedMap:
    """A map fitted to W, S, E, N bounds with empty route and sightings layers for the page's script."""
    m = base_map(centre_of(bounds), 14, asset_url, tile_url, attribution)
    layers = {
        name: folium.FeatureGroup(name=name, control=False).add_to(m).get_name() for name in ("route", "sightings")
    }
    fit_at_once(m, bounds)
    return ScriptedMap(
        m, {"map": m.get_name(), **layers}, {**features, "routeColor": ROUTE_COLOR, "sightingColor": SIGHTING_COLOR}
    )
