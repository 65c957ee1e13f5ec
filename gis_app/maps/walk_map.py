"""Walk maps: the route map (folium scaffolding, and its points and texts as JSON) and a static SVG for print."""

import base64
import math
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

import folium
from folium.map import FitBounds

from gis_app.core.choices import safe_color
from gis_app.maps.assets import AssetUrl
from gis_app.maps.base import base_map
from gis_app.maps.embed import ScriptedMap

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


def build_walk_map(
    meeting: tuple[float, float],
    stops: list[Stop],
    route: list[tuple[float, float]],
    asset_url: AssetUrl,
    meeting_label: str,
    tile_url: str = "",
    tile_attribution: str = "",
) -> ScriptedMap:
    """Build the route map's scaffolding; static/js/walk_map.js draws the meeting point, stops, route and findings."""
    # The scale bar (metric only) is added by static/js/walk_map.js: folium's shows miles and feet too.
    m = base_map(meeting, 15, asset_url, tile_url, tile_attribution, scale=False)
    # Added in this order so findings are drawn over the stops, and stops over the route.
    layers = {name: folium.FeatureGroup(name=name).add_to(m).get_name() for name in ("route", "stops", "findings")}
    fit = FitBounds(_bounds([meeting, *[(s.lon, s.lat) for s in stops], *route]))
    fit.options["animate"] = False
    m.add_child(fit)
    return ScriptedMap(m, {"map": m.get_name(), **layers}, walk_features(meeting, stops, route, meeting_label))


def walk_features(
    meeting: tuple[float, float], stops: list[Stop], route: list[tuple[float, float]], meeting_label: str
) -> dict:
    """The walk's points and texts as JSON for the page's script (stops numbered in walking order)."""
    return {
        "meeting": {"lon": meeting[0], "lat": meeting[1], "label": meeting_label},
        "stops": [
            {"number": number, "lon": stop.lon, "lat": stop.lat, "title": stop.label, "color": safe_color(stop.color)}
            for number, stop in enumerate(stops, start=1)
        ],
        "route": [[lon, lat] for lon, lat in route] if len(route) > 1 else [],
        "routeColor": ROUTE_COLOR,
        "meetingColor": MEETING_COLOR,
    }


# --- a static map for print and PDF: no tiles, no script ------------------------------------------------------------

METRES_PER_DEGREE = 111_195  # of latitude, on the mean Earth radius
MIN_SPAN_DEGREES = 0.003  # about 330 m: a map of one or two findings still shows their surroundings


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
    length = max(n * 10**e for e in range(0, 6) for n in (1, 2, 5) if n * 10**e <= max(target, 1))
    bar = length * pixels_per_metre
    label = f"{length // 1000:g} km" if length >= 1000 else f"{length:g} m"
    y = height - 14
    return (
        f'<g class="scale-bar"><rect x="14" y="{y - 6}" width="{bar:.1f}" height="6" fill="#333"/>'
        f'<text x="14" y="{y - 10}" font-size="12" fill="#333">{label}</text></g>'
    )


def _rings(outline: dict | None):
    if not outline:
        return []
    polygons = outline["coordinates"] if outline["type"] == "MultiPolygon" else [outline["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


TileSource = Callable[[int, int, int], "bytes | None"]
TILE_METRES_PER_PIXEL_AT_EQUATOR = 156_543.03392
MAX_BASEMAP_TILES = 36
LABEL_GAP = 24  # px: two numbered symbols closer than this would hide each other's numbers
SAFE_COLOR = "#2ca02c"
DEFAULT_TEXTS = {
    "legend": "Legend",
    "meeting": "Meeting point",
    "stop": "Stop",
    "finding": "Finding",
    "safe": "Safe place",
    "route": "Route",
    "no_basemap": "No basemap available",
    "attribution": "",
}


def _tile_xy(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Fractional Web Mercator tile coordinates of a point."""
    n = 2**z
    return (lon + 180) / 360 * n, (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n


def _tile_lon_lat(x: float, y: float, z: int) -> tuple[float, float]:
    n = 2**z
    return x / n * 360 - 180, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))


def _basemap(project, pixels_per_metre: float, corners, tiles: TileSource | None) -> list[str] | None:
    """The tiles under the map as <image> elements (data URIs), or None when any of them is not available."""
    if tiles is None:
        return None
    (west, north), (east, south) = corners
    latitude = math.radians((north + south) / 2)
    zoom = round(math.log2(TILE_METRES_PER_PIXEL_AT_EQUATOR * math.cos(latitude) * pixels_per_metre))
    zoom = max(0, min(19, zoom))
    x0, y0 = (math.floor(v) for v in _tile_xy(west, north, zoom))
    x1, y1 = (math.floor(v) for v in _tile_xy(east, south, zoom))
    if (x1 - x0 + 1) * (y1 - y0 + 1) > MAX_BASEMAP_TILES:
        return None
    images = []
    for tx in range(x0, x1 + 1):
        for ty in range(y0, y1 + 1):
            content = tiles(zoom, tx, ty)
            if not content:
                return None
            left, top = project(*_tile_lon_lat(tx, ty, zoom))
            right, bottom = project(*_tile_lon_lat(tx + 1, ty + 1, zoom))
            data = base64.b64encode(content).decode()
            images.append(
                f'<image x="{left:.1f}" y="{top:.1f}" width="{right - left:.1f}" '
                f'height="{bottom - top:.1f}" preserveAspectRatio="none" '
                f'xlink:href="data:image/png;base64,{data}"/>'
            )
    return images


def _place_labels(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Where to draw each numbered symbol: on its point, or moved aside (with a leader line) so no two overlap."""
    placed: list[tuple[float, float]] = []
    offsets = [(0.0, 0.0)] + [
        (r * math.cos(a * math.pi / 4), r * math.sin(a * math.pi / 4)) for r in (26, 42, 58, 74) for a in range(8)
    ]
    for x, y in points:
        spot = (x, y)
        for dx, dy in offsets:
            candidate = (x + dx, y + dy)
            if all(math.dist(candidate, other) >= LABEL_GAP for other in placed):
                spot = candidate
                break
        placed.append(spot)
    return placed


def _legend(width: int, height: int, texts: dict, has_findings: bool) -> str:
    rows = [
        ("meeting", f'<circle cx="10" cy="0" r="6" fill="{MEETING_COLOR}" stroke="#fff" stroke-width="2"/>'),
        ("stop", '<rect x="3" y="-7" width="14" height="14" rx="3" fill="#555" stroke="#fff" stroke-width="1.5"/>'),
        ("route", f'<line x1="1" y1="0" x2="19" y2="0" stroke="{ROUTE_COLOR}" stroke-width="4"/>'),
    ]
    if has_findings:
        rows += [
            ("finding", '<circle cx="10" cy="0" r="7" fill="#d62728" stroke="#fff" stroke-width="1.5"/>'),
            ("safe", f'<circle cx="10" cy="0" r="7" fill="{SAFE_COLOR}" stroke="#fff" stroke-width="1.5"/>'),
        ]
    box_height = 22 + 18 * len(rows)
    x, y = width - 150, height - box_height - 8
    parts = [
        f'<g class="legend" transform="translate({x},{y})">',
        f'<rect width="142" height="{box_height}" fill="#fff" fill-opacity="0.92" stroke="#666"/>',
        f'<text x="8" y="15" font-size="12" font-weight="700">{xml_escape(texts["legend"])}</text>',
    ]
    for index, (key, symbol) in enumerate(rows):
        row_y = 30 + 18 * index
        parts.append(
            f'<g transform="translate(6,{row_y})">{symbol}'
            f'<text x="26" y="4" font-size="11">{xml_escape(texts[key])}</text></g>'
        )
    parts.append("</g>")
    return "".join(parts)


def _numbered(x: float, y: float, true_x: float, true_y: float, shape: str, color: str, label: str) -> str:
    """A numbered symbol at (x, y); when moved off its point, a leader line and a dot mark the point itself."""
    parts = []
    if (x, y) != (true_x, true_y):
        parts.append(
            f'<line x1="{true_x:.1f}" y1="{true_y:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#333" '
            f'stroke-width="1.2"/><circle cx="{true_x:.1f}" cy="{true_y:.1f}" r="2.5" fill="#333"/>'
        )
    if shape == "square":
        parts.append(
            f'<rect class="stop" x="{x - 11:.1f}" y="{y - 11:.1f}" width="22" height="22" rx="4" '
            f'fill="{safe_color(color)}" stroke="#fff" stroke-width="2"/>'
        )
    else:
        parts.append(
            f'<circle class="finding" cx="{x:.1f}" cy="{y:.1f}" r="11" fill="{safe_color(color)}" '
            f'stroke="#fff" stroke-width="2"/>'
        )
    parts.append(
        f'<text class="number" x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="11" '
        f'font-weight="700" fill="#fff">{xml_escape(label)}</text>'
    )
    return "".join(parts)


def svg_map(
    meeting: tuple[float, float] | None,
    route: list[tuple[float, float]],
    stops: list[Stop],
    findings: list[tuple[float, float, str, str]],
    outline: dict | None = None,
    width: int = 700,
    height: int = 460,
    tiles: TileSource | None = None,
    texts: dict | None = None,
) -> str:
    """Draw the basemap (when its tiles are available), the district outline, the route, numbered stops (squares)
    and numbered findings (circles: lon, lat, label, colour), a legend and a scale bar, as SVG."""
    texts = {**DEFAULT_TEXTS, **(texts or {})}
    focus = [*route, *[(s.lon, s.lat) for s in stops], *[(f[0], f[1]) for f in findings]]
    if meeting:
        focus.append(meeting)
    if not focus:
        focus = [p for ring in _rings(outline) for p in ring] or [(0, 0)]
    project, pixels_per_metre = _projector(focus, width, height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">',
        f'<rect width="{width}" height="{height}" fill="#f7f7f2" stroke="#999"/>',
    ]
    basemap = _basemap(project, pixels_per_metre, _corners(project, width, height), tiles)
    if basemap:
        parts.append('<g class="basemap">' + "".join(basemap) + "</g>")
    for ring in _rings(outline):
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (project(*p[:2]) for p in ring))
        parts.append(
            f'<polygon points="{path}" fill="none" stroke="#3b3b3b" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
    if len(route) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (project(*p) for p in route))
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{ROUTE_COLOR}" stroke-width="4" '
            f'stroke-opacity="0.75" stroke-linejoin="round"/>'
        )
    if meeting:
        x, y = project(*meeting)
        parts.append(
            f'<circle class="meeting" cx="{x:.1f}" cy="{y:.1f}" r="9" fill="{MEETING_COLOR}" '
            f'stroke="#fff" stroke-width="3"/>'
        )
    symbols = [(project(s.lon, s.lat), "square", s.color, str(n)) for n, s in enumerate(stops, start=1)]
    symbols += [(project(lon, lat), "circle", color, label) for lon, lat, label, color in findings]
    spots = _place_labels([point for point, *_ in symbols])
    for ((true_x, true_y), shape, color, label), (x, y) in zip(symbols, spots, strict=True):
        parts.append(_numbered(x, y, true_x, true_y, shape, color, label))
    parts.append(_scale_bar(pixels_per_metre, height))
    parts.append(_legend(width, height, texts, bool(findings)))
    if basemap:
        if texts["attribution"]:
            parts.append(
                f'<text x="{width - 6}" y="12" text-anchor="end" font-size="9" fill="#333">'
                f"{xml_escape(texts['attribution'])}</text>"
            )
    else:
        parts.append(
            f'<text class="no-basemap" x="{width - 6}" y="14" text-anchor="end" font-size="11" '
            f'fill="#555">{xml_escape(texts["no_basemap"])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _corners(project, width: int, height: int):
    """The lon/lat of the image's top-left and bottom-right corners (inverting the linear projection)."""
    x0, y0 = project(0, 0)
    x1, y1 = project(1, 1)
    return ((-x0 / (x1 - x0), -y0 / (y1 - y0)), ((width - x0) / (x1 - x0), (height - y0) / (y1 - y0)))
