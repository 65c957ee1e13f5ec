"""SQL building blocks for any domain's queries: geometries out in a chosen CRS, boxes in from one."""

from sqlalchemy import JSON, cast, func

WGS84 = 4326  # what every geometry is stored in (longitude, latitude)


def geojson_geometry(geom, srid: int | None = None):
    """The geometry as a GeoJSON object: CRS84 (lon/lat) when srid is None, else in EPSG:srid with that CRS's axis
    order; every EPSG code offered (4326 and SWEREF 99) puts north first, hence the flip."""
    if srid is None:
        return cast(func.ST_AsGeoJSON(geom, 7), JSON)
    decimals = 7 if srid == WGS84 else 3  # degrees to about a centimetre, metres to a millimetre
    # Options 0: no GeoJSON-2008 "crs" member in the geometry; the Content-Crs header names the CRS (OGC Part 2).
    return cast(func.ST_AsGeoJSON(func.ST_FlipCoordinates(func.ST_Transform(geom, srid)), decimals, 0), JSON)


def envelope(box: tuple[float, float, float, float], srid: int | None = None):
    """A box as a stored-CRS polygon: CRS84 (west, south, east, north) when srid is None, else four numbers in
    EPSG:srid's axis order (north first: south, west, north, east)."""
    if srid is None:
        return func.ST_MakeEnvelope(*box, WGS84)
    low_north, low_east, high_north, high_east = box
    shape = func.ST_MakeEnvelope(low_east, low_north, high_east, high_north, srid)
    return func.ST_Transform(shape, WGS84) if srid != WGS84 else shape


def in_stored_crs(geom, srid: int | None = None):
    """A geometry given in EPSG:srid (north first) or CRS84 (None), as a stored-CRS geometry."""
    if srid is None:
        return func.ST_SetSRID(geom, WGS84)
    return func.ST_Transform(func.ST_FlipCoordinates(func.ST_SetSRID(geom, srid)), WGS84)
