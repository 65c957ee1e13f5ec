"""Test data factories: real rows in PostGIS."""
from geoalchemy2.shape import from_shape
from shapely.geometry import Point, shape

from gis_app.areas.models import Area
from gis_app.extensions import db
from gis_app.places.models import Observation, Place

STORTORGET = (14.6372, 63.1767)  # Stortorget, central Östersund (lon, lat)


def make_place(geometry=None, observations=(), **fields) -> Place:
    """Insert a place (default: a point on Stortorget) with optional observation texts."""
    geom = shape(geometry) if geometry else Point(*STORTORGET)
    values = {"title": "Mörk passage", "category_code": "poor_lighting", **fields}
    place = Place(geom=from_shape(geom, srid=4326), **values)
    db.session.add(place)
    db.session.flush()
    for text in observations:
        point = geom.representative_point()
        db.session.add(Observation(place_id=place.id, source_code="citizen_report", text=text,
                                   geom=from_shape(point, srid=4326)))
    db.session.commit()
    return place


def make_area(geometry, kind="district", code="D1", name="Centrum") -> Area:
    """Insert an area from a shapely or GeoJSON-like polygon."""
    from shapely.geometry import MultiPolygon

    geom = shape(geometry) if isinstance(geometry, dict) else geometry
    if geom.geom_type == "Polygon":
        geom = MultiPolygon([geom])
    area = Area(kind=kind, code=code, name=name, geom=from_shape(geom, srid=4326))
    db.session.add(area)
    db.session.commit()
    return area
