"""Night-walk writes and who may make them: groups under agreement, the calendar import (all or nothing), shifts
with their route, and the night report whose counts land as observations with the source 'night_walk'.

Association accounts (role 'association') see and write only their own organisation's groups; police accounts
write for the police volunteers (a group linked to the police's organisation); planners and admins write for all;
other staff read. Every write is audited in its own transaction."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from geoalchemy2.shape import from_shape
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from gis_app.auth import audit
from gis_app.auth.access import PLANNING, current_role, is_staff
from gis_app.auth.models import Organisation
from gis_app.core.clock import local_zone
from gis_app.core.db import find, transaction
from gis_app.core.geometry import GeometryProblem, geometry_from_geojson
from gis_app.core.inputs import load_json
from gis_app.core.readers import (
    BadGeometry,
    ImportRejected,
    database_refused,
    is_blank,
    read_source,
    read_table,
    rejected_rows,
)
from gis_app.core.validation import INVALID, Problems, check_code, check_text
from gis_app.errors import NotFound
from gis_app.extensions import db
from gis_app.nightwalks import queries
from gis_app.nightwalks.models import (
    GROUP_KINDS,
    SIGHTING_COUNT_MAX,
    SIGHTING_KINDS,
    SOURCE_CODE,
    WALKERS_MAX,
    NightEvent,
    NightGroup,
    NightReport,
    NightShift,
    NightSighting,
)
from gis_app.places.importer import load_rules
from gis_app.places.models import Category, Observation, Place

NAME_MAX, TEXT_MAX, SHIFT_HOURS_MAX, SIGHTINGS_MAX = 200, 4000, 24, 50
# Calendar columns, first match wins: English, then Swedish.
TITLE_FIELDS = ("title", "titel", "namn")
KIND_FIELDS = ("kind", "typ")
START_FIELDS = ("starts_on", "fran", "start")
END_FIELDS = ("ends_on", "till", "slut")
NOTES_FIELDS = ("notes", "anteckning", "kommentar")
KIND_WORDS = {"risk_weekend": "risk_weekend", "riskhelg": "risk_weekend", "event": "event", "evenemang": "event"}


def _user_id() -> int | None:
    return current_user.id if has_request_context() and current_user.is_authenticated else None


# --- who sees and writes what ---------------------------------------------------------------------------------------


def _own_group_ids() -> list[int]:
    if not current_user.is_authenticated:
        return []
    return queries.group_ids_of(current_user.organisation_id)


def visible_group_ids() -> list[int] | None:
    """The groups whose shifts and reports the caller sees (None: all of them; staff see all)."""
    if is_staff():
        return None
    return _own_group_ids() if current_role() == "association" else []


def writable_group_ids() -> list[int] | None:
    """The groups the caller plans and reports for (None: all): planners and admins all, others their own."""
    role = current_role()
    if role in PLANNING:
        return None
    return _own_group_ids() if role in ("association", "police") else []


def _allowed(group_id: int, ids: list[int] | None) -> bool:
    return ids is None or group_id in ids


def get_shift(shift_id: int) -> NightShift:
    """The shift, if the caller may see it; another association's shift is not found."""
    shift = find(NightShift, shift_id)
    if shift is None or not _allowed(shift.group_id, visible_group_ids()):
        raise_not_found(shift_id)
    return shift


def raise_not_found(shift_id: int):
    raise NotFound(_("No shift %(id)s.", id=shift_id))


def may_write_shift(shift: NightShift) -> bool:
    return _allowed(shift.group_id, writable_group_ids())


# --- checks ---------------------------------------------------------------------------------------------------------


def _check_int(value, name: str, low: int, high: int, problems: Problems):
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(name, _("must be a whole number from %(low)d to %(high)d", low=low, high=high))
        return INVALID
    return value


def _check_datetime(value, name: str, problems: Problems):
    if not isinstance(value, datetime):
        problems.add(name, _("must be a date and time (ISO 8601)"))
        return INVALID
    if not 2000 <= value.year <= 2100:
        problems.add(name, _("must be in the years 2000 to 2100"))
        return INVALID
    return value if value.tzinfo else value.replace(tzinfo=local_zone())


def _check_date(value, name: str, problems: Problems, required: bool = True):
    if value in (None, ""):
        if required:
            problems.add(name, _("required"))
        return None if not required else INVALID
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, date) or isinstance(value, datetime) or not 2000 <= value.year <= 2100:
        problems.add(name, _("must be a date from 2000 to 2100 (YYYY-MM-DD)"))
        return INVALID
    return value


def _line(geom, name: str, problems: Problems):
    """The route as one LineString (a MultiLineString of one part is that part), or INVALID."""
    if geom is not None and geom.geom_type == "MultiLineString" and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if geom is None or geom.is_empty or geom.geom_type != "LineString":
        problems.add(name, _("the route must be one line (LineString)"))
        return INVALID
    return geom


def _geojson_geometry(value):
    """The geometry object of a GeoJSON geometry, Feature or one-feature FeatureCollection."""
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        features = value.get("features") or []
        value = features[0] if isinstance(features, list) and len(features) == 1 else None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    return value


def route_from_text(raw, name: str, problems: Problems):
    """A drawn route (GeoJSON text or object) as a shapely line inside the municipality, or INVALID."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        problems.add(name, _("draw the route on the map or upload it as a file"))
        return INVALID
    try:
        value = load_json(raw) if isinstance(raw, str | bytes) else raw
        geom = geometry_from_geojson(_geojson_geometry(value), ("LineString", "MultiLineString"))
    except GeometryProblem as problem:
        problems.add(name, str(problem))
        return INVALID
    except ValueError:
        problems.add(name, _("must be GeoJSON"))
        return INVALID
    return _inside(_line(geom, name, problems), name, problems)


def route_from_file(path: Path | str, name: str, problems: Problems):
    """An uploaded route (GeoJSON or GeoPackage with one line) inside the municipality, or INVALID."""
    try:
        source = read_source(path)
    except ImportRejected as error:
        problems.add(name, error.message)
        return INVALID
    lines = [g for g in source.geometries if g is not None and not isinstance(g, BadGeometry)]
    bad = [g for g in source.geometries if isinstance(g, BadGeometry)]
    if bad:
        problems.add(name, "; ".join(reason for _column, reason in bad[0].problems))
        return INVALID
    if len(lines) != 1:
        problems.add(name, _("the file must hold exactly one route (it has %(n)d features)", n=len(lines)))
        return INVALID
    return _inside(_line(lines[0], name, problems), name, problems)


def _inside(geom, name: str, problems: Problems):
    if geom is INVALID:
        return INVALID
    if not geom.is_valid or len(geom.coords) < 2:
        problems.add(name, _("the route must be one line (LineString)"))
        return INVALID
    rules = load_rules()
    if not rules.inside(geom):
        problems.add(name, rules.outside_reason)
        return INVALID
    return geom


# --- groups ---------------------------------------------------------------------------------------------------------


def create_group(data: dict) -> NightGroup:
    """Register an association (or the police volunteers) under a partnership agreement; audit it; commit."""
    problems = Problems()
    name = check_text(data.get("name"), "name", NAME_MAX, problems, required=True)
    kind = check_code(data.get("kind"), "kind", GROUP_KINDS, problems)
    organisation = find(Organisation, data.get("organisation_id"))
    if organisation is None:
        problems.add("organisation_id", _("does not exist"))
    elif kind == "association" and organisation.kind != "other":
        problems.add("organisation_id", _("an association belongs to an outside organisation (kind 'other')"))
    elif kind == "police_volunteers" and organisation.kind != "polis":
        problems.add("organisation_id", _("police volunteers belong to the police"))
    starts = _check_date(data.get("agreement_from"), "agreement_from", problems)
    ends = _check_date(data.get("agreement_until"), "agreement_until", problems, required=False)
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        problems.add("agreement_until", _("cannot be before the agreement starts"))
    if name not in (None, INVALID) and db.session.scalar(select(NightGroup.id).where(NightGroup.name == name)):
        problems.add("name", _("a group with this name exists already"))
    problems.raise_any()
    group = NightGroup(
        name=name, kind=kind, organisation_id=organisation.id, agreement_from=starts, agreement_until=ends
    )
    with transaction():
        db.session.add(group)
        audit.record_create(group, "nw_group")
    return group


# --- the calendar ---------------------------------------------------------------------------------------------------


@dataclass
class EventImportResult:
    inserted: int
    updated: int


def _column(source, candidates: tuple[str, ...]) -> str | None:
    return next((name for name in candidates if name in source.attributes.columns), None)


def _event_row(source, index: int, record: dict, columns: dict) -> tuple[dict, list]:
    errors: list = []
    row: dict[str, Any] = {}
    for key, maximum, required in (("title", NAME_MAX, True), ("notes", TEXT_MAX, False)):
        value = None if columns[key] is None or is_blank(record.get(columns[key])) else str(record[columns[key]])
        value = value.strip() if value else None
        if value is None and required:
            errors.append(source.error(index, columns[key] or key, _("required")))
        elif value is not None and len(value) > maximum:
            errors.append(source.error(index, columns[key], _("longer than %(max)d characters", max=maximum)))
        row[key] = value
    kind_text = "" if columns["kind"] is None or is_blank(record.get(columns["kind"])) else str(record[columns["kind"]])
    row["kind"] = KIND_WORDS.get(kind_text.strip().lower().replace(" ", "_") or "risk_weekend")
    if row["kind"] is None:
        errors.append(source.error(index, columns["kind"], _("must be one of %(codes)s", codes=", ".join(KIND_WORDS))))
    for key in ("starts_on", "ends_on"):
        row[key] = _cell_date(record.get(columns[key]) if columns[key] else None)
        if row[key] is None:
            errors.append(source.error(index, columns[key] or key, _("must be a date from 2000 to 2100 (YYYY-MM-DD)")))
    if not errors and row["ends_on"] < row["starts_on"]:
        errors.append(source.error(index, columns["ends_on"], _("cannot be before the start")))
    return row, errors


def _cell_date(value) -> date | None:
    if is_blank(value):
        return None
    try:
        parsed = date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None
    return parsed if 2000 <= parsed.year <= 2100 else None


def event_rows(source) -> list[dict]:
    """Check every row of a calendar file; return them, or raise ImportRejected naming every bad row."""
    columns = {
        "title": _column(source, TITLE_FIELDS),
        "kind": _column(source, KIND_FIELDS),
        "starts_on": _column(source, START_FIELDS),
        "ends_on": _column(source, END_FIELDS),
        "notes": _column(source, NOTES_FIELDS),
    }
    missing = [
        fields[0]
        for key, fields in (("title", TITLE_FIELDS), ("starts_on", START_FIELDS), ("ends_on", END_FIELDS))
        if not columns[key]
    ]
    if missing:
        raise ImportRejected(
            _(
                "Nothing was imported: the file needs the columns %(columns)s (it has: %(fields)s).",
                columns=", ".join(missing),
                fields=", ".join(map(str, source.attributes.columns)),
            )
        )
    rows, errors = [], []
    for index, record in enumerate(source.attributes.to_dict("records")):
        row, row_errors = _event_row(source, index, record, columns)
        errors.extend(row_errors)
        rows.append(row)
    if errors:
        raise rejected_rows(errors, len(source))
    return rows


def import_events(path: Path | str, demo: bool = False) -> EventImportResult:
    """Upsert the calendar's risk weekends and events on (title, start): every row, or nothing if any is bad."""
    return write_events(event_rows(read_table(path)), demo)


def write_events(rows: list[dict], demo: bool = False) -> EventImportResult:
    inserted = updated = 0
    try:
        for row in rows:
            current = db.session.scalar(
                select(NightEvent).where(NightEvent.title == row["title"], NightEvent.starts_on == row["starts_on"])
            )
            if current is None:
                event = NightEvent(**row, demo=demo)
                db.session.add(event)
                audit.record_create(event, "nw_event")
                inserted += 1
            else:
                before = audit.snapshot(current)
                for key, value in row.items():
                    setattr(current, key, value)
                audit.record("update", "nw_event", current.id, before, audit.stored(current))
                updated += 1
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise database_refused(exc) from exc
    return EventImportResult(inserted, updated)


# --- shifts ---------------------------------------------------------------------------------------------------------


def shift_values(data: dict, route_file: Path | str | None = None) -> dict:
    """Check a shift's fields (the route drawn, or uploaded as a file); raise InvalidInput naming every wrong one."""
    problems = Problems()
    group_id = data.get("group_id")
    group = find(NightGroup, group_id) if isinstance(group_id, int) else None
    if group is None or not _allowed(group.id, writable_group_ids()):
        problems.add("group_id", _("not one of the groups you plan for"))
    event_id = data.get("event_id")
    if event_id not in (None, "", 0) and (not isinstance(event_id, int) or find(NightEvent, event_id) is None):
        problems.add("event_id", _("does not exist"))
    starts = _check_datetime(data.get("starts_at"), "starts_at", problems)
    ends = _check_datetime(data.get("ends_at"), "ends_at", problems)
    if isinstance(starts, datetime) and isinstance(ends, datetime):
        if ends <= starts:
            problems.add("ends_at", _("must be after the start"))
        elif ends - starts > timedelta(hours=SHIFT_HOURS_MAX):
            problems.add("ends_at", _("a shift lasts at most %(hours)d hours", hours=SHIFT_HOURS_MAX))
    walkers = _check_int(data.get("walkers"), "walkers", 1, WALKERS_MAX, problems)
    if route_file is not None:
        route = route_from_file(route_file, "route_file", problems)
    else:
        route = route_from_text(data.get("route"), "route", problems)
    values = {
        "group_id": group.id if group else None,
        "event_id": event_id or None,
        "starts_at": starts,
        "ends_at": ends,
        "walkers": walkers,
        "route": route,
        "leader": check_text(data.get("leader"), "leader", NAME_MAX, problems),
        "notes": check_text(data.get("notes"), "notes", TEXT_MAX, problems),
    }
    problems.raise_any()
    return values


def plan_shift(data: dict, route_file: Path | str | None = None, demo: bool = False) -> NightShift:
    """Plan a shift for one of the caller's groups; its district comes from the route; audit it; commit."""
    values = shift_values(data, route_file)
    route = values.pop("route")
    shift = NightShift(
        **values,
        route=from_shape(route, srid=4326),
        district_id=queries.route_district(route.wkt),
        demo=demo,
        created_by_id=_user_id(),
    )
    with transaction():
        db.session.add(shift)
        audit.record_create(shift, "nw_shift")
    return shift


# --- night reports --------------------------------------------------------------------------------------------------


def _sighting(index: int, item, rules, problems: Problems) -> dict | None:
    prefix = f"sightings-{index}-"
    if not isinstance(item, dict):
        problems.add(prefix + "kind", _("must be an object"))
        return None
    kind = check_code(item.get("kind"), prefix + "kind", SIGHTING_KINDS, problems)
    count = _check_int(item.get("count"), prefix + "count", 1, SIGHTING_COUNT_MAX, problems)
    note = check_text(item.get("note"), prefix + "note", TEXT_MAX, problems)
    point = _point(item, prefix + "geometry", rules, problems)
    if INVALID in (kind, count, note, point):
        return None
    return {"kind": kind, "count": count, "note": note, "point": point}


def _point(item: dict, name: str, rules, problems: Problems):
    geometry = item.get("geometry")
    if geometry is None and item.get("lon") not in (None, "") and item.get("lat") not in (None, ""):
        try:
            geometry = {"type": "Point", "coordinates": [float(item["lon"]), float(item["lat"])]}
        except (TypeError, ValueError):
            problems.add(name, _("must be a point (longitude and latitude)"))
            return INVALID
    if geometry is None:
        problems.add(name, _("mark where it was seen on the map"))
        return INVALID
    try:
        geom = geometry_from_geojson(load_json(geometry) if isinstance(geometry, str) else geometry, ("Point",))
    except (GeometryProblem, ValueError) as problem:
        problems.add(name, str(problem))
        return INVALID
    if not rules.inside(geom):
        problems.add(name, rules.outside_reason)
        return INVALID
    return geom


def report_values(data: dict) -> tuple[NightShift, dict]:
    """Check a night report: the shift must be one the caller reports for, started, without a report yet."""
    problems = Problems()
    shift_id = data.get("shift_id")
    shift = find(NightShift, shift_id) if isinstance(shift_id, int) else None
    if shift is None or not _allowed(shift.group_id, writable_group_ids()):
        problems.add("shift_id", _("not a shift of a group you report for"))
    elif shift.report is not None:
        problems.add("shift_id", _("this shift has a report already"))
    elif shift.starts_at > datetime.now(UTC):
        problems.add("shift_id", _("the shift has not started yet"))
    summary = check_text(data.get("summary"), "summary", TEXT_MAX, problems)
    items = data.get("sightings") or []
    if not isinstance(items, list) or len(items) > SIGHTINGS_MAX:
        problems.add("sightings", _("at most %(n)d lines", n=SIGHTINGS_MAX))
        items = []
    rules = load_rules()
    sightings = [_sighting(index, item, rules, problems) for index, item in enumerate(items)]
    problems.raise_any()
    assert shift is not None  # raise_any refused every other case
    return shift, {"summary": summary, "sightings": sightings}


def file_report(data: dict) -> NightReport:
    """File the night's report; each line lands as an observation (source 'night_walk') of the nearest place of
    its kind within 50 m, or of a new place; audit each row; commit."""
    shift, values = report_values(data)
    labels = dict(db.session.execute(select(Category.code, Category.label_sv)).all())
    report = NightReport(shift_id=shift.id, summary=values["summary"], created_by_id=_user_id())
    with transaction():
        db.session.add(report)
        audit.record_create(report, "nw_report")
        for item in values["sightings"]:
            observation = land_observation(shift, item, labels)
            sighting = NightSighting(
                report_id=report.id,
                kind=item["kind"],
                count=item["count"],
                note=item["note"],
                geom=from_shape(item["point"], srid=4326),
                observation_id=observation.id,
            )
            db.session.add(sighting)
            audit.record_create(sighting, "nw_sighting")
    return report


def land_observation(shift: NightShift, item: dict, labels: dict) -> Observation:
    """One report line as an observation of the nearest place of its kind within 50 m, or of a new place."""
    point = item["point"]
    label = labels.get(item["kind"], item["kind"])
    place_id = queries.nearest_place(point.wkt, item["kind"])
    if place_id is None:
        # A new place from outside text: its title stays neutral for the public until a planner reviews it.
        place = Place(
            title=label,
            category_code=item["kind"],
            time_of_day="night",
            geom=from_shape(point, srid=4326),
            title_reviewed=False,
            reported_on=shift.starts_at.astimezone(local_zone()).date(),  # reported that night
        )
        db.session.add(place)
        audit.record_create(place, "place")
        place_id = place.id
    with force_locale("sv"):  # stored text is in the municipality's language, whatever the page's
        text = _("Night walk: %(count)d × %(kind)s", count=item["count"], kind=label)
    observation = Observation(
        place_id=place_id,
        source_code=SOURCE_CODE,
        text=f"{text}. {item['note']}" if item["note"] else text,
        observed_at=shift.starts_at,
        reviewed=False,
        created_by_id=_user_id(),
        geom=from_shape(point, srid=4326),
    )
    db.session.add(observation)
    audit.record_create(observation, "observation")
    return observation
