"""Reading a geodata file (GeoPackage, GeoJSON, CSV, a zipped Shapefile) for any importer: the CRS, size and row
limits, and the one way rejected rows are reported. Importers check rows; nothing is written unless every row passes."""

from __future__ import annotations

import math
import re
import stat
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas
import pandas as pd
import pyogrio
import shapely
from flask import current_app
from flask_babel import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError
from sqlalchemy.exc import SQLAlchemyError

from gis_app.core.validation import shorten
from gis_app.errors import AppError

STORAGE_CRS = CRS.from_epsg(4326)


SHAPEFILE = "ESRI Shapefile"
DRIVERS = {".csv": "CSV", ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".zip": SHAPEFILE}
# The parts of a Shapefile taken from a zip file; anything else in it is ignored (never unpacked).
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
ZIP_MAX_MEMBERS = 1000
COPY_CHUNK = 1024 * 1024


X_COLUMNS = ("lon", "longitude", "x")


Y_COLUMNS = ("lat", "latitude", "y")


WKT_COLUMN = "wkt"


READ_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, UnicodeDecodeError, OSError, ValueError)


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


def read_source(
    path: Path | str, *, layer: str | None = None, crs: str | None = None, allow_csv: bool = False
) -> SourceFile:
    """Read a GeoJSON, GeoPackage, zipped Shapefile (or, if allowed, CSV) file into EPSG:4326; refuse what cannot be
    read safely."""
    path = Path(path)
    driver = _driver_for(path, allow_csv)
    _check_size(path)
    with readable(path) as source_path:
        layer = _pick_layer(source_path, layer)
        _check_feature_count(source_path, layer)
        if driver == "CSV":
            return _read_csv(source_path, layer, _parse_crs(crs or "EPSG:4326"))
        _require_geometry(source_path, layer)
        return _read_vector(source_path, layer, driver, crs)


@dataclass(frozen=True)
class SourceInfo:
    """What a file offers before it is read: its layers, and the CRS the chosen layer declares (None: none)."""

    driver: str
    layers: list[str]
    layer: str
    declared_crs: CRS | None


def describe_source(path: Path | str, *, layer: str | None = None, allow_csv: bool = False) -> SourceInfo:
    """The file's layers and the declared CRS of `layer` (default: the first), with the same guards as reading."""
    path = Path(path)
    driver = _driver_for(path, allow_csv)
    _check_size(path)
    with readable(path) as source_path:
        layers = _layer_names(source_path)
        chosen = _pick_layer(source_path, layer or layers[0])
        declared = None if driver == "CSV" else _guarded(pyogrio.read_info, source_path, layer=chosen)["crs"]
    return SourceInfo(driver, layers, chosen, CRS.from_user_input(declared) if declared else None)


@contextmanager
def readable(path: Path) -> Iterator[Path]:
    """The path GDAL reads: the file itself, or for a zip file a temporary folder of the Shapefiles it holds."""
    if path.suffix.lower() != ".zip":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="gis-app-zip-") as folder:
        yield unpack_shapefiles(path, Path(folder))


def unpack_shapefiles(path: Path, folder: Path) -> Path:
    """Unpack the Shapefile parts of a zip file flat into a new folder; refuse unsafe or oversized archives."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportRejected(_("%(file)s is not a zip file that can be read.", file=path.name)) from exc
    with archive:
        parts = _shapefile_members(archive, path.name)
        total = sum(member.file_size for member in parts.values())
        limit = current_app.config["IMPORT_MAX_BYTES"]
        if total > limit:
            raise ImportRejected(
                _("The zip file unpacks to %(size)d bytes, the limit is %(limit)d.", size=total, limit=limit)
            )
        # The folder is named after the zip file, so GDAL's messages name what the user sent.
        target = folder / (re.sub(r"[^\w-]", "_", path.stem) or "shapefile")
        target.mkdir()
        for name, member in parts.items():
            _unpack(archive, member, target / name, path.name)
    return target


def _shapefile_members(archive: zipfile.ZipFile, shown: str) -> dict[str, zipfile.ZipInfo]:
    """The Shapefile parts by their flat name; any unsafe entry refuses the whole file."""
    members = archive.infolist()
    if len(members) > ZIP_MAX_MEMBERS:
        raise ImportRejected(
            _("The zip file holds %(count)d files, the limit is %(limit)d.", count=len(members), limit=ZIP_MAX_MEMBERS)
        )
    parts: dict[str, zipfile.ZipInfo] = {}
    for member in members:
        _check_member(member, shown)
        name = PurePosixPath(member.filename.replace("\\", "/")).name
        if member.is_dir() or member.filename.startswith("__MACOSX/") or name.startswith("._"):
            continue
        if PurePosixPath(name).suffix.lower() not in SHAPEFILE_PARTS:
            continue
        flat = PurePosixPath(name).stem + PurePosixPath(name).suffix.lower()
        if flat.lower() in {key.lower() for key in parts}:
            raise ImportRejected(_("The zip file holds %(name)s twice.", name=name))
        parts[flat] = member
    _check_complete(parts)
    return parts


def _check_member(member: zipfile.ZipInfo, shown: str) -> None:
    """Refuse names that would leave the folder (absolute, `..`, a drive), links and encrypted entries."""
    name = member.filename.replace("\\", "/")
    mode = member.external_attr >> 16
    if name.startswith("/") or ".." in PurePosixPath(name).parts or re.match(r"^[A-Za-z]:", name):
        raise ImportRejected(_("%(file)s holds an unsafe path: %(name)s", file=shown, name=shorten(member.filename)))
    if stat.S_ISLNK(mode):
        raise ImportRejected(_("%(file)s holds a link: %(name)s", file=shown, name=shorten(member.filename)))
    if member.flag_bits & 0x1:
        raise ImportRejected(_("%(file)s is encrypted: %(name)s", file=shown, name=shorten(member.filename)))


def _check_complete(parts: dict[str, zipfile.ZipInfo]) -> None:
    shapes = [PurePosixPath(name).stem for name in parts if name.endswith(".shp")]
    if not shapes:
        raise ImportRejected(_("The zip file holds no Shapefile (.shp)."))
    for stem in shapes:
        missing = [f"{stem}{suffix}" for suffix in (".shx", ".dbf") if f"{stem}{suffix}" not in parts]
        if missing:
            raise ImportRejected(
                _("The Shapefile %(name)s lacks %(missing)s.", name=f"{stem}.shp", missing=", ".join(missing))
            )


def _unpack(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, shown: str) -> None:
    """Copy one entry, never more bytes than it declares (a zip bomb lies about its sizes)."""
    written = 0
    try:
        with archive.open(member) as source, open(target, "xb") as out:
            while chunk := source.read(COPY_CHUNK):
                written += len(chunk)
                if written > member.file_size:
                    raise ImportRejected(_("%(file)s is damaged: %(name)s", file=shown, name=shorten(member.filename)))
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ImportRejected(_("%(file)s is damaged: %(name)s", file=shown, name=shorten(member.filename))) from exc


def read_table(path: Path | str) -> SourceFile:
    """Read a CSV table without geometry (a laboratory's results) with the same guards; every geometry is None."""
    path = Path(path)
    if _driver_for(path, allow_csv=True) != "CSV":
        raise ImportRejected(_("Unsupported file type %(suffix)s: use %(formats)s.", suffix=path.suffix, formats="CSV"))
    _check_size(path)
    _check_feature_count(path, None)
    frame = _lowercase_columns(_read_csv_text(path, None))
    return SourceFile(frame, [None] * len(frame), STORAGE_CRS, csv=True)


def _driver_for(path: Path, allow_csv: bool) -> str:
    driver = DRIVERS.get(path.suffix.lower())
    if driver is None or (driver == "CSV" and not allow_csv):
        formats = ("CSV, " if allow_csv else "") + "GeoJSON, GeoPackage, " + _("zipped Shapefile (.zip)")
        raise ImportRejected(
            _("Unsupported file type %(suffix)s: use %(formats)s.", suffix=path.suffix or path.name, formats=formats)
        )
    if not path.is_file():
        raise ImportRejected(_("File not found: %(path)s", path=str(path)))
    return driver


def _check_size(path: Path) -> None:
    limit = current_app.config["IMPORT_MAX_BYTES"]
    size = path.stat().st_size
    if size > limit:
        raise ImportRejected(
            _("The file is too large: %(size)d bytes, the limit is %(limit)d.", size=size, limit=limit)
        )
    if size == 0:
        raise ImportRejected(_("The file is empty."))


def _layer_names(path: Path) -> list[str]:
    return [str(name) for name in _guarded(pyogrio.list_layers, path)[:, 0]]


def _pick_layer(path: Path, layer: str | None) -> str | None:
    names = _layer_names(path)
    if layer is not None and layer not in names:
        raise ImportRejected(
            _("No layer %(layer)s in the file; it has: %(layers)s.", layer=layer, layers=", ".join(names))
        )
    if layer is None and len(names) > 1:
        raise ImportRejected(
            _("The file has several layers (%(layers)s): choose one with --layer.", layers=", ".join(names))
        )
    return layer


def _check_feature_count(path: Path, layer: str | None) -> None:
    limit = current_app.config["IMPORT_MAX_FEATURES"]
    count = _guarded(pyogrio.read_info, path, layer=layer)["features"]
    if count > limit:
        raise ImportRejected(_("The file has %(count)d rows, the limit is %(limit)d.", count=count, limit=limit))
    if count == 0:
        raise ImportRejected(_("The file has no rows."))


def _require_geometry(path: Path, layer: str | None) -> None:
    if _guarded(pyogrio.read_info, path, layer=layer)["geometry_type"] is None:
        raise ImportRejected(_("The file has no geometry: a table without places cannot be imported."))


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
    return [_decode_problem(wkb) if geom is None and wkb is not None else geom for geom, wkb in zip(geometries, raw)]


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
            raise ImportRejected(
                _(
                    "The file declares %(declared)s but --crs says %(given)s.",
                    declared=crs_name(CRS.from_user_input(declared)),
                    given=crs_name(given),
                )
            )
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
    built = [_csv_geometry(row, x_column, y_column) for row in records(frame)]
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


def records(frame: pd.DataFrame) -> list[dict]:
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


def database_refused(exc: SQLAlchemyError) -> ImportRejected:
    """Say in one line why the database refused a write (the validation should have caught it first)."""
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    return ImportRejected(_("The database refused the import; nothing was changed: %(reason)s", reason=reason))
