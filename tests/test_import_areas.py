"""`gis-app import-areas`: the real DeSO and municipality boundaries, upserts, district derivation, bad files."""

import re

import geopandas
import pytest
import shapely
from flask_babel import force_locale
from geoalchemy2.shape import to_shape
from shapely.geometry import Point, Polygon
from sqlalchemy import select, text

from gis_app.areas.importer import import_areas
from gis_app.areas.models import Area
from gis_app.core.readers import ImportRejected
from gis_app.extensions import db
from gis_app.places.models import Place
from tests.factories import STORTORGET, make_place

DESO = "ostersund_deso2018.geojson"
MUNICIPALITY = "ostersund_kommun_from_deso2018.geojson"
SQUARE = Polygon([(14.60, 63.16), (14.62, 63.16), (14.62, 63.17), (14.60, 63.17)])
BOWTIE = Polygon([(14.63, 63.17), (14.64, 63.18), (14.64, 63.17), (14.63, 63.18)])


@pytest.fixture(autouse=True)
def english(app_context):
    """Reasons in English whatever the default locale (the CLI still uses its own)."""
    with force_locale("en"):
        yield


def invoke(cli, path, kind, *options):
    return cli.invoke(args=["import-areas", str(path), "--kind", kind, *options])


def areas(kind: str) -> list[Area]:
    return list(db.session.scalars(select(Area).where(Area.kind == kind).order_by(Area.code)))


def test_deso_districts(cli, reference_data):
    result = invoke(cli, reference_data / DESO, "district")

    assert result.exit_code == 0, result.output
    districts = areas("district")
    assert len(districts) == 37
    by_code = {area.code: area.name for area in districts}
    assert by_code["2380C1220"] == "Östersund centrum"
    assert all(to_shape(area.geom).geom_type == "MultiPolygon" and to_shape(area.geom).is_valid for area in districts)


def test_municipality(cli, reference_data):
    result = invoke(cli, reference_data / MUNICIPALITY, "municipality")

    assert result.exit_code == 0, result.output
    [municipality] = areas("municipality")
    assert (municipality.code, municipality.name) == ("2380", "Östersund")
    assert to_shape(municipality.geom).covers(Point(STORTORGET))


def test_reimport_is_an_idempotent_upsert(cli, reference_data, tmp_path):
    assert invoke(cli, reference_data / DESO, "district").exit_code == 0
    before = {area.code: (area.id, area.name) for area in areas("district")}
    renamed = geopandas.read_file(reference_data / DESO)
    renamed.loc[renamed.deso == "2380C1220", "desoname"] = "Centrum"
    renamed.to_file(tmp_path / "renamed.geojson", engine="pyogrio")

    again = invoke(cli, reference_data / DESO, "district")
    changed = invoke(cli, tmp_path / "renamed.geojson", "district")

    assert again.exit_code == 0 and changed.exit_code == 0, again.output + changed.output
    after = {area.code: (area.id, area.name) for area in areas("district")}
    assert after.keys() == before.keys()
    assert {code: area_id for code, (area_id, _) in after.items()} == {
        code: area_id for code, (area_id, _) in before.items()
    }
    assert after["2380C1220"][1] == "Centrum"
    assert re.search(r"\b0\b.*\b37\b", again.output)  # 0 new, 37 updated


def test_if_empty_skips_an_existing_kind(cli, reference_data):
    assert invoke(cli, reference_data / DESO, "district").exit_code == 0
    db.session.execute(text("UPDATE area SET name = 'Ändrad' WHERE code = '2380C1220'"))
    db.session.commit()

    skipped = invoke(cli, reference_data / DESO, "district", "--if-empty")
    other_kind = invoke(cli, reference_data / MUNICIPALITY, "municipality", "--if-empty")

    assert skipped.exit_code == 0 and other_kind.exit_code == 0
    assert db.session.scalar(select(Area.name).where(Area.code == "2380C1220")) == "Ändrad"
    assert len(areas("municipality")) == 1


def test_districts_are_derived_for_existing_and_new_places(cli, reference_data):
    before = make_place()  # Stortorget, stored before any district exists
    assert before.district_id is None

    assert invoke(cli, reference_data / DESO, "district").exit_code == 0
    after = make_place(title="Efter importen")

    centrum = db.session.scalar(select(Area.id).where(Area.kind == "district", Area.name == "Östersund centrum"))
    db.session.expire_all()
    assert db.session.get(Place, before.id).district_id == centrum
    assert db.session.get(Place, after.id).district_id == centrum


def test_projected_geopackage_with_own_field_names(cli, tmp_path):
    frame = geopandas.GeoDataFrame(
        {"omrade": ["Zon A", "Zon B"], "nummer": [1, 2]}, geometry=[SQUARE, SQUARE.buffer(-0.001)], crs="EPSG:4326"
    )
    path = tmp_path / "zones.gpkg"
    frame.to_crs(3006).to_file(path, engine="pyogrio")

    guessed = invoke(cli, path, "zone")
    named = invoke(cli, path, "zone", "--name-field", "omrade", "--code-field", "nummer")

    assert guessed.exit_code == 1 and "--name-field" in guessed.output and "omrade" in guessed.output
    assert named.exit_code == 0, named.output
    zones = areas("zone")
    assert [(zone.code, zone.name) for zone in zones] == [("1", "Zon A"), ("2", "Zon B")]
    assert shapely.equals_exact(to_shape(zones[0].geom).geoms[0], SQUARE, tolerance=1e-6)


def test_a_district_never_takes_the_municipality_name(cli, tmp_path):
    """SCB's own DeSO files have deso and kommunnamn but no district name: ask rather than name all 'Östersund'."""
    path = tmp_path / "scb_deso.geojson"
    geopandas.GeoDataFrame(
        {"deso": ["2380C1220"], "kommunnamn": ["Östersund"]}, geometry=[SQUARE], crs="EPSG:4326"
    ).to_file(path, engine="pyogrio")

    refused = invoke(cli, path, "district")
    named_by_code = invoke(cli, path, "district", "--name-field", "deso")

    assert refused.exit_code == 1 and "--name-field" in refused.output
    assert named_by_code.exit_code == 0, named_by_code.output
    assert [(area.code, area.name) for area in areas("district")] == [("2380C1220", "2380C1220")]


def test_bad_rows_import_nothing_and_are_all_named(cli, tmp_path):
    frame = geopandas.GeoDataFrame(
        {
            "name": ["Bra", "Fjäril", "Punkt", "Utan kod", "Samma kod"],
            "code": ["A", "B", "C", None, "A"],
        },
        geometry=[SQUARE, BOWTIE, Point(STORTORGET), SQUARE, SQUARE],
        crs="EPSG:4326",
    )
    path = tmp_path / "bad.geojson"
    frame.to_file(path, engine="pyogrio")

    with pytest.raises(ImportRejected) as caught:
        import_areas(path, "zone")
    result = invoke(cli, path, "zone")

    assert [(error.row, error.field) for error in caught.value.errors] == [
        (2, "geometry"),
        (3, "geometry"),
        (4, "code"),
        (5, "code"),
    ]
    assert caught.value.errors[0].reason.startswith("invalid geometry: Self-intersection")
    assert result.exit_code == 1 and "Traceback" not in result.output
    for row in (2, 3, 4, 5):
        assert re.search(rf"^\s+\S+ {row}, \w+: ", result.output, re.MULTILINE), result.output
    assert areas("zone") == []


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_unreadable_and_unsupported_files(cli, tmp_path):
    garbage = tmp_path / "garbage.geojson"
    garbage.write_text("<html>not geojson</html>")
    no_crs = tmp_path / "no_crs.gpkg"
    geopandas.GeoDataFrame({"name": ["A"], "code": ["A"]}, geometry=[SQUARE]).to_file(no_crs, engine="pyogrio")
    csv = tmp_path / "areas.csv"
    csv.write_text("name,code,wkt\nA,A,POINT (1 2)\n")

    results = [invoke(cli, path, "zone") for path in (garbage, no_crs, csv)]

    assert [result.exit_code for result in results] == [1, 1, 1]
    assert "garbage.geojson" in results[0].output
    assert "--crs" in results[1].output
    assert ".csv" in results[2].output
    assert all("Traceback" not in result.output for result in results)
    assert areas("zone") == []
