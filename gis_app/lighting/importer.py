"""Import the lamp register and the path network (CSV, GeoJSON, GeoPackage): every row, or nothing if any is bad.

The file reading, row numbering and the rejection report are the shared importer's (gis_app/areas/importer.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from sqlalchemy import delete, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError

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
from gis_app.extensions import db
from gis_app.lighting.models import Lamp, PathSegment
from gis_app.places.importer import load_rules

# Column names a register may use, first match wins (English, then Swedish as municipal registers write them).
LAMP_FIELDS = {
    "ref": ("id", "ref", "lamp_id", "lampid", "armatur_id", "armaturid", "belysningspunkt", "objektid"),
    "lamp_type": ("type", "lamp_type", "typ", "armaturtyp", "ljuskalla", "ljuskälla"),
    "power_w": ("power", "power_w", "watt", "effekt", "effekt_w"),
    "owner": ("owner", "agare", "ägare", "huvudman"),
    "state": ("state", "status", "tillstand", "tillstånd"),
}
PATH_FIELDS = {
    "ref": ("id", "ref", "objectid", "objektid", "element_id", "elementid", "route_id"),
    "name": ("name", "namn", "gatunamn", "vagnamn", "vägnamn"),
    "kind": ("kind", "type", "typ", "vagtyp", "vägtyp", "gcm_typ", "highway"),
}
# The states a register writes, in English or Swedish, and the state stored.
STATE_WORDS = {
    "working": "working",
    "ok": "working",
    "on": "working",
    "in service": "working",
    "i drift": "working",
    "fungerar": "working",
    "tänd": "working",
    "hel": "working",
    "broken": "broken",
    "faulty": "broken",
    "out": "broken",
    "off": "broken",
    "trasig": "broken",
    "ur drift": "broken",
    "släckt": "broken",
    "fel": "broken",
    "removed": "removed",
    "borttagen": "removed",
    "demonterad": "removed",
    "nedlagd": "removed",
}
TEXT_MAX = {"ref": 50, "lamp_type": 100, "owner": 200, "name": 200, "kind": 100}
PATH_REF_MAX = 100
DATASET_MAX = 200
MAX_POWER_W = 100_000


class FieldInvalid(ValueError):
    """A value that cannot be stored; the message says why."""


@dataclass
class LightingImportResult:
    rows: int
    new: int
    updated: int
    ignored_columns: list[str]


def _columns(source: SourceFile, fields: dict) -> dict[str, str]:
    """The file's column for each field it has."""
    present = set(source.attributes.columns)
    found = {}
    for name, candidates in fields.items():
        column = next((c for c in candidates if c in present), None)
        if column:
            found[name] = column
    return found


def _ignored(source: SourceFile, used: dict[str, str]) -> list[str]:
    geometry_columns = {"lon", "lat", "longitude", "latitude", "x", "y", "wkt"}
    return [c for c in source.attributes.columns if c not in set(used.values()) | geometry_columns]


def _text(value, field_name: str) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    limit = TEXT_MAX.get(field_name, PATH_REF_MAX)
    if len(text) > limit:
        raise FieldInvalid(_("longer than %(max)d characters", max=limit))
    if "\x00" in text:
        raise FieldInvalid(_("contains a NUL character"))
    return text


def _power(value) -> float | None:
    if is_blank(value):
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise FieldInvalid(_("not a number: '%(value)s'", value=str(value)[:40])) from None
    if not 0 <= number <= MAX_POWER_W:
        raise FieldInvalid(_("must be between 0 and %(max)d watts", max=MAX_POWER_W))
    return number


def _state(value) -> str:
    if is_blank(value):
        return "working"
    state = STATE_WORDS.get(str(value).strip().lower())
    if state is None:
        raise FieldInvalid(_("unknown state '%(value)s': use working, broken or removed", value=str(value)[:40]))
    return state


def _single(geom, wanted: str):
    """A one-part Multi* becomes its part."""
    if (
        geom is not None
        and not isinstance(geom, BadGeometry)
        and geom.geom_type == "Multi" + wanted
        and len(geom.geoms) == 1
    ):
        return geom.geoms[0]
    return geom


def _geometry_problems(geom, allowed: tuple[str, ...], rules) -> list[tuple[str, str]]:
    """Why a row's geometry cannot be stored, as (field, reason) pairs; none when it can."""
    if isinstance(geom, BadGeometry):
        return list(geom.problems)
    if geom is None or geom.is_empty:
        reason = _("missing geometry")
    elif geom.geom_type not in allowed:
        reason = _(
            "geometry type %(type)s is not allowed: use %(allowed)s", type=geom.geom_type, allowed=", ".join(allowed)
        )
    else:
        reason = validity_problem(geom) or (None if rules.inside(geom) else rules.outside_reason)
    return [("geometry", reason)] if reason else []


def _dataset_name(path: Path, dataset: str | None) -> str:
    name = (dataset or path.name).strip()
    if not name or len(name) > DATASET_MAX:
        raise ImportRejected(_("Give a dataset name of 1 to %(max)d characters.", max=DATASET_MAX))
    return name


# --- lamps ----------------------------------------------------------------------------------------------------------


def _lamp_row(record: dict, geom, columns: dict[str, str], rules) -> tuple[dict, list[tuple[str, str]]]:
    values, problems = {}, []
    parsers = {
        "ref": lambda v: _text(v, "ref"),
        "lamp_type": lambda v: _text(v, "lamp_type"),
        "power_w": _power,
        "owner": lambda v: _text(v, "owner"),
        "state": _state,
    }
    for name, parse in parsers.items():
        column = columns.get(name)
        try:
            values[name] = parse(record.get(column) if column else None)
        except FieldInvalid as exc:
            problems.append((column, str(exc)))
    if "ref" in values and values["ref"] is None:
        problems.append((columns["ref"], _("required")))
    geom = _single(geom, "Point")
    geometry_problems = _geometry_problems(geom, ("Point",), rules)
    problems.extend(geometry_problems)
    if not geometry_problems:
        values["geom"] = from_shape(geom, srid=4326)
    return values, problems


def check_lamps(source: SourceFile, columns: dict[str, str], dataset: str) -> list[dict]:
    """Check every row; raise ImportRejected naming each bad one, or return the lamp rows."""
    rules, errors, rows, seen = load_rules(), [], [], {}
    for index, (record, geom) in enumerate(zip(source.attributes.to_dict("records"), source.geometries)):
        values, problems = _lamp_row(record, geom, columns, rules)
        ref = values.get("ref")
        if ref is not None and ref in seen:
            problems.append((columns["ref"], _("the id %(ref)s is also on row %(row)d", ref=ref, row=seen[ref])))
        elif ref is not None:
            seen[ref] = source.row_number(index)
        errors.extend(source.error(index, name, reason) for name, reason in problems)
        if not problems:
            rows.append({**values, "dataset": dataset})
    if errors:
        raise rejected_rows(errors, len(source), source.crs)
    return rows


def import_lamps(
    path: Path | str, *, crs: str | None = None, layer: str | None = None, dataset: str | None = None
) -> LightingImportResult:
    """Import a lamp register: insert new lamps, update those whose id is known; all rows or none."""
    path = Path(path)
    source = read_source(path, layer=layer, crs=crs, allow_csv=True)
    columns = _columns(source, LAMP_FIELDS)
    if "ref" not in columns:
        raise ImportRejected(
            _(
                "Missing column: %(columns)s (the file has: %(fields)s).",
                columns=" / ".join(LAMP_FIELDS["ref"][:3]),
                fields=", ".join(source.attributes.columns),
            )
        )
    rows = check_lamps(source, columns, _dataset_name(path, dataset))
    new, updated = write_lamps(rows)
    return LightingImportResult(len(rows), new, updated, _ignored(source, columns))


def write_lamps(rows: list[dict]) -> tuple[int, int]:
    """Upsert lamps on their register id in one transaction; return (new, updated)."""
    statement = insert(Lamp)
    statement = statement.on_conflict_do_update(
        index_elements=[Lamp.ref],
        set_={name: statement.excluded[name] for name in ("lamp_type", "power_w", "owner", "state", "dataset", "geom")}
        | {"imported_at": func.now()},
    ).returning(Lamp.id, literal_column("xmax = 0"))  # xmax is 0 for an inserted row, set for an update
    try:
        inserted = [bool(flag) for _id, flag in db.session.execute(statement, rows)] if rows else []
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise database_refused(exc) from exc
    new = sum(inserted)
    return new, len(inserted) - new


# --- paths ----------------------------------------------------------------------------------------------------------


def _path_parts(geom):
    """A line, or each line of a multi-line (a road database often writes one multi-line per street)."""
    if geom is not None and not isinstance(geom, BadGeometry) and geom.geom_type == "MultiLineString":
        return list(geom.geoms)
    return [geom]


def check_paths(source: SourceFile, columns: dict[str, str], dataset: str) -> list[dict]:
    """Check every row; raise ImportRejected naming each bad one, or return the segment rows."""
    rules, errors, rows = load_rules(), [], []
    for index, (record, geom) in enumerate(zip(source.attributes.to_dict("records"), source.geometries)):
        values, problems = {}, []
        for name in ("ref", "name", "kind"):
            column = columns.get(name)
            try:
                values[name] = _text(record.get(column), name) if column else None
            except FieldInvalid as exc:
                problems.append((column, str(exc)))
        parts = _path_parts(geom)
        for part in parts:
            geometry_problems = _geometry_problems(part, ("LineString",), rules)
            if geometry_problems:
                problems.extend(geometry_problems)
                break
        errors.extend(source.error(index, name, reason) for name, reason in problems)
        if not problems:
            rows.extend({**values, "dataset": dataset, "geom": from_shape(part, srid=4326)} for part in parts)
    if errors:
        raise rejected_rows(errors, len(source), source.crs)
    return rows


def import_paths(
    path: Path | str, *, crs: str | None = None, layer: str | None = None, dataset: str | None = None
) -> LightingImportResult:
    """Import a path network, replacing the segments of the same dataset; all rows or none."""
    path = Path(path)
    source = read_source(path, layer=layer, crs=crs, allow_csv=True)
    columns = _columns(source, PATH_FIELDS)
    name = _dataset_name(path, dataset)
    rows = check_paths(source, columns, name)
    replaced = write_paths(rows, name)
    return LightingImportResult(len(rows), len(rows), replaced, _ignored(source, columns))


def write_paths(rows: list[dict], dataset: str) -> int:
    """Replace the dataset's segments with these rows in one transaction; return how many were replaced."""
    try:
        replaced = db.session.execute(delete(PathSegment).where(PathSegment.dataset == dataset)).rowcount
        if rows:
            db.session.execute(insert(PathSegment), rows)
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise database_refused(exc) from exc
    return replaced


def segment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(PathSegment))
