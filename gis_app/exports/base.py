"""The exporter contract and its registry: rows (dicts) in, a stream of bytes out, memory kept flat."""

import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

CHUNK_BYTES = 64 * 1024
WGS84 = 4326
SWEREF99_TM = 3006
SWEREF99_1415 = 3012
# The coordinate systems every export offers, the municipality's own first: the one list the app uses.
EXPORT_CRS = {SWEREF99_TM: "SWEREF 99 TM", SWEREF99_1415: "SWEREF 99 14 15", WGS84: "WGS 84"}


def crs_label(srid: int) -> str:
    """'SWEREF 99 TM (EPSG:3006)': how a file and a form name a coordinate system."""
    return f"{EXPORT_CRS[srid]} (EPSG:{srid})"


# What a spreadsheet may read as the start of a formula: OWASP's CSV injection list, a line feed, and the
# full-width forms some spreadsheets also accept.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_text(value):
    """Quote text a spreadsheet would run as a formula; every CSV and XLSX cell goes through here."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportColumn:
    """One column: its machine key (GeoJSON/GeoPackage), its header (CSV/XLSX), its kind and width."""

    key: str
    header: str  # a (lazy) translated text: headers follow the reader's language
    kind: str = "text"  # text, int, number, date, datetime (naive local time: what a spreadsheet shows)
    width: int = 14  # characters, for spreadsheets


@dataclass(frozen=True)
class ExportOptions:
    srid: int | None = None  # None: the exporter's default
    separator: str = ";"  # CSV only: Swedish Excel reads ";" (its decimal separator is ",")
    layer: str = "export"  # GeoPackage layer and sheet name
    geometry_header: str = "geometry"
    geometry_type: str = "Unknown"  # GeoPackage: Point, LineString, Polygon when every row has that type


def separator_for(locale: str) -> str:
    """The CSV separator a spreadsheet in this language expects."""
    return "," if locale == "en" else ";"


def spreadsheet_geometry_header(srid: int) -> str:
    """The geometry column's header in CSV and XLSX, naming its format and coordinate system."""
    return _("Geometry (WKT) in %(crs)s", crs=crs_label(srid))


def coordinate_columns() -> list["ExportColumn"]:
    """Latitude and longitude in WGS 84 (of a point on the geometry), beside the projected geometry."""
    return [
        ExportColumn("latitude", _l("Latitude (WGS 84)"), "number", 12),
        ExportColumn("longitude", _l("Longitude (WGS 84)"), "number", 12),
    ]


def single_geometry_type(types: set[str]) -> str:
    """The GeoPackage geometry type of a layer whose rows have these types ('Unknown' when mixed or none)."""
    return types.pop() if len(types) == 1 else "Unknown"


class Exporter:
    """One file format. Subclasses write `chunks`; rows carry the column keys and a `geometry` value."""

    name: ClassVar[str]
    label: ClassVar[str]
    extension: ClassVar[str]
    media_type: ClassVar[str]
    geometry_format: ClassVar[str] = "wkt"  # what `geometry` holds: wkt, geojson (text) or wkb (bytes)
    default_srid: ClassVar[int] = SWEREF99_TM
    allowed_srids: ClassVar[tuple[int, ...]] = (SWEREF99_TM, WGS84, SWEREF99_1415)

    def srid(self, options: ExportOptions) -> int:
        """The coordinate system the rows' geometry must be in."""
        return options.srid if options.srid in self.allowed_srids else self.default_srid

    def chunks(self, rows: Iterable[dict], columns: list[ExportColumn], options: ExportOptions) -> Iterator[bytes]:
        raise NotImplementedError

    def write(self, rows: Iterable[dict], columns: list[ExportColumn], options: ExportOptions, path) -> int:
        """Write the export to `path`; return its size in bytes."""
        size = 0
        with open(path, "wb") as out:
            for chunk in self.chunks(rows, columns, options):
                out.write(chunk)
                size += len(chunk)
        return size


class FileExporter(Exporter):
    """A format whose library writes a file (XLSX, GeoPackage): write it to a temporary file, then stream that."""

    def write_file(self, rows: Iterable[dict], columns: list[ExportColumn], options: ExportOptions, path) -> None:
        raise NotImplementedError

    def chunks(self, rows, columns, options) -> Iterator[bytes]:
        handle, path = tempfile.mkstemp(suffix="." + self.extension, prefix="gis-app-export-")
        os.close(handle)
        try:
            os.unlink(path)  # some writers (GDAL) refuse to open an existing empty file
            self.write_file(rows, columns, options, path)
            with open(path, "rb") as written:
                while chunk := written.read(CHUNK_BYTES):
                    yield chunk
        finally:
            if os.path.exists(path):
                os.unlink(path)

    def write(self, rows, columns, options, path) -> int:
        self.write_file(rows, columns, options, path)
        return os.path.getsize(path)


EXPORTERS: dict[str, Exporter] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    """Class decorator: make the format available by its name."""
    EXPORTERS[cls.name] = cls()
    return cls


def get_exporter(name: str) -> Exporter | None:
    return EXPORTERS.get(name)
