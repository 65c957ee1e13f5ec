"""Writing walks, stops and findings: check the input, write, and audit every change in the same transaction."""

import uuid
from datetime import datetime, timedelta

import shapely
from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gis_app import routing
from gis_app.auth import audit
from gis_app.core.clock import local_now, local_zone
from gis_app.core.db import find, get_or_404, transaction
from gis_app.core.geometry import GeometryProblem, check_geometry, geometry_from_geojson
from gis_app.core.inputs import parse_datetime
from gis_app.core.validation import INVALID, InvalidInput, Problems, check_code, check_text
from gis_app.errors import AppError, NotFound
from gis_app.extensions import db
from gis_app.photos.models import Photo
from gis_app.photos.service import save_photo
from gis_app.places import service as places
from gis_app.places.importer import load_rules
from gis_app.places.models import Category, Place
from gis_app.places.service import OBSERVATION_TEXT_MAX
from gis_app.walks.models import RESPONSIBLE_PARTIES, SAFETIPIN_PARAMETERS, Finding, FindingPhoto, Walk, WalkStop

MEASURE_MAX = 2000
TITLE_FROM_NOTE = 80


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


# --- walks ----------------------------------------------------------------------------------------------------------


def get_walk(walk_id: int) -> Walk:
    """Return the walk or raise NotFound."""
    return get_or_404(Walk, walk_id, _("No walk %(id)s.", id=walk_id))


def default_start(today=None) -> datetime:
    """Walks are held after dark: the default is 19:00 local time, a week from today."""
    day = (today or local_now().date()) + timedelta(days=7)
    return datetime(day.year, day.month, day.day, 19, 0, tzinfo=local_zone())


def create_walk(values: dict) -> Walk:
    """Insert a walk from checked form values (meeting point as lon, lat); audit it; commit."""
    lon, lat = values.pop("meeting_lon"), values.pop("meeting_lat")
    walk = Walk(meeting_point=from_shape(shapely.Point(lon, lat), srid=4326), created_by_id=_user_id(), **values)
    with transaction(passthrough=(IntegrityError,)):
        db.session.add(walk)
        audit.record("create", "walk", _flush_id(walk), None, audit.stored(walk))
    return walk


def update_walk(walk: Walk, values: dict) -> bool:
    """Apply checked form values (every field of the plan, the date too); audit the change; commit.

    Returns whether anything changed.
    """
    values = dict(values)
    lon, lat = values.pop("meeting_lon"), values.pop("meeting_lat")
    point = shapely.Point(lon, lat)
    changed = {key: value for key, value in values.items() if getattr(walk, key) != value}
    if not to_shape(walk.meeting_point).equals_exact(point, 0):
        changed["meeting_point"] = from_shape(point, srid=4326)
    if not changed:
        return False
    before = audit.snapshot(walk)
    with transaction(passthrough=(IntegrityError,)):
        for key, value in changed.items():
            setattr(walk, key, value)
        audit.record("update", "walk", walk.id, before, audit.stored(walk))
    return True


CANCEL_REASON_MAX = 2000


def cancel_walk(walk: Walk, reason) -> None:
    """Mark the walk cancelled (it is kept, with who, when and why); audit it; commit."""
    problems = Problems()
    reason = check_text(reason, "cancel_reason", CANCEL_REASON_MAX, problems)
    problems.raise_any()
    if walk.cancelled_at is not None:
        raise AppError(_("The walk is already cancelled."), field="cancel_reason", status=409, code="Conflict")
    before = audit.snapshot(walk)
    with transaction(passthrough=(IntegrityError,)):
        walk.cancelled_at = func.now()
        walk.cancelled_by_id = _user_id()
        walk.cancel_reason = reason
        audit.record("update", "walk", walk.id, before, audit.stored(walk))


def reinstate_walk(walk: Walk) -> None:
    """Undo a cancellation: the walk is planned again; audit it; commit."""
    if walk.cancelled_at is None:
        return
    before = audit.snapshot(walk)
    with transaction(passthrough=(IntegrityError,)):
        walk.cancelled_at = walk.cancelled_by_id = walk.cancel_reason = None
        audit.record("update", "walk", walk.id, before, audit.stored(walk))


def delete_walk(walk: Walk) -> None:
    """Delete a walk without findings, and its stops; audit both; commit. A walk with findings is cancelled."""
    if db.session.scalar(select(func.count()).where(Finding.walk_id == walk.id)):
        raise AppError(
            _("A walk with findings cannot be deleted: cancel it instead."), field="walk", status=409, code="Conflict"
        )
    with transaction(passthrough=(IntegrityError,)):
        if walk.stops:
            audit.record("delete", "walk_stops", walk.id, {"place_ids": [s.place_id for s in walk.stops]}, None)
        audit.record("delete", "walk", walk.id, audit.snapshot(walk), None)
        db.session.delete(walk)


def check_open(walk: Walk) -> None:
    """New findings go only to a walk that is not cancelled."""
    if walk.cancelled_at is not None:
        raise AppError(
            _("This walk is cancelled: no new findings can be recorded on it."),
            field="walk_id",
            status=409,
            code="Conflict",
        )


def meeting_point(walk: Walk) -> routing.Point:
    point = to_shape(walk.meeting_point)
    return point.x, point.y


def stop_points(walk: Walk) -> list[routing.Point]:
    return [place_point(stop.place) for stop in walk.stops]


def place_point(place: Place) -> routing.Point:
    point = to_shape(place.geom).representative_point()
    return point.x, point.y


def _audit_stops(walk: Walk, before: list[int]) -> None:
    after = [stop.place_id for stop in walk.stops]
    if after != before:
        audit.record("update", "walk_stops", walk.id, {"place_ids": before}, {"place_ids": after})


def set_stops(walk: Walk, place_ids: list[int], shown: list[int] | None = None) -> None:
    """Make these places the walk's stops, in the suggested walking order from the meeting point and back.

    With `shown` (the places the planner saw in a filtered list or on the map), only those can be taken off:
    a stop the planner did not see is kept, so adding places from another district keeps the others.
    """
    if shown is not None:
        hidden = set(shown)
        kept = [stop.place_id for stop in walk.stops if stop.place_id not in hidden]
        place_ids = kept + [i for i in place_ids if i not in kept]
    found = {place.id: place for place in db.session.scalars(select(Place).where(Place.id.in_(place_ids)))}
    chosen = [found[i] for i in dict.fromkeys(place_ids) if i in found]
    start = meeting_point(walk)
    order, _metres = routing.order_stops(start, [place_point(p) for p in chosen], end=start)
    before = [stop.place_id for stop in walk.stops]
    with transaction(passthrough=(IntegrityError,)):
        walk.stops.clear()
        db.session.flush()
        for position, index in enumerate(order):
            walk.stops.append(WalkStop(place_id=chosen[index].id, position=position))
        db.session.flush()
        _audit_stops(walk, before)


def suggest_order(walk: Walk) -> None:
    """Reorder the walk's stops by the suggested walking order (nearest neighbour, then 2-opt)."""
    set_stops(walk, [stop.place_id for stop in walk.stops])


def move_stop(walk: Walk, stop_id: int, step: int) -> None:
    """Move a stop one place earlier (-1) or later (+1) in the walking order."""
    stops = list(walk.stops)
    index = next((i for i, stop in enumerate(stops) if stop.id == stop_id), None)
    if index is None:
        raise NotFound(_("No stop %(id)s on this walk.", id=stop_id))
    other = index + step
    if not 0 <= other < len(stops):
        return
    before = [stop.place_id for stop in stops]
    with transaction(passthrough=(IntegrityError,)):
        stops[index].position, stops[other].position = other, index
        db.session.flush()
        db.session.expire(walk, ["stops"])
        _audit_stops(walk, before)


def set_route(walk: Walk, geometry) -> None:
    """Store a drawn route (a GeoJSON LineString), or clear it with None; audit it; commit."""
    before = audit.snapshot(walk)
    if geometry is None:
        route = None
    else:
        try:
            line = geometry_from_geojson(geometry, ("LineString",))
        except GeometryProblem as problem:
            raise AppError(str(problem), field="route") from None
        route = from_shape(line, srid=4326)
    with transaction(passthrough=(IntegrityError,)):
        walk.route = route
        audit.record("update", "walk", walk.id, before, audit.stored(walk))


def route_summary(walk: Walk) -> dict:
    """The route's points (meeting point, stops, meeting point), its length in metres and walking minutes."""
    start = meeting_point(walk)
    points = [start, *stop_points(walk), start]
    if walk.route is not None:
        drawn = list(to_shape(walk.route).coords)
        metres = routing.path_length(drawn)
    else:
        drawn = None
        metres = routing.path_length(points) if len(points) > 2 else 0.0
    speed = current_app.config["WALK_SPEED_KMH"]
    return {"points": points, "drawn": drawn, "metres": metres, "minutes": metres / 1000 / speed * 60, "speed": speed}


def follow_up(earlier: Walk, starts_at: datetime | None = None) -> Walk:
    """Plan a new walk over the same route and stops as an earlier one; audit it; commit."""
    walk = Walk(
        title=_("Follow-up: %(title)s", title=earlier.title)[:200],
        starts_at=starts_at or default_start(),
        meeting_place=earlier.meeting_place,
        meeting_point=earlier.meeting_point,
        district_id=earlier.district_id,
        area_name=earlier.area_name,
        organiser_kinds=list(earlier.organiser_kinds or []),
        organisers=earlier.organisers,
        expected_participants=earlier.expected_participants,
        route=earlier.route,
        follows_walk_id=earlier.id,
        created_by_id=_user_id(),
    )
    with transaction(passthrough=(IntegrityError,)):
        db.session.add(walk)
        db.session.flush()
        for stop in earlier.stops:
            db.session.add(WalkStop(walk_id=walk.id, place_id=stop.place_id, position=stop.position))
        audit.record("create", "walk", walk.id, None, audit.stored(walk))
    return walk


# --- findings -------------------------------------------------------------------------------------------------------

FINDING_FIELDS = frozenset(
    {
        "client_uuid",
        "geometry",
        "accuracy_m",
        "pin_moved",
        "category",
        "note",
        "safe_place",
        "scores",
        "place_id",
        "recorded_at",
    }
)


def parse_uuid(value, problems: Problems):
    try:
        return uuid.UUID(str(value)) if isinstance(value, str) else None
    except ValueError:
        pass
    problems.add("client_uuid", _("must be a UUID made on the device"))
    return INVALID


def finding_by_uuid(client_uuid: uuid.UUID) -> Finding | None:
    return db.session.scalar(select(Finding).where(Finding.client_uuid == client_uuid))


def _number(value, name: str, problems: Problems, minimum: float = 0, maximum: float = 1e6):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not minimum <= value <= maximum:
        problems.add(name, _("must be a number from %(min)g to %(max)g", min=minimum, max=maximum))
        return INVALID
    return float(value)


def _flag(value, name: str, problems: Problems) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        problems.add(name, _("must be true or false"))
        return False
    return value


def _scores(value, problems: Problems) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add("scores", _("must be an object"))
        return {}
    scores = {}
    for name, score in value.items():
        if name not in SAFETIPIN_PARAMETERS:
            problems.add(f"scores.{name}", _("unknown parameter"))
        elif score is None:
            continue
        elif isinstance(score, bool) or score not in (0, 1, 2, 3):
            problems.add(f"scores.{name}", _("must be 0, 1, 2 or 3"))
        else:
            scores[name] = int(score)
    return scores


def _recorded_at(value, now: datetime, problems: Problems):
    """When the finding was made on the phone (it may sync much later); not in the future, not over a month old."""
    if value is None:
        return now
    try:
        when = parse_datetime(value)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None or not now - timedelta(days=31) <= when <= now + timedelta(minutes=10):
        problems.add("recorded_at", _("must be an ISO time with a time zone, within the last month"))
        return INVALID
    return when


def _existing_place(value, problems: Problems):
    if value is None:
        return None
    place = find(Place, value)
    if place is None:
        problems.add("place_id", _("no such place"))
        return INVALID
    return place


def finding_values(data, rules, problems: Problems) -> dict:
    """Check a finding's fields; return the checked values (errors go to `problems`)."""
    if not isinstance(data, dict):
        raise InvalidInput([("body", _("must be an object"))], status=400)
    for name in data:
        if name not in FINDING_FIELDS:
            problems.add(str(name), _("unknown property"))
    safe_place = _flag(data.get("safe_place"), "safe_place", problems)
    codes = set(rules.categories.codes.values())
    values = {
        "safe_place": safe_place,
        "pin_moved": _flag(data.get("pin_moved"), "pin_moved", problems),
        "accuracy_m": _number(data.get("accuracy_m"), "accuracy_m", problems),
        "category_code": check_code(data.get("category"), "category", codes, problems, required=not safe_place),
        "note": check_text(data.get("note"), "note", OBSERVATION_TEXT_MAX, problems),
        "geom": check_geometry(data.get("geometry"), "geometry", rules, problems, ("Point",)),
        "scores": _scores(data.get("scores"), problems),
        "place": _existing_place(data.get("place_id"), problems),
        "recorded_at": _recorded_at(data.get("recorded_at"), rules.now, problems),
    }
    return values


def is_flagged(accuracy_m: float | None) -> bool:
    """A fix worse than the threshold, or none at all, means the position needs checking."""
    return accuracy_m is None or accuracy_m > current_app.config["WALK_ACCURACY_THRESHOLD_M"]


def time_of_day(when: datetime) -> str:
    hour = when.astimezone(local_zone()).hour
    return "day" if 6 <= hour < 18 else "evening" if hour < 22 else "night"


def _category_label(code: str) -> str:
    category = db.session.get(Category, code)
    return category.label_sv if category else code


def _place_and_observation(values: dict, rules, problems: Problems):
    """Write the place (new, or the chosen existing one) and the finding's observation of it."""
    note, geom = values["note"], values["geom"]
    point = {"type": "Point", "coordinates": [geom.x, geom.y]}
    text = note or _category_label(values["category_code"])
    place = values["place"]
    if place is None:
        title = note or _("%(category)s (safety walk)", category=_category_label(values["category_code"]))
        place_data = {
            "title": title[:TITLE_FROM_NOTE],
            "category": values["category_code"],
            "description": note,
            "time_of_day": time_of_day(values["recorded_at"]),
            "geometry": point,
        }
        place_values = places.place_values(place_data, rules, problems)
        problems.raise_any()
        place = places.add_place(place_values)  # its title, from the note, is public once a planner reviews it
        audit.record_create(place, "place")
    observation_values = places.observation_values(
        {"text": text, "source": "safety_walk", "geometry": point}, rules, problems
    )
    problems.raise_any()
    observation = places.new_observation(place, observation_values)
    observation.observed_at = values["recorded_at"]
    audit.record_create(observation, "observation")
    places.reopen_for_review(place)  # a problem found again at a place marked solved is not solved
    return place, observation


def _photos(streams) -> list[Photo]:
    maximum = current_app.config["WALK_MAX_PHOTOS"]
    if len(streams) > maximum:
        raise AppError(_("At most %(max)d photos per finding.", max=maximum), field="photo")
    return [save_photo(stream, field="photo") for stream in streams]


def record_finding(walk: Walk, data, photo_streams=()) -> tuple[Finding, bool]:
    """Record a finding with its photos in one transaction; a UUID seen before returns that finding, not a copy.

    Returns (finding, created).
    """
    problems = Problems()
    client_uuid = parse_uuid(data.get("client_uuid") if isinstance(data, dict) else None, problems)
    if client_uuid is not INVALID and client_uuid is not None:
        existing = _same_walk(finding_by_uuid(client_uuid), walk)
        if existing is not None:
            return existing, False
    elif client_uuid is None:
        problems.add("client_uuid", _("required"))
    check_open(walk)  # after the repeat check: a finding synced before the cancellation is still answered
    rules = load_rules()
    values = finding_values(data, rules, problems)
    problems.raise_any()
    try:
        with transaction(passthrough=(IntegrityError,)):
            finding = _write_finding(walk, client_uuid, values, rules, problems, list(photo_streams))
    except IntegrityError as exc:
        # Another request with the same UUID won the race: answer as a repeat.
        existing = _same_walk(finding_by_uuid(client_uuid), walk)
        if existing is None:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            raise AppError(
                _("The database refused the change; nothing was changed: %(reason)s", reason=reason), status=422
            ) from None
        return existing, False
    return finding, True


def _same_walk(finding: Finding | None, walk: Walk) -> Finding | None:
    if finding is not None and finding.walk_id != walk.id:
        raise AppError(
            _("This finding was recorded on another walk."), field="client_uuid", status=409, code="Conflict"
        )
    return finding


def _write_finding(walk: Walk, client_uuid, values: dict, rules, problems: Problems, streams) -> Finding:
    photos = _photos(streams)
    place = observation = None
    if not values["safe_place"]:
        place, observation = _place_and_observation(values, rules, problems)
    finding = Finding(
        walk_id=walk.id,
        client_uuid=client_uuid,
        observation_id=observation.id if observation else None,
        place_id=place.id if place else None,
        new_place=place is not None and values["place"] is None,
        category_code=values["category_code"] or (place.category_code if place else None),
        note=values["note"],
        geom=from_shape(values["geom"], srid=4326),
        accuracy_m=values["accuracy_m"],
        flagged=is_flagged(values["accuracy_m"]),
        pin_moved=values["pin_moved"],
        safe_place=values["safe_place"],
        scores=values["scores"],
        recorded_at=values["recorded_at"],
        created_by_id=_user_id(),
    )
    db.session.add(finding)
    audit.record("create", "walk_finding", _flush_id(finding), None, audit.stored(finding))
    for photo in dict.fromkeys(photos):
        db.session.add(FindingPhoto(finding_id=finding.id, photo_id=photo.id))
        audit.record(
            "create",
            "walk_finding_photo",
            photo.id,
            None,
            {"finding_id": finding.id, "photo_id": photo.id, "sha256": photo.sha256},
        )
    return finding


def _flush_id(instance) -> int:
    db.session.flush()
    return instance.id


def update_protocol(finding: Finding, measure, responsible, priority) -> None:
    """Set a finding's proposed measure, responsible party and priority for the protocol; audit it; commit."""
    problems = Problems()
    checked = {
        "proposed_measure": check_text(measure, "proposed_measure", MEASURE_MAX, problems),
        "responsible": check_code(responsible, "responsible", RESPONSIBLE_PARTIES, problems, required=False),
        "priority": priority if priority in (None, 1, 2, 3) else INVALID,
    }
    if checked["priority"] is INVALID:
        problems.add("priority", _("must be 1, 2 or 3"))
    problems.raise_any()
    before = audit.snapshot(finding)
    changed = {key: value for key, value in checked.items() if getattr(finding, key) != value}
    if not changed:
        return
    with transaction(passthrough=(IntegrityError,)):
        for key, value in changed.items():
            setattr(finding, key, value)
        audit.record("update", "walk_finding", finding.id, before, audit.stored(finding))


def get_finding(walk: Walk, finding_id: int) -> Finding:
    finding = find(Finding, finding_id)
    if finding is None or finding.walk_id != walk.id:
        raise NotFound(_("No finding %(id)s on this walk.", id=finding_id))
    return finding
