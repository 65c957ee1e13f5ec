"""SQL for night walks: a route's district, the nearest place of a kind, the public calendar (no names), the
season's summary per shift and the count per district for the report to citizens."""

import json
from datetime import date

from geoalchemy2 import Geography
from sqlalchemy import Date, cast, func, select

from gis_app.areas.models import Area
from gis_app.core.clock import local_zone_name
from gis_app.extensions import db
from gis_app.nightwalks.models import SIGHTING_KINDS, NightEvent, NightGroup, NightReport, NightShift, NightSighting
from gis_app.places.models import Observation, Place

PLACE_NEAR_METRES = 50  # a sighting this close to a place of its kind is another observation of that place


def route_district(route_wkt: str) -> int | None:
    """The district holding most of the route (by length), or None outside every district."""
    route = func.ST_GeomFromText(route_wkt, 4326)
    return db.session.scalar(
        select(Area.id)
        .where(Area.kind == "district", func.ST_Intersects(Area.geom, route))
        .order_by(func.ST_Length(cast(func.ST_Intersection(Area.geom, route), Geography)).desc(), Area.id)
        .limit(1)
    )


def nearest_place(point_wkt: str, category: str, metres: int = PLACE_NEAR_METRES) -> int | None:
    """The nearest place of the category within `metres` of the point (its exact position), or None."""
    point = cast(func.ST_GeomFromText(point_wkt, 4326), Geography)
    return db.session.scalar(
        select(Place.id)
        .where(Place.category_code == category, func.ST_DWithin(cast(Place.geom, Geography), point, metres))
        .order_by(func.ST_Distance(cast(Place.geom, Geography), point), Place.id)
        .limit(1)
    )


def place_point_near(route_wkt: str, category: str, metres: int) -> str | None:
    """A point (WKT) on the place of the category nearest the route, within `metres`, or None."""
    route = cast(func.ST_GeomFromText(route_wkt, 4326), Geography)
    return db.session.scalar(
        select(func.ST_AsText(func.ST_PointOnSurface(Place.geom)))
        .where(Place.category_code == category, func.ST_DWithin(cast(Place.geom, Geography), route, metres))
        .order_by(func.ST_Distance(cast(Place.geom, Geography), route), Place.id)
        .limit(1)
    )


def route_length_m(shift_id: int) -> float:
    return (
        db.session.scalar(select(func.ST_Length(cast(NightShift.route, Geography))).where(NightShift.id == shift_id))
        or 0.0
    )


def _local_date(column):
    return cast(func.timezone(local_zone_name(), column), Date)


def events(starts_on: date, ends_on: date) -> list[NightEvent]:
    """Events overlapping the period, in date order."""
    return list(
        db.session.scalars(
            select(NightEvent)
            .where(NightEvent.ends_on >= starts_on, NightEvent.starts_on <= ends_on)
            .order_by(NightEvent.starts_on, NightEvent.id)
        )
    )


def public_shifts(starts_on: date, ends_on: date) -> list[dict]:
    """Shifts in the period as the public sees them: times, walkers, district and event; no group, no names."""
    rows = db.session.execute(
        select(
            NightShift.id,
            NightShift.starts_at,
            NightShift.ends_at,
            NightShift.walkers,
            NightShift.demo,
            Area.name.label("district"),
            NightEvent.title.label("event"),
        )
        .outerjoin(Area, Area.id == NightShift.district_id)
        .outerjoin(NightEvent, NightEvent.id == NightShift.event_id)
        .where(_local_date(NightShift.starts_at).between(starts_on, ends_on))
        .order_by(NightShift.starts_at, NightShift.id)
    )
    return [dict(row._mapping) for row in rows]


def shifts(group_ids: list[int] | None, year: int | None = None) -> list[NightShift]:
    """Shifts of these groups (None: all), newest first, optionally of one year."""
    query = select(NightShift).order_by(NightShift.starts_at.desc(), NightShift.id.desc())
    if group_ids is not None:
        query = query.where(NightShift.group_id.in_(group_ids))
    if year is not None:
        query = query.where(func.extract("year", func.timezone(local_zone_name(), NightShift.starts_at)) == year)
    return list(db.session.scalars(query).unique())


def groups(group_ids: list[int] | None = None) -> list[NightGroup]:
    query = select(NightGroup).order_by(NightGroup.name)
    if group_ids is not None:
        query = query.where(NightGroup.id.in_(group_ids))
    return list(db.session.scalars(query))


def group_ids_of(organisation_id: int) -> list[int]:
    return list(db.session.scalars(select(NightGroup.id).where(NightGroup.organisation_id == organisation_id)))


def shift_map(shift_id: int) -> dict:
    """The shift's route and its report's sightings as GeoJSON for the page's script."""
    route = db.session.scalar(select(func.ST_AsGeoJSON(NightShift.route, 6)).where(NightShift.id == shift_id))
    rows = db.session.execute(
        select(NightSighting.id, NightSighting.kind, NightSighting.count, func.ST_AsGeoJSON(NightSighting.geom, 6))
        .join(NightReport, NightReport.id == NightSighting.report_id)
        .where(NightReport.shift_id == shift_id)
        .order_by(NightSighting.id)
    )
    sightings = [
        {"type": "Feature", "id": id_, "geometry": json.loads(geom), "properties": {"kind": kind, "count": count}}
        for id_, kind, count, geom in rows
    ]
    return {"route": json.loads(route) if route else None, "sightings": sightings}


def kind_counts(shift_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per shift, the reported count of each kind."""
    counts: dict[int, dict[str, int]] = {shift_id: dict.fromkeys(SIGHTING_KINDS, 0) for shift_id in shift_ids}
    if not shift_ids:
        return counts
    rows = db.session.execute(
        select(NightReport.shift_id, NightSighting.kind, func.sum(NightSighting.count))
        .join(NightSighting, NightSighting.report_id == NightReport.id)
        .where(NightReport.shift_id.in_(shift_ids))
        .group_by(NightReport.shift_id, NightSighting.kind)
    )
    for shift_id, kind, total in rows:
        counts[shift_id][kind] = int(total)
    return counts


def route_lengths(shift_ids: list[int]) -> dict[int, float]:
    if not shift_ids:
        return {}
    rows = db.session.execute(
        select(NightShift.id, func.ST_Length(cast(NightShift.route, Geography))).where(NightShift.id.in_(shift_ids))
    )
    return {shift_id: float(length) for shift_id, length in rows}


def walks_by_district(starts_on: date, ends_on: date) -> list[dict]:
    """Night-walk shifts held in the period per district, with walkers and sightings: never a group or a name."""
    sightings = (
        select(NightReport.shift_id, func.sum(NightSighting.count).label("n"))
        .join(NightSighting, NightSighting.report_id == NightReport.id)
        .group_by(NightReport.shift_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Area.name,
            func.count(NightShift.id),
            func.coalesce(func.sum(NightShift.walkers), 0),
            func.coalesce(func.sum(sightings.c.n), 0),
        )
        .select_from(NightShift)
        .outerjoin(Area, Area.id == NightShift.district_id)
        .outerjoin(sightings, sightings.c.shift_id == NightShift.id)
        .where(_local_date(NightShift.starts_at).between(starts_on, ends_on))
        .group_by(Area.name)
        .order_by(Area.name.nulls_last())
    )
    return [
        {"district": name, "count": count, "walkers": int(walkers), "sightings": int(seen)}
        for name, count, walkers, seen in rows
    ]


def district_names() -> dict[int, str]:
    return dict(db.session.execute(select(Area.id, Area.name).where(Area.kind == "district")).all())


def sighting_places(report_id: int) -> dict[int, int]:
    """The place each of the report's sightings landed on, by sighting id."""
    rows = db.session.execute(
        select(NightSighting.id, Observation.place_id)
        .join(Observation, Observation.id == NightSighting.observation_id)
        .where(NightSighting.report_id == report_id)
    )
    return dict(rows.all())
