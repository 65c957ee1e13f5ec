"""Walk maps: the route map (folium scaffolding, and its points and texts as JSON) and a static SVG for print."""
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

import folium
from folium.map import FitBounds

from gis_app.maps.assets import AssetUrl, use_local_map_assets
from gis_app.maps.embed import ScriptedMap
from gis_app.core.choices import safe_color
from gis_app.maps.places_map import MAX_ZOOM

ROUTE_COLOR = "#1f3a93"
MEETING_COLOR = "#111111"


@dataclass
class Stop:
    lon: float
    lat: float
    label: str
    color: str = "#666666"


def _bounds(points):
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    pad = 0.002
    return [[min(lats) - pad, min(lons) - pad], [max(lats) + pad, max(lons) + pad]]


def build_walk_map(meeting: tuple[float, float], stops: list[Stop], route: list[tuple[float, float]],
                   asset_url: AssetUrl, meeting_label: str, tile_url: str = "",
                   tile_attribution: str = "") -> ScriptedMap:
    """Build the route map's scaffolding; static/js/walk_map.js draws the meeting point, stops, route and findings."""
    # The scale bar (metric only) is added by static/js/walk_map.js: folium's shows miles and feet too.
    m = folium.Map(location=[meeting[1], meeting[0]], zoom_start=15, tiles=None, control_scale=False,
                   width="100%", height="100%")
    m.options["max_zoom"] = MAX_ZOOM
    use_local_map_assets(m, asset_url)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=tile_attribution or " ", max_zoom=MAX_ZOOM, control=False).add_to(m)
    # Added in this order so findings are drawn over the stops, and stops over the route.
    layers = {name: folium.FeatureGroup(name=name).add_to(m).get_name() for name in ("route", "stops", "findings")}
    fit = FitBounds(_bounds([meeting, *[(s.lon, s.lat) for s in stops], *route]))
    fit.options["animate"] = False
    m.add_child(fit)
    return ScriptedMap(m, {"map": m.get_name(), **layers}, walk_features(meeting, stops, route, meeting_label))


def walk_features(meeting: tuple[float, float], stops: list[Stop], route: list[tuple[float, float]],
                  meeting_label: str) -> dict:
    """The walk's points and texts as JSON for the page's script (stops numbered in walking order)."""
    return {"meeting": {"lon": meeting[0], "lat": meeting[1], "label": meeting_label},
            "stops": [{"number": number, "lon": stop.lon, "lat": stop.lat, "title": stop.label,
                       "color": safe_color(stop.color)} for number, stop in enumerate(stops, start=1)],
            "route": [[lon, lat] for lon, lat in route] if len(route) > 1 else [],
            "routeColor": ROUTE_COLOR, "meetingColor": MEETING_COLOR}


# --- a static map for print and PDF: no tiles, no script ------------------------------------------------------------

METRES_PER_DEGREE = 111_195  # of latitude, on the mean Earth radius
MIN_SPAN_DEGREES = 0.003     # about 330 m: a map of one or two findings still shows their surroundings


def _projector(points, width: int, height: int, margin: int = 24):
    """Fit lon/lat into the box, keeping the ground's proportions (longitude shrinks by cos(latitude)).

    Returns project(lon, lat) -> (x, y) and the scale in pixels per metre.
    """
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * shrink, MIN_SPAN_DEGREES)
    span_y = max(max(lats) - min(lats), MIN_SPAN_DEGREES)
    centre_x = (min(lons) + max(lons)) / 2 * shrink
    centre_y = (min(lats) + max(lats)) / 2
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return width / 2 + (lon * shrink - centre_x) * scale, height / 2 - (lat - centre_y) * scale

    return project, scale / METRES_PER_DEGREE


def _scale_bar(pixels_per_metre: float, height: int) -> str:
    """A bar of a round length (10, 20, 50, 100, 200, 500 m, ...) about a fifth of the map wide."""
    target = 140 / pixels_per_metre
    length = max(n * 10 ** e for e in range(0, 6) for n in (1, 2, 5) if n * 10 ** e <= max(target, 1))
    bar = length * pixels_per_metre
    label = f"{length // 1000:g} km" if length >= 1000 else f"{length:g} m"
    y = height - 14
    return (f'<g class="scale-bar"><rect x="14" y="{y - 6}" width="{bar:.1f}" height="6" fill="#333"/>'
            f'<text x="14" y="{y - 10}" font-size="12" fill="#333">{label}</text></g>')


def _rings(outline: dict | None):
    if not outline:
        return []
    polygons = outline["coordinates"] if outline["type"] == "MultiPolygon" else [outline["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


def svg_map(meeting: tuple[float, float] | None, route: list[tuple[float, float]], stops: list[Stop],
            findings: list[tuple[float, float, str, str]], outline: dict | None = None,
            width: int = 700, height: int = 460) -> str:
    """Draw the district outline, the route, numbered stops and numbered findings (lon, lat, label, colour) as SVG."""
    focus = [*route, *[(s.lon, s.lat) for s in stops], *[(f[0], f[1]) for f in findings]]
    if meeting:
        focus.append(meeting)
    if not focus:
        focus = [p for ring in _rings(outline) for p in ring] or [(0, 0)]
    project, pixels_per_metre = _projector(focus, width, height)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
             f'<rect width="{width}" height="{height}" fill="#f7f7f2" stroke="#999"/>']
    for ring in _rings(outline):
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (project(*p[:2]) for p in ring))
        parts.append(f'<polygon points="{path}" fill="none" stroke="#3b3b3b" stroke-width="1.5" '
                     f'stroke-dasharray="6 4"/>')
    if len(route) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (project(*p) for p in route))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{ROUTE_COLOR}" stroke-width="4" '
                     f'stroke-opacity="0.75" stroke-linejoin="round"/>')
    if meeting:
        x, y = project(*meeting)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="{MEETING_COLOR}" stroke="#fff" '
                     f'stroke-width="3"/>')
    for number, stop in enumerate(stops, start=1):
        x, y = project(stop.lon, stop.lat)
        parts.append(f'<rect x="{x - 11:.1f}" y="{y - 11:.1f}" width="22" height="22" rx="4" '
                     f'fill="{safe_color(stop.color)}" stroke="#fff" stroke-width="2"/>'
                     f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle" font-size="13" font-weight="700" '
                     f'fill="#fff">{number}</text>')
    for lon, lat, label, color in findings:
        x, y = project(lon, lat)
        parts.append(f'<circle class="finding" cx="{x:.1f}" cy="{y:.1f}" r="11" fill="{safe_color(color)}" '
                     f'stroke="#fff" stroke-width="2"/><text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
                     f'font-size="11" font-weight="700" fill="#fff">{xml_escape(label)}</text>')
    parts.append(_scale_bar(pixels_per_metre, height))
    parts.append("</svg>")
    return "".join(parts)
