"""GeoJSON geometries in, valid shapely geometries out: never repaired, refused with a reason."""

import math
from typing import Protocol

import shapely
from flask_babel import gettext as _
from shapely.validation import explain_validity

from gis_app.core.validation import INVALID, Problems, shorten

MAX_POSITIONS = 10_000  # far more than any drawn place needs; keeps validation cheap for hostile input


# GeoJSON names of EPSG:4326 in longitude/latitude order, the only coordinate system written places may use.
CRS84_NAMES = frozenset(
    {
        "urn:ogc:def:crs:ogc:1.3:crs84",
        "urn:ogc:def:crs:ogc::crs84",
        "http://www.opengis.net/def/crs/ogc/1.3/crs84",
        "https://www.opengis.net/def/crs/ogc/1.3/crs84",
        "epsg:4326",
        "urn:ogc:def:crs:epsg::4326",
        "http://www.opengis.net/def/crs/epsg/0/4326",
        "https://www.opengis.net/def/crs/epsg/0/4326",
    }
)


GEOMETRY_TYPES = {"Point": 0, "LineString": 1, "Polygon": 2}  # how deeply positions are nested


class GeometryProblem(ValueError):
    """A GeoJSON geometry that cannot become a place's geometry; the message says why."""


def crs_problem(crs) -> str | None:
    """Say why a GeoJSON `crs` member is refused (anything but CRS84/EPSG:4326), or None."""
    if crs is None:
        return None
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    if isinstance(name, str) and name.strip().lower() in CRS84_NAMES:
        return None
    return _("only CRS84 (EPSG:4326, longitude/latitude) is accepted: send coordinates in that system")


def _number(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GeometryProblem(_("coordinates must be numbers"))
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise GeometryProblem(_("coordinates must be finite numbers"))
    return number


def _position(value) -> tuple[float, float]:
    """A position: [longitude, latitude] (a height is accepted and dropped: places are stored in 2D)."""
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise GeometryProblem(_("a position must be [longitude, latitude]"))
    return _number(value[0]), _number(value[1])


def _positions(value, depth: int, counter: list[int]):
    """Positions nested `depth` arrays deep, counted against MAX_POSITIONS."""
    if depth == 0:
        counter[0] += 1
        if counter[0] > MAX_POSITIONS:
            raise GeometryProblem(_("too many positions (at most %(max)d)", max=MAX_POSITIONS))
        return _position(value)
    if not isinstance(value, list) or not value:
        raise GeometryProblem(_("coordinates must be a non-empty array of positions"))
    return [_positions(item, depth - 1, counter) for item in value]


def _ring(positions: list) -> list:
    if len(positions) < 4:
        raise GeometryProblem(_("a polygon ring needs at least 4 positions"))
    if positions[0] != positions[-1]:
        raise GeometryProblem(_("a polygon ring must end where it starts"))
    return positions


def _shape(geometry_type: str, coordinates):
    if geometry_type == "Point":
        return shapely.Point(coordinates)
    if geometry_type == "LineString":
        if len(coordinates) < 2:
            raise GeometryProblem(_("a line needs at least 2 positions"))
        return shapely.LineString(coordinates)
    rings = [_ring(ring) for ring in coordinates]
    return shapely.Polygon(rings[0], rings[1:])


def geometry_from_geojson(value, allowed: tuple[str, ...] = tuple(GEOMETRY_TYPES)):
    """Return a shapely geometry for a GeoJSON geometry object, or raise GeometryProblem; never repair it."""
    if not isinstance(value, dict):
        raise GeometryProblem(_("must be a GeoJSON geometry object"))
    problem = crs_problem(value.get("crs"))
    if problem:
        raise GeometryProblem(problem)
    geometry_type = value.get("type")
    if geometry_type not in allowed:
        raise GeometryProblem(
            _(
                "geometry type %(type)s is not allowed: use %(allowed)s",
                type=shorten(geometry_type),
                allowed=", ".join(allowed),
            )
        )
    coordinates = _positions(value.get("coordinates"), GEOMETRY_TYPES[geometry_type], [0])
    geom = _shape(geometry_type, coordinates)
    problem = validity_problem(geom)
    if problem:
        raise GeometryProblem(problem)
    return geom


class Boundary(Protocol):
    """Where geometries must lie (the municipality), and what to say when one does not."""

    outside_reason: str

    def inside(self, geom) -> bool: ...


def check_geometry(value, name: str, rules: Boundary, problems: Problems, allowed=tuple(GEOMETRY_TYPES)):
    """Return a valid shapely geometry inside the municipality, or INVALID."""
    if value is None:
        problems.add(name, _("required"))
        return INVALID
    try:
        geom = geometry_from_geojson(value, allowed)
    except GeometryProblem as problem:
        problems.add(name, str(problem))
        return INVALID
    if not rules.inside(geom):
        problems.add(name, rules.outside_reason)
        return INVALID
    return geom


def validity_problem(geom) -> str | None:
    """Say why a geometry is invalid (never repair it silently), or None when it is valid."""
    if geom.is_valid:
        return None
    return _("invalid geometry: %(reason)s", reason=explain_validity(geom))
