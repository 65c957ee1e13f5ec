"""Spatial reads for walks: candidate places, places near a point, findings as GeoJSON, earlier findings."""

import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from geoalchemy2 import Geography
from sqlalchemy import cast, func, select, union_all
from sqlalchemy.orm import aliased

from gis_app.areas.models import Area
from gis_app.extensions import db
from gis_app.places.models import Category, Observation, Place, Status
from gis_app.walks.models import Finding, FindingPhoto, Walk, WalkStop


@dataclass
class PlaceFilter:
    """Which places a planner wants to visit: any box left empty means all."""

    category: list[str] = field(default_factory=list)
    time_of_day: list[str] = field(default_factory=list)
    affected_group: list[str] = field(default_factory=list)
    months: int | None = None
    district_id: int | None = None


def candidate_places(
    filters: PlaceFilter, today: date | None = None, limit: int = 500, origin: tuple[float, float] | None = None
) -> list[dict]:
    """Return places matching the filter (id, title, category, lon, lat, ...): nearest the origin first, with
    `distance_m` from it, or newest first without one."""
    point = func.ST_PointOnSurface(Place.geom)
    columns = [
        Place.id,
        Place.title,
        Place.category_code,
        Category.label_sv,
        Category.label_en,
        Category.color,
        Place.time_of_day,
        Place.affected_group,
        Place.reported_on,
        Place.status_code,
        func.ST_X(point).label("lon"),
        func.ST_Y(point).label("lat"),
    ]
    order = [Place.reported_on.desc(), Place.id.desc()]
    if origin is not None:
        here = cast(func.ST_SetSRID(func.ST_MakePoint(*origin), 4326), Geography)
        distance = func.ST_Distance(cast(Place.geom, Geography), here)
        columns.append(distance.label("distance_m"))
        order = [distance, Place.id]
    query = (
        select(*columns)
        .join(Category, Category.code == Place.category_code)
        .where(Place.status_code != "dismissed")
        .order_by(*order)
        .limit(limit)
    )
    if filters.category:
        query = query.where(Place.category_code.in_(filters.category))
    if filters.time_of_day:
        query = query.where(Place.time_of_day.in_(filters.time_of_day))
    if filters.affected_group:
        query = query.where(Place.affected_group.in_(filters.affected_group))
    if filters.months:
        since = (today or date.today()) - timedelta(days=round(filters.months * 30.44))
        recent = select(Observation.id).where(Observation.place_id == Place.id, Observation.observed_at >= since)
        query = query.where((Place.reported_on >= since) | recent.exists())
    if filters.district_id:
        district = select(Area.geom).where(Area.id == filters.district_id).scalar_subquery()
        query = query.where(func.ST_Intersects(Place.geom, district))
    return [row._asdict() for row in db.session.execute(query)]


def district_bounds() -> dict[str, list[float]]:
    """Each district's extent [west, south, east, north] by id, so the planning map can centre on the chosen one."""
    box = func.Box2D(Area.geom)
    rows = db.session.execute(
        select(Area.id, func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box)).where(
            Area.kind == "district"
        )
    )
    return {str(area_id): [west, south, east, north] for area_id, west, south, east, north in rows}


def district_name(district_id: int | None) -> str | None:
    """The district's name, or None."""
    return db.session.scalar(select(Area.name).where(Area.id == district_id)) if district_id else None


def places_near_walk(walk: Walk, metres: float = 3000) -> list[dict]:
    """Places within `metres` of the meeting point or a stop: what the phone checks new findings against."""
    stop = aliased(Place)
    centres = union_all(
        select(Walk.meeting_point.label("geom")).where(Walk.id == walk.id),
        select(stop.geom.label("geom")).join(WalkStop, WalkStop.place_id == stop.id).where(WalkStop.walk_id == walk.id),
    ).subquery()
    near = (
        select(centres.c.geom)
        .where(func.ST_DWithin(cast(Place.geom, Geography), cast(centres.c.geom, Geography), metres))
        .exists()
    )
    point = func.ST_PointOnSurface(Place.geom)
    query = (
        select(Place.id, Place.title, Place.category_code, func.ST_X(point).label("lon"), func.ST_Y(point).label("lat"))
        .where(Place.status_code != "dismissed", near)
        .order_by(Place.id)
        .limit(5000)
    )
    return [row._asdict() for row in db.session.execute(query)]


def places_within(lon: float, lat: float, category: str, metres: float) -> list[dict]:
    """Places of the category within `metres` of the point, nearest first, with their distance."""
    here = func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)
    distance = func.ST_Distance(cast(Place.geom, Geography), cast(here, Geography))
    query = (
        select(Place.id, Place.title, Place.category_code, distance.label("distance_m"))
        .where(
            Place.category_code == category,
            Place.status_code != "dismissed",
            func.ST_DWithin(cast(Place.geom, Geography), cast(here, Geography), metres),
        )
        .order_by(distance)
        .limit(5)
    )
    return [row._asdict() for row in db.session.execute(query)]


def findings(walk_id: int) -> list[Finding]:
    """The walk's findings in the order they were made."""
    return list(
        db.session.scalars(select(Finding).where(Finding.walk_id == walk_id).order_by(Finding.recorded_at, Finding.id))
    )


def finding_count(walk_id: int) -> int:
    """How many findings the walk has."""
    return db.session.scalar(select(func.count()).where(Finding.walk_id == walk_id)) or 0


def finding_photo_ids(finding_ids: list[int]) -> dict[int, list[int]]:
    rows = db.session.execute(
        select(FindingPhoto.finding_id, FindingPhoto.photo_id)
        .where(FindingPhoto.finding_id.in_(finding_ids))
        .order_by(FindingPhoto.finding_id, FindingPhoto.photo_id)
    )
    photos: dict[int, list[int]] = {}
    for finding_id, photo_id in rows:
        photos.setdefault(finding_id, []).append(photo_id)
    return photos


def finding_points(walk_id: int) -> dict[int, tuple[float, float]]:
    rows = db.session.execute(
        select(Finding.id, func.ST_X(Finding.geom), func.ST_Y(Finding.geom)).where(Finding.walk_id == walk_id)
    )
    return {finding_id: (lon, lat) for finding_id, lon, lat in rows}


def status_labels(locale: str) -> dict[str, str]:
    return {s.code: s.label(locale) for s in db.session.scalars(select(Status))}


def category_labels(locale: str) -> dict[str, str]:
    return {c.code: c.label(locale) for c in db.session.scalars(select(Category))}


def category_colors() -> dict[str, str]:
    return {c.code: c.color for c in db.session.scalars(select(Category))}


def walks() -> list[Walk]:
    """All walks, the next one first, then the past ones newest first."""
    return list(db.session.scalars(select(Walk).order_by(Walk.starts_at.desc(), Walk.id.desc())))


def district_outline(district_id: int | None) -> dict | None:
    """The district's outline as GeoJSON, or None."""
    if not district_id:
        return None
    text = db.session.scalar(select(func.ST_AsGeoJSON(Area.geom)).where(Area.id == district_id))
    return json.loads(text) if text else None


GEOMETRY_WRITERS = {"wkt": func.ST_AsText, "geojson": func.ST_AsGeoJSON, "wkb": func.ST_AsBinary}


def finding_geometries(walk_id: int, srid: int, geometry_format: str) -> dict[int, object]:
    """Each finding's point in `srid`, as WKT, GeoJSON text or WKB, as an exporter wants it."""
    geometry = GEOMETRY_WRITERS[geometry_format](func.ST_Transform(Finding.geom, srid))
    rows = db.session.execute(select(Finding.id, geometry).where(Finding.walk_id == walk_id))
    return {finding_id: bytes(value) if isinstance(value, memoryview) else value for finding_id, value in rows}


def place_measures(place_ids: list[int]) -> dict[int, list]:
    """The inventory measures decided for these places (any year), newest first, with when each was done."""
    from gis_app.inventory.models import Assessment, Measure

    if not place_ids:
        return {}
    rows = db.session.execute(
        select(
            Assessment.place_id,
            Measure.measure_type,
            Measure.description,
            Measure.status,
            Measure.done_on,
            Measure.due_on,
            Measure.updated_at,
        )
        .join(Measure, Measure.assessment_id == Assessment.id)
        .where(Assessment.place_id.in_(place_ids))
        .order_by(Measure.created_at.desc(), Measure.id.desc())
    )
    measures: dict[int, list] = {}
    for row in rows:
        measures.setdefault(row.place_id, []).append(row)
    return measures
