"""Writing the inventory: open and close years, assess places, add and change measures; every write audited."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from gis_app.auth import audit
from gis_app.core.db import get_or_404, transaction
from gis_app.core.validation import INVALID, Problems, check_code, check_priority, check_text
from gis_app.errors import AppError, NotFound
from gis_app.extensions import db
from gis_app.inventory import queries
from gis_app.inventory.models import (
    DONE_STATUSES,
    MEASURE_STATUSES,
    MEASURE_TYPES,
    OPEN_STATUSES,
    PHOTO_KINDS,
    RESPONSIBLE_PARTIES,
    Assessment,
    InventoryYear,
    Measure,
    MeasurePhoto,
)
from gis_app.places.models import Category, Place
from gis_app.places.service import place_transaction

NOTE_MAX = 5000
REASON_MAX = 2000
NAME_MAX = 200
COST_MAX = 1_000_000_000  # SEK; far above any single measure, below the column's limit
FIRST_YEAR, LAST_YEAR = 2000, 2100


class YearClosed(AppError):
    """The year is closed: it is read-only."""

    status = 409
    code = "Conflict"

    def __init__(self, year: int):
        super().__init__(
            _("The inventory %(year)d is closed and can no longer be changed. Nothing was changed.", year=year)
        )


def _user_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


# --- years ----------------------------------------------------------------------------------------------------------


def get_year(year: int) -> InventoryYear:
    """Return the inventory year or raise NotFound."""
    inventory = queries.find_year(year) if FIRST_YEAR <= year <= LAST_YEAR else None
    if inventory is None:
        raise NotFound(_("There is no inventory for %(year)d.", year=year))
    return inventory


def _writable(inventory: InventoryYear) -> InventoryYear:
    # Lock the year's row, so a close cannot slip in between this check and the write.
    db.session.refresh(inventory, with_for_update=True)
    if inventory.is_closed:
        raise YearClosed(inventory.year)
    return inventory


def open_year(year) -> InventoryYear:
    """Open the inventory of a year; audit it."""
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise AppError(_("Give a year between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR), field="year")
    if queries.find_year(year) is not None:
        raise AppError(
            _("The inventory %(year)d exists already.", year=year), field="year", status=409, code="Conflict"
        )
    inventory = InventoryYear(year=year, status="open", opened_by_id=_user_id())
    with transaction():
        db.session.add(inventory)
        audit.record_create(inventory, "inventory_year")
    return inventory


def close_year(year: int) -> InventoryYear:
    """Close a year: from now on it is read-only. Audit it."""
    inventory = _writable(get_year(year))
    before = audit.snapshot(inventory)
    with transaction():
        inventory.status = "closed"
        inventory.closed_at = func.now()
        inventory.closed_by_id = _user_id()
        audit.record("update", "inventory_year", inventory.id, before, audit.stored(inventory))
    return inventory


def reopen_year(year: int, reason) -> InventoryYear:
    """Reopen a closed year (admins, for a reason): it can be changed again. Audit it, the reason with it."""
    inventory = get_year(year)
    problems = Problems()
    reason = check_text(reason, "reason", REASON_MAX, problems, required=True)
    problems.raise_any()
    db.session.refresh(inventory, with_for_update=True)  # one reopening at a time, like one close
    if not inventory.is_closed:
        raise AppError(
            _("The inventory %(year)d is open already.", year=year), field="reason", status=409, code="Conflict"
        )
    before = audit.snapshot(inventory)
    with transaction():
        inventory.status = "open"
        inventory.reopened_at = func.now()
        inventory.reopened_by_id = _user_id()
        inventory.reopen_reason = reason
        audit.record("update", "inventory_year", inventory.id, before, audit.stored(inventory))
    return inventory


# --- assessments ----------------------------------------------------------------------------------------------------


def _category_codes() -> set[str]:
    return set(db.session.scalars(select(Category.code)))


def assessment_values(data: dict) -> dict:
    """Check an assessment's fields; raise InvalidInput naming every wrong one."""
    problems = Problems()
    still_unsafe = data.get("still_unsafe")
    if not isinstance(still_unsafe, bool):
        problems.add("still_unsafe", _("required"))
    values = {
        "still_unsafe": still_unsafe,
        "main_factor": check_code(data.get("main_factor"), "main_factor", _category_codes(), problems),
        "priority": check_priority(data.get("priority"), "priority", problems),
        "note": check_text(data.get("note"), "note", NOTE_MAX, problems),
    }
    problems.raise_any()
    return values


def save_assessment(year: int, place_id: int, data: dict) -> Assessment:
    """Create or change a place's assessment in an open year; audit it."""
    inventory = get_year(year)
    if not queries.place_in_scope(inventory, place_id):
        raise NotFound(_("Place %(id)s is not in the inventory %(year)d.", id=place_id, year=year))
    values = assessment_values(data)
    inventory = _writable(inventory)
    assessment = queries.find_assessment(inventory, place_id)
    with transaction():
        if assessment is None:
            assessment = Assessment(year_id=inventory.id, place_id=place_id, **values)
            db.session.add(assessment)
            audit.record_create(assessment, "assessment")
        else:
            before = audit.snapshot(assessment)
            changed = {k: v for k, v in values.items() if getattr(assessment, k) != v}
            if not changed:
                return assessment
            for key, value in changed.items():
                setattr(assessment, key, value)
            audit.record("update", "assessment", assessment.id, before, audit.stored(assessment))
    return assessment


# --- measures -------------------------------------------------------------------------------------------------------

MEASURE_FIELDS = (
    "measure_type",
    "description",
    "responsible",
    "responsible_name",
    "status",
    "not_feasible_reason",
    "cost_estimate_sek",
    "due_on",
    "done_on",
)


def _check_cost(value, problems: Problems):
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= COST_MAX:
        problems.add("cost_estimate_sek", _("must be a whole number of kronor, 0 or more"))
        return INVALID
    return value


def _check_date(value, name: str, problems: Problems):
    if value is None or value == "":
        return None
    if not isinstance(value, date):
        problems.add(name, _("must be a date (YYYY-MM-DD)"))
        return INVALID
    return value


def measure_values(data: dict) -> dict:
    """Check a measure's fields; raise InvalidInput naming every wrong one."""
    problems = Problems()
    values = {
        "measure_type": check_code(data.get("measure_type"), "measure_type", MEASURE_TYPES, problems),
        "description": check_text(data.get("description"), "description", NOTE_MAX, problems),
        "responsible": check_code(data.get("responsible"), "responsible", RESPONSIBLE_PARTIES, problems),
        "responsible_name": check_text(data.get("responsible_name"), "responsible_name", NAME_MAX, problems),
        "status": check_code(data.get("status") or "proposed", "status", MEASURE_STATUSES, problems),
        "not_feasible_reason": check_text(data.get("not_feasible_reason"), "not_feasible_reason", NOTE_MAX, problems),
        "cost_estimate_sek": _check_cost(data.get("cost_estimate_sek"), problems),
        "due_on": _check_date(data.get("due_on"), "due_on", problems),
        "done_on": _check_date(data.get("done_on"), "done_on", problems),
    }
    _check_consistency(values, problems)
    problems.raise_any()
    return values


def _check_consistency(values: dict, problems: Problems) -> None:
    if values["status"] == "not_feasible" and not values["not_feasible_reason"]:
        problems.add("not_feasible_reason", _("required when the measure is not feasible"))
    if values["status"] in DONE_STATUSES and values["done_on"] is None:
        problems.add("done_on", _("required when the measure is done"))
    if values["status"] not in DONE_STATUSES and values["done_on"] not in (None, INVALID):
        problems.add("done_on", _("only a done or verified measure has a done date"))
    if isinstance(values["done_on"], date) and values["done_on"] > date.today():
        problems.add("done_on", _("cannot be in the future"))


# --- the place's status follows its measures ------------------------------------------------------------------------

REMEDIATED, PLANNED = "remediated", "measure_planned"
BEFORE_REMEDIATED = ("reported", "confirmed", PLANNED)  # verified and dismissed are people's decisions: never moved


def _follow_measures(assessment: Assessment) -> None:
    """Move the place on when the year's measures say so, in the caller's transaction, audited.

    When no measure of the place in the year is open any more and one is done, the place is remediated; when a
    measure of a remediated place is open again (a done one reopened, or a new one), a measure is planned again.
    Verifying a place stays a deliberate step.
    """
    db.session.flush()
    statuses = queries.measure_statuses(assessment.id)
    place = db.session.get(Place, assessment.place_id)
    is_open = any(status in OPEN_STATUSES for status in statuses)
    if place.status_code in BEFORE_REMEDIATED and not is_open and any(s in DONE_STATUSES for s in statuses):
        target = REMEDIATED
    elif place.status_code == REMEDIATED and is_open:
        target = PLANNED
    else:
        return
    before = audit.snapshot(place)
    place.status_code = target
    audit.record("update", "place", place.id, before, audit.stored(place))


def get_measure(measure_id: int) -> Measure:
    """Return the measure or raise NotFound."""
    return get_or_404(Measure, measure_id, _("No measure %(id)s.", id=measure_id))


def _add_photos(measure: Measure, photos) -> None:
    """Store each (kind, upload) with the photos module and link it to the measure; audit each link."""
    from gis_app.photos.service import save_photo  # noqa: PLC0415  (only writes with photos need Pillow)

    for kind, upload in photos or ():
        if kind not in PHOTO_KINDS:
            raise AppError(_("A photo is either before or after."), field=f"{kind}_photos")
        photo = save_photo(upload, field=f"{kind}_photos")
        if any(link.photo_id == photo.id for link in measure.photo_links):
            continue  # the same image again: stored once, linked once
        link = MeasurePhoto(measure_id=measure.id, photo_id=photo.id, kind=kind)
        measure.photo_links.append(link)
        audit.record_create(link, "measure_photo")


def create_measure(year: int, place_id: int, data: dict, photos=()) -> Measure:
    """Add a measure (and its before/after photos) to a place assessed in an open year; audit it."""
    inventory = get_year(year)
    assessment = queries.find_assessment(inventory, place_id)
    if assessment is None:
        raise AppError(_("Assess the place before adding measures."), field="measure_type", status=409, code="Conflict")
    values = measure_values(data)
    _writable(inventory)
    measure = Measure(assessment_id=assessment.id, **values)
    with place_transaction(assessment.place_id):
        db.session.add(measure)
        audit.record_create(measure, "measure")
        _add_photos(measure, photos)
        _follow_measures(assessment)
    return measure


def update_measure(measure_id: int, data: dict, photos=()) -> Measure:
    """Change a measure of an open year, adding any new photos; audit it (a change of nothing writes nothing)."""
    measure = get_measure(measure_id)
    values = measure_values(data)
    _writable(measure.assessment.year)
    changed = {key: value for key, value in values.items() if getattr(measure, key) != value}
    if not changed and not photos:
        return measure
    before = audit.snapshot(measure)
    with place_transaction(measure.assessment.place_id):
        for key, value in changed.items():
            setattr(measure, key, value)
        if changed:
            audit.record("update", "measure", measure.id, before, audit.stored(measure))
        _add_photos(measure, photos)
        if "status" in changed:
            _follow_measures(measure.assessment)
    return measure


def remove_photo(measure_id: int, photo_id: int) -> Measure:
    """Unlink a photo from a measure of an open year (the photo itself stays); audit it."""
    measure = get_measure(measure_id)
    link = next((link for link in measure.photo_links if link.photo_id == photo_id), None)
    if link is None:
        raise NotFound(_("The measure has no photo %(id)s.", id=photo_id))
    _writable(measure.assessment.year)
    with transaction():
        audit.record("delete", "measure_photo", link.id, audit.snapshot(link), None)
        measure.photo_links.remove(link)
    return measure


def delete_measure(measure_id: int) -> Measure:
    """Delete a measure of an open year; audit it."""
    measure = get_measure(measure_id)
    _writable(measure.assessment.year)
    with place_transaction(measure.assessment.place_id):
        for link in measure.photo_links:
            audit.record("delete", "measure_photo", link.id, audit.snapshot(link), None)
        audit.record("delete", "measure", measure.id, audit.snapshot(measure), None)
        assessment = measure.assessment
        db.session.delete(measure)
        _follow_measures(assessment)  # deleting the last open measure of a place whose others are done
    return measure


# --- year over year -------------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    """How this year's places relate to last year's."""

    new: set[int] = field(default_factory=set)  # unsafe this year, not unsafe (or not assessed) last year
    still_unsafe: set[int] = field(default_factory=set)  # unsafe last year and, as far as we know, still
    remediated: set[int] = field(default_factory=set)  # unsafe last year, fixed or found safe since

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "still_unsafe": len(self.still_unsafe), "remediated": len(self.remediated)}


def classify(previous: dict[int, bool], current: dict[int, bool], fixed: set[int]) -> Comparison:
    """Compare two years' assessments (place -> still unsafe); `fixed`: places with a measure done since last year.

    A place unsafe last year is remediated when this year's assessment says it is safe, or, when it has not been
    reassessed yet, when a measure was done; otherwise it is still unsafe.
    """
    comparison = Comparison()
    for place_id, unsafe in current.items():
        if unsafe and not previous.get(place_id, False):
            comparison.new.add(place_id)
    for place_id, unsafe_before in previous.items():
        if not unsafe_before:
            continue
        now = current.get(place_id)
        if now is False or (now is None and place_id in fixed):
            comparison.remediated.add(place_id)
        else:
            comparison.still_unsafe.add(place_id)
    return comparison


def compare_with_previous(inventory: InventoryYear) -> Comparison:
    """Classify the year's places against the year before's inventory."""
    previous = queries.find_year(inventory.year - 1)
    return classify(
        queries.assessed_states(previous),
        queries.assessed_states(inventory),
        queries.places_with_done_measures([previous, inventory]),
    )
