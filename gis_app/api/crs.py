"""OGC API – Features, Part 2: the coordinate reference systems offered, named by URI."""
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
