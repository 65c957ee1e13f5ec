"""Wastewater monitoring: site and laboratory imports (good and broken), the public charts and report figures,
and the exports read back."""

import csv
import io
import json
from datetime import date

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from gis_app.core.readers import ImportRejected
from gis_app.extensions import db
from gis_app.wastewater import demo, service
from gis_app.wastewater.models import SampleResult, SamplingSite
from gis_app.wastewater.views import half_year

SITES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"kod": "GOV", "namn": "Gövikens reningsverk", "anslutna": 52000},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[14.58, 63.15], [14.72, 63.15], [14.72, 63.22], [14.58, 63.15]]],
            },
        }
    ],
}
RESULTS = (
    "verk;substans;fran;till;varde;enhet\n"
    "GOV;Amfetamin;2025-01-06;2025-01-12;91,5;mg/dygn/1000 inv\n"
    "GOV;Amfetamin;2025-01-13;2025-01-19;88,0;mg/dygn/1000 inv\n"
    "GOV;Kokain;2025-07-07;2025-07-13;170;mg/dygn/1000 inv\n"
)


@pytest.fixture
def english(app_context):
    with force_locale("en"):
        yield


@pytest.fixture
def site(english, tmp_path):
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps(SITES), encoding="utf-8")
    assert service.import_sites(path).inserted == 1
    return db.session.scalar(select(SamplingSite))


def _results(tmp_path, text: str):
    path = tmp_path / "lab.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_lab_csv_is_imported_and_reimported_as_an_update(cli, site, tmp_path):
    path = _results(tmp_path, RESULTS.replace(";", ",").replace("91,5", "91.5").replace("88,0", "88"))
    result = cli.invoke(args=["import-wastewater-results", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 new, 0 updated" in result.output
    path.write_text(
        "site,substance,period_start,period_end,value,unit\nGOV,Amfetamin,2025-01-06,2025-01-12,95,mg/dygn/1000 inv\n",
        encoding="utf-8",
    )
    assert "0 new, 1 updated" in cli.invoke(args=["import-wastewater-results", str(path)]).output
    values = dict(
        db.session.execute(
            select(SampleResult.period_start, SampleResult.value).where(SampleResult.substance == "Amfetamin")
        ).all()
    )
    assert values == {date(2025, 1, 6): 95.0, date(2025, 1, 13): 88.0}


def test_semicolons_and_decimal_commas_from_a_swedish_spreadsheet(site, tmp_path):
    path = tmp_path / "lab.csv"
    path.write_text(RESULTS.replace(";", "\t").replace("\t", ";"), encoding="utf-8")
    # GDAL detects the separator; a decimal comma is read as a decimal point
    assert service.import_results(path).inserted == 3
    assert db.session.scalar(select(func.max(SampleResult.value)).where(SampleResult.substance == "Amfetamin")) == 91.5


def test_a_broken_lab_file_imports_nothing_and_names_every_bad_row(site, tmp_path):
    path = _results(
        tmp_path,
        "site,substance,period_start,period_end,value,unit\n"
        "GOV,Amfetamin,2025-01-06,2025-01-12,91,mg\n"
        "XYZ,Amfetamin,2025-01-06,2025-01-12,91,mg\n"
        "GOV,,2025-01-13,2025-01-19,91,mg\n"
        "GOV,Kokain,13/1,2025-01-19,91,mg\n"
        "GOV,Kokain,2025-01-20,2025-01-19,-4,mg\n"
        "GOV,Amfetamin,2025-01-06,2025-01-12,80,mg\n",
    )
    with pytest.raises(ImportRejected) as refused:
        service.import_results(path)
    report = refused.value.report()
    assert "5 of 6 rows have errors" in report
    assert "line 3, site: no sampling site with the code 'XYZ'" in report
    assert "line 4, substance: required" in report
    assert "line 5, period_start: not a date (YYYY-MM-DD): '13/1'" in report
    assert "line 6, period_end: ends before it starts" in report and "line 6, value: must be a number" in report
    assert "line 7, period_start: the same site, substance and period as row 2" in report
    assert db.session.scalar(select(func.count()).select_from(SampleResult)) == 0


def test_a_lab_file_without_the_columns_or_with_geometry_files_is_refused(site, tmp_path):
    with pytest.raises(ImportRejected, match="needs the columns"):
        service.import_results(_results(tmp_path, "site,value\nGOV,1\n"))
    geojson = tmp_path / "lab.geojson"
    geojson.write_text("{}", encoding="utf-8")
    with pytest.raises(ImportRejected, match="use CSV"):
        service.import_results(geojson)


def test_broken_sites_are_refused(english, tmp_path):
    broken = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "A", "name": "Verket", "population": "många"},
                "geometry": {"type": "Point", "coordinates": [14.6, 63.1]},
            },
            {
                "type": "Feature",
                "properties": {"code": "", "name": ""},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[14.63, 63.17], [14.64, 63.18], [14.64, 63.17], [14.63, 63.18], [14.63, 63.17]]],
                },
            },
        ],
    }
    path = tmp_path / "sites.geojson"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        service.import_sites(path)
    report = refused.value.report()
    assert "feature 1, population: must be a whole number" in report
    assert "feature 1, geometry: geometry type Point is not allowed" in report
    assert "feature 2, code: required" in report and "feature 2, geometry: invalid geometry" in report
    assert db.session.scalar(select(func.count()).select_from(SamplingSite)) == 0


def test_the_public_page_charts_each_substance_and_gives_the_report_figures(client, app_context):
    demo.load(2380)
    page = client.get("/wastewater/?lang=sv").get_data(as_text=True)
    assert page.count('<polyline class="series"') == len(demo.SUBSTANCES) * len(demo.SITES)
    assert f'data-points="{demo.WEEKS}"' in page and 'data-demo="1"' in page
    assert "Siffror till medborgarrapporten" in page
    one = client.get("/wastewater/?substance=Amfetamin").get_data(as_text=True)
    assert one.count('<section class="wastewater-chart"') == 1
    first, after, _key = half_year(None)
    figures = service_figures(first, after)
    assert figures and all(row["periods"] > 0 for row in figures if row["mean"] is not None)


def service_figures(first, after):
    from gis_app.wastewater.queries import report_figures

    return report_figures(first, after)


def test_report_figures_compare_with_the_half_year_before(site, tmp_path):
    service.import_results(_results(tmp_path, RESULTS))
    first, after, key = half_year("2025-2")
    assert (first, after, key) == (date(2025, 7, 1), date(2026, 1, 1), "2025-2")
    rows = {row["substance"]: row for row in service_figures(first, after)}
    assert rows["Kokain"]["mean"] == 170 and rows["Kokain"]["previous"] is None
    assert rows["Amfetamin"]["mean"] is None and rows["Amfetamin"]["previous"] == pytest.approx(89.75)
    assert half_year("2025-3")[2] != "2025-3"  # a bad value falls back to the last complete half-year


def test_the_exports_read_back(client, site, tmp_path):
    service.import_results(_results(tmp_path, RESULTS))
    text = client.get("/wastewater/export?format=csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["substans"], r["period_fran"], float(r["varde"])) for r in rows][0] == ("Amfetamin", "2025-01-06", 91.5)
    path = tmp_path / "ww.xlsx"
    path.write_bytes(client.get("/wastewater/export?format=xlsx").data)
    sheet = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert sheet[0][:3] == ("provpunkt", "reningsverk", "substans") and len(sheet) == 4
    geojson = client.get("/wastewater/catchments.geojson").get_json()
    assert geojson["features"][0]["properties"]["code"] == "GOV"
    assert client.get("/wastewater/export?format=gpkg").status_code == 400
