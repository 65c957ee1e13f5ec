"""Each export format read back with GeoPandas or openpyxl: the same rows, geometries in the stated CRS, dates."""

import csv
import io
from datetime import date, datetime

import geopandas as gpd
import openpyxl
import pyogrio
import pytest
import shapely
from shapely.geometry import shape

from gis_app.exports import EXPORTERS
from gis_app.inventory import service
from tests.factories import make_place

POINT = {"type": "Point", "coordinates": [14.6372, 63.1767]}
LINE = {"type": "LineString", "coordinates": [[14.64, 63.18], [14.645, 63.182], [14.65, 63.181]]}
POLYGON = {
    "type": "Polygon",
    "coordinates": [[[14.62, 63.17], [14.625, 63.17], [14.625, 63.173], [14.62, 63.173], [14.62, 63.17]]],
}
MEASURE = {
    "measure_type": "lighting",
    "responsible": "municipal_unit",
    "status": "decided",
    "cost_estimate_sek": 45000,
    "due_on": date(2025, 10, 1),
}


@pytest.fixture
def measures(app_context):
    """Three places (point, line, polygon), four measures; returns {measure_id: (geometry, due_on, done_on)}."""
    service.open_year(2025)
    expected = {}
    for title, geometry in (("Torget", POINT), ("Gångväg", LINE), ("Parken", POLYGON)):
        place = make_place(geometry, reported_on=date(2025, 2, 1), title=title)
        service.save_assessment(2025, place.id, {"still_unsafe": True, "main_factor": "poor_lighting", "priority": 1})
        measure = service.create_measure(2025, place.id, MEASURE)
        expected[measure.id] = (shape(geometry), date(2025, 10, 1), None)
    done = service.create_measure(
        2025,
        place.id,
        {
            **MEASURE,
            "measure_type": "vegetation",
            "status": "done",
            "due_on": None,
            "cost_estimate_sek": None,
            "done_on": date(2025, 6, 30),
            "description": "Röjt; klart.",
        },
    )
    expected[done.id] = (shape(POLYGON), None, date(2025, 6, 30))
    return expected


def _projected(geometry, srid: int):
    return gpd.GeoSeries([geometry], crs=4326).to_crs(srid).iloc[0]


def _export(client, fmt: str, **params) -> bytes:
    query = "&".join(f"{k}={v}" for k, v in {"format": fmt, **params}.items())
    response = client.get(f"/inventory/2025/remediation/export?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Export-Rows"] == "4"
    return response.get_data()


def test_registry_has_the_four_formats():
    assert set(EXPORTERS) == {"csv", "xlsx", "geojson", "gpkg"}


@pytest.mark.parametrize("srid", [3006, 4326, 3012])
def test_geopackage(client_as, measures, tmp_path, srid):
    path = tmp_path / "list.gpkg"
    params = {} if srid == 3006 else {"crs": srid}  # 3006 is the default
    path.write_bytes(_export(client_as("planner"), "gpkg", **params))
    info = pyogrio.read_info(path)
    assert info["crs"] == f"EPSG:{srid}"
    types = dict(zip(info["fields"], info["ogr_types"]))
    assert types["due_on"] == types["done_on"] == "OFTDate"
    assert types["cost_estimate_sek"] == "OFTInteger64"
    frame = gpd.read_file(path)
    assert frame.crs.to_epsg() == srid
    assert sorted(frame["measure_id"]) == sorted(measures)
    tolerance = 1e-7 if srid == 4326 else 0.01  # degrees / metres
    for row in frame.itertuples():
        geometry, due_on, done_on = measures[row.measure_id]
        assert row.geometry.equals_exact(_projected(geometry, srid), tolerance), (srid, row.geometry.wkt)
        assert (row.due_on.date() if due_on else None) == due_on or (due_on is None and str(row.due_on) == "NaT")
    done = frame[frame["status"] == "Utförd"].iloc[0]
    assert done["done_on"].date() == date(2025, 6, 30) and done["description"] == "Röjt; klart."
    assert frame[frame["status"] == "Beslutad"]["cost_estimate_sek"].tolist() == [45000] * 3


def test_geojson(client_as, measures, tmp_path):
    path = tmp_path / "list.geojson"
    path.write_bytes(_export(client_as("planner"), "geojson", crs=3006))  # GeoJSON stays in WGS 84 regardless
    frame = gpd.read_file(path)
    assert frame.crs.to_epsg() == 4326
    assert sorted(frame["measure_id"]) == sorted(measures)
    assert str(frame["due_on"].dtype).startswith("datetime64")
    for row in frame.itertuples():
        geometry, due_on, _ = measures[row.measure_id]
        assert row.geometry.equals_exact(geometry, 1e-7)
        if due_on:
            assert row.due_on.date() == due_on


def test_xlsx(client_as, measures, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(_export(client_as("planner"), "xlsx"))
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("Åtgärds-id", "År", "Plats-id", "Plats")
    assert "Klart senast" in header and header[-1] == "Geometri (WKT) i SWEREF 99 TM (EPSG:3006)"
    assert header[-3:-1] == ("Latitud (WGS 84)", "Longitud (WGS 84)")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(rows)}"
    assert sheet.column_dimensions["D"].width == 40
    assert header[0] and sheet["A1"].font.bold
    due = header.index("Klart senast") + 1
    by_id = {row[0]: row for row in rows[1:]}
    assert sorted(by_id) == sorted(measures)
    for measure_id, (geometry, due_on, _done_on) in measures.items():
        row = by_id[measure_id]
        assert shapely.from_wkt(row[-1]).equals_exact(_projected(geometry, 3006), 0.01)
        if due_on:
            assert isinstance(row[due - 1], datetime) and row[due - 1].date() == due_on
    cell = next(c for c in sheet.iter_cols(min_col=due, max_col=due, min_row=2) for c in c if c.value)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd"


@pytest.mark.parametrize("separator", [",", ";"])
def test_csv(client_as, measures, separator):
    data = _export(client_as("planner"), "csv", crs=4326, separator=separator)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel reads å, ä, ö
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=separator))
    header, body = rows[0], rows[1:]
    assert header[0] == "Åtgärds-id" and header[-1] == "Geometri (WKT) i WGS 84 (EPSG:4326)"
    by_id = {int(row[0]): dict(zip(header, row)) for row in body}
    assert sorted(by_id) == sorted(measures)
    for measure_id, (geometry, due_on, done_on) in measures.items():
        row = by_id[measure_id]
        assert shapely.from_wkt(row[header[-1]]).equals_exact(geometry, 1e-7)
        assert row["Klart senast"] == (due_on.isoformat() if due_on else "")
        assert row["Utförd"] == (done_on.isoformat() if done_on else "")
        point = geometry.representative_point() if geometry.geom_type != "LineString" else None
        if point is not None:  # PostGIS and GEOS pick the same point on points and rectangles
            assert float(row["Latitud (WGS 84)"]) == pytest.approx(point.y, abs=1e-5)
            assert float(row["Longitud (WGS 84)"]) == pytest.approx(point.x, abs=1e-5)
    assert any(row["Beskrivning"] == "Röjt; klart." for row in by_id.values())  # quoted when it holds the separator


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_an_empty_list_is_a_valid_file(client_as, measures, tmp_path, fmt):
    response = client_as("planner").get(f"/inventory/2025/remediation/export?format={fmt}&status=verified")
    assert response.status_code == 200 and response.headers["X-Export-Rows"] == "0"
    path = tmp_path / f"empty.{EXPORTERS[fmt].extension}"
    path.write_bytes(response.get_data())
    if fmt == "xlsx":
        assert len(list(openpyxl.load_workbook(path).active.iter_rows())) == 1
    elif fmt == "csv":
        assert len(path.read_text(encoding="utf-8-sig").splitlines()) == 1
    else:
        assert len(gpd.read_file(path)) == 0


def test_bad_format_or_crs(client_as, measures):
    client = client_as("planner")
    assert client.get("/inventory/2025/remediation/export?format=shp").status_code == 400
    assert client.get("/inventory/2025/remediation/export?format=gpkg&crs=3857").status_code == 400
    assert client.get("/inventory/2031/remediation/export?format=csv").status_code == 404


@pytest.mark.parametrize("fmt", ["gpkg", "csv"])
def test_cli_writes_the_same_file(cli, measures, tmp_path, fmt):
    out = tmp_path / f"list.{fmt}"
    result = cli.invoke(
        args=[
            "export-remediation",
            "--year",
            "2025",
            "--format",
            fmt,
            "--out",
            str(out),
            "--crs",
            "3012",
            "--status",
            "decided",
        ]
    )
    assert result.exit_code == 0, result.output
    if fmt == "gpkg":
        frame = gpd.read_file(out)
        assert frame.crs.to_epsg() == 3012 and len(frame) == 3
    else:
        assert "EPSG:3012" in out.read_text(encoding="utf-8-sig").splitlines()[0]


def test_export_page_shows_progress(client_as, measures):
    page = client_as("planner").get("/inventory/2025/remediation").get_data(as_text=True)
    assert 'id="export-form"' in page and 'id="export-progress"' in page and "inventory_export.js" in page
    assert 'id="export-form"' not in client_as("police").get("/inventory/2025/remediation").get_data(as_text=True)


def test_swedish_csv_by_default_and_a_file_name_that_says_what_is_in_it(client_as, measures):
    response = client_as("planner").get("/inventory/2025/remediation/export?format=csv&status=decided")
    header = response.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert header.startswith("Åtgärds-id;År;Plats-id;Plats;Område")
    today = date.today().isoformat()
    assert f'filename="atgardslista-2025-status-decided-{today}.csv"' in response.headers["Content-Disposition"]
    english = client_as("planner").get("/inventory/2025/remediation/export?format=csv&lang=en")
    assert english.get_data(as_text=True).lstrip("\ufeff").startswith("Measure id,Year,Place id,Place")


def test_geopackage_declares_its_geometry_type(client_as, measures, tmp_path):
    """Mixed geometries stay Unknown; a list of points is a Point layer."""
    mixed, points = tmp_path / "mixed.gpkg", tmp_path / "points.gpkg"
    mixed.write_bytes(_export(client_as("planner"), "gpkg"))
    assert pyogrio.read_info(mixed)["geometry_type"] == "Unknown"
    torget = make_place(POINT, title="Bara punkter", reported_on=date(2025, 3, 1))
    service.save_assessment(2025, torget.id, {"still_unsafe": True, "main_factor": "graffiti", "priority": 1})
    service.create_measure(2025, torget.id, MEASURE)
    points.write_bytes(
        client_as("planner").get("/inventory/2025/remediation/export?format=gpkg&category=graffiti").get_data()
    )
    assert pyogrio.read_info(points)["geometry_type"] == "Point"
