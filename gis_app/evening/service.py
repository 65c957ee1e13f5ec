"""Evening economy writes: import the premises register (all or nothing), record joint inspections, trainings and
their attendance, and save the Purple Flag self-assessment. Every write is audited in its own transaction."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from flask_babel import gettext as _
from flask_login import current_user
from geoalchemy2.shape import from_shape
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from gis_app.auth import audit
from gis_app.core.clock import local_zone
from gis_app.core.db import get_or_404, transaction
from gis_app.core.geometry import validity_problem
from gis_app.core.readers import (
    BadGeometry,
    ImportRejected,
    SourceFile,
    database_refused,
    is_blank,
    read_source,
    rejected_rows,
)
from gis_app.core.validation import INVALID, Problems, check_text
from gis_app.evening.labels import EVIDENCE
from gis_app.evening.models import (
    CHECK_ITEMS,
    CHECK_RESULTS,
    OUTCOMES,
    RATINGS,
    THEMES,
    Inspection,
    Premises,
    SelfAssessment,
    ThemeEntry,
    Training,
    TrainingAttendance,
)
from gis_app.extensions import db

NAME_MAX, REF_MAX, HOURS_MAX, TEXT_MAX, NARRATIVE_MAX = 200, 50, 200, 4000, 10_000
ATTENDEES_MAX, CAPACITY_MAX = 500, 100_000
# Register columns, first match wins: English, then the Swedish names a municipal register export uses.
REF_FIELDS = ("licence_ref", "tillstandsnummer", "tillstand", "dnr")
NAME_FIELDS = ("name", "namn", "serveringsstalle")
ADDRESS_FIELDS = ("address", "adress", "besoksadress")
HOURS_FIELDS = ("opening_hours", "oppettider")
OPENS_FIELDS = ("opens_at", "servering_fran", "oppnar")
CLOSES_FIELDS = ("closes_at", "servering_till", "stanger")
CAPACITY_FIELDS = ("capacity", "kapacitet", "antal_gaster")


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


# --- the premises register ------------------------------------------------------------------------------------------


@dataclass
class PremisesImportResult:
    inserted: int
    updated: int


def _column(source: SourceFile, candidates: tuple[str, ...]) -> str | None:
    return next((name for name in candidates if name in source.attributes.columns), None)


def parse_time(value) -> time | None | str:
    """A serving time 'HH:MM' (24:00 is midnight), None when blank, or the reason it is not one."""
    if is_blank(value):
        return None
    text_value = str(value).strip().replace(".", ":")
    if text_value in ("24:00", "24"):
        return time(0, 0)
    try:
        return time.fromisoformat(text_value if ":" in text_value else f"{int(text_value):02d}:00")
    except ValueError:
        return _("not a time (HH:MM): '%(value)s'", value=text_value[:20])


def _text_cell(record: dict, column: str | None, maximum: int, required: bool, errors: list, source, index):
    value = None if column is None or is_blank(record.get(column)) else str(record[column]).strip()
    if value is None:
        if required:
            errors.append(source.error(index, column or "name", _("required")))
        return None
    if len(value) > maximum:
        errors.append(source.error(index, column, _("longer than %(max)d characters", max=maximum)))
    return value


def _ref_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a GeoPackage integer field
    return "" if is_blank(value) else str(value).strip()


def _premises_row(source: SourceFile, index: int, record: dict, geom, columns: dict) -> tuple[dict, list]:
    errors: list = []
    ref = _ref_text(record.get(columns["ref"]))
    if not ref:
        errors.append(source.error(index, columns["ref"], _("required")))
    elif len(ref) > REF_MAX:
        errors.append(source.error(index, columns["ref"], _("longer than %(max)d characters", max=REF_MAX)))
    row = {
        "licence_ref": ref,
        "name": _text_cell(record, columns["name"], NAME_MAX, True, errors, source, index),
        "address": _text_cell(record, columns["address"], NAME_MAX, False, errors, source, index),
        "opening_hours": _text_cell(record, columns["hours"], HOURS_MAX, False, errors, source, index),
    }
    for key in ("opens", "closes"):
        parsed = parse_time(record.get(columns[key])) if columns[key] else None
        if isinstance(parsed, str):
            errors.append(source.error(index, columns[key], parsed))
        row[f"{key}_at"] = parsed if not isinstance(parsed, str) else None
    row["capacity"] = _capacity(
        record.get(columns["capacity"]) if columns["capacity"] else None, columns["capacity"], errors, source, index
    )
    if isinstance(geom, BadGeometry):
        errors.extend(source.error(index, column, reason) for column, reason in geom.problems)
    elif geom is None or geom.is_empty:
        errors.append(source.error(index, "geometry", _("missing geometry")))
    elif geom.geom_type != "Point":
        errors.append(
            source.error(
                index,
                "geometry",
                _("geometry type %(type)s is not allowed: use %(allowed)s", type=geom.geom_type, allowed="Point"),
            )
        )
    elif problem := validity_problem(geom):
        errors.append(source.error(index, "geometry", problem))
    else:
        row["geom"] = from_shape(geom, srid=4326)
    return row, errors


def _capacity(value, column, errors, source, index) -> int | None:
    if is_blank(value):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        number = -1
    if not number.is_integer() or not 0 <= number <= CAPACITY_MAX:
        errors.append(source.error(index, column, _("must be a whole number from 0 to %(max)d", max=CAPACITY_MAX)))
        return None
    return int(number)


def premises_rows(source: SourceFile) -> list[dict]:
    """Check every row of the register; return them, or raise ImportRejected naming every bad row."""
    columns = {
        "ref": _column(source, REF_FIELDS),
        "name": _column(source, NAME_FIELDS),
        "address": _column(source, ADDRESS_FIELDS),
        "hours": _column(source, HOURS_FIELDS),
        "opens": _column(source, OPENS_FIELDS),
        "closes": _column(source, CLOSES_FIELDS),
        "capacity": _column(source, CAPACITY_FIELDS),
    }
    missing = [candidates[0] for key, candidates in (("ref", REF_FIELDS), ("name", NAME_FIELDS)) if not columns[key]]
    if missing:
        raise ImportRejected(
            _(
                "Nothing was imported: the file needs the columns %(columns)s (it has: %(fields)s).",
                columns=", ".join(missing),
                fields=", ".join(map(str, source.attributes.columns)),
            )
        )
    rows: list[dict] = []
    errors: list = []
    seen: dict[str, int] = {}
    for index, (record, geom) in enumerate(zip(source.attributes.to_dict("records"), source.geometries, strict=True)):
        row, row_errors = _premises_row(source, index, record, geom, columns)
        if not row_errors and row["licence_ref"] in seen:
            first = seen[row["licence_ref"]]
            row_errors.append(
                source.error(
                    index, columns["ref"], _("code %(code)s repeats row %(row)d", code=row["licence_ref"], row=first)
                )
            )
        seen.setdefault(row["licence_ref"], source.row_number(index))
        errors.extend(row_errors)
        rows.append(row)
    if errors:
        raise rejected_rows(errors, len(source), source.crs)
    return rows


def import_premises(
    path: Path | str, *, crs: str | None = None, layer: str | None = None, demo: bool = False
) -> PremisesImportResult:
    """Upsert the register's premises on their licence id: every row, or nothing if any row is bad."""
    rows = premises_rows(read_source(path, layer=layer, crs=crs, allow_csv=True))
    return write_premises(rows, demo)


def write_premises(rows: list[dict], demo: bool = False) -> PremisesImportResult:
    """Insert or update the premises and audit each change, in one transaction."""
    existing = {
        p.licence_ref: p
        for p in db.session.scalars(select(Premises).where(Premises.licence_ref.in_([r["licence_ref"] for r in rows])))
    }
    inserted = updated = 0
    try:
        for row in rows:
            current = existing.get(row["licence_ref"])
            if current is None:
                premises = Premises(**row, demo=demo)
                db.session.add(premises)
                audit.record_create(premises, "evening_premises")
                inserted += 1
            else:
                before = audit.snapshot(current)
                for key, value in row.items():
                    setattr(current, key, value)
                audit.record("update", "evening_premises", current.id, before, audit.stored(current))
                updated += 1
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise database_refused(exc) from exc
    return PremisesImportResult(inserted, updated)


def get_premises(premises_id: int) -> Premises:
    return get_or_404(Premises, premises_id, _("No premises %(id)s.", id=premises_id))


# --- joint inspections ----------------------------------------------------------------------------------------------


def _check_code(value, name: str, codes, problems: Problems, required: bool = True):
    if value in (None, ""):
        if required:
            problems.add(name, _("required"))
        return None
    if value not in codes:
        problems.add(name, _("must be one of %(codes)s", codes=", ".join(codes)))
        return None
    return value


def _check_past(value, name: str, problems: Problems):
    if not isinstance(value, datetime):
        problems.add(name, _("must be a date and time (ISO 8601)"))
        return None
    value = value if value.tzinfo else value.replace(tzinfo=local_zone())
    if value > datetime.now(UTC) + timedelta(minutes=10):
        problems.add(name, _("cannot be in the future"))
        return None
    if value.year < 2000:
        problems.add(name, _("must be in the year 2000 or later"))
        return None
    return value


def _check_date(value, name: str, problems: Problems, required: bool = False):
    if value is None or value == "":
        if required:
            problems.add(name, _("required"))
        return None
    if not isinstance(value, date) or isinstance(value, datetime) or not 2000 <= value.year <= 2100:
        problems.add(name, _("must be a date from 2000 to 2100 (YYYY-MM-DD)"))
        return None
    return value


def _valid(value):
    return None if value is INVALID else value


def inspection_values(data: dict) -> dict:
    """Check an inspection's fields; return them, or raise InvalidInput naming every wrong field."""
    problems = Problems()
    values = {
        "inspected_at": _check_past(data.get("inspected_at"), "inspected_at", problems),
        "municipality_staff": check_text(
            data.get("municipality_staff"), "municipality_staff", NAME_MAX * 2, problems, required=True
        ),
        "police_staff": check_text(data.get("police_staff"), "police_staff", NAME_MAX * 2, problems, required=True),
        **{item: _check_code(data.get(item), item, CHECK_RESULTS, problems) for item in CHECK_ITEMS},
        "outcome": _check_code(data.get("outcome"), "outcome", OUTCOMES, problems),
        "notes": check_text(data.get("notes"), "notes", TEXT_MAX, problems),
        "follow_up": check_text(data.get("follow_up"), "follow_up", TEXT_MAX, problems),
        "follow_up_due": _check_date(data.get("follow_up_due"), "follow_up_due", problems),
    }
    if values["follow_up_due"] and not values["follow_up"]:
        problems.add("follow_up", _("say what is to be followed up by that date"))
    if values["outcome"] == "serious" and not values["follow_up"]:
        problems.add("follow_up", _("a serious outcome needs a follow-up"))
    problems.raise_any()
    return {key: _valid(value) for key, value in values.items()}


def record_inspection(premises_id: int, data: dict) -> Inspection:
    """Record a joint inspection of the premises; audit it; commit."""
    premises = get_premises(premises_id)
    inspection = Inspection(premises_id=premises.id, created_by_id=_user_id(), **inspection_values(data))
    with transaction():
        db.session.add(inspection)
        audit.record_create(inspection, "evening_inspection")
    return inspection


def get_inspection(inspection_id: int) -> Inspection:
    return get_or_404(Inspection, inspection_id, _("No inspection %(id)s.", id=inspection_id))


def complete_follow_up(inspection_id: int, done_on: date | None) -> Inspection:
    """Mark the inspection's follow-up done on that date; audit it; commit."""
    inspection = get_inspection(inspection_id)
    problems = Problems()
    if not inspection.follow_up:
        problems.add("follow_up_done_on", _("this inspection has no follow-up"))
    done_on = _check_date(done_on, "follow_up_done_on", problems, required=True)
    if done_on and done_on < inspection.inspected_at.astimezone(local_zone()).date():
        problems.add("follow_up_done_on", _("cannot be before the inspection"))
    problems.raise_any()
    before = audit.snapshot(inspection)
    with transaction():
        inspection.follow_up_done_on = done_on
        audit.record("update", "evening_inspection", inspection.id, before, audit.stored(inspection))
    return inspection


# --- trainings ------------------------------------------------------------------------------------------------------


def record_training(data: dict) -> Training:
    """Record a training session in responsible serving; audit it; commit."""
    problems = Problems()
    values = {
        "held_on": _check_date(data.get("held_on"), "held_on", problems, required=True),
        "title": check_text(data.get("title"), "title", NAME_MAX, problems, required=True),
        "trainer": check_text(data.get("trainer"), "trainer", NAME_MAX, problems),
        "notes": check_text(data.get("notes"), "notes", TEXT_MAX, problems),
    }
    problems.raise_any()
    training = Training(created_by_id=_user_id(), **values)
    with transaction():
        db.session.add(training)
        audit.record_create(training, "evening_training")
    return training


def get_training(training_id: int) -> Training:
    return get_or_404(Training, training_id, _("No training %(id)s.", id=training_id))


def record_attendance(training_id: int, data: dict) -> TrainingAttendance:
    """Record who attended the training from one premises (once per premises); audit it; commit."""
    training = get_training(training_id)
    problems = Problems()
    premises_id = data.get("premises_id")
    if not isinstance(premises_id, int) or db.session.get(Premises, premises_id) is None:
        problems.add("premises_id", _("does not exist"))
    elif any(a.premises_id == premises_id for a in training.attendance):
        problems.add("premises_id", _("this premises is already listed for the training"))
    attendees = data.get("attendees")
    if isinstance(attendees, bool) or not isinstance(attendees, int) or not 1 <= attendees <= ATTENDEES_MAX:
        problems.add("attendees", _("must be a whole number from 1 to %(max)d", max=ATTENDEES_MAX))
    names = check_text(data.get("names"), "names", TEXT_MAX, problems)
    problems.raise_any()
    attendance = TrainingAttendance(
        training_id=training.id, premises_id=premises_id, attendees=attendees, names=_valid(names)
    )
    with transaction():
        db.session.add(attendance)
        audit.record_create(attendance, "evening_training_attendance")
    return attendance


# --- the Purple Flag self-assessment --------------------------------------------------------------------------------


def find_assessment(zone_id: int, year: int) -> SelfAssessment | None:
    return db.session.scalar(
        select(SelfAssessment).where(SelfAssessment.zone_id == zone_id, SelfAssessment.year == year)
    )


def theme_values(data: dict) -> dict[str, dict]:
    """Check each theme's rating, narrative and evidence codes; raise InvalidInput naming every wrong field."""
    problems, values = Problems(), {}
    for theme in THEMES:
        entry = data.get(theme) or {}
        evidence = entry.get("evidence") or []
        unknown = [code for code in evidence if code not in EVIDENCE]
        if unknown:
            problems.add(f"{theme}-evidence", _("unknown evidence: %(codes)s", codes=", ".join(unknown)[:100]))
        values[theme] = {
            "rating": _check_code(entry.get("rating"), f"{theme}-rating", RATINGS, problems, required=False),
            "narrative": _valid(check_text(entry.get("narrative"), f"{theme}-narrative", NARRATIVE_MAX, problems)),
            "evidence": [code for code in EVIDENCE if code in evidence],
        }
    problems.raise_any()
    return values


def save_assessment(zone_id: int, year: int, data: dict) -> SelfAssessment:
    """Create or update the zone's self-assessment of the year, theme by theme; audit each entry; commit."""
    values = theme_values(data)
    assessment = find_assessment(zone_id, year)
    with transaction():
        if assessment is None:
            assessment = SelfAssessment(zone_id=zone_id, year=year)
            db.session.add(assessment)
            audit.record_create(assessment, "pf_self_assessment")
        entries = {entry.theme: entry for entry in assessment.entries}
        for theme, theme_data in values.items():
            _save_entry(assessment, entries.get(theme), theme, theme_data)
    return assessment


def _save_entry(assessment: SelfAssessment, entry: ThemeEntry | None, theme: str, values: dict) -> None:
    if entry is None:
        entry = ThemeEntry(assessment_id=assessment.id, theme=theme, **values)
        db.session.add(entry)
        assessment.entries.append(entry)
        audit.record_create(entry, "pf_theme_entry")
        return
    if all(getattr(entry, key) == value for key, value in values.items()):
        return
    before = audit.snapshot(entry)
    for key, value in values.items():
        setattr(entry, key, value)
    audit.record("update", "pf_theme_entry", entry.id, before, audit.stored(entry))
