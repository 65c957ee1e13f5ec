"""Writing property protection: properties, protection, cameras, incidents, site visits with the owner and the
measures agreed there (inventory measures); every write audited. An owner's account reaches only its own."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

from flask_babel import gettext as _
from flask_login import current_user
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from gis_app.auth import audit
from gis_app.auth.models import Organisation
from gis_app.core.clock import local_now, local_zone
from gis_app.core.db import find, get_or_404, transaction
from gis_app.core.geometry import Boundary, check_geometry
from gis_app.core.inputs import db_int, load_json
from gis_app.core.readers import ImportRejected, SourceFile, database_refused, is_blank, read_source, rejected_rows
from gis_app.core.validation import INVALID, Problems, check_code, check_text
from gis_app.errors import AppError, NotFound
from gis_app.extensions import db
from gis_app.inventory import queries as inventory_queries
from gis_app.inventory import service as inventory_service
from gis_app.inventory.models import Assessment, Measure
from gis_app.places.importer import load_rules
from gis_app.places.models import Place
from gis_app.properties import queries
from gis_app.properties.models import (
    INCIDENT_KINDS,
    PROPERTY_KINDS,
    PROTECTION_KINDS,
    Camera,
    Incident,
    Property,
    Protection,
    SiteVisit,
    VisitMeasure,
)

TEXT_MAX = 5000
NAME_MAX = 200
REF_MAX = 60
PERMIT_MAX = 100
REPORT_MAX = 50
EMAIL_MAX = 254
VIEW_MAX_METRES = 300
EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
OWNER_ROLE = "property_owner"


def _user_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


def boundary() -> Boundary:
    """Where properties and cameras must lie: the municipality (or the configured bounds)."""
    return cast("Boundary", load_rules())


def owner_scope() -> int | None:
    """The organisation whose properties alone the caller may see (an owner's account), else None (staff)."""
    if current_user and current_user.is_authenticated and current_user.role == OWNER_ROLE:
        return current_user.organisation_id
    return None


# --- reading, scoped to the caller ----------------------------------------------------------------------------------


def get_property(property_id: int) -> Property:
    """The property, or NotFound; an owner's account finds only its own (another's is not there for it)."""
    prop = find(Property, property_id)
    owner = owner_scope()
    if prop is None or (owner is not None and prop.owner_id != owner):
        raise NotFound(_("No property %(id)s.", id=property_id))
    return prop


def get_visit(visit_id: int) -> SiteVisit:
    """The site visit, or NotFound (an owner's account: only visits of its own properties)."""
    visit = find(SiteVisit, visit_id)
    owner = owner_scope()
    if visit is None or (owner is not None and visit.property.owner_id != owner):
        raise NotFound(_("No site visit %(id)s.", id=visit_id))
    return visit


def get_agreed(agreed_id: int) -> VisitMeasure:
    return get_or_404(VisitMeasure, agreed_id, _("No agreed measure %(id)s.", id=agreed_id))


def owner_choices() -> list[tuple[int, str]]:
    """Organisations that can own a property: those of kind 'other' (not the municipality nor the police)."""
    rows = db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.kind == "other"))
    return sorted(((int(oid), str(name)) for oid, name in rows), key=lambda row: row[1])


# --- checks ---------------------------------------------------------------------------------------------------------


def _check_date(value, name: str, problems: Problems, required: bool = False):
    if value is None or value == "":
        if required:
            problems.add(name, _("required"))
        return None
    if not isinstance(value, date) or isinstance(value, datetime) or not 2000 <= value.year <= 2100:
        problems.add(name, _("must be a date from 2000 to 2100 (YYYY-MM-DD)"))
        return INVALID
    return value


def _check_past_date(value, name: str, problems: Problems):
    value = _check_date(value, name, problems, required=True)
    if isinstance(value, date) and value > local_now().date():
        problems.add(name, _("cannot be in the future"))
        return INVALID
    return value


def _check_past_time(value, name: str, problems: Problems):
    if not isinstance(value, datetime) or not 2000 <= value.year <= 2100:
        problems.add(name, _("must be a date and time (ISO 8601)"))
        return INVALID
    value = value if value.tzinfo else value.replace(tzinfo=local_zone())
    if value > datetime.now(UTC) + timedelta(minutes=10):
        problems.add(name, _("cannot be in the future"))
        return INVALID
    return value


def _check_number(value, name: str, low: float, high: float, problems: Problems, required: bool = True):
    if value is None or value == "":
        if required:
            problems.add(name, _("required"))
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        number = float("nan")
    if not low <= number <= high:
        problems.add(name, _("must be a number from %(low)s to %(high)s", low=low, high=high))
        return INVALID
    return number


def _check_email(value, name: str, problems: Problems):
    text = check_text(value, name, EMAIL_MAX, problems)
    if isinstance(text, str) and not EMAIL.match(text):
        problems.add(name, _("must be an e-mail address"))
        return INVALID
    return text


def _parse_geojson(value, name: str, problems: Problems):
    """A GeoJSON geometry from a form's text or a dict; INVALID (with the reason) when it is not one."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return load_json(value)
        except ValueError:
            problems.add(name, _("must be a GeoJSON geometry object"))
            return INVALID
    return value


def _check_polygon(value, name: str, problems: Problems, required: bool = True):
    value = _parse_geojson(value, name, problems)
    if value is INVALID:
        return INVALID
    if value is None and not required:
        return None
    return check_geometry(value, name, boundary(), problems, allowed=("Polygon",))


def _check_owner(value, problems: Problems):
    if value in (None, "", 0):
        return None
    owner_id = db_int(value)
    owner = find(Organisation, owner_id) if owner_id else None
    if owner is None or owner.kind != "other":
        problems.add("owner_id", _("must be an organisation of kind 'other' (a property owner)"))
        return INVALID
    return owner.id


def _check_place(value, problems: Problems):
    if value in (None, "", 0):
        return None
    place_id = db_int(value)
    if place_id is None or find(Place, place_id) is None:
        problems.add("place_id", _("no such place"))
        return INVALID
    return place_id


# --- properties -----------------------------------------------------------------------------------------------------


def property_values(data: dict) -> dict:
    """Check a property's fields; raise InvalidInput naming every wrong one."""
    problems = Problems()
    values = {
        "ref": check_text(data.get("ref"), "ref", REF_MAX, problems, required=True),
        "name": check_text(data.get("name"), "name", NAME_MAX, problems, required=True),
        "address": check_text(data.get("address"), "address", NAME_MAX, problems),
        "kind": check_code(data.get("kind"), "kind", PROPERTY_KINDS, problems),
        "owner_id": _check_owner(data.get("owner_id"), problems),
        "place_id": _check_place(data.get("place_id"), problems),
        "geom": _check_polygon(data.get("geometry"), "geometry", problems),
    }
    problems.raise_any()
    return values


def _ref_taken(ref: str) -> AppError:
    return AppError(_("A property %(ref)s is registered already.", ref=ref), field="ref", status=409, code="Conflict")


def create_property(data: dict) -> Property:
    """Register a property; it is linked to the inventory place inside or next to it unless one is given."""
    values = property_values(data)
    if db.session.scalar(select(Property.id).where(Property.ref == values["ref"])) is not None:
        raise _ref_taken(values["ref"])
    shape = values.pop("geom")
    if values["place_id"] is None:
        values["place_id"] = queries.nearest_place_id(shape.wkt)
    prop = Property(**values, geom=from_shape(shape, srid=4326))
    with transaction():
        db.session.add(prop)
        audit.record_create(prop, "property")
    return prop


# --- protection, cameras and incidents ------------------------------------------------------------------------------


def add_protection(property_id: int, data: dict) -> Protection:
    """Record a protection of the property (perimeter, locks, lighting, alarm); audit it."""
    prop = get_property(property_id)
    problems = Problems()
    values = {
        "kind": check_code(data.get("kind"), "kind", PROTECTION_KINDS, problems),
        "description": check_text(data.get("description"), "description", TEXT_MAX, problems, required=True),
        "checked_on": _check_date(data.get("checked_on"), "checked_on", problems),
    }
    problems.raise_any()
    protection = Protection(property_id=prop.id, **values)
    with transaction():
        db.session.add(protection)
        audit.record_create(protection, "property_protection")
    return protection


def _camera_view(data: dict, lon, lat, problems: Problems):
    """The view drawn as a polygon, or the sector its direction, angle and range describe."""
    drawn = _check_polygon(data.get("view"), "view", problems, required=False)
    if drawn is not None:
        return drawn
    direction = _check_number(data.get("direction"), "direction", 0, 360, problems)
    angle = _check_number(data.get("angle"), "angle", 1, 180, problems)
    metres = _check_number(data.get("range_metres"), "range_metres", 1, VIEW_MAX_METRES, problems)
    if INVALID in (lon, lat, direction, angle, metres) or None in (lon, lat, direction, angle, metres):
        return INVALID
    return queries.camera_view_wkt(lon, lat, direction, angle, metres)


def add_camera(property_id: int, data: dict) -> Camera:
    """Record a camera: its position inside the municipality, its view and its permit; audit it."""
    prop = get_property(property_id)
    problems = Problems()
    lon = _check_number(data.get("lon"), "lon", -180, 180, problems)
    lat = _check_number(data.get("lat"), "lat", -90, 90, problems)
    values = {
        "name": check_text(data.get("name"), "name", NAME_MAX, problems, required=True),
        "permit_ref": check_text(data.get("permit_ref"), "permit_ref", PERMIT_MAX, problems),
        "permit_until": _check_date(data.get("permit_until"), "permit_until", problems),
    }
    rules = boundary()
    if isinstance(lon, float) and isinstance(lat, float) and not rules.inside(Point(lon, lat)):
        problems.add("lon", rules.outside_reason)
        lon = INVALID
    view = _camera_view(data, lon, lat, problems)
    problems.raise_any()
    camera = Camera(
        property_id=prop.id,
        **values,
        geom=from_shape(Point(lon, lat), srid=4326),
        view=f"SRID=4326;{view}" if isinstance(view, str) else from_shape(view, srid=4326),
    )
    with transaction():
        db.session.add(camera)
        audit.record_create(camera, "property_camera")
    return camera


def add_incident(property_id: int, data: dict) -> Incident:
    """Record a break-in, vandalism or other incident at the property; audit it."""
    prop = get_property(property_id)
    problems = Problems()
    values = {
        "kind": check_code(data.get("kind"), "kind", INCIDENT_KINDS, problems),
        "occurred_at": _check_past_time(data.get("occurred_at"), "occurred_at", problems),
        "description": check_text(data.get("description"), "description", TEXT_MAX, problems),
        "police_report": check_text(data.get("police_report"), "police_report", REPORT_MAX, problems),
    }
    problems.raise_any()
    incident = Incident(property_id=prop.id, created_by_id=_user_id(), **values)
    with transaction():
        db.session.add(incident)
        audit.record_create(incident, "property_incident")
    return incident


# --- site visits and agreed measures --------------------------------------------------------------------------------


def create_visit(property_id: int, data: dict) -> SiteVisit:
    """Record an EST site visit with the owner: the date, who took part and what was found; audit it."""
    prop = get_property(property_id)
    problems = Problems()
    values = {
        "visited_on": _check_past_date(data.get("visited_on"), "visited_on", problems),
        "participants": check_text(data.get("participants"), "participants", TEXT_MAX, problems, required=True),
        "findings": check_text(data.get("findings"), "findings", TEXT_MAX, problems, required=True),
    }
    problems.raise_any()
    visit = SiteVisit(property_id=prop.id, created_by_id=_user_id(), **values)
    with transaction():
        db.session.add(visit)
        audit.record_create(visit, "property_site_visit")
    return visit


def _agreed_values(data: dict) -> tuple[dict, str | None]:
    """The inventory measure's fields (checked by the inventory) and the responsible party's e-mail."""
    problems = Problems()
    due = _check_date(data.get("due_on"), "due_on", problems, required=True)
    email = _check_email(data.get("responsible_email"), "responsible_email", problems)
    check_text(data.get("description"), "description", TEXT_MAX, problems, required=True)
    try:
        values = inventory_service.measure_values({**data, "status": "decided", "done_on": None})
    except AppError as error:
        for name, message in getattr(error, "errors", [(error.field, error.message)]):
            problems.add(name, message)
        values = {}
    problems.raise_any()
    values["due_on"] = due
    return values, email


def _open_inventory(place_id: int | None):
    """This year's open inventory, or a 409 saying why the agreed measure cannot be an inventory measure."""
    if place_id is None:
        raise AppError(
            _("Link the property to a place in the inventory before agreeing measures."),
            field="measure_type",
            status=409,
            code="Conflict",
        )
    year = local_now().year
    inventory = inventory_queries.find_year(year)
    if inventory is None or inventory.is_closed:
        raise AppError(
            _("The inventory %(year)d is not open, so no measure can be added.", year=year),
            field="measure_type",
            status=409,
            code="Conflict",
        )
    return inventory


def _assessment_for(inventory, place_id: int, property_name: str) -> Assessment:
    """The place's assessment in the inventory, assessed now (in the caller's transaction) if need be."""
    assessment = inventory_queries.find_assessment(inventory, place_id)
    if assessment is None:
        place = db.session.get_one(Place, place_id)
        assessment = Assessment(
            year_id=inventory.id,
            place_id=place_id,
            still_unsafe=True,
            main_factor=place.category_code,
            priority=place.priority,
            note=f"Bedömd vid platsbesök med fastighetsägaren ({property_name}).",  # Swedish like the inventory
        )
        db.session.add(assessment)
        audit.record_create(assessment, "assessment")
    return assessment


def agree_measure(visit_id: int, data: dict) -> VisitMeasure:
    """Add a measure agreed at the visit: an inventory measure of the property's place, with a responsible party
    and a deadline; audit it. The caller e-mails the responsible party (notify.announce)."""
    visit = get_visit(visit_id)
    values, email = _agreed_values(data)
    place_id = visit.property.place_id
    inventory = _open_inventory(place_id)
    with transaction():
        assessment = _assessment_for(inventory, place_id, visit.property.name)
        measure = Measure(assessment_id=assessment.id, **values)
        db.session.add(measure)
        audit.record_create(measure, "measure")
        agreed = VisitMeasure(visit_id=visit.id, measure_id=measure.id, responsible_email=email)
        db.session.add(agreed)
        audit.record_create(agreed, "property_visit_measure")
    return agreed


def follow_up(agreed_id: int, data: dict) -> VisitMeasure:
    """Follow an agreed measure up: its status (and done date) through the inventory, and what was seen."""
    agreed = get_agreed(agreed_id)
    problems = Problems()
    note = check_text(data.get("follow_up"), "follow_up", TEXT_MAX, problems)
    problems.raise_any()
    measure = agreed.measure
    current = {name: getattr(measure, name) for name in inventory_service.MEASURE_FIELDS}
    changes = {key: data.get(key) for key in ("status", "done_on") if key in data}
    inventory_service.update_measure(measure.id, {**current, **changes})
    if note != agreed.follow_up:
        before = audit.snapshot(agreed)
        with transaction():
            agreed.follow_up = note
            audit.record("update", "property_visit_measure", agreed.id, before, audit.stored(agreed))
    return agreed


# --- the property register import -----------------------------------------------------------------------------------

REF_FIELDS = ("fastighet", "fastighetsbeteckning", "ref", "property")
NAME_FIELDS = ("namn", "name")
ADDRESS_FIELDS = ("adress", "address")
KIND_FIELDS = ("typ", "kind")
OWNER_FIELDS = ("agare", "ägare", "owner")
KIND_WORDS = {"byggnad": "building", "building": "building", "tomt": "plot", "mark": "plot", "plot": "plot"}


@dataclass
class ImportResult:
    inserted: int
    updated: int


def _column(source: SourceFile, names: tuple[str, ...]) -> str | None:
    return next((name for name in names if name in source.attributes.columns), None)


def _text(record: dict, column: str | None) -> str | None:
    if column is None or is_blank(record.get(column)):
        return None
    return str(record[column]).strip()


def _import_row(source, index, record, geom, columns, owners, rules) -> tuple[dict, list]:
    errors = []
    row = {
        "ref": _text(record, columns["ref"]),
        "name": _text(record, columns["name"]),
        "address": _text(record, columns["address"]),
        "kind": KIND_WORDS.get((_text(record, columns["kind"]) or "building").lower()),
        "owner_id": None,
    }
    for key in ("ref", "name"):
        limit, value = (REF_MAX if key == "ref" else NAME_MAX), row[key]
        if not value:
            errors.append(source.error(index, columns[key] or key, _("required")))
        elif len(value) > limit:
            errors.append(source.error(index, columns[key] or key, _("longer than %(max)d characters", max=limit)))
    if row["kind"] is None:
        reason = _("must be one of %(codes)s", codes="byggnad, tomt")
        errors.append(source.error(index, columns["kind"] or "kind", reason))
    owner = _text(record, columns["owner"])
    if owner:
        row["owner_id"] = owners.get(owner)
        if row["owner_id"] is None:
            errors.append(
                source.error(
                    index, columns["owner"] or "owner", _("no property owner organisation %(name)s", name=owner)
                )
            )
    errors += _import_geometry(source, index, geom, row, rules)
    return row, errors


def _import_geometry(source, index, geom, row, rules) -> list:
    if geom is None or not hasattr(geom, "geom_type"):
        problems = getattr(geom, "problems", (("geometry", _("required")),))
        return [source.error(index, name, reason) for name, reason in problems]
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        reason = _("geometry type %(type)s is not allowed: use %(allowed)s", type=geom.geom_type, allowed="Polygon")
        return [source.error(index, "geometry", reason)]
    if not geom.is_valid:
        return [source.error(index, "geometry", _("invalid geometry"))]
    if not rules.inside(geom):
        return [source.error(index, "geometry", rules.outside_reason)]
    row["geom"] = geom
    return []


def property_rows(source: SourceFile) -> list[dict]:
    """Check every row of the register; return them, or raise ImportRejected naming every bad row."""
    columns = {
        "ref": _column(source, REF_FIELDS),
        "name": _column(source, NAME_FIELDS),
        "address": _column(source, ADDRESS_FIELDS),
        "kind": _column(source, KIND_FIELDS),
        "owner": _column(source, OWNER_FIELDS),
    }
    missing = [names[0] for key, names in (("ref", REF_FIELDS), ("name", NAME_FIELDS)) if not columns[key]]
    if missing:
        raise ImportRejected(
            _(
                "Nothing was imported: the file needs the columns %(columns)s (it has: %(fields)s).",
                columns=", ".join(missing),
                fields=", ".join(map(str, source.attributes.columns)),
            )
        )
    owners = {name: oid for oid, name in owner_choices()}
    rules = boundary()
    rows: list[dict] = []
    errors: list = []
    seen: dict[str | None, int] = {}
    for index, (record, geom) in enumerate(zip(source.attributes.to_dict("records"), source.geometries, strict=True)):
        row, row_errors = _import_row(source, index, record, geom, columns, owners, rules)
        if row["ref"] in seen and not row_errors:
            reason = _("code %(code)s repeats row %(row)d", code=row["ref"], row=seen[row["ref"]])
            row_errors.append(source.error(index, columns["ref"] or "ref", reason))
        seen.setdefault(row["ref"], source.row_number(index))
        errors += row_errors
        rows.append(row)
    if errors:
        raise rejected_rows(errors, len(source), source.crs)
    return rows


def import_properties(path: Path | str, *, crs: str | None = None, layer: str | None = None) -> ImportResult:
    """Upsert the property register (GeoPackage or GeoJSON polygons) on the designation: every row, or none."""
    rows = property_rows(read_source(path, layer=layer, crs=crs))
    existing = {
        p.ref: p for p in db.session.scalars(select(Property).where(Property.ref.in_([r["ref"] for r in rows])))
    }
    inserted = updated = 0
    try:
        for row in rows:
            shape = row.pop("geom")
            current = existing.get(row["ref"])
            if current is None:
                prop = Property(**row, place_id=queries.nearest_place_id(shape.wkt), geom=from_shape(shape, srid=4326))
                db.session.add(prop)
                audit.record_create(prop, "property")
                inserted += 1
            else:
                before = audit.snapshot(current)
                for key, value in row.items():
                    setattr(current, key, value)
                current.geom = from_shape(shape, srid=4326)
                audit.record("update", "property", current.id, before, audit.stored(current))
                updated += 1
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise database_refused(exc) from exc
    return ImportResult(inserted, updated)
