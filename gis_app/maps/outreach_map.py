"""Outreach maps: a shift's numbered route, and a heat map of evening and night observations.

folium builds only the base map, the layers and their control; static/js/outreach_map.js draws the route, the
stops and the flagged places from the page's JSON, and the heat from the counts per cell of the vector tiles
(gis_app/api/activity_tiles.py), with every title as text.
"""

from dataclasses import dataclass

import folium
from markupsafe import escape

from gis_app.core.choices import safe_color
from gis_app.maps.assets import AssetUrl
from gis_app.maps.base import base_map, centre_of
from gis_app.maps.embed import ScriptedMap

LonLat = tuple[float, float]
ROUTE_COLOR = "#1f3a93"
# Leaflet.heat's option names. Each point is a grid cell (64 px apart) weighing its count: a radius that reaches the
# next cell, and maxZoom 0 so the weights never scale with the zoom (the counts already belong to it).
HEAT_OPTIONS = {"radius": 40, "blur": 30, "minOpacity": 0.3, "maxZoom": 0}


@dataclass(frozen=True)
class RouteStop:
    """A numbered stop; `visited` is None while planning, then True or False on a saved plan's map."""

    position: int
    title: str
    lon: float
    lat: float
    visited: bool | None = None
    url: str = ""  # where clicking the stop leads (log a visit there), or nothing


@dataclass(frozen=True)
class FlaggedPlace:
    title: str
    lon: float
    lat: float


def _base(
    points: list[LonLat], fallback_bounds, asset_url: AssetUrl, tile_url: str, attribution: str, basemap: str
) -> folium.Map:
    m = base_map(centre_of(fallback_bounds), 13, asset_url, tile_url, attribution, basemap)
    if points:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    else:
        west, south, east, north = fallback_bounds
        bounds = [[south, west], [north, east]]
    m.fit_bounds(bounds, padding=(30, 30), max_zoom=17)
    return m


def _stop_state(stop: RouteStop) -> str:
    return {None: "planned", True: "visited", False: "not-visited"}[stop.visited]


def build_route_map(
    start: LonLat,
    start_name: str,
    end: LonLat | None,
    stops: list[RouteStop],
    fallback_bounds,
    asset_url: AssetUrl,
    tile_url: str = "",
    attribution: str = "",
    basemap: str = "",
    texts: dict | None = None,
) -> ScriptedMap:
    """The route from the start through the numbered stops (and back to `end`, if given).

    `texts` holds the page's words for the map: the start label, the stop states and the link text.
    """
    path = [start, *((s.lon, s.lat) for s in stops), *([end] if end is not None else [])]
    m = _base(path, fallback_bounds, asset_url, tile_url, attribution, basemap)
    route = folium.FeatureGroup(name="route", control=False).add_to(m)
    features = {
        "kind": "route",
        "routeColor": ROUTE_COLOR,
        "path": [list(p) for p in path] if len(path) > 1 else [],
        "start": {"lon": start[0], "lat": start[1], "name": start_name},
        "stops": [
            {
                "position": s.position,
                "title": s.title,
                "lon": s.lon,
                "lat": s.lat,
                "state": _stop_state(s),
                "url": s.url,
            }
            for s in stops
        ],
        "texts": texts or {},
    }
    return ScriptedMap(m, {"map": m.get_name(), "route": route.get_name()}, features)


def build_heat_map(
    flagged: list[FlaggedPlace],
    fallback_bounds,
    asset_url: AssetUrl,
    tile_url: str = "",
    attribution: str = "",
    basemap: str = "",
    heat_label: str = "",
    flagged_label: str = "",
) -> ScriptedMap:
    """The heat of reports (the script draws it from the counts per cell of the vector tiles, and the places with
    reports zoomed in), and markers for places flagged for police outreach."""
    m = _base([], fallback_bounds, asset_url, tile_url, attribution, basemap)
    # Layer names are our own translated words: Leaflet's layer control inserts them as HTML.
    heat = folium.FeatureGroup(name=str(escape(heat_label))).add_to(m)
    layers: dict[str, str | None] = {"map": m.get_name(), "heat": heat.get_name(), "flagged": None}
    if flagged:
        layers["flagged"] = folium.FeatureGroup(name=str(escape(flagged_label))).add_to(m).get_name()
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    features = {
        "kind": "heat",
        "heatOptions": HEAT_OPTIONS,
        "flaggedColor": safe_color(ROUTE_COLOR),
        "flagged": [{"title": p.title, "lon": p.lon, "lat": p.lat} for p in flagged],
    }
    return ScriptedMap(m, layers, features)
