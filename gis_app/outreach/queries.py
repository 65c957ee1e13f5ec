"""Spatial SQL for outreach: each place's priority inputs, heat points, visits, plan progress and monthly counts."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Float, and_, cast, extract, func, literal, or_, select

from gis_app.areas.models import Area
from gis_app.auth.models import User
from gis_app.core import mvt_cells
from gis_app.core.clock import local_zone_name
from gis_app.extensions import db
from gis_app.outreach.models import FollowUpTask, OutreachPlan, OutreachStop, OutreachVisit
from gis_app.outreach.scoring import PlaceInputs
from gis_app.places.models import Category, Observation, Place

EVENING_STARTS, NIGHT_ENDS = 18, 6  # local hours: a report from 18:00 up to 06:00 is an evening or night report


@dataclass(frozen=True)
class Candidate:
    """A place that may be visited: where (a point on it) and what its score is made of."""

    place_id: int
    title: str
    category_label: str
    color: str
    status_code: str
    lon: float
    lat: float
    inputs: PlaceInputs


def _local(column):
    return func.timezone(local_zone_name(), column)


def _local_hour(column):
    return extract("hour", _local(column))


def _is_evening_or_night(column):
    hour = _local_hour(column)
    return or_(hour >= EVENING_STARTS, hour < NIGHT_ENDS)


def _is_report():
    """An observation that is a report: not the note a police visit recorded about the place."""
    return ~select(OutreachVisit.id).where(OutreachVisit.observation_id == Observation.id).exists()


def _report_stats(as_of, window_days: int):
    """Per place: Σ recency weights, number of reports and of evening/night reports within the window.

    Each report counts at observed_at (when it happened), never at created_at (when it was typed in).
    """
    age_days = extract("epoch", as_of - Observation.observed_at) / 86400.0
    weight = func.greatest(literal(0.0), 1.0 - cast(age_days, Float) / window_days)
    return (
        select(
            Observation.place_id,
            func.sum(weight).label("recency_sum"),
            func.count().label("reports"),
            func.count().filter(_is_evening_or_night(Observation.observed_at)).label("evening_night"),
        )
        .where(
            Observation.observed_at > as_of - func.make_interval(0, 0, 0, window_days),
            Observation.observed_at <= as_of,
            _is_report(),
        )
        .group_by(Observation.place_id)
        .subquery()
    )


def _last_visits(as_of):
    return (
        select(OutreachVisit.place_id, func.max(OutreachVisit.visited_at).label("last_visit"))
        .where(OutreachVisit.visited_at <= as_of)
        .group_by(OutreachVisit.place_id)
        .subquery()
    )


def candidates(
    area_id: int | None,
    window_days: int,
    as_of: datetime | None = None,
    locale: str = "sv",
    place_ids: list[int] | None = None,
) -> list[Candidate]:
    """Every place not dismissed (in the area, if given) with the inputs of its priority score as of `as_of`."""
    now = literal(as_of) if as_of is not None else func.now()
    stats, visits = _report_stats(now, window_days), _last_visits(now)
    point = func.ST_PointOnSurface(Place.geom)
    days_since = extract("epoch", now - visits.c.last_visit) / 86400.0
    query = (
        select(
            Place.id,
            Place.title,
            Category.label_en if locale == "en" else Category.label_sv,
            Category.color,
            Place.status_code,
            Place.category_code,
            Place.time_of_day,
            func.ST_X(point),
            func.ST_Y(point),
            func.coalesce(stats.c.recency_sum, 0.0),
            func.coalesce(stats.c.reports, 0),
            func.coalesce(stats.c.evening_night, 0),
            days_since,
        )
        .join(Category, Category.code == Place.category_code)
        .outerjoin(stats, stats.c.place_id == Place.id)
        .outerjoin(visits, visits.c.place_id == Place.id)
        .where(Place.status_code != "dismissed")
        .order_by(Place.id)
    )
    if area_id is not None:
        area = select(Area.geom).where(Area.id == area_id).scalar_subquery()
        query = query.where(func.ST_Intersects(Place.geom, area))
    if place_ids is not None:
        query = query.where(Place.id.in_(place_ids))
    return [_candidate(row) for row in db.session.execute(query)]


def _candidate(row) -> Candidate:
    (
        place_id,
        title,
        label,
        color,
        status,
        category,
        time_of_day,
        lon,
        lat,
        recency,
        reports,
        evening_night,
        days_since,
    ) = row
    inputs = PlaceInputs(
        recency_sum=float(recency),
        reports=int(reports),
        evening_night_reports=int(evening_night),
        category_code=category,
        status_code=status,
        time_of_day=time_of_day,
        days_since_visit=float(days_since) if days_since is not None else None,
    )
    return Candidate(place_id, title, label, color, status, float(lon), float(lat), inputs)


# --- heat map -------------------------------------------------------------------------------------------------------


def _shift_weekday(column):
    """ISO weekday (1 = Monday) of the evening a report belongs to: a night counts with the evening before it."""
    return extract("isodow", _local(column) - func.make_interval(0, 0, 0, 0, NIGHT_ENDS))


def heat_points(weekdays: list[int], hours: list[int], since: date | None = None) -> list[tuple[float, float]]:
    """Return (lat, lon) of every report (police-only ones too, not visit notes) on those weekdays and local hours."""
    query = select(func.ST_Y(Observation.geom), func.ST_X(Observation.geom)).where(_is_report())
    if weekdays:
        query = query.where(_shift_weekday(Observation.observed_at).in_(weekdays))
    if hours:
        query = query.where(_local_hour(Observation.observed_at).in_(hours))
    if since is not None:
        query = query.where(Observation.observed_at >= since)
    return [(float(lat), float(lon)) for lat, lon in db.session.execute(query)]


def _reports(weekdays: list[int], hours: list[int], *columns):
    """The heat map's reports on those weekdays and local hours (none ticked selects none), selecting `columns`."""
    return select(*columns).where(
        _is_report(),
        _shift_weekday(Observation.observed_at).in_(weekdays),
        _local_hour(Observation.observed_at).in_(hours),
    )


def heat_tile(weekdays: list[int], hours: list[int], z: int, x: int, y: int, bounds) -> bytes:
    """A tile of report counts per cell (layer 'cells'): the heat of the whole data set, whatever its size;
    `bounds` is the tile's W, S, E, N (the spatial index is searched in it before the exact cell test)."""
    cell = func.mercator_cell(Observation.geom)
    query = _reports(weekdays, hours, cell.label("cell"), literal("").label("key")).where(
        Observation.geom.op("&&")(mvt_cells.tile_box(bounds)), mvt_cells.in_tile(cell, z, x, y)
    )
    return mvt_cells.counts_tile(query, z, x, y)


def heat_count(weekdays: list[int], hours: list[int], box: tuple[float, float, float, float] | None = None) -> int:
    """How many reports the heat map counts (in `box`, W S E N, if given)."""
    query = _reports(weekdays, hours, func.count())
    if box is not None:
        query = query.where(func.ST_Intersects(Observation.geom, func.ST_MakeEnvelope(*box, 4326)))
    return db.session.scalar(query)


def heat_places(
    weekdays: list[int], hours: list[int], box: tuple[float, float, float, float], after: int, limit: int
) -> list[dict]:
    """Places with reports in `box` (W S E N) on those weekdays and hours, by id after `after`, at most `limit`:
    id, title, the point of its reports' centre and how many there are."""
    reports = (
        _reports(
            weekdays,
            hours,
            Observation.place_id,
            func.count().label("reports"),
            func.ST_Centroid(func.ST_Collect(Observation.geom)).label("centre"),
        )
        .where(func.ST_Intersects(Observation.geom, func.ST_MakeEnvelope(*box, 4326)), Observation.place_id > after)
        .group_by(Observation.place_id)
        .order_by(Observation.place_id)
        .limit(limit)
        .subquery("reports")
    )
    query = (
        select(Place.id, Place.title, func.ST_X(reports.c.centre), func.ST_Y(reports.c.centre), reports.c.reports)
        .join(reports, reports.c.place_id == Place.id)
        .order_by(Place.id)
    )
    keys = ("id", "title", "lon", "lat", "reports")
    return [dict(zip(keys, row, strict=True)) for row in db.session.execute(query)]


# --- visits ---------------------------------------------------------------------------------------------------------


def place_visits(place_id: int) -> list[tuple[OutreachVisit, str | None]]:
    """Return the place's visits, newest first, with the officer's email."""
    query = (
        select(OutreachVisit, User.email)
        .outerjoin(User, User.id == OutreachVisit.officer_id)
        .where(OutreachVisit.place_id == place_id)
        .order_by(OutreachVisit.visited_at.desc(), OutreachVisit.id.desc())
    )
    return [tuple(row) for row in db.session.execute(query)]


def police_observations(place_id: int) -> list[Observation]:
    """Return the place's police-only observations, newest first."""
    query = (
        select(Observation)
        .where(Observation.place_id == place_id, Observation.police_only.is_(True))
        .order_by(Observation.observed_at.desc())
    )
    return list(db.session.scalars(query))


def visits(place_id: int | None = None, plan_id: int | None = None, limit: int = 500) -> list[OutreachVisit]:
    """Return visits, newest first, optionally of one place or one plan."""
    query = select(OutreachVisit).order_by(OutreachVisit.visited_at.desc(), OutreachVisit.id.desc()).limit(limit)
    if place_id is not None:
        query = query.where(OutreachVisit.place_id == place_id)
    if plan_id is not None:
        query = query.where(OutreachVisit.plan_id == plan_id)
    return list(db.session.scalars(query))


def visited_place_ids(plan: OutreachPlan) -> set[int]:
    """Places of the plan visited for it, or visited on the shift's date (a visit logged without the plan)."""
    on_shift_date = func.date(_local(OutreachVisit.visited_at)) == plan.shift_date
    query = (
        select(OutreachStop.place_id)
        .join(OutreachVisit, OutreachVisit.place_id == OutreachStop.place_id)
        .where(
            OutreachStop.plan_id == plan.id,
            or_(OutreachVisit.plan_id == plan.id, and_(OutreachVisit.plan_id.is_(None), on_shift_date)),
        )
    )
    return set(db.session.scalars(query))


def plan_points(plan: OutreachPlan) -> dict:
    """Return the plan's start and end as (lon, lat), and each stop's place point and title in route order."""
    start = db.session.execute(
        select(
            func.ST_X(OutreachPlan.start_geom),
            func.ST_Y(OutreachPlan.start_geom),
            func.ST_X(OutreachPlan.end_geom),
            func.ST_Y(OutreachPlan.end_geom),
        ).where(OutreachPlan.id == plan.id)
    ).one()
    point = func.ST_PointOnSurface(Place.geom)
    rows = db.session.execute(
        select(OutreachStop.position, Place.id, Place.title, func.ST_X(point), func.ST_Y(point), OutreachStop.score)
        .join(Place, Place.id == OutreachStop.place_id)
        .where(OutreachStop.plan_id == plan.id)
        .order_by(OutreachStop.position)
    )
    return {
        "start": (start[0], start[1]),
        "end": (start[2], start[3]) if start[2] is not None else None,
        "stops": [
            {"position": pos, "place_id": pid, "title": title, "lon": lon, "lat": lat, "score": score}
            for pos, pid, title, lon, lat, score in rows
        ],
    }


def place_points() -> list[tuple[int, str, float, float]]:
    """Every place by title: (id, title, lon, lat) of a point on it, so a phone can list them by distance."""
    point = func.ST_PointOnSurface(Place.geom)
    query = select(Place.id, Place.title, func.ST_X(point), func.ST_Y(point)).order_by(Place.title, Place.id)
    return [(pid, title, float(lon), float(lat)) for pid, title, lon, lat in db.session.execute(query)]


def plans(limit: int = 100) -> list[OutreachPlan]:
    """Return the saved plans, the latest shift first."""
    return list(
        db.session.scalars(
            select(OutreachPlan).order_by(OutreachPlan.shift_date.desc(), OutreachPlan.id.desc()).limit(limit)
        )
    )


# --- what planners see: counts and tasks, never the notes -----------------------------------------------------------


def monthly_visit_counts(since: date | None = None) -> list[dict]:
    """Return visits per place per month (local time): place id and title, month 'YYYY-MM', visits."""
    month = func.to_char(_local(OutreachVisit.visited_at), "YYYY-MM")
    query = (
        select(Place.id, Place.title, month.label("month"), func.count(OutreachVisit.id))
        .join(Place, Place.id == OutreachVisit.place_id)
        .group_by(Place.id, Place.title, month)
        .order_by(month.desc(), Place.title, Place.id)
    )
    if since is not None:
        query = query.where(OutreachVisit.visited_at >= since)
    return [
        {"place_id": pid, "title": title, "month": m, "visits": n} for pid, title, m, n in db.session.execute(query)
    ]


def tasks(status: str | None = "open") -> list[FollowUpTask]:
    """Return follow-up tasks, the oldest open first."""
    query = select(FollowUpTask).order_by(FollowUpTask.status.desc(), FollowUpTask.created_at, FollowUpTask.id)
    if status:
        query = query.where(FollowUpTask.status == status)
    return list(db.session.scalars(query))


# --- the EST inventory ----------------------------------------------------------------------------------------------


def flagged_for_outreach() -> list[tuple[int, str, float, float]] | None:
    """Places with an open EST-inventory measure of type police outreach: (id, title, lon, lat); None without
    the inventory package."""
    try:
        from gis_app.inventory.models import DONE_STATUSES, Assessment, Measure
    except ImportError:
        return None
    open_measure = (
        select(Measure.id)
        .join(Assessment, Assessment.id == Measure.assessment_id)
        .where(
            Assessment.place_id == Place.id,
            Measure.measure_type == "police_outreach",
            Measure.status.not_in((*DONE_STATUSES, "not_feasible")),
        )
        .exists()
    )
    point = func.ST_PointOnSurface(Place.geom)
    query = select(Place.id, Place.title, func.ST_X(point), func.ST_Y(point)).where(open_measure).order_by(Place.id)
    return [(pid, title, float(lon), float(lat)) for pid, title, lon, lat in db.session.execute(query)]
