"""CSV in UTF-8 with a byte order mark (so Excel reads å, ä, ö), comma or semicolon separated."""

import csv
import io

from gis_app.exports.base import Exporter, register, spreadsheet_text

ROWS_PER_CHUNK = 500


@register
class CsvExporter(Exporter):
    name = "csv"
    label = "CSV"
    extension = "csv"
    media_type = "text/csv; charset=utf-8"
    geometry_format = "wkt"

    def chunks(self, rows, columns, options):
        buffer = io.StringIO()
        separator = "," if options.separator == "," else ";"
        writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
        writer.writerow([str(column.header) for column in columns] + [str(options.geometry_header)])
        yield "\ufeff".encode("utf-8") + _drain(buffer)
        for count, row in enumerate(rows, 1):
            writer.writerow(
                [_text(row.get(column.key), column.kind) for column in columns]
                + [spreadsheet_text(row.get("geometry") or "")]
            )
            if count % ROWS_PER_CHUNK == 0:
                yield _drain(buffer)
        yield _drain(buffer)


def _text(value, kind: str = "text") -> str:
    if value is None:
        return ""
    if kind == "datetime" and hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")  # local time, as a spreadsheet reads it
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return spreadsheet_text(value) if isinstance(value, str) else str(value)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data
