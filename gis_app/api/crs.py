"""OGC API – Features, Part 2: the coordinate reference systems offered, named by URI."""

from functools import cache

from pyproj import CRS, Transformer

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
# WGS 84 (latitude first), SWEREF 99 TM and the SWEREF 99 local zones 12 00 … 23 15 (Jämtland works in 14 15: 3012).
EPSG_CODES = (4326, 3006, *range(3007, 3019))


def epsg_uri(code: int) -> str:
    return f"http://www.opengis.net/def/crs/EPSG/0/{code}"


SUPPORTED = (CRS84, *(epsg_uri(code) for code in EPSG_CODES))
_SRIDS = {epsg_uri(code): code for code in EPSG_CODES} | {CRS84: None}


def srid(uri: str) -> int | None:
    """The EPSG code of a supported CRS URI (None for CRS84, longitude first); ValueError for any other."""
    name = uri.strip().removeprefix("<").removesuffix(">").replace("https://", "http://", 1)
    if name not in _SRIDS:
        raise ValueError("expected one of the CRS URIs listed in the collection's `crs`")
    return _SRIDS[name]


def uri(code: int | None) -> str:
    return CRS84 if code is None else epsg_uri(code)


MARGIN_DEGREES = 2.0  # beyond a CRS's area of use, where its coordinates still transform well


@cache
def valid_box(code: int | None) -> tuple[float, float, float, float]:
    """Where coordinates in this CRS make sense, in its axis order (lower corner, upper corner): the CRS's area of
    use and a margin; PostGIS cannot transform much beyond it, and geography refuses latitudes beyond ±90."""
    if code is None:
        return -180.0, -90.0, 180.0, 90.0
    if code == 4326:
        return -90.0, -180.0, 90.0, 180.0
    west, south, east, north = CRS.from_epsg(code).area_of_use.bounds
    area = (
        max(west - MARGIN_DEGREES, -180),
        max(south - MARGIN_DEGREES, -90),
        min(east + MARGIN_DEGREES, 180),
        min(north + MARGIN_DEGREES, 90),
    )
    low_east, low_north, high_east, high_north = Transformer.from_crs(4326, code, always_xy=True).transform_bounds(
        *area
    )
    return low_north, low_east, high_north, high_east


def clamp_box(box: tuple[float, float, float, float], code: int | None) -> tuple[float, float, float, float]:
    """The box cut to where the CRS makes sense (nothing stored lies beyond it)."""
    low1, low2, high1, high2 = valid_box(code)
    return (
        min(max(box[0], low1), high1),
        min(max(box[1], low2), high2),
        min(max(box[2], low1), high1),
        min(max(box[3], low2), high2),
    )


def inside(first: float, second: float, code: int | None) -> bool:
    """Whether a position (in the CRS's axis order) lies where the CRS makes sense."""
    low1, low2, high1, high2 = valid_box(code)
    return low1 <= first <= high1 and low2 <= second <= high2
