"""Formula injection: text a spreadsheet would run (=, +, -, @, tab, CR) is quoted in every CSV and XLSX export,
whichever writer made it (remediation list on the web and from the CLI, walk findings), read back with the csv
module and openpyxl."""

import csv
import io
from datetime import date

import openpyxl
import pytest

from gis_app.exports import EXPORTERS, spreadsheet_text
from gis_app.exports.base import FORMULA_STARTS
from gis_app.inventory import service as inventory
from gis_app.walks import service as walks
from gis_app.walks.models import Finding
from tests.factories import STORTORGET, make_area, make_place
from tests.test_walk_api import finding, make_walk, post

FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(1)", "\tTAB=1+1", "\rCR=1+1"]
# Services strip surrounding whitespace, so tab and CR prefixes can only come from rows written another way
# (the importer, an old row): place titles made directly in the database carry those.
STRIPPED = [text for text in FORMULAS if not text[0].isspace()]
SPREADSHEET_FORMATS = [name for name in EXPORTERS if name in ("csv", "xlsx")]
LON, LAT = STORTORGET


def test_the_rule_quotes_only_text_that_starts_a_formula():
    assert [spreadsheet_text(text) for text in FORMULAS] == ["'" + text for text in FORMULAS]
    assert spreadsheet_text("Mörk gränd = otrygg") == "Mörk gränd = otrygg"
    assert spreadsheet_text(-1) == -1 and spreadsheet_text(None) is None and spreadsheet_text("") == ""
    assert spreadsheet_text("＝1+1") == "'＝1+1"  # full-width equals, which some spreadsheets accept too


def test_both_spreadsheet_formats_are_covered():
    assert sorted(SPREADSHEET_FORMATS) == ["csv", "xlsx"]


@pytest.fixture
def remediation_year(app_context):
    """A year whose measures carry the formulas in every text column a user can fill."""
    district = make_area(
        {"type": "Polygon", "coordinates": [[[14.5, 63.1], [14.8, 63.1], [14.8, 63.3], [14.5, 63.3], [14.5, 63.1]]]},
        name=FORMULAS[0],
    )
    inventory.open_year(2025)
    for index, text in enumerate(FORMULAS):
        place = make_place(
            {"type": "Point", "coordinates": [LON + index * 0.001, LAT]},
            title=text,
            reported_on=date(2025, 2, 1),
            description=text,
            district_id=district.id,
        )
        inventory.save_assessment(2025, place.id, {"still_unsafe": True, "main_factor": "vandalism", "priority": 1})
        stripped = STRIPPED[index % len(STRIPPED)]
        inventory.create_measure(
            2025,
            place.id,
            {
                "measure_type": "lighting",
                "responsible": "municipal_unit",
                "responsible_name": stripped,
                "description": stripped,
                "status": "decided",
            },
        )
    inventory.create_measure(
        2025,
        place.id,
        {
            "measure_type": "lighting",
            "responsible": "property_owner",
            "status": "not_feasible",
            "not_feasible_reason": FORMULAS[0],
        },
    )


@pytest.fixture
def walk_with_formulas(client_as):
    """A walk whose findings carry the formulas in their note and proposed measure."""
    walk = make_walk()
    client = client_as("planner")
    for index, text in enumerate(STRIPPED):
        post(client, walk.id, finding(note=text, geometry={"type": "Point", "coordinates": [LON + index * 1e-3, LAT]}))
    for item, text in zip(walk_findings(walk), reversed(STRIPPED)):
        walks.update_protocol(item, text, "municipal_unit", 1)
    return client, walk


def walk_findings(walk) -> list[Finding]:
    from gis_app.extensions import db

    return db.session.scalars(db.select(Finding).where(Finding.walk_id == walk.id).order_by(Finding.id)).all()


def _csv_cells(data: bytes, separator: str = ";") -> list[str]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=separator))
    return [cell for row in rows for cell in row]


def _xlsx_cells(data: bytes, tmp_path) -> list:
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    sheet = openpyxl.load_workbook(path).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    formulas = [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert formulas == [], formulas
    return [cell.value for cell in cells]


def _assert_quoted(values: list, expected: list[str]) -> None:
    """No cell starts a formula, and each planted text is there, quoted."""
    live = [value for value in values if isinstance(value, str) and value.startswith(FORMULA_STARTS)]
    assert live == [], live
    # XML (so XLSX) reads a CR back as a line feed.
    texts = {value.replace("\r", "\n") for value in values if isinstance(value, str)}
    for text in expected:
        assert "'" + text.replace("\r", "\n") in texts, (text, values)


def _cells(fmt: str, data: bytes, tmp_path, separator: str = ";") -> list:
    return _xlsx_cells(data, tmp_path) if fmt == "xlsx" else _csv_cells(data, separator)


@pytest.mark.parametrize("fmt,separator", [("csv", ","), ("csv", ";"), ("xlsx", ",")])
def test_remediation_list_on_the_web(client_as, remediation_year, tmp_path, fmt, separator):
    query = f"format={fmt}&separator={separator}"
    response = client_as("planner").get(f"/inventory/2025/remediation/export?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    _assert_quoted(_cells(fmt, response.get_data(), tmp_path, separator), FORMULAS)


@pytest.mark.parametrize("fmt", SPREADSHEET_FORMATS)
def test_remediation_list_from_the_cli(cli, remediation_year, tmp_path, fmt):
    out = tmp_path / f"list.{fmt}"
    result = cli.invoke(args=["export-remediation", "--year", "2025", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    _assert_quoted(_cells(fmt, out.read_bytes(), tmp_path), FORMULAS)


@pytest.mark.parametrize("fmt", SPREADSHEET_FORMATS)
def test_walk_findings(walk_with_formulas, tmp_path, fmt):
    client, walk = walk_with_formulas
    response = client.get(f"/walks/{walk.id}/findings.{fmt}")
    assert response.status_code == 200
    _assert_quoted(_cells(fmt, response.get_data(), tmp_path), STRIPPED)


def test_data_formats_keep_the_text_as_it_is(client_as, remediation_year):
    """GeoJSON is data, not a spreadsheet: the title stays exactly what was typed."""
    response = client_as("planner").get("/inventory/2025/remediation/export?format=geojson")
    titles = {feature["properties"]["place"] for feature in response.json["features"]}
    assert set(FORMULAS) <= titles
