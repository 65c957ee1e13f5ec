"""Wastewater imports, all or nothing: sampling sites (catchment polygons) and the laboratory's CSV of results."""

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon
from sqlalchemy import literal_column, select
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
    read_table,
    rejected_rows,
)
from gis_app.extensions import db
from gis_app.wastewater.models import SampleResult, SamplingSite

SITE_COLUMNS = {"code": ("code", "kod", "verk"), "name": ("name", "namn"), "population": ("population", "anslutna")}
RESULT_COLUMNS = {
    "site": ("site", "site_code", "verk", "provpunkt"),
    "substance": ("substance", "substans", "analys"),
    "period_start": ("period_start", "fran", "from"),
    "period_end": ("period_end", "till", "to"),
    "value": ("value", "varde", "halt"),
    "unit": ("unit", "enhet"),
}
SUBSTANCE_MAX, UNIT_MAX, NAME_MAX, CODE_MAX = 60, 30, 200, 50
UPSERT_BATCH = 1000


@dataclass
class ImportResult:
    inserted: int
    updated: int


def _columns(source: SourceFile, wanted: dict, required: tuple[str, ...]) -> dict:
    found = {key: next((c for c in names if c in source.attributes.columns), None) for key, names in wanted.items()}
    missing = [wanted[key][0] for key in required if found[key] is None]
    if missing:
        raise ImportRejected(
            _(
                "Nothing was imported: the file needs the columns %(columns)s (it has: %(fields)s).",
                columns=", ".join(missing),
                fields=", ".join(map(str, source.attributes.columns)),
            )
        )
    return found


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if is_blank(value) else str(value).strip()


def _required_text(record, column, maximum, errors, source, index) -> str:
    value = _text(record.get(column))
    if not value:
        errors.append(source.error(index, column, _("required")))
    elif len(value) > maximum:
        errors.append(source.error(index, column, _("longer than %(max)d characters", max=maximum)))
    return value


def upsert(model, rows: list[dict], constraint: str, updated_columns: tuple[str, ...]) -> ImportResult:
    """Insert or update the rows in one transaction; count the new ones (xmax = 0 only for fresh rows)."""
    created: list[bool] = []
    try:
        for start in range(0, len(rows), UPSERT_BATCH):  # one statement may bind at most 65535 parameters
            statement = insert(model).values(rows[start : start + UPSERT_BATCH])
            statement = statement.on_conflict_do_update(
                constraint=constraint,
                set_={name: statement.excluded[name] for name in updated_columns},
            ).returning(literal_column("(xmax = 0)"))
            created.extend(db.session.scalars(statement))
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise database_refused(exc) from exc
    return ImportResult(created.count(True), created.count(False))


# --- sites ----------------------------------------------------------------------------------------------------------


def import_sites(
    path: Path | str, *, crs: str | None = None, layer: str | None = None, demo: bool = False
) -> ImportResult:
    """Upsert sampling sites (catchment polygons) on their code: every row, or nothing if any row is bad."""
    source = read_source(path, layer=layer, crs=crs)
    columns = _columns(source, SITE_COLUMNS, ("code", "name"))
    rows: list[dict] = []
    errors: list = []
    seen: dict[str, int] = {}
    for index, (record, geom) in enumerate(zip(source.attributes.to_dict("records"), source.geometries, strict=True)):
        row_errors: list = []
        code = _required_text(record, columns["code"], CODE_MAX, row_errors, source, index)
        name = _required_text(record, columns["name"], NAME_MAX, row_errors, source, index)
        population = _population(
            record.get(columns["population"]) if columns["population"] else None,
            columns["population"],
            row_errors,
            source,
            index,
        )
        catchment = _catchment(geom, row_errors, source, index)
        if code and code in seen:
            row_errors.append(
                source.error(index, columns["code"], _("code %(code)s repeats row %(row)d", code=code, row=seen[code]))
            )
        seen.setdefault(code, source.row_number(index))
        errors.extend(row_errors)
        rows.append({"code": code, "name": name, "population": population, "catchment": catchment, "demo": demo})
    if errors:
        raise rejected_rows(errors, len(source), source.crs)
    return upsert(SamplingSite, rows, "ww_site_code_key", ("name", "population", "catchment"))


def _population(value, column, errors, source, index) -> int | None:
    if is_blank(value):
        return None
    try:
        number = float(str(value).strip().replace(" ", ""))
    except ValueError:
        number = -1.0
    if not number.is_integer() or number < 0:
        errors.append(source.error(index, column, _("must be a whole number from 0 to %(max)d", max=10_000_000)))
        return None
    return int(number)


def _catchment(geom, errors, source, index):
    if isinstance(geom, BadGeometry):
        errors.extend(source.error(index, column, reason) for column, reason in geom.problems)
        return None
    if geom is None or geom.is_empty:
        errors.append(source.error(index, "geometry", _("missing geometry")))
        return None
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        errors.append(
            source.error(
                index,
                "geometry",
                _(
                    "geometry type %(type)s is not allowed: use %(allowed)s",
                    type=geom.geom_type,
                    allowed="Polygon, MultiPolygon",
                ),
            )
        )
        return None
    if problem := validity_problem(geom):
        errors.append(source.error(index, "geometry", problem))
        return None
    return from_shape(geom if geom.geom_type == "MultiPolygon" else MultiPolygon([geom]), srid=4326)


# --- results --------------------------------------------------------------------------------------------------------


def _date(value, column, errors, source, index) -> date | None:
    text_value = _text(value)
    try:
        if text_value:
            return date.fromisoformat(text_value[:10])
    except ValueError:
        errors.append(source.error(index, column, _("not a date (YYYY-MM-DD): '%(value)s'", value=text_value[:20])))
        return None
    errors.append(source.error(index, column, _("required")))
    return None


def _value(value, column, errors, source, index) -> float | None:
    text_value = _text(value)
    try:
        number = float(text_value.replace(",", ".") if "." not in text_value else text_value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        errors.append(
            source.error(index, column, _("must be a number of 0 or more: '%(value)s'", value=text_value[:20]))
        )
        return None
    return number


def _result_row(record, columns, sites, source, index) -> tuple[dict, list]:
    errors: list = []
    site = _text(record.get(columns["site"]))
    if site not in sites:
        errors.append(
            source.error(index, columns["site"], _("no sampling site with the code '%(code)s'", code=site[:50]))
        )
    row = {
        "site_id": sites.get(site),
        "substance": _required_text(record, columns["substance"], SUBSTANCE_MAX, errors, source, index),
        "period_start": _date(record.get(columns["period_start"]), columns["period_start"], errors, source, index),
        "period_end": _date(record.get(columns["period_end"]), columns["period_end"], errors, source, index),
        "value": _value(record.get(columns["value"]), columns["value"], errors, source, index),
        "unit": _required_text(record, columns["unit"], UNIT_MAX, errors, source, index),
    }
    if row["period_start"] and row["period_end"] and row["period_end"] < row["period_start"]:
        errors.append(source.error(index, columns["period_end"], _("ends before it starts")))
    return row, errors


def import_results(path: Path | str) -> ImportResult:
    """Upsert the laboratory's results on (site, substance, period start): every row, or nothing."""
    source = read_table(path)
    columns = _columns(source, RESULT_COLUMNS, tuple(RESULT_COLUMNS))
    sites = dict(db.session.execute(select(SamplingSite.code, SamplingSite.id)).all())
    rows: list[dict] = []
    errors: list = []
    seen: dict[tuple, int] = {}
    for index, record in enumerate(source.attributes.to_dict("records")):
        row, row_errors = _result_row(record, columns, sites, source, index)
        key = (row["site_id"], row["substance"], row["period_start"])
        if not row_errors and key in seen:
            row_errors.append(
                source.error(
                    index,
                    columns["period_start"],
                    _("the same site, substance and period as row %(row)d", row=seen[key]),
                )
            )
        seen.setdefault(key, source.row_number(index))
        errors.extend(row_errors)
        rows.append(row)
    if errors:
        raise rejected_rows(errors, len(source))
    return upsert(SampleResult, rows, "uq_ww_result_period", ("period_end", "value", "unit"))
