"""Import boundaries (GeoJSON, GeoPackage) as areas, and the file-reading rules every importer shares."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas
import pandas as pd
import pyogrio
import shapely
from flask import current_app
from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import MultiPolygon
from sqlalchemy import func, literal_column, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError

from gis_app.areas.models import AREA_KINDS, Area
from gis_app.core.geometry import validity_problem
from gis_app.core.validation import shorten
from gis_app.errors import AppError
from gis_app.extensions import db

STORAGE_CRS = CRS.from_epsg(4326)
DRIVERS = {".csv": "CSV", ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}
X_COLUMNS = ("lon", "longitude", "x")
Y_COLUMNS = ("lat", "latitude", "y")
WKT_COLUMN = "wkt"
# Candidate attribute names per kind, first match wins: generic English/Swedish, then SCB's DeSO and kommun
# fields. Per kind, because a DeSO file also carries kommunnamn, which must not become every district's name.
NAME_FIELDS = {"municipality": ("name", "namn", "kommunnamn"), "district": ("name", "namn", "desoname"),
               "zone": ("name", "namn")}
CODE_FIELDS = {"municipality": ("code", "kod", "kommunkod"), "district": ("code", "kod", "deso"),
               "zone": ("code", "kod")}
NAME_MAX, CODE_MAX = 200, 50
UPSERT_BATCH = 1000

READ_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, UnicodeDecodeError, OSError,
               ValueError)

ASSIGN_DISTRICTS = text("""
    UPDATE place p SET district_id = (
        SELECT a.id FROM area a
        WHERE a.kind = 'district' AND ST_Intersects(a.geom, ST_PointOnSurface(p.geom))
        ORDER BY a.id LIMIT 1)
""")
MUNICIPALITY_OUTLINE = text("SELECT ST_AsBinary(ST_Union(geom)) FROM area WHERE kind = 'municipality'")


# --- errors ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowError:
    """One reason a row was refused: the row as the user finds it in the file, the field and why."""

    row: int
    field: str
    reason: str
    csv: bool = False  # CSV rows are counted as file lines (header = line 1), others as features from 1

    def __str__(self) -> str:
        where = _("line %(number)d", number=self.row) if self.csv else _("feature %(number)d", number=self.row)
        return f"{where}, {self.field}: {self.reason}"


class ImportRejected(AppError):
    """A refused import: nothing was written; `errors` names every bad row and why."""

    status = 422
    code = "ImportRejected"

    def __init__(self, message: str, errors: list[RowError] | tuple = ()):
        super().__init__(message)
        self.errors = sorted(errors, key=lambda error: error.row)

    def report(self) -> str:
        """Return the message and one line per row error, for a terminal or a <pre>."""
        return "\n".join([self.message, *(f"  {error}" for error in self.errors)])


def rejected_rows(errors: list[RowError], rows: int, crs: CRS | None = None) -> ImportRejected:
    """Build the rejection for a file with bad rows."""
    bad = len({error.row for error in errors})
    message = _("Nothing was imported: %(bad)d of %(rows)d rows have errors.", bad=bad, rows=rows)
    if crs is not None and not crs.equals(STORAGE_CRS):
        message += " " + _("Coordinates were read as %(crs)s.", crs=crs_name(crs))
    return ImportRejected(message, errors)


# --- reading files --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BadGeometry:
    """Stands in for a geometry that could not be built from a row: which fields are wrong and why."""

    problems: tuple[tuple[str, str], ...]


@dataclass
class SourceFile:
    """A file's rows: attributes with lower-case names; geometries in EPSG:4326, None, or BadGeometry."""

    attributes: pd.DataFrame
    geometries: list
    crs: CRS
    csv: bool

    def __len__(self) -> int:
        return len(self.attributes)

    def row_number(self, index: int) -> int:
        """The row as the user counts it: CSV file line (after the header), else feature number from 1."""
        return index + 2 if self.csv else index + 1

    def error(self, index: int, field_name: str, reason: str) -> RowError:
        return RowError(self.row_number(index), field_name, reason, self.csv)


def crs_name(crs: CRS) -> str:
    authority = crs.to_authority()
    return ":".join(authority) if authority else crs.name


def read_source(path: Path | str, *, layer: str | None = None, crs: str | None = None,
                allow_csv: bool = False) -> SourceFile:
    """Read a GeoJSON, GeoPackage (or, if allowed, CSV) file into EPSG:4326; refuse what cannot be read safely."""
    path = Path(path)
    driver = _driver_for(path, allow_csv)
    _check_size(path)
    layer = _pick_layer(path, layer)
    _check_feature_count(path, layer)
    if driver == "CSV":
        return _read_csv(path, layer, _parse_crs(crs or "EPSG:4326"))
    return _read_vector(path, layer, driver, crs)


def read_table(path: Path | str) -> SourceFile:
    """Read a CSV table without geometry (a laboratory's results) with the same guards; every geometry is None."""
    path = Path(path)
    if _driver_for(path, allow_csv=True) != "CSV":
        raise ImportRejected(_("Unsupported file type %(suffix)s: use %(formats)s.", suffix=path.suffix,
                               formats="CSV"))
    _check_size(path)
    _check_feature_count(path, None)
    frame = _lowercase_columns(_read_csv_text(path, None))
    return SourceFile(frame, [None] * len(frame), STORAGE_CRS, csv=True)


def _driver_for(path: Path, allow_csv: bool) -> str:
    driver = DRIVERS.get(path.suffix.lower())
    if driver is None or (driver == "CSV" and not allow_csv):
        formats = "CSV, GeoJSON, GeoPackage" if allow_csv else "GeoJSON, GeoPackage"
        raise ImportRejected(_("Unsupported file type %(suffix)s: use %(formats)s.",
                               suffix=path.suffix or path.name, formats=formats))
    if not path.is_file():
        raise ImportRejected(_("File not found: %(path)s", path=str(path)))
    return driver


def _check_size(path: Path) -> None:
    limit = current_app.config["IMPORT_MAX_BYTES"]
    size = path.stat().st_size
    if size > limit:
        raise ImportRejected(_("The file is too large: %(size)d bytes, the limit is %(limit)d.",
                               size=size, limit=limit))
    if size == 0:
        raise ImportRejected(_("The file is empty."))


def _pick_layer(path: Path, layer: str | None) -> str | None:
    names = [str(name) for name in _guarded(pyogrio.list_layers, path)[:, 0]]
    if layer is not None and layer not in names:
        raise ImportRejected(_("No layer %(layer)s in the file; it has: %(layers)s.",
                               layer=layer, layers=", ".join(names)))
    if layer is None and len(names) > 1:
        raise ImportRejected(_("The file has several layers (%(layers)s): choose one with --layer.",
                               layers=", ".join(names)))
    return layer


def _check_feature_count(path: Path, layer: str | None) -> None:
    limit = current_app.config["IMPORT_MAX_FEATURES"]
    count = _guarded(pyogrio.read_info, path, layer=layer)["features"]
    if count > limit:
        raise ImportRejected(_("The file has %(count)d rows, the limit is %(limit)d.", count=count, limit=limit))
    if count == 0:
        raise ImportRejected(_("The file has no rows."))


def _guarded(read, path: Path, **kwargs):
    """Run a GDAL read; turn its failures into one clear message instead of a traceback."""
    try:
        with warnings.catch_warnings():
            # GDAL warns about bad geometries without saying which feature; the row report says it instead.
            warnings.simplefilter("ignore", RuntimeWarning)
            return read(path, **kwargs)
    except READ_ERRORS as exc:
        reason = str(exc).split(";")[0].replace(str(path), path.name)
        raise ImportRejected(_("Could not read %(file)s: %(reason)s", file=path.name, reason=reason)) from exc


def _parse_crs(value: str) -> CRS:
    try:
        return CRS.from_user_input(value)
    except CRSError as exc:
        raise ImportRejected(_("Unknown coordinate reference system: %(crs)s", crs=value)) from exc


def _lowercase_columns(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns=lambda name: name if name == "geometry" else str(name).strip().lower())


def _read_vector(path: Path, layer: str | None, driver: str, crs: str | None) -> SourceFile:
    # on_invalid="ignore" keeps one undecodable geometry (an unclosed ring) from failing the whole read.
    frame = _guarded(geopandas.read_file, path, layer=layer, engine="pyogrio", on_invalid="ignore")
    source_crs = _vector_crs(frame.crs, driver, crs)
    geometries = _to_storage_crs(list(frame.geometry.values), source_crs)
    if frame.geometry.isna().any():
        geometries = _explain_undecodable(geometries, path, layer)
    attributes = _lowercase_columns(pd.DataFrame(frame.drop(columns=frame.geometry.name)))
    return SourceFile(attributes, geometries, source_crs, csv=False)


def _to_storage_crs(geometries: list, crs: CRS) -> list:
    """Reproject to EPSG:4326 and drop Z/M (the columns are 2D); BadGeometry and None pass through."""
    good = [geom if geom is not None and not isinstance(geom, BadGeometry) else None for geom in geometries]
    projected = geopandas.GeoSeries(good, crs=crs).to_crs(STORAGE_CRS)
    return [_flat(new) if new is not None else old for old, new in zip(geometries, projected)]


def _explain_undecodable(geometries: list, path: Path, layer: str | None) -> list:
    """Re-read the raw WKB to say why GEOS refused the geometries that came back empty-handed."""
    _meta, _fids, raw, _fields = _guarded(pyogrio.raw.read, path, layer=layer, columns=[])
    return [_decode_problem(wkb) if geom is None and wkb is not None else geom
            for geom, wkb in zip(geometries, raw)]


def _decode_problem(wkb: bytes) -> BadGeometry | None:
    try:
        shapely.from_wkb(wkb)
    except shapely.errors.GEOSException as exc:
        reason = str(exc).split(": ", 1)[-1]  # drop GEOS's exception class name
        return BadGeometry((("geometry", _("invalid geometry: %(reason)s", reason=reason)),))
    return None


def _vector_crs(declared: CRS | None, driver: str, option: str | None) -> CRS:
    """The file's own CRS wins; RFC 7946 makes GeoJSON EPSG:4326; anything else must be said with --crs."""
    given = _parse_crs(option) if option else None
    if declared is not None:
        if given is not None and not CRS.from_user_input(declared).equals(given):
            raise ImportRejected(_("The file declares %(declared)s but --crs says %(given)s.",
                                   declared=crs_name(CRS.from_user_input(declared)), given=crs_name(given)))
        return CRS.from_user_input(declared)
    if given is not None:
        return given
    if driver == "GeoJSON":
        return STORAGE_CRS
    raise ImportRejected(_("The file declares no coordinate reference system: give it with --crs."))


def _flat(geom):
    """Drop Z/M values; empty geometries stay as they are."""
    return geom if geom.is_empty else shapely.force_2d(geom)


def _read_csv(path: Path, layer: str | None, crs: CRS) -> SourceFile:
    """Read CSV as text (GDAL would silently drop bad WKT) and build geometries row by row."""
    frame = _lowercase_columns(_read_csv_text(path, layer))
    x_column, y_column = _first_column(frame, X_COLUMNS), _first_column(frame, Y_COLUMNS)
    if WKT_COLUMN not in frame.columns and not (x_column and y_column):
        raise ImportRejected(_("The CSV file needs columns lon and lat (or longitude/latitude, x/y) or wkt."))
    built = [_csv_geometry(row, x_column, y_column) for row in _records(frame)]
    return SourceFile(frame, _to_storage_crs(built, crs), crs, csv=True)


def _read_csv_text(path: Path, layer: str | None) -> pd.DataFrame:
    try:
        return _guarded(pyogrio.read_dataframe, path, layer=layer, read_geometry=False)
    except ImportRejected as exc:
        if not isinstance(exc.__cause__, UnicodeDecodeError):
            raise
    # Excel on Swedish Windows still saves "CSV" as Windows-1252.
    return _guarded(pyogrio.read_dataframe, path, layer=layer, read_geometry=False, encoding="cp1252")


def _first_column(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((name for name in names if name in frame.columns), None)


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


def is_blank(value) -> bool:
    """Return True for None, NaN/NaT/NA and empty or whitespace-only text."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or bool(pd.isna(value))


def _csv_geometry(row: dict, x_column: str | None, y_column: str | None):
    """Build a row's geometry from wkt, else from lon/lat; a BadGeometry says what is wrong."""
    if not is_blank(row.get(WKT_COLUMN)):
        return _wkt_geometry(str(row[WKT_COLUMN]))
    if not (x_column and y_column) or (is_blank(row.get(x_column)) and is_blank(row.get(y_column))):
        return BadGeometry((("geometry", _("missing coordinates (lon and lat, or wkt)")),))
    coordinates = {column: _coordinate(row.get(column)) for column in (x_column, y_column)}
    problems = tuple((column, value) for column, value in coordinates.items() if isinstance(value, str))
    return BadGeometry(problems) if problems else shapely.Point(coordinates[x_column], coordinates[y_column])


def _wkt_geometry(value: str):
    try:
        return shapely.from_wkt(value.strip())
    except shapely.errors.GEOSException:
        return BadGeometry(((WKT_COLUMN, _("not valid WKT: %(value)s", value=shorten(value))),))


def _coordinate(value) -> float | str:
    """Return the number, or the reason it is not one."""
    text_value = "" if is_blank(value) else str(value).strip()
    try:
        # A lone decimal comma is what Swedish spreadsheets write: "14,6372".
        number = float(text_value.replace(",", ".") if "." not in text_value else text_value)
    except ValueError:
        number = math.nan
    if math.isfinite(number):
        return number
    return _("required") if not text_value else _("not a number: '%(value)s'", value=shorten(text_value))


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


def import_areas(path: Path | str, kind: str, *, name_field: str | None = None, code_field: str | None = None,
                 crs: str | None = None, layer: str | None = None) -> AreaImportResult:
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
            raise ImportRejected(_("No field %(field)s in the file; it has: %(fields)s.",
                                   field=chosen, fields=", ".join(columns)))
        return chosen.strip().lower()
    found = next((name for name in candidates if name in columns), None)
    if found is None:
        raise ImportRejected(_("Found none of the fields %(candidates)s: name the field with %(option)s "
                               "(the file has: %(fields)s).", candidates=", ".join(candidates), option=option,
                               fields=", ".join(columns)))
    return found


def _area_rows(source: SourceFile, kind: str, name_column: str, code_column: str) -> list[dict]:
    errors, rows, seen = [], [], {}
    for index, (record, geom) in enumerate(zip(_records(source.attributes), source.geometries)):
        row_errors = _area_row_errors(source, index, record, geom, name_column, code_column)
        code = _code_text(record.get(code_column))
        if not row_errors and code in seen:
            row_errors.append(source.error(index, code_column, _("code %(code)s repeats row %(row)d",
                                                                 code=code, row=seen[code])))
        seen.setdefault(code, source.row_number(index))
        errors.extend(row_errors)
        if not row_errors:
            rows.append({"kind": kind, "code": code, "name": str(record[name_column]).strip(),
                         "geom": from_shape(_as_multipolygon(geom), srid=4326)})
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
        return _("geometry type %(type)s is not allowed: use %(allowed)s",
                 type=geom.geom_type, allowed="Polygon, MultiPolygon")
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
        statement = insert(Area).values(rows[start:start + UPSERT_BATCH])
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


def database_refused(exc: SQLAlchemyError) -> ImportRejected:
    """Say in one line why the database refused a write (the validation should have caught it first)."""
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    return ImportRejected(_("The database refused the import; nothing was changed: %(reason)s", reason=reason))


def municipality_outline():
    """Return the union of all municipality areas as a shapely geometry, or None when none is imported."""
    wkb = db.session.scalar(MUNICIPALITY_OUTLINE)
    return shapely.from_wkb(bytes(wkb)) if wkb is not None else None
