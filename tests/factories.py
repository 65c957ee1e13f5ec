"""Test data factories: real rows in PostGIS."""

import itertools
import re

from geoalchemy2.shape import from_shape
from shapely.geometry import Point, shape
from sqlalchemy import select

from gis_app.areas.models import Area
from gis_app.auth.models import ApiToken, Organisation, User
from gis_app.extensions import db
from gis_app.places.models import Observation, Place

STORTORGET = (14.6372, 63.1767)  # Stortorget, central Östersund (lon, lat)


def make_place(geometry=None, observations=(), reviewed=True, **fields) -> Place:
    """Insert a place (default: a point on Stortorget) with optional observation texts (reviewed by default)."""
    geom = shape(geometry) if geometry else Point(*STORTORGET)
    values = {"title": "Mörk passage", "category_code": "poor_lighting", "title_reviewed": True, **fields}
    place = Place(geom=from_shape(geom, srid=4326), **values)
    db.session.add(place)
    db.session.flush()
    for text in observations:
        point = geom.representative_point()
        db.session.add(
            Observation(
                place_id=place.id,
                source_code="citizen_report",
                text=text,
                reviewed=reviewed,
                geom=from_shape(point, srid=4326),
            )
        )
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


PASSWORD = "correct horse battery staple"
_serial = itertools.count(1)


def make_user(role: str, organisation: str | None = None, password: str = PASSWORD, **fields) -> User:
    """Insert a user with the role; police belong to Polisen, everyone else to Kommunen by default."""
    name = organisation or ("Polisen" if role == "police" else "Kommunen")
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    user = User(email=f"{role}{next(_serial)}@example.se", role=role, organisation_id=org.id, **fields)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_token(user: User, scopes=("read",), name="integration") -> str:
    """Issue an API token for the user and return its secret."""
    token, secret = ApiToken.issue(user, name, list(scopes))
    db.session.add(token)
    db.session.commit()
    return secret


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on the page at `url`."""
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
