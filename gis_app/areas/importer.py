"""Import boundaries (GeoJSON, GeoPackage, CSV) as areas: all or nothing, every rejected row named."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import shapely
from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon
from sqlalchemy import func, literal_column, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError

from gis_app.areas.models import AREA_KINDS, Area
from gis_app.core.geometry import validity_problem
from gis_app.core.readers import (
    BadGeometry,
    ImportRejected,
    RowError,
    SourceFile,
    database_refused,
    is_blank,
    read_source,
    records,
    rejected_rows,
)
from gis_app.extensions import db

# Candidate attribute names per kind, first match wins: generic English/Swedish, then SCB's DeSO and kommun
# fields. Per kind, because a DeSO file also carries kommunnamn, which must not become every district's name.
NAME_FIELDS = {
    "municipality": ("name", "namn", "kommunnamn"),
    "district": ("name", "namn", "desoname"),
    "zone": ("name", "namn"),
}
CODE_FIELDS = {
    "municipality": ("code", "kod", "kommunkod"),
    "district": ("code", "kod", "deso"),
    "zone": ("code", "kod"),
}
NAME_MAX, CODE_MAX = 200, 50
UPSERT_BATCH = 1000

ASSIGN_DISTRICTS = text("""
    UPDATE place p SET district_id = (
        SELECT a.id FROM area a
        WHERE a.kind = 'district' AND ST_Intersects(a.geom, ST_PointOnSurface(p.geom))
        ORDER BY a.id LIMIT 1)
""")
MUNICIPALITY_OUTLINE = text("SELECT ST_AsBinary(ST_Union(geom)) FROM area WHERE kind = 'municipality'")


# --- errors ---------------------------------------------------------------------------------------------------------

# --- reading files --------------------------------------------------------------------------------------------------

# --- areas ----------------------------------------------------------------------------------------------------------


@dataclass
class AreaImportResult:
    kind: str
    inserted: int
    updated: int
    places_assigned: int | None = None


def has_areas(kind: str) -> bool:
    """Return whether any area of this kind exists."""
    return db.session.scalar(select(func.count()).select_from(Area).where(Area.kind == kind)) > 0


def import_areas(
    path: Path | str,
    kind: str,
    *,
    name_field: str | None = None,
    code_field: str | None = None,
    crs: str | None = None,
    layer: str | None = None,
) -> AreaImportResult:
    """Upsert every polygon of a file as an area of `kind` on (kind, code), all or nothing."""
    if kind not in AREA_KINDS:
        raise ImportRejected(_("Unknown area kind %(kind)s: use %(kinds)s.", kind=kind, kinds=", ".join(AREA_KINDS)))
    source = read_source(path, layer=layer, crs=crs)
    name_column = _pick_field(source, name_field, NAME_FIELDS[kind], "--name-field")
    code_column = _pick_field(source, code_field, CODE_FIELDS[kind], "--code-field")
    rows = _area_rows(source, kind, name_column, code_column)
    return _write_areas(kind, rows)


def _pick_field(source: SourceFile, chosen: str | None, candidates: tuple[str, ...], option: str) -> str:
    columns = list(source.attributes.columns)
    if chosen:
        if chosen.strip().lower() not in columns:
            raise ImportRejected(
                _("No field %(field)s in the file; it has: %(fields)s.", field=chosen, fields=", ".join(columns))
            )
        return chosen.strip().lower()
    found = next((name for name in candidates if name in columns), None)
    if found is None:
        raise ImportRejected(
            _(
                "Found none of the fields %(candidates)s: name the field with %(option)s (the file has: %(fields)s).",
                candidates=", ".join(candidates),
                option=option,
                fields=", ".join(columns),
            )
        )
    return found


def _area_rows(source: SourceFile, kind: str, name_column: str, code_column: str) -> list[dict]:
    errors, rows, seen = [], [], {}
    for index, (record, geom) in enumerate(zip(records(source.attributes), source.geometries)):
        row_errors = _area_row_errors(source, index, record, geom, name_column, code_column)
        code = _code_text(record.get(code_column))
        if not row_errors and code in seen:
            row_errors.append(
                source.error(index, code_column, _("code %(code)s repeats row %(row)d", code=code, row=seen[code]))
            )
        seen.setdefault(code, source.row_number(index))
        errors.extend(row_errors)
        if not row_errors:
            rows.append(
                {
                    "kind": kind,
                    "code": code,
                    "name": str(record[name_column]).strip(),
                    "geom": from_shape(_as_multipolygon(geom), srid=4326),
                }
            )
    if errors:
        raise rejected_rows(errors, len(source), source.crs)
    return rows


def _code_text(value) -> str:
    """Codes may arrive as numbers (a GeoPackage integer field): 2380.0 must become '2380'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if is_blank(value) else str(value).strip()


def _area_row_errors(source, index, record, geom, name_column, code_column) -> list[RowError]:
    errors = []
    code, name = _code_text(record.get(code_column)), record.get(name_column)
    if not code:
        errors.append(source.error(index, code_column, _("required")))
    elif len(code) > CODE_MAX:
        errors.append(source.error(index, code_column, _("longer than %(max)d characters", max=CODE_MAX)))
    if is_blank(name):
        errors.append(source.error(index, name_column, _("required")))
    elif len(str(name).strip()) > NAME_MAX:
        errors.append(source.error(index, name_column, _("longer than %(max)d characters", max=NAME_MAX)))
    if isinstance(geom, BadGeometry):
        errors.extend(source.error(index, column, reason) for column, reason in geom.problems)
    elif problem := _area_geometry_problem(geom):
        errors.append(source.error(index, "geometry", problem))
    return errors


def _area_geometry_problem(geom) -> str | None:
    if geom is None or geom.is_empty:
        return _("missing geometry")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return _(
            "geometry type %(type)s is not allowed: use %(allowed)s",
            type=geom.geom_type,
            allowed="Polygon, MultiPolygon",
        )
    return validity_problem(geom)


def _as_multipolygon(geom) -> MultiPolygon:
    return geom if geom.geom_type == "MultiPolygon" else MultiPolygon([geom])


def _write_areas(kind: str, rows: list[dict]) -> AreaImportResult:
    """Upsert the rows and re-derive place districts in one transaction."""
    try:
        created = _upsert_areas(rows)
        assigned = assign_place_districts() if kind == "district" else None
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise database_refused(exc) from exc
    return AreaImportResult(kind, created.count(True), created.count(False), assigned)


def _upsert_areas(rows: list[dict]) -> list[bool]:
    """Insert or update on (kind, code); return per row whether it was new (xmax = 0 only for fresh rows)."""
    created = []
    for start in range(0, len(rows), UPSERT_BATCH):  # one statement may bind at most 65535 parameters
        statement = insert(Area).values(rows[start : start + UPSERT_BATCH])
        statement = statement.on_conflict_do_update(
            constraint="uq_area_kind_code",
            set_={"name": statement.excluded.name, "geom": statement.excluded.geom},
        ).returning(literal_column("(xmax = 0)"))
        created.extend(db.session.scalars(statement))
    return created


def assign_place_districts() -> int:
    """Re-derive every place's district from its geometry; return how many places now have one."""
    db.session.execute(ASSIGN_DISTRICTS)
    return db.session.scalar(text("SELECT count(*) FROM place WHERE district_id IS NOT NULL"))


def municipality_outline():
    """Return the union of all municipality areas as a shapely geometry, or None when none is imported."""
    wkb = db.session.scalar(MUNICIPALITY_OUTLINE)
    return shapely.from_wkb(bytes(wkb)) if wkb is not None else None
