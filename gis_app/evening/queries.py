"""Spatial SQL for the evening economy: the zone, its layers, premises with their inspections, the yearly summary
and the figures the Purple Flag self-assessment cites."""

import json
from datetime import date

from sqlalchemy import Integer, and_, cast, extract, func, literal, or_, select

from gis_app.areas.models import Area
from gis_app.core.clock import local_zone_name
from gis_app.evening.models import EveningFeature, Inspection, Premises, Training, TrainingAttendance
from gis_app.extensions import db
from gis_app.inventory.models import DONE_STATUSES, Assessment, Measure
from gis_app.outreach.models import OutreachVisit
from gis_app.places.models import Category, Observation, Place
from gis_app.walks.models import Walk

EVENING_HOURS = (18, 22)  # local hours [18, 22): evening; [22, 24) and [0, 6): night
NIGHT_ENDS = 6
LATE = "22:00"  # a premises serving past this (or past midnight) is open at night
OUTCOME_SEVERITY = {"no_remarks": 0, "remarks": 1, "serious": 2}


def _local_hour(column):
    return extract("hour", func.timezone(local_zone_name(), column))


def _year_of(column):
    return cast(extract("year", func.timezone(local_zone_name(), column)), Integer)


def _geojson(column, digits: int = 6):
    return func.ST_AsGeoJSON(column, digits)


# --- the zone -------------------------------------------------------------------------------------------------------


def zones() -> list[tuple[int, str]]:
    """The areas of kind zone (the town centre's Purple Flag area), by name."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(Area.id, Area.name).where(Area.kind == "zone").order_by(Area.name, Area.id)
        )
    ]


def find_zone(zone_id: int) -> Area | None:
    return db.session.scalar(select(Area).where(Area.id == zone_id, Area.kind == "zone"))


def zone_feature(zone_id: int) -> dict | None:
    """The zone's outline as a GeoJSON geometry."""
    text = db.session.scalar(select(_geojson(Area.geom)).where(Area.id == zone_id))
    return json.loads(text) if text else None


def zone_bounds(zone_id: int) -> tuple[float, float, float, float] | None:
    box = func.ST_Extent(Area.geom)
    row = db.session.execute(
        select(func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box)).where(Area.id == zone_id)
    ).one()
    return None if row[0] is None else tuple(row)


def _in_zone(geom, zone_id: int | None):
    if zone_id is None:
        return literal(True)
    return func.ST_Intersects(geom, select(Area.geom).where(Area.id == zone_id).scalar_subquery())


# --- the layers -----------------------------------------------------------------------------------------------------


def open_late():
    """Whether a premises serves at night: past 22:00, or past midnight (closing at or before opening)."""
    return and_(
        Premises.closes_at.is_not(None),
        or_(
            Premises.closes_at > literal(LATE).cast(Premises.closes_at.type),
            and_(Premises.opens_at.is_not(None), Premises.closes_at <= Premises.opens_at),
        ),
    )


def premises(zone_id: int | None = None) -> list[dict]:
    """Every premises (in the zone, if given): register data, the point, and whether it is open at night."""
    query = (
        select(
            Premises.id,
            Premises.name,
            Premises.address,
            Premises.opening_hours,
            Premises.opens_at,
            Premises.closes_at,
            Premises.licence_ref,
            Premises.demo,
            open_late().label("late"),
            _geojson(Premises.geom).label("geometry"),
        )
        .where(_in_zone(Premises.geom, zone_id))
        .order_by(Premises.name, Premises.id)
    )
    return [row._asdict() for row in db.session.execute(query)]


def features(zone_id: int | None = None) -> list[dict]:
    """Taxi ranks, night bus stops, toilets and lit routes (in the zone, if given)."""
    query = (
        select(
            EveningFeature.id,
            EveningFeature.kind,
            EveningFeature.name,
            EveningFeature.hours,
            EveningFeature.state,
            EveningFeature.demo,
            _geojson(EveningFeature.geom).label("geometry"),
        )
        .where(_in_zone(EveningFeature.geom, zone_id))
        .order_by(EveningFeature.kind, EveningFeature.id)
    )
    return [row._asdict() for row in db.session.execute(query)]


def _observed_hours(hours_condition):
    return select(Observation.id).where(Observation.place_id == Place.id, hours_condition).exists()


def unsafe_places(zone_id: int | None, locale: str) -> list[dict]:
    """Unsafe places in the zone (not dismissed), each flagged evening and/or night by its time of day or by the
    local hour of any report about it."""
    hour = _local_hour(Observation.observed_at)
    evening = or_(Place.time_of_day == "evening", _observed_hours(hour.between(EVENING_HOURS[0], EVENING_HOURS[1] - 1)))
    night = or_(Place.time_of_day == "night", _observed_hours(or_(hour >= EVENING_HOURS[1], hour < NIGHT_ENDS)))
    label = Category.label_en if locale == "en" else Category.label_sv
    query = (
        select(
            Place.id,
            Place.title,
            label.label("category"),
            Category.color,
            Place.status_code,
            evening.label("evening"),
            night.label("night"),
            _geojson(Place.geom).label("geometry"),
        )
        .join(Category, Category.code == Place.category_code)
        .where(Place.status_code != "dismissed", _in_zone(Place.geom, zone_id))
        .order_by(Place.id)
    )
    return [row._asdict() for row in db.session.execute(query)]


# --- inspections and trainings --------------------------------------------------------------------------------------


def inspection_state(year: int) -> dict[int, dict]:
    """Per premises inspected in the year: how many inspections, the latest date and the latest outcome."""
    ranked = (
        select(
            Inspection.premises_id,
            Inspection.inspected_at,
            Inspection.outcome,
            func.count().over(partition_by=Inspection.premises_id).label("count"),
            func.row_number()
            .over(partition_by=Inspection.premises_id, order_by=(Inspection.inspected_at.desc(), Inspection.id.desc()))
            .label("rank"),
        )
        .where(_year_of(Inspection.inspected_at) == year)
        .subquery()
    )
    rows = db.session.execute(select(ranked).where(ranked.c.rank == 1))
    return {r.premises_id: {"count": r.count, "last": r.inspected_at, "outcome": r.outcome} for r in rows}


def inspections(premises_id: int | None = None, year: int | None = None) -> list[Inspection]:
    """Inspections, newest first, of one premises and/or one year."""
    query = select(Inspection).order_by(Inspection.inspected_at.desc(), Inspection.id.desc())
    if premises_id is not None:
        query = query.where(Inspection.premises_id == premises_id)
    if year is not None:
        query = query.where(_year_of(Inspection.inspected_at) == year)
    return list(db.session.scalars(query))


def trainings(year: int | None = None) -> list[Training]:
    query = select(Training).order_by(Training.held_on.desc(), Training.id.desc())
    if year is not None:
        query = query.where(extract("year", Training.held_on) == year)
    return list(db.session.scalars(query))


def premises_trainings(premises_id: int) -> list[tuple[Training, TrainingAttendance]]:
    query = (
        select(Training, TrainingAttendance)
        .join(TrainingAttendance)
        .where(TrainingAttendance.premises_id == premises_id)
        .order_by(Training.held_on.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


def yearly_summary(year: int) -> list[dict]:
    """Per premises: inspections in the year by outcome, the latest one, open follow-ups, staff trained."""
    in_year = _year_of(Inspection.inspected_at) == year
    inspected = (
        select(
            Inspection.premises_id,
            func.count().label("inspections"),
            *(func.count().filter(Inspection.outcome == o).label(o) for o in OUTCOME_SEVERITY),
            func.max(Inspection.inspected_at).label("last_inspected"),
            func.count()
            .filter(Inspection.follow_up.is_not(None), Inspection.follow_up_done_on.is_(None))
            .label("open_follow_ups"),
        )
        .where(in_year)
        .group_by(Inspection.premises_id)
        .subquery()
    )
    trained = (
        select(TrainingAttendance.premises_id, func.sum(TrainingAttendance.attendees).label("trained"))
        .join(Training)
        .where(extract("year", Training.held_on) == year)
        .group_by(TrainingAttendance.premises_id)
        .subquery()
    )
    query = (
        select(
            Premises.id,
            Premises.licence_ref,
            Premises.name,
            Premises.address,
            Premises.demo,
            func.coalesce(inspected.c.inspections, 0).label("inspections"),
            *(func.coalesce(inspected.c[o], 0).label(o) for o in OUTCOME_SEVERITY),
            inspected.c.last_inspected,
            func.coalesce(inspected.c.open_follow_ups, 0).label("open_follow_ups"),
            func.coalesce(trained.c.trained, 0).label("trained"),
        )
        .outerjoin(inspected, inspected.c.premises_id == Premises.id)
        .outerjoin(trained, trained.c.premises_id == Premises.id)
        .order_by(Premises.name, Premises.id)
    )
    return [row._asdict() for row in db.session.execute(query)]


def summary_geometries(srid: int, geometry_format: str) -> dict[int, object]:
    """Each premises' point in `srid`, as WKT, GeoJSON text or WKB, as an exporter wants it."""
    writers = {"wkt": func.ST_AsText, "geojson": func.ST_AsGeoJSON, "wkb": func.ST_AsBinary}
    value = writers[geometry_format](func.ST_Transform(Premises.geom, srid))
    rows = db.session.execute(select(Premises.id, value))
    return {pid: bytes(v) if isinstance(v, memoryview) else v for pid, v in rows}


def inspection_years() -> list[int]:
    rows = db.session.scalars(select(_year_of(Inspection.inspected_at)).distinct())
    return sorted(set(rows), reverse=True)


# --- evidence for the self-assessment -------------------------------------------------------------------------------


def _count(query) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def evidence_counts(zone_id: int, year: int) -> dict[str, int]:
    """The zone's figures for the year that the self-assessment can cite (counts only: no names, no notes)."""
    first, after = _year_bounds(year)
    in_year = _year_of(Inspection.inspected_at) == year
    zone_premises = select(Premises.id).where(_in_zone(Premises.geom, zone_id))
    features = {
        kind: _count(
            select(EveningFeature.id).where(EveningFeature.kind == kind, _in_zone(EveningFeature.geom, zone_id))
        )
        for kind in ("taxi_rank", "night_bus_stop", "toilet", "lit_route")
    }
    return {
        "licensed_premises": _count(zone_premises),
        "premises_open_late": _count(zone_premises.where(open_late())),
        "inspections_held": _count(select(Inspection.id).where(in_year, Inspection.premises_id.in_(zone_premises))),
        "premises_inspected": _count(
            select(Inspection.premises_id).distinct().where(in_year, Inspection.premises_id.in_(zone_premises))
        ),
        "serious_outcomes": _count(
            select(Inspection.id).where(
                in_year, Inspection.outcome == "serious", Inspection.premises_id.in_(zone_premises)
            )
        ),
        "trainings_held": _count(select(Training.id).where(Training.held_on >= first, Training.held_on < after)),
        "staff_trained": int(
            db.session.scalar(
                select(func.coalesce(func.sum(TrainingAttendance.attendees), 0))
                .join(Training)
                .where(
                    Training.held_on >= first,
                    Training.held_on < after,
                    TrainingAttendance.premises_id.in_(zone_premises),
                )
            )
            or 0
        ),
        "taxi_ranks": features["taxi_rank"],
        "night_bus_stops": features["night_bus_stop"],
        "toilets": features["toilet"],
        "lit_routes": features["lit_route"],
        "lit_routes_broken": _count(
            select(EveningFeature.id).where(
                EveningFeature.kind == "lit_route",
                EveningFeature.state != "working",
                _in_zone(EveningFeature.geom, zone_id),
            )
        ),
        "unsafe_places": _count(
            select(Place.id).where(Place.status_code != "dismissed", _in_zone(Place.geom, zone_id))
        ),
        "places_remediated": len(remediated_places(zone_id, year)),
        "walks_held": len(walks_held(zone_id, year)),
        "outreach_visits": _count(
            select(OutreachVisit.id)
            .join(Place, Place.id == OutreachVisit.place_id)
            .where(_year_of(OutreachVisit.visited_at) == year, _in_zone(Place.geom, zone_id))
        ),
    }


def remediated_places(zone_id: int, year: int) -> list[dict]:
    """Places in the zone with an inventory measure done (or verified) in the year: what was done, when."""
    first, after = _year_bounds(year)
    query = (
        select(Place.id, Place.title, func.max(Measure.done_on).label("done_on"))
        .join(Assessment, Assessment.place_id == Place.id)
        .join(Measure, Measure.assessment_id == Assessment.id)
        .where(
            Measure.status.in_(DONE_STATUSES),
            Measure.done_on >= first,
            Measure.done_on < after,
            _in_zone(Place.geom, zone_id),
        )
        .group_by(Place.id, Place.title)
        .order_by(func.max(Measure.done_on), Place.id)
    )
    return [row._asdict() for row in db.session.execute(query)]


def walks_held(zone_id: int, year: int) -> list[dict]:
    """Safety walks of the year whose meeting point or route lies in the zone."""
    route = func.coalesce(Walk.route, Walk.meeting_point)
    query = (
        select(Walk.id, Walk.title, Walk.starts_at)
        .where(_year_of(Walk.starts_at) == year, or_(_in_zone(Walk.meeting_point, zone_id), _in_zone(route, zone_id)))
        .order_by(Walk.starts_at, Walk.id)
    )
    return [row._asdict() for row in db.session.execute(query)]
