"""Writing places and observations: check the input, write, and audit every change in the same transaction."""

import shapely
from flask_babel import gettext as _
from flask_login import current_user
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import select

from gis_app.areas.models import Area
from gis_app.auth import audit
from gis_app.auth.access import can, sees_police_only
from gis_app.auth.models import ApiToken
from gis_app.core.choices import Choice
from gis_app.core.db import find, transaction
from gis_app.core.geometry import check_geometry
from gis_app.core.inputs import DB_INT_MAX
from gis_app.core.validation import INVALID, InvalidInput, Problems, check_code, check_priority, check_text
from gis_app.errors import AppError, NotFound
from gis_app.extensions import db
from gis_app.places.importer import Rules, load_rules
from gis_app.places.models import AFFECTED_GROUPS, TIMES_OF_DAY, Observation, Place, Source

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
REASON_MAX = 2000
OBSERVATION_TEXT_MAX = 2000
REPORTER_MAX = 200

# The lifecycle of a place, defined here once: each status may move to the next one, and any may be dismissed.
LIFECYCLE = ("reported", "confirmed", "measure_planned", "remediated", "verified")
DISMISSED = "dismissed"
TRANSITIONS: dict[str, frozenset[str]] = {
    **{status: frozenset({following, DISMISSED}) for status, following in zip(LIFECYCLE, LIFECYCLE[1:])},
    LIFECYCLE[-1]: frozenset({DISMISSED}),
    DISMISSED: frozenset(),
}

# Properties the API returns but a client cannot set: ignored, so a feature read can be written back as it is.
READ_ONLY_PROPERTIES = frozenset(
    {
        "category_label",
        "color",
        "status_label",
        "district_id",
        "district_name",
        "reported_on",
        "updated_at",
        "last_observation",
    }
)
PLACE_DEFAULTS = {"description": None, "time_of_day": None, "affected_group": None, "priority": 2}
# Fields a change is compared on; the rest (ids, timestamps) the database keeps.
PLACE_COLUMNS = (
    "title",
    "category_code",
    "description",
    "status_code",
    "dismissed_reason",
    "time_of_day",
    "affected_group",
    "priority",
    "geom",
)


class VersionConflict(AppError):
    """The place changed since the caller read it; the caller must look at the current state again."""

    status = 409
    code = "Conflict"

    def __init__(self, place_id: int):
        super().__init__(
            _(
                "Someone else changed this place after you read it. Here is its current state: "
                "apply your change to it again."
            )
        )
        self.place_id = place_id


# --- field checks: each returns the value to store, or INVALID after recording why ----------------------------------

# --- geometry -------------------------------------------------------------------------------------------------------

# --- places: input to column values ---------------------------------------------------------------------------------


def _codes(vocabulary) -> set[str]:
    return set(vocabulary.codes.values())


def _field_checks(rules: Rules) -> dict:
    """Property name -> (column, check(value, problems))."""
    return {
        "title": ("title", lambda v, p: check_text(v, "title", TITLE_MAX, p, required=True)),
        "category": ("category_code", lambda v, p: check_code(v, "category", _codes(rules.categories), p)),
        "description": ("description", lambda v, p: check_text(v, "description", DESCRIPTION_MAX, p)),
        "status": ("status_code", lambda v, p: check_code(v, "status", _codes(rules.statuses), p)),
        "dismissed_reason": ("dismissed_reason", lambda v, p: check_text(v, "dismissed_reason", REASON_MAX, p)),
        "time_of_day": ("time_of_day", lambda v, p: check_code(v, "time_of_day", TIMES_OF_DAY, p, required=False)),
        "affected_group": (
            "affected_group",
            lambda v, p: check_code(v, "affected_group", AFFECTED_GROUPS, p, required=False),
        ),
        "priority": ("priority", lambda v, p: check_priority(v, "priority", p)),
        "geometry": ("geom", lambda v, p: check_geometry(v, "geometry", rules, p)),
    }


def _given(data: dict, current: Place | None, partial: bool) -> dict:
    """The properties to check: a full write fills what is missing; status is only ever moved on purpose."""
    if partial:
        return data
    defaults = dict(PLACE_DEFAULTS)
    if current is None:
        defaults["status"] = LIFECYCLE[0]
    filled = {**defaults, **data}
    for required in ("title", "category", "geometry"):
        filled.setdefault(required, None)
    return filled


def place_values(data, rules: Rules, problems: Problems, current: Place | None = None, partial: bool = False) -> dict:
    """Check a place's properties; return the column values to write (errors go to `problems`)."""
    if not isinstance(data, dict):
        raise InvalidInput([("body", _("must be an object"))], status=400)
    checks, given = _field_checks(rules), _given(data, current, partial)
    values = {}
    for name, (column, check) in checks.items():  # in form order, so the first error is the first field's
        if name in given:
            checked = check(given[name], problems)
            if checked is not INVALID:
                values[column] = checked
    ignored = READ_ONLY_PROPERTIES | ({"observation"} if current is None else set())  # the caller checks that one
    for name in sorted(given.keys() - checks.keys() - ignored):
        problems.add(str(name), _("unknown property"))
    _check_status(values, current, problems)
    return values


def _check_status(values: dict, current: Place | None, problems: Problems) -> None:
    status = values.get("status_code", current.status_code if current else LIFECYCLE[0])
    reason = values.get("dismissed_reason", current.dismissed_reason if current else None)
    if status == DISMISSED and not reason:
        problems.add("dismissed_reason", _("required when the status is dismissed"))
    if current is not None and "status_code" in values and not can_change_status(current.status_code, status):
        problems.add("status", _("cannot change from %(old)s to %(new)s", old=current.status_code, new=status))


def can_change_status(old: str, new: str) -> bool:
    """True when the lifecycle lets a place go from `old` to `new` (staying put is always allowed)."""
    return old == new or new in TRANSITIONS.get(old, frozenset({DISMISSED}))


def next_statuses(current: str) -> list[str]:
    """The statuses a place may be given now, its own first."""
    return [current, *sorted(TRANSITIONS.get(current, frozenset({DISMISSED})), key=_status_order)]


def _status_order(status: str) -> int:
    return LIFECYCLE.index(status) if status in LIFECYCLE else len(LIFECYCLE)


# A new report of a problem at a place marked solved sends it back for review, so the map does not show it solved.
SOLVED = frozenset({"remediated", "verified"})


def reopen_for_review(place: Place) -> bool:
    """Move a remediated or verified place back in the lifecycle after a new report of its problem; audit it.

    A planner's or admin's report is already reviewed, so the place is confirmed; anyone else's goes back to
    reported for a planner to look at. Runs inside the caller's transaction; returns whether the place moved.
    """
    if place.status_code not in SOLVED:
        return False
    before = audit.snapshot(place)
    place.status_code = LIFECYCLE[1] if _reviews_own_reports() else LIFECYCLE[0]
    audit.record("update", "place", place.id, before, audit.stored(place))
    return True


# --- observations: input to column values ---------------------------------------------------------------------------

OBSERVATION_FIELDS = ("text", "source", "reporter_name", "reporter_contact", "geometry")


def observation_values(data, rules: Rules, problems: Problems, prefix: str = "") -> dict:
    """Check an observation's fields; return its column values (errors go to `problems`)."""
    if not isinstance(data, dict):
        problems.add(prefix.rstrip(".") or "body", _("must be an object"))
        return {}
    for name in data:
        if name not in OBSERVATION_FIELDS:
            problems.add(prefix + str(name), _("unknown property"))
    checked = {
        "text": check_text(data.get("text"), prefix + "text", OBSERVATION_TEXT_MAX, problems, required=True),
        "source_code": check_code(data.get("source"), prefix + "source", _codes(rules.sources), problems),
        "reporter_name": check_text(data.get("reporter_name"), prefix + "reporter_name", REPORTER_MAX, problems),
        "reporter_contact": check_text(
            data.get("reporter_contact"), prefix + "reporter_contact", REPORTER_MAX, problems
        ),
    }
    if data.get("geometry") is not None:
        checked["geom"] = check_geometry(data["geometry"], prefix + "geometry", rules, problems, ("Point",))
    return {column: value for column, value in checked.items() if value is not INVALID}


def _reviews_own_reports() -> bool:
    """Planners and admins review texts, so what they write needs no second look."""
    return can("places.review_observation")


def new_observation(place: Place, values: dict) -> Observation:
    geom = values.pop("geom", None) or to_shape(place.geom).representative_point()
    observation = Observation(
        place_id=place.id,
        geom=from_shape(geom, srid=4326),
        reviewed=_reviews_own_reports(),
        created_by_id=current_user.id if current_user.is_authenticated else None,
        **values,
    )
    db.session.add(observation)
    return observation


# --- transactions ---------------------------------------------------------------------------------------------------


def place_transaction(place_id: int):
    """A transaction on one place: a lost race on its version is a VersionConflict (or a 404 if it is gone)."""
    return transaction(
        conflict=lambda: (
            NotFound(_("No place %(id)s.", id=place_id)) if find(Place, place_id) is None else VersionConflict(place_id)
        )
    )


# --- places ---------------------------------------------------------------------------------------------------------


def find_place(place_id: int) -> Place | None:
    """Return the place, or None."""
    return find(Place, place_id)


def get_place(place_id: int) -> Place:
    """Return the place or raise NotFound."""
    place = find_place(place_id)
    if place is None:
        raise NotFound(_("No place %(id)s.", id=place_id))
    return place


def place_version(place_id: int) -> int | None:
    """Return the place's current version (its ETag), or None."""
    if not 0 < place_id <= DB_INT_MAX:
        return None
    return db.session.scalar(select(Place.version).where(Place.id == place_id))


def _check_version(place: Place, expected_version) -> None:
    if expected_version != place.version:
        raise VersionConflict(place.id)


def create_place(data) -> Place:
    """Check and insert a place, with its first observation when one is given; audit each; commit."""
    rules, problems = load_rules(), Problems()
    values = place_values(data, rules, problems)
    observation = data.get("observation")
    first = observation_values(observation, rules, problems, "observation.") if observation is not None else None
    problems.raise_any()
    with transaction():
        place = add_place(values)
        audit.record_create(place, "place")
        if first is not None:
            audit.record_create(new_observation(place, first), "observation")
    return place


def add_place(values: dict) -> Place:
    """Add a place from checked values; its title is public only when a planner or admin wrote it."""
    place = Place(**with_geometry(values), title_reviewed=_reviews_own_reports())
    db.session.add(place)
    return place


def with_geometry(values: dict) -> dict:
    if "geom" in values:
        values = {**values, "geom": from_shape(values["geom"], srid=4326)}
    return values


def _changed(place: Place, values: dict) -> dict:
    """Only the values that differ from the stored ones, so a write that changes nothing is a no-op."""
    changed = {}
    for column, value in values.items():
        if column == "geom":
            if not shapely.equals_exact(to_shape(place.geom), value, tolerance=0):
                changed[column] = from_shape(value, srid=4326)
        elif getattr(place, column) != value:
            changed[column] = value
    return changed


def update_place(place_id: int, data, expected_version, partial: bool = False) -> Place:
    """Check and apply a full (or partial) change to a place read at `expected_version`; audit it; commit."""
    place = get_place(place_id)
    _check_version(place, expected_version)
    rules, problems = load_rules(), Problems()
    values = place_values(data, rules, problems, current=place, partial=partial)
    problems.raise_any()
    changed = _changed(place, values)
    if "title" in values and not place.title_reviewed and _reviews_own_reports():
        changed["title_reviewed"] = True  # a planner who saves a place has read its title
    if not changed:
        return place
    before = audit.snapshot(place)
    with place_transaction(place_id):
        for column, value in changed.items():
            setattr(place, column, value)
        audit.record("update", "place", place.id, before, audit.stored(place))
    return place


def delete_place(place_id: int, expected_version) -> None:
    """Delete a place read at `expected_version`, and its observations; audit each; commit."""
    place = get_place(place_id)
    _check_version(place, expected_version)
    with place_transaction(place_id):
        for observation in place.observations:
            audit.record("delete", "observation", observation.id, audit.snapshot(observation), None)
        audit.record("delete", "place", place.id, audit.snapshot(place), None)
        db.session.delete(place)


# --- observations ---------------------------------------------------------------------------------------------------


def get_observation(observation_id: int) -> Observation:
    """Return the observation or raise NotFound; a police-only one exists only for those who may see it."""
    observation = find(Observation, observation_id)
    if observation is None or (observation.police_only and not sees_police_only()):
        raise NotFound(_("No observation %(id)s.", id=observation_id))
    return observation


def add_observation(place_id: int, data) -> Observation:
    """Check and add an observation to a place (reviewed when a planner or admin writes it); audit it; commit."""
    place = get_place(place_id)
    rules, problems = load_rules(), Problems()
    if not isinstance(data, dict):
        raise InvalidInput([("body", _("must be an object"))], status=400)
    values = observation_values(data, rules, problems)
    problems.raise_any()
    with transaction():
        observation = new_observation(place, values)
        audit.record_create(observation, "observation")
    return observation


def neutral_title(place: Place, locale: str) -> str:
    """What the public sees of a title not yet reviewed: the category in the district (as places/queries.py)."""
    category = place.category.label(locale)
    district = db.session.scalar(select(Area.name).where(Area.id == place.district_id)) if place.district_id else None
    return _("%(category)s in %(district)s", category=category, district=district) if district else category


def review_title(place_id: int) -> Place:
    """Make a place's title public: a planner has read it; audit it; commit."""
    place = get_place(place_id)
    if place.title_reviewed:
        return place
    before = audit.snapshot(place)
    with place_transaction(place_id):
        place.title_reviewed = True
        audit.record("update", "place", place.id, before, audit.stored(place))
    return place


def review_observation(observation_id: int) -> Observation:
    """Mark an observation's text as reviewed, so the public may see it; audit it; commit."""
    observation = get_observation(observation_id)
    if observation.reviewed:
        return observation
    before = audit.snapshot(observation)
    with transaction():
        observation.reviewed = True
        audit.record("update", "observation", observation.id, before, audit.stored(observation))
    return observation


def sources(locale: str) -> list[Choice]:
    """The observation sources in display order, labelled in `locale`."""
    rows = db.session.scalars(select(Source).order_by(Source.sort_order, Source.code))
    return [Choice(source.code, source.label(locale)) for source in rows]


# --- history --------------------------------------------------------------------------------------------------------


def token_names(entries) -> dict[int, str]:
    """Names of the API tokens that made these audit rows."""
    ids = {entry.token_id for entry in entries if entry.token_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(ApiToken.id, ApiToken.name).where(ApiToken.id.in_(ids))).all())


def place_history(place_id: int):
    """Return the audit rows of a place and its observations (also after it was deleted), or raise NotFound."""
    if not 0 < place_id <= DB_INT_MAX:
        raise NotFound(_("No place %(id)s.", id=place_id))
    entries = audit.place_trail(place_id, police=sees_police_only())
    if not entries and find_place(place_id) is None:
        raise NotFound(_("No place %(id)s.", id=place_id))
    return entries
