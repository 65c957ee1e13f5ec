"""`gis-app import-places`: three formats, several CRSs, all or nothing, and a report naming every bad row."""

import json
import re

import geopandas
import pandas as pd
import pytest
import shapely
from flask_babel import force_locale
from geoalchemy2.shape import to_shape
from shapely.geometry import LineString, MultiPoint, MultiPolygon, Point, Polygon
from sqlalchemy import func, select

from gis_app.core.readers import ImportRejected
from gis_app.extensions import db
from gis_app.places import importer
from gis_app.places.importer import import_places
from gis_app.places.models import Observation, Place
from tests.factories import STORTORGET, make_area

# Real spots in central Östersund (lon, lat).
JAMTLI = (14.6368, 63.1878)
STATION = (14.6377, 63.1703)
OUTSIDE_MUNICIPALITY = (14.30, 63.55)  # inside the configured bounds, but in Krokom
STOCKHOLM = (18.0686, 59.3293)
BOWTIE = Polygon([(14.63, 63.17), (14.64, 63.18), (14.64, 63.17), (14.63, 63.18)])


@pytest.fixture(autouse=True)
def english(app_context):
    """Reasons in English whatever the default locale (the CLI still uses its own)."""
    with force_locale("en"):
        yield


def sample_places() -> geopandas.GeoDataFrame:
    """A point, a line and a polygon with every optional column used somewhere."""
    return geopandas.GeoDataFrame(
        {
            "title": ["Mörk passage vid Stortorget", "Mörk gångväg mot Jamtli", "Otrygg park vid stationen"],
            "category": ["poor_lighting", "Mörk gångväg", "YOUTH GATHERINGS"],  # a code, a Swedish and an English label
            "status": ["reported", "dismissed", None],
            "dismissed_reason": [None, "Dubblett", None],
            "time_of_day": ["evening", "night", None],
            "affected_group": ["women", None, "young_people"],
            "priority": [1, 3, None],
            "reported_on": ["2025-03-01", None, "2024-11-20"],
            "note": ["Tre lampor trasiga", None, "Samlingar varje fredag"],
            "source": ["police", None, None],
        },
        geometry=[
            Point(STORTORGET),
            LineString([STORTORGET, (14.6370, 63.1800), JAMTLI]),
            Polygon([(14.6370, 63.1700), (14.6385, 63.1700), (14.6385, 63.1708), (14.6370, 63.1708)]),
        ],
        crs="EPSG:4326",
    )


def write_file(frame: geopandas.GeoDataFrame, path, epsg: int):
    """Write the frame in `epsg`: CSV gets lon/lat (x/y when projected) for points and full-precision WKT else."""
    frame = frame.to_crs(epsg)
    if path.suffix != ".csv":
        frame.to_file(path, engine="pyogrio")
        return path
    x_name, y_name = ("lon", "lat") if epsg == 4326 else ("x", "y")
    table = pd.DataFrame(frame.drop(columns="geometry"))
    is_point = frame.geometry.geom_type == "Point"
    table[x_name] = [geom.x if point else None for geom, point in zip(frame.geometry, is_point)]
    table[y_name] = [geom.y if point else None for geom, point in zip(frame.geometry, is_point)]
    table["wkt"] = [
        None if point else shapely.to_wkt(geom, rounding_precision=-1) for geom, point in zip(frame.geometry, is_point)
    ]
    table.to_csv(path, index=False)
    return path


def stored_geometries() -> dict:
    return {place.title: to_shape(place.geom) for place in db.session.scalars(select(Place))}


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Place)),
        db.session.scalar(select(func.count()).select_from(Observation)),
    )


def invoke(cli, path, *options):
    return cli.invoke(args=["import-places", str(path), *options])


@pytest.mark.parametrize(
    "suffix, epsg",
    [
        (".csv", 4326),
        (".csv", 3006),
        (".geojson", 4326),
        (".geojson", 3006),
        (".geojson", 3012),
        (".gpkg", 4326),
        (".gpkg", 3006),
        (".gpkg", 3012),
    ],
)
def test_formats_and_crs_round_trip(cli, app_context, tmp_path, suffix, epsg):
    frame = sample_places()
    path = write_file(frame, tmp_path / f"places{suffix}", epsg)
    options = ["--crs", f"EPSG:{epsg}"] if suffix == ".csv" else []

    result = invoke(cli, path, *options)

    assert result.exit_code == 0, result.output
    stored = stored_geometries()
    assert set(stored) == set(frame.title)
    for title, original in zip(frame.title, frame.geometry):
        assert stored[title].geom_type == original.geom_type
        assert shapely.equals_exact(stored[title], original, tolerance=1e-6), (title, stored[title].wkt)


def test_values_labels_and_observations(app_context, tmp_path):
    path = write_file(sample_places(), tmp_path / "places.geojson", 4326)

    result = import_places(path)

    assert (result.places, result.observations) == (3, 2)
    places = {place.title: place for place in db.session.scalars(select(Place))}
    point, line, polygon = (places[title] for title in sample_places().title)
    assert [p.category_code for p in (point, line, polygon)] == ["poor_lighting", "dark_path", "youth_gatherings"]
    assert (point.status_code, point.time_of_day, point.affected_group, point.priority) == (
        "reported",
        "evening",
        "women",
        1,
    )
    assert (line.status_code, line.dismissed_reason) == ("dismissed", "Dubblett")
    assert polygon.status_code == "reported" and polygon.priority == 2  # defaults
    assert str(point.reported_on) == "2025-03-01"
    [observation] = point.observations
    assert (observation.text, observation.source_code) == ("Tre lampor trasiga", "police")
    assert observation.observed_at.date().isoformat() == "2025-03-01"
    assert to_shape(observation.geom).equals(Point(STORTORGET))
    [default_source] = polygon.observations
    assert default_source.source_code == "municipal_staff"
    assert to_shape(default_source.geom).within(to_shape(polygon.geom))


def broken_places() -> geopandas.GeoDataFrame:
    """Row 1 is good; rows 2–6 each break one rule; row 7 breaks three."""
    return geopandas.GeoDataFrame(
        {
            "title": ["Bra rad", "Fjäril", "Långt borta", "Okänd", None, "Utanför kommunen", "Allt fel"],
            "category": ["vandalism", "graffiti", "graffiti", "nonsense_category", "litter", "litter", "litter"],
            "priority": [1, 2, 2, 2, 2, 2, 9],
            "time_of_day": ["night", None, None, None, None, None, "midnight"],
        },
        geometry=[
            Point(STORTORGET),
            BOWTIE,
            Point(STOCKHOLM),
            Point(STATION),
            Point(JAMTLI),
            Point(OUTSIDE_MUNICIPALITY),
            Point(STOCKHOLM),
        ],
        crs="EPSG:4326",
    )


EXPECTED_ERRORS = {
    (2, "geometry"),
    (3, "geometry"),
    (4, "category"),
    (5, "title"),
    (6, "geometry"),
    (7, "geometry"),
    (7, "priority"),
    (7, "time_of_day"),
}


@pytest.mark.parametrize("suffix, first_row", [(".geojson", 1), (".csv", 2)])
def test_broken_file_imports_nothing_and_names_every_bad_row(
    cli, app_context, reference_data, tmp_path, suffix, first_row
):
    assert (
        cli.invoke(
            args=[
                "import-areas",
                str(reference_data / "ostersund_kommun_from_deso2018.geojson"),
                "--kind",
                "municipality",
            ]
        ).exit_code
        == 0
    )
    path = write_file(broken_places(), tmp_path / f"broken{suffix}", 4326)
    offset = first_row - 1  # CSV rows are file lines: the header is line 1

    with pytest.raises(ImportRejected) as caught:
        import_places(path)
    result = invoke(cli, path)

    assert {(error.row, error.field) for error in caught.value.errors} == {
        (row + offset, field) for row, field in EXPECTED_ERRORS
    }
    reasons = {(error.row - offset, error.field): error.reason for error in caught.value.errors}
    assert reasons[(2, "geometry")].startswith("invalid geometry: Self-intersection")
    assert "nonsense_category" in reasons[(4, "category")]
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    for row, field in EXPECTED_ERRORS:
        assert re.search(rf"^\s+\S+ {row + offset}, {field}: ", result.output, re.MULTILINE), (row, result.output)
    assert counts() == (0, 0)


def test_bounds_apply_when_no_municipality_is_imported(app_context, tmp_path):
    frame = geopandas.GeoDataFrame(
        {"title": ["Stockholm", "Krokom"], "category": ["other", "other"]},
        geometry=[Point(STOCKHOLM), Point(OUTSIDE_MUNICIPALITY)],
        crs="EPSG:4326",
    )
    path = write_file(frame, tmp_path / "bounds.geojson", 4326)

    with pytest.raises(ImportRejected) as caught:
        import_places(path)

    assert [(error.row, error.field) for error in caught.value.errors] == [(1, "geometry")]  # Krokom is in the bbox
    assert "bounds" in caught.value.errors[0].reason


def test_municipality_polygon_wins_over_bounds(app_context, tmp_path):
    make_area(Polygon([(14.6, 63.16), (14.7, 63.16), (14.7, 63.2), (14.6, 63.2)]), kind="municipality", code="T")
    frame = geopandas.GeoDataFrame(
        {"title": ["Inne", "Ute"], "category": ["other", "other"]},
        geometry=[Point(STORTORGET), Point(14.8, 63.3)],
        crs="EPSG:4326",
    )

    with pytest.raises(ImportRejected) as caught:
        import_places(write_file(frame, tmp_path / "area.gpkg", 4326))

    assert [(error.row, error.field) for error in caught.value.errors] == [(2, "geometry")]


def test_multi_geometries(app_context, tmp_path):
    frame = geopandas.GeoDataFrame(
        {"title": ["En del", "Två delar"], "category": ["other", "other"]},
        geometry=[
            MultiPoint([STORTORGET]),
            MultiPolygon([BOWTIE.envelope, Polygon([(14.65, 63.17), (14.66, 63.17), (14.66, 63.175)])]),
        ],
        crs="EPSG:4326",
    )
    path = write_file(frame, tmp_path / "multi.gpkg", 4326)

    with pytest.raises(ImportRejected) as caught:
        import_places(path)
    assert [(error.row, error.field) for error in caught.value.errors] == [(2, "geometry")]
    assert "MultiPolygon" in caught.value.errors[0].reason

    import_places(write_file(frame.iloc[:1], tmp_path / "single.gpkg", 4326))
    assert to_shape(db.session.scalar(select(Place.geom))).geom_type == "Point"


def test_csv_as_a_swedish_spreadsheet_saves_it(app_context, tmp_path):
    """Semicolons, decimal commas and Windows-1252 text still import."""
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "titel;title;category;lon;lat\nx;Mörk gång vid Ängsmon;Dålig belysning;14,6372;63,1767\n".encode("cp1252")
    )

    result = import_places(path)

    assert (result.places, result.ignored_columns) == (1, ["titel"])
    place = db.session.scalar(select(Place))
    assert place.title == "Mörk gång vid Ängsmon" and place.category_code == "poor_lighting"
    assert to_shape(place.geom).equals(Point(STORTORGET))


def test_csv_coordinate_and_wkt_errors(app_context, tmp_path):
    path = tmp_path / "coords.csv"
    path.write_text(
        "title,category,lon,lat,wkt\nA,other,abc,63.17,\nB,other,,,\nC,other,,,POINT (14.6\nD,other,14.6372,63.1767,\n",
        encoding="utf-8",
    )

    with pytest.raises(ImportRejected) as caught:
        import_places(path)

    assert [(error.row, error.field) for error in caught.value.errors] == [(2, "lon"), (3, "geometry"), (4, "wkt")]
    assert counts() == (0, 0)


def test_geometries_gdal_reads_but_geos_refuses_are_row_errors(app_context, tmp_path):
    """An unclosed ring or a one-number point must not fail the whole read with a GEOS traceback."""
    path = tmp_path / "hand_written.geojson"
    features = [
        {"type": "Polygon", "coordinates": [[[14.63, 63.17], [14.64, 63.17], [14.64, 63.18]]]},
        {"type": "Point", "coordinates": [14.63]},
        {"type": "Point", "coordinates": [14.6372, 63.1767, 310.0]},  # a height is dropped, not refused
    ]
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"title": f"Rad {i}", "category": "other"}, "geometry": geometry}
                    for i, geometry in enumerate(features, start=1)
                ],
            }
        )
    )

    with pytest.raises(ImportRejected) as caught:
        import_places(path)

    assert [(error.row, error.field) for error in caught.value.errors] == [(1, "geometry"), (2, "geometry")]
    assert caught.value.errors[0].reason.startswith("invalid geometry: ")


def test_csv_crs_option_decides_how_numbers_are_read(cli, app_context, tmp_path):
    """SWEREF 99 TM numbers import with --crs EPSG:3006; read as degrees (the default) they lie outside."""
    path = write_file(sample_places().iloc[:1], tmp_path / "sweref.csv", 3006)

    as_degrees = invoke(cli, path)
    as_sweref = invoke(cli, path, "--crs", "EPSG:3006")

    assert as_degrees.exit_code == 1
    assert re.search(r"^\s+\S+ 2, geometry: ", as_degrees.output, re.MULTILINE), as_degrees.output
    assert as_sweref.exit_code == 0, as_sweref.output
    assert counts() == (1, 1)


@pytest.mark.parametrize(
    "content, needle",
    [
        ("{not json", "broken.geojson"),
        ('{"type": "FeatureCollection", "features": [', "broken.geojson"),
    ],
)
def test_malformed_file_gives_a_clear_error(cli, app_context, tmp_path, content, needle):
    path = tmp_path / "broken.geojson"
    path.write_text(content)

    result = invoke(cli, path)

    assert result.exit_code == 1
    assert needle in result.output and "Traceback" not in result.output
    assert counts() == (0, 0)


def test_file_level_refusals(cli, app_context, tmp_path):
    no_category = tmp_path / "no_category.csv"
    no_category.write_text("title,lon,lat\nA,14.6372,63.1767\n")
    no_geometry = tmp_path / "no_geometry.csv"
    no_geometry.write_text("title,category\nA,other\n")
    other_type = tmp_path / "places.txt"
    other_type.write_text("title\n")
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}')

    outputs = {path.name: invoke(cli, path) for path in (no_category, no_geometry, other_type, empty)}

    assert all(result.exit_code == 1 for result in outputs.values()), outputs
    assert "category" in outputs["no_category.csv"].output
    assert "wkt" in outputs["no_geometry.csv"].output
    assert ".txt" in outputs["places.txt"].output
    assert all("Traceback" not in result.output for result in outputs.values())


def test_limits_on_rows_and_bytes(cli, app, app_context, tmp_path, monkeypatch):
    path = write_file(sample_places(), tmp_path / "places.gpkg", 4326)

    monkeypatch.setitem(app.config, "IMPORT_MAX_FEATURES", 2)
    too_many = invoke(cli, path)
    monkeypatch.setitem(app.config, "IMPORT_MAX_FEATURES", 100)
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1000)
    too_big = invoke(cli, path)

    assert too_many.exit_code == 1 and re.search(r"\b3\b.*\b2\b", too_many.output)
    assert too_big.exit_code == 1 and "1000" in too_big.output
    assert counts() == (0, 0)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_crs_rules_for_files_that_declare_none(cli, app_context, tmp_path):
    path = tmp_path / "no_crs.gpkg"
    sample_places().to_crs(3006).set_crs(None, allow_override=True).to_file(path, engine="pyogrio")
    declared = write_file(sample_places(), tmp_path / "declared.gpkg", 3006)

    refused = invoke(cli, path)
    conflict = invoke(cli, declared, "--crs", "EPSG:3012")
    accepted = invoke(cli, path, "--crs", "EPSG:3006")

    assert refused.exit_code == 1 and "--crs" in refused.output
    assert conflict.exit_code == 1 and "EPSG:3006" in conflict.output and "EPSG:3012" in conflict.output
    assert accepted.exit_code == 0, accepted.output
    assert counts()[0] == 3


def test_a_failing_write_leaves_nothing_behind(app_context, tmp_path, monkeypatch):
    """The places are inserted before the observations; a refused observation must take them back out."""
    real_rows = importer._observation_rows

    def refused_rows(places, ids):
        return [{**row, "source_code": "no_such_source"} for row in real_rows(places, ids)]

    monkeypatch.setattr(importer, "_observation_rows", refused_rows)

    with pytest.raises(ImportRejected):
        import_places(write_file(sample_places(), tmp_path / "places.geojson", 4326))

    assert counts() == (0, 0)
