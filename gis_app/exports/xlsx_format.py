"""Excel workbook: a bold frozen header row, an autofilter, column widths, and dates stored as dates.

openpyxl's write-only mode streams rows to disk, so memory stays flat however many rows there are.
"""

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gis_app.exports.base import FileExporter, register, spreadsheet_text

NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
MAX_CELL = 32_767  # Excel's limit on a cell's text
GEOMETRY_WIDTH = 40


@register
class XlsxExporter(FileExporter):
    name = "xlsx"
    label = "Excel (XLSX)"
    extension = "xlsx"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    geometry_format = "wkt"

    def write_file(self, rows, columns, options, path):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=options.layer[:31])
        widths = [column.width for column in columns] + [GEOMETRY_WIDTH]
        for index, width in enumerate(widths, 1):  # before the first row: write-only mode writes columns first
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        sheet.append(
            [
                _cell(sheet, header, font=bold)
                for header in [str(column.header) for column in columns] + [str(options.geometry_header)]
            ]
        )
        count = 0
        for row in rows:
            count += 1
            cells = [_cell(sheet, row.get(column.key), column.kind) for column in columns]
            geometry = row.get("geometry")
            cells.append(spreadsheet_text(geometry[:MAX_CELL]) if geometry else None)
            sheet.append(cells)
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(widths))}{count + 1}"
        workbook.save(path)


def _cell(sheet, value, kind: str = "text", font=None):
    value = spreadsheet_text(value)  # openpyxl would store text starting with "=" as a live formula
    if kind in NUMBER_FORMATS and value is not None:  # a real Excel date, which sorts and filters as one
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = NUMBER_FORMATS[kind]
        return cell
    if font is not None:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = font
        return cell
    return value
