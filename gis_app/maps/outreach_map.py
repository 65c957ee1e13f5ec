"""Outreach maps: a shift's numbered route, and a heat map of evening and night observations."""
from dataclasses import dataclass

import folium
from folium.plugins import HeatMap
from markupsafe import Markup, escape

from gis_app.maps.assets import AssetUrl, use_local_heat_assets, use_local_map_assets
from gis_app.maps.places_map import MAX_ZOOM, safe_color

LonLat = tuple[float, float]


@dataclass(frozen=True)
class RouteStop:
    """A numbered stop; `visited` is None while planning, then True or False on a saved plan's map."""

    position: int
    title: str
    lon: float
    lat: float
    visited: bool | None = None


@dataclass(frozen=True)
class FlaggedPlace:
    title: str
    lon: float
    lat: float


def _base(points: list[LonLat], fallback_bounds, asset_url: AssetUrl, tile_url: str, attribution: str,
          basemap: str) -> folium.Map:
    m = folium.Map(location=[63.1767, 14.6372], zoom_start=13, tiles=None, control_scale=True, width="100%",
                   height="100%")
    m.options["max_zoom"] = MAX_ZOOM
    use_local_map_assets(m, asset_url)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution or " ", name=basemap, max_zoom=MAX_ZOOM,
                         control=False).add_to(m)
    if points:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    else:
        west, south, east, north = fallback_bounds
        bounds = [[south, west], [north, east]]
    m.fit_bounds(bounds, padding=(30, 30), max_zoom=17)
    return m


def _stop_icon(stop: RouteStop) -> folium.DivIcon:
    state = {None: "planned", True: "visited", False: "not-visited"}[stop.visited]
    html = Markup('<span class="outreach-stop outreach-stop-{}" data-stop="{}">{}</span>').format(
        state, stop.position, stop.position)
    return folium.DivIcon(html=str(html), icon_size=(30, 30), icon_anchor=(15, 15), class_name="outreach-stop-icon")


def build_route_map(start: LonLat, start_name: str, end: LonLat | None, stops: list[RouteStop], fallback_bounds,
                    asset_url: AssetUrl, tile_url: str = "", attribution: str = "", basemap: str = "") -> folium.Map:
    """Draw the route from the start through the numbered stops (and back to `end`, if given)."""
    path = [start, *((s.lon, s.lat) for s in stops), *([end] if end is not None else [])]
    m = _base(path, fallback_bounds, asset_url, tile_url, attribution, basemap)
    if len(path) > 1:
        folium.PolyLine([(lat, lon) for lon, lat in path], color="#1f3a93", weight=4, opacity=0.7,
                        dash_array="6 6").add_to(m)
    start_icon = folium.DivIcon(html='<span class="outreach-start">●</span>', icon_size=(22, 22),
                                icon_anchor=(11, 11), class_name="outreach-start-icon")
    folium.Marker((start[1], start[0]), icon=start_icon, tooltip=str(escape(start_name))).add_to(m)
    for stop in stops:
        folium.Marker((stop.lat, stop.lon), icon=_stop_icon(stop),
                      tooltip=str(escape(f"{stop.position}. {stop.title}"))).add_to(m)
    return m


def build_heat_map(points: list[tuple[float, float]], flagged: list[FlaggedPlace], fallback_bounds,
                   asset_url: AssetUrl, tile_url: str = "", attribution: str = "", basemap: str = "",
                   heat_label: str = "", flagged_label: str = "") -> folium.Map:
    """A heat map of the (lat, lon) points, and markers for places flagged for police outreach."""
    m = _base([(lon, lat) for lat, lon in points], fallback_bounds, asset_url, tile_url, attribution, basemap)
    if points:
        heat = HeatMap([list(p) for p in points], name=str(escape(heat_label)), radius=18, blur=15,
                       min_opacity=0.3, max_zoom=16)
        use_local_heat_assets(heat, asset_url)
        heat.add_to(m)
    if flagged:
        group = folium.FeatureGroup(name=str(escape(flagged_label))).add_to(m)
        for place in flagged:
            folium.CircleMarker((place.lat, place.lon), radius=8, color=safe_color("#1f3a93"), fill=True,
                                fill_opacity=0.6, tooltip=str(escape(place.title))).add_to(group)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    return m
