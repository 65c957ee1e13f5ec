"""Outreach work: rank places, plan a shift's route, save plans, log visits (idempotently) and close tasks.

Every write adds its audit rows in its own transaction.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import select

from gis_app import routing
from gis_app.auth import audit
from gis_app.core.clock import local_zone
from gis_app.core.db import get_or_404, transaction
from gis_app.core.inputs import DB_INT_MAX, parse_datetime
from gis_app.core.validation import InvalidInput, Problems, check_text, text_problem
from gis_app.errors import AppError
from gis_app.extensions import db
from gis_app.outreach import queries
from gis_app.outreach.models import FollowUpTask, OutreachPlan, OutreachStop, OutreachVisit
from gis_app.outreach.scoring import Breakdown, parse_weights, score
from gis_app.places.models import Observation, Place

NOTES_MAX = 4000
MAX_STOPS = 25
MAX_CONTACTS = 10_000
MY_POSITION = "position"  # the start point choice meaning the phone's own position
VISIT_FIELDS = frozenset(
    {
        "client_uuid",
        "place_id",
        "plan_id",
        "visited_at",
        "contacts",
        "notes",
        "follow_up",
        "follow_up_note",
        "observation",
        "police_only",
    }
)


# --- priorities -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    candidate: queries.Candidate
    breakdown: Breakdown


def _config(name: str):
    return current_app.config[name]


def rank(
    area_id: int | None = None, as_of: datetime | None = None, locale: str = "sv", place_ids: list[int] | None = None
) -> list[Ranked]:
    """Return the places by outreach priority, highest first, each with what every factor contributed."""
    weights = parse_weights(_config("OUTREACH_WEIGHTS"))
    found = queries.candidates(area_id, _config("OUTREACH_WINDOW_DAYS"), as_of, locale, place_ids)
    ranked = [Ranked(c, score(c.inputs, weights, _config("OUTREACH_VISIT_CAP_DAYS"))) for c in found]
    return sorted(ranked, key=lambda r: (-r.breakdown.total, r.candidate.place_id))


def place_ranking(place_id: int, locale: str = "sv") -> Ranked | None:
    """Return one place's priority, its inputs and breakdown (None for a dismissed place)."""
    ranked = rank(place_ids=[place_id], locale=locale)
    return ranked[0] if ranked else None


# --- shift plans ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartPoint:
    name: str
    lon: float
    lat: float


def start_points() -> list[StartPoint]:
    """The configured start points, 'Name=lon,lat;Other=lon,lat' (the first is the default)."""
    points = []
    for part in filter(None, (p.strip() for p in _config("OUTREACH_START_POINTS").split(";"))):
        name, _, coordinates = part.rpartition("=")
        lon, lat = (float(v) for v in coordinates.split(","))
        points.append(StartPoint(name.strip(), lon, lat))
    return points


@dataclass
class PlannedStop:
    position: int
    ranked: Ranked
    leg_metres: float
    arrive: datetime  # on foot
    arrive_by_car: datetime | None = None


@dataclass
class ShiftPlan:
    """A proposed route: the stops in order and how long it takes on foot and by car."""

    area_id: int | None
    shift_date: date
    starts_at: time
    ends_at: time
    start: StartPoint
    return_to_start: bool
    stops: list[PlannedStop] = field(default_factory=list)
    total_metres: float = 0.0
    walk_minutes: float = 0.0
    car_minutes: float = 0.0
    return_leg_metres: float = 0.0

    @property
    def shift_minutes(self) -> float:
        start = datetime.combine(self.shift_date, self.starts_at)
        end = datetime.combine(self.shift_date, self.ends_at)
        if end <= start:
            end += timedelta(days=1)  # a night shift past midnight
        return (end - start).total_seconds() / 60

    @property
    def fits_shift(self) -> bool:
        return self.walk_minutes <= self.shift_minutes


def minutes(metres: float, kmh: float) -> float:
    """Travel time in minutes at `kmh`."""
    return metres / 1000 / kmh * 60 if kmh > 0 else 0.0


def plan_shift(
    area_id: int | None,
    shift_date: date,
    starts_at: time,
    ends_at: time,
    start: StartPoint,
    return_to_start: bool = True,
    count: int = 8,
    locale: str = "sv",
) -> ShiftPlan:
    """Take the top `count` places and order them into a route from `start` (and back): NN + 2-opt."""
    top = rank(area_id, locale=locale)[: max(1, min(count, MAX_STOPS))]
    origin = (start.lon, start.lat)
    end = origin if return_to_start else None
    order, total = routing.order_stops(origin, [(r.candidate.lon, r.candidate.lat) for r in top], end)
    plan = ShiftPlan(area_id, shift_date, starts_at, ends_at, start, return_to_start, total_metres=total)
    walk_kmh, dwell = _config("OUTREACH_WALK_KMH"), timedelta(minutes=_config("OUTREACH_STOP_MINUTES"))
    here, points = origin, [(top[index].candidate.lon, top[index].candidate.lat) for index in order]
    walking = arrivals(points, origin, shift_date, starts_at, walk_kmh)
    driving = arrivals(points, origin, shift_date, starts_at, _config("OUTREACH_CAR_KMH"))
    for position, index in enumerate(order, start=1):
        there = points[position - 1]
        plan.stops.append(
            PlannedStop(
                position, top[index], routing.distance_m(here, there), walking[position - 1], driving[position - 1]
            )
        )
        here = there
    plan.return_leg_metres = routing.distance_m(here, origin) if return_to_start and order else 0.0
    dwell_minutes = dwell.total_seconds() / 60 * len(order)
    plan.walk_minutes = minutes(total, walk_kmh) + dwell_minutes
    plan.car_minutes = minutes(total, _config("OUTREACH_CAR_KMH")) + dwell_minutes
    return plan


def _point(lon: float, lat: float):
    return from_shape(Point(lon, lat), srid=4326)


def save_plan(plan: ShiftPlan, title: str) -> OutreachPlan:
    """Store the plan and its ordered stops; audit each; commit."""
    if not plan.stops:
        raise AppError(_("There are no places to visit in this area."), field="area")
    saved = OutreachPlan(
        title=title[:200],
        area_id=plan.area_id,
        shift_date=plan.shift_date,
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        start_name=plan.start.name[:100],
        start_geom=_point(plan.start.lon, plan.start.lat),
        end_geom=_point(plan.start.lon, plan.start.lat) if plan.return_to_start else None,
        total_metres=round(plan.total_metres, 1),
        created_by_id=_user_id(),
    )
    with transaction():
        db.session.add(saved)
        audit.record_create(saved, "outreach_plan")
        for stop in plan.stops:
            row = OutreachStop(
                plan_id=saved.id,
                place_id=stop.ranked.candidate.place_id,
                position=stop.position,
                score=stop.ranked.breakdown.total,
            )
            db.session.add(row)
            audit.record_create(row, "outreach_stop")
    return saved


def get_plan(plan_id: int) -> OutreachPlan:
    return get_or_404(OutreachPlan, plan_id, _("No outreach plan %(id)s.", id=plan_id))


def arrivals(
    points: list[tuple[float, float]], start: tuple[float, float], shift_date: date, starts_at: time, kmh: float
) -> list[datetime]:
    """Estimated arrival at each point in turn at `kmh`, staying OUTREACH_STOP_MINUTES at each."""
    clock, here, found = datetime.combine(shift_date, starts_at), start, []
    dwell = timedelta(minutes=_config("OUTREACH_STOP_MINUTES"))
    for there in points:
        clock += timedelta(minutes=minutes(routing.distance_m(here, there), kmh))
        found.append(clock)
        clock += dwell
        here = there
    return found


def plan_times(
    stops: list[dict], start: tuple[float, float], shift_date: date, starts_at: time
) -> list[tuple[datetime, datetime]]:
    """Estimated arrival on foot and by car at each stop of a saved plan (stops as from queries.plan_points)."""
    points = [(stop["lon"], stop["lat"]) for stop in stops]
    return list(
        zip(
            arrivals(points, start, shift_date, starts_at, _config("OUTREACH_WALK_KMH")),
            arrivals(points, start, shift_date, starts_at, _config("OUTREACH_CAR_KMH")),
            strict=True,
        )
    )


def next_stop(plan: OutreachPlan, place_id: int | None) -> int | None:
    """The position of the first stop not yet visited after the place's stop (then from the start), or None."""
    stops = queries.plan_points(plan)["stops"]
    visited = queries.visited_place_ids(plan)
    after = next((s["position"] for s in stops if s["place_id"] == place_id), 0)
    waiting = [s["position"] for s in stops if s["place_id"] not in visited]
    return next((p for p in waiting if p > after), waiting[0] if waiting else None)


# --- visits ---------------------------------------------------------------------------------------------------------


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _check_uuid(value, problems: Problems):
    if not isinstance(value, str):
        problems.add("client_uuid", _("required: a UUID made by the client"))
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        problems.add("client_uuid", _("must be a UUID"))
        return None


def _check_id(value, name: str, model, problems: Problems, required: bool):
    if value is None or value == "":
        if required:
            problems.add(name, _("required"))
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= DB_INT_MAX:
        problems.add(name, _("must be a positive whole number"))
        return None
    if db.session.get(model, value) is None:
        problems.add(name, _("does not exist"))
        return None
    return value


def _check_time(value, problems: Problems):
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            problems.add("visited_at", _("must be a date and time (ISO 8601)"))
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_zone())  # a phone's local time
    if parsed > datetime.now(UTC) + timedelta(minutes=10):
        problems.add("visited_at", _("cannot be in the future"))
        return None
    return parsed


def _check_contacts(value, problems: Problems) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CONTACTS:
        problems.add("contacts", _("must be a whole number from 0 to %(max)d", max=MAX_CONTACTS))
        return 0
    return value


def _check_flag(value, name: str, problems: Problems, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        problems.add(name, _("must be true or false"))
        return default
    return value


def visit_values(data) -> dict:
    """Check a visit's fields; return them, or raise InvalidInput with every wrong field."""
    if not isinstance(data, dict):
        raise InvalidInput([("body", _("must be an object"))], status=400)
    problems = Problems()
    for name in data:
        if name not in VISIT_FIELDS:
            problems.add(str(name)[:50], _("unknown property"))
    values = {
        "client_uuid": _check_uuid(data.get("client_uuid"), problems),
        "place_id": _check_id(data.get("place_id"), "place_id", Place, problems, required=True),
        "plan_id": _check_id(data.get("plan_id"), "plan_id", OutreachPlan, problems, required=False),
        "visited_at": _check_time(data.get("visited_at"), problems),
        "contacts": _check_contacts(data.get("contacts"), problems),
        "notes": check_text(data.get("notes"), "notes", NOTES_MAX, problems),
        "follow_up": _check_flag(data.get("follow_up"), "follow_up", problems),
        "follow_up_note": check_text(data.get("follow_up_note"), "follow_up_note", NOTES_MAX, problems),
        "observation": check_text(data.get("observation"), "observation", NOTES_MAX, problems),
        "police_only": _check_flag(data.get("police_only"), "police_only", problems, default=True),
    }
    if values["follow_up"] and not isinstance(values["follow_up_note"], str):
        problems.add("follow_up_note", _("say what the municipality should follow up"))
    problems.raise_any()
    return values


def find_visit(client_uuid: uuid.UUID) -> OutreachVisit | None:
    return db.session.scalar(select(OutreachVisit).where(OutreachVisit.client_uuid == client_uuid))


def _same_sender(visit: OutreachVisit) -> OutreachVisit:
    """A retry returns the visit; another officer reusing the UUID is refused rather than shown someone's notes."""
    if visit.officer_id != _user_id():
        raise AppError(
            _("This client_uuid belongs to another visit."), field="client_uuid", status=409, code="Conflict"
        )
    return visit


def log_visit(data) -> tuple[OutreachVisit, bool]:
    """Record a visit (with its follow-up task and police observation, if any); a retry returns the first one.

    Return the visit and whether it was created now.
    """
    values = visit_values(data)
    existing = find_visit(values["client_uuid"])
    if existing is not None:
        return _same_sender(existing), False
    try:
        return _insert_visit(values), True
    except AppError:
        # Two sends of the same visit raced: the other one won, and this one is its retry.
        existing = find_visit(values["client_uuid"])
        if existing is None:
            raise
        return _same_sender(existing), False


def _insert_visit(values: dict) -> OutreachVisit:
    place = db.session.get(Place, values["place_id"])
    visit = OutreachVisit(
        client_uuid=values["client_uuid"],
        place_id=place.id,
        plan_id=values["plan_id"],
        officer_id=_user_id(),
        contacts=values["contacts"],
        notes=values["notes"],
        follow_up=values["follow_up"],
    )
    if values["visited_at"] is not None:
        visit.visited_at = values["visited_at"]
    with transaction():
        if values["observation"]:
            visit.observation_id = _add_police_observation(place, values).id
        db.session.add(visit)
        audit.record_create(visit, "outreach_visit")
        if values["follow_up"]:
            task = FollowUpTask(visit_id=visit.id, place_id=place.id, description=values["follow_up_note"])
            db.session.add(task)
            audit.record_create(task, "outreach_task")
    return visit


def _add_police_observation(place: Place, values: dict) -> Observation:
    observation = Observation(
        place_id=place.id,
        source_code="police",
        text=values["observation"],
        reviewed=False,
        police_only=values["police_only"],
        created_by_id=_user_id(),
        geom=from_shape(to_shape(place.geom).representative_point(), srid=4326),
    )
    if values["visited_at"] is not None:
        observation.observed_at = values["visited_at"]
    db.session.add(observation)
    # A police-only observation is audited under its own entity name, so a place's history (shown to all staff,
    # built from "observation" rows) never shows its text.
    audit.record_create(observation, "police_observation" if observation.police_only else "observation")
    return observation


def visit_json(visit: OutreachVisit) -> dict:
    """The visit as the API returns it (to the police and admins only)."""
    task = db.session.scalar(select(FollowUpTask).where(FollowUpTask.visit_id == visit.id))
    return {
        "id": visit.id,
        "client_uuid": str(visit.client_uuid),
        "place_id": visit.place_id,
        "plan_id": visit.plan_id,
        "officer_id": visit.officer_id,
        "visited_at": visit.visited_at.isoformat(),
        "contacts": visit.contacts,
        "notes": visit.notes,
        "follow_up": visit.follow_up,
        "task_id": task.id if task else None,
        "observation_id": visit.observation_id,
        "created_at": visit.created_at.isoformat(),
    }


# --- follow-up tasks ------------------------------------------------------------------------------------------------


def complete_task(task_id: int) -> FollowUpTask:
    """Mark a follow-up task done; audit it; commit."""
    task = get_or_404(FollowUpTask, task_id, _("No task %(id)s.", id=task_id))
    if task.status == "done":
        return task
    before = audit.snapshot(task)
    with transaction():
        task.status = "done"
        task.done_at = db.session.scalar(select(db.func.now()))
        task.done_by_id = _user_id()
        db.session.flush()
        db.session.refresh(task)
        audit.record("update", "outreach_task", task.id, before, audit.snapshot(task))
    return task


def clean_title(value: str) -> str:
    """A plan title without characters PostgreSQL cannot store."""
    value = (value or "").strip()
    return value if value and not text_problem(value) else ""
