"""Streetlights, path network, the lighting-gap analysis, outages as measures, and the lighting pages."""

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import geopandas
import pytest
from geoalchemy2.shape import from_shape
from pyproj import Transformer
from shapely.geometry import LineString, Point, box, mapping
from sqlalchemy import func, select

from gis_app.core.readers import ImportRejected
from gis_app.extensions import db
from gis_app.inventory.models import Assessment, InventoryYear, Measure
from gis_app.lighting import importer, queries, service
from gis_app.lighting.models import GapAnalysis, Lamp, LampOutage, LightingGap, PathSegment
from gis_app.places.models import Observation
from tests.factories import STORTORGET, csrf_token, make_area, make_place

LOCAL = ZoneInfo("Europe/Stockholm")
TO_WGS84 = Transformer.from_crs(3006, 4326, always_xy=True)
TO_SWEREF = Transformer.from_crs(4326, 3006, always_xy=True)
ORIGIN = TO_SWEREF.transform(*STORTORGET)  # Stortorget in SWEREF 99 TM metres


def _lonlat(east: float, north: float = 0.0) -> tuple[float, float]:
    """A point `east`/`north` metres from Stortorget, in WGS 84."""
    return TO_WGS84.transform(ORIGIN[0] + east, ORIGIN[1] + north)


def _path(name: str, *metres) -> PathSegment:
    segment = PathSegment(name=name, dataset="test", geom=from_shape(LineString([_lonlat(*m) for m in metres]), 4326))
    db.session.add(segment)
    return segment


def _lamp(ref: str, east: float, north: float = 0.0, state: str = "working") -> Lamp:
    lamp = Lamp(ref=ref, state=state, dataset="test", geom=from_shape(Point(_lonlat(east, north)), srid=4326))
    db.session.add(lamp)
    return lamp


def _network():
    """A 200 m path with lamps at 0 and 100 m (a broken one at 175 m, one reported out at 50 m); a 60 m dark path."""
    _path("Lit path", (0, 0), (200, 0))
    _path("Dark path", (0, 500), (60, 500))
    _lamp("L0", 0)
    _lamp("L100", 100)
    _lamp("BROKEN", 175, state="broken")
    out = _lamp("OUT", 50)
    db.session.flush()
    db.session.add(LampOutage(lamp_id=out.id))
    db.session.commit()


def _gap_lengths(analysis_id: int) -> list[float]:
    return sorted(
        round(length, 1)
        for length in db.session.scalars(select(LightingGap.length_m).where(LightingGap.analysis_id == analysis_id))
    )


def test_the_gap_analysis_finds_the_stretches_known_by_construction(app_context):
    _network()
    run = service.analyse_gaps(25)
    # Lit: 0–25 m and 75–125 m. Unlit: 25–75 (the lamp there is out), 125–200 (the lamp at 175 is broken), 0–60.
    assert _gap_lengths(run.id) == pytest.approx([50.0, 60.0, 75.0], abs=0.5)
    assert run.segments == 2 and run.lamps == 2
    assert run.network_m == pytest.approx(260, abs=0.5) and run.gap_m == pytest.approx(185, abs=1)
    wider = service.analyse_gaps(50)  # lamps every 100 m light a path fully at 50 m
    assert _gap_lengths(wider.id) == pytest.approx([50.0, 60.0], abs=0.5)


def test_gaps_carry_their_district_and_the_unsafe_reports_near_them(app_context):
    make_area(box(*_lonlat(-1000, -1000), *_lonlat(1000, 1000)), name="Centrum")
    _network()
    place = make_place(geometry=mapping(Point(_lonlat(40, 10))))
    db.session.add(
        Observation(
            place_id=place.id,
            source_code="citizen_report",
            text="Mörkt",
            observed_at=datetime(2025, 12, 15, 18, 0, tzinfo=LOCAL),
            geom=from_shape(Point(_lonlat(40, 10)), srid=4326),
        )
    )
    db.session.commit()
    run = service.analyse_gaps(25)
    rows = queries.gap_page(queries.GapFilter(run.id, order="reports"), 10)
    assert rows[0]["reports_nearby"] == 1 and rows[0]["dark_reports_nearby"] == 1
    assert float(rows[0]["length_m"]) == pytest.approx(50, abs=0.5)
    assert {row["district"] for row in rows} == {"Centrum"}
    by_length = queries.gap_page(queries.GapFilter(run.id), 10)
    assert [float(r["length_m"]) for r in by_length] == sorted((float(r["length_m"]) for r in by_length), reverse=True)


def test_a_gap_lit_during_the_year_counts_as_closed(app_context):
    _network()
    first = service.analyse_gaps(25)
    _lamp("NEW50", 50, 2)
    db.session.commit()
    last = service.analyse_gaps(25)
    year = datetime.now(LOCAL).year
    closed = queries.gaps_closed(year, LOCAL)
    assert closed.first.id == first.id and closed.last.id == last.id
    assert closed.closed == 1 and closed.closed_m == pytest.approx(50, abs=0.5)


def test_the_lighting_gaps_command_and_the_demo_network(app_context, cli):
    from gis_app.lighting import demo

    assert demo.load_if_missing()
    lamps = db.session.scalars(select(Lamp)).all()
    assert lamps and all(lamp.dataset.startswith("DEMO") and lamp.ref.startswith("DEMO") for lamp in lamps)
    assert all(name.startswith("DEMO") for name in db.session.scalars(select(PathSegment.name)))
    assert db.session.scalar(select(func.count()).select_from(LightingGap)) > 0
    assert demo.load_if_missing() == ""  # only once
    result = cli.invoke(args=["lighting-gaps", "--distance", "30"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(GapAnalysis)) == 2


# --- imports --------------------------------------------------------------------------------------------------------

LAMPS_CSV = """id;typ;effekt;ägare;status;lon;lat
A-1;LED;39,5;Östersunds kommun;i drift;14.6372;63.1767
A-2;Natrium;70;Trafikverket;trasig;14.6380;63.1770
A-3;;;;;14.6390;63.1772
"""


def test_a_lamp_register_in_csv_is_imported_and_reimported_as_an_update(app_context, tmp_path, cli):
    path = tmp_path / "lampor.csv"
    path.write_text(LAMPS_CSV, encoding="utf-8")
    result = cli.invoke(args=["import-lamps", str(path)])
    assert result.exit_code == 0, result.output
    lamps = {lamp.ref: lamp for lamp in db.session.scalars(select(Lamp))}
    assert lamps["A-1"].power_w == 39.5 and lamps["A-1"].owner == "Östersunds kommun"
    assert lamps["A-2"].state == "broken" and lamps["A-3"].state == "working"
    assert lamps["A-1"].dataset == "lampor.csv"
    path.write_text(LAMPS_CSV.replace("i drift", "borttagen"), encoding="utf-8")
    again = importer.import_lamps(path)
    assert (again.new, again.updated) == (0, 3)
    db.session.expire_all()
    assert db.session.scalar(select(Lamp.state).where(Lamp.ref == "A-1")) == "removed"


def test_a_lamp_register_in_geopackage_in_sweref(app_context, tmp_path):
    path = tmp_path / "lampor.gpkg"
    frame = geopandas.GeoDataFrame(
        {"lamp_id": ["G-1", "G-2"], "power": [50, 60], "state": ["working", "broken"]},
        geometry=[Point(ORIGIN), Point(ORIGIN[0] + 30, ORIGIN[1])],
        crs="EPSG:3006",
    )
    frame.to_file(path, driver="GPKG")
    result = importer.import_lamps(path)
    assert result.new == 2
    x, y = db.session.execute(select(func.ST_X(Lamp.geom), func.ST_Y(Lamp.geom)).where(Lamp.ref == "G-1")).one()
    assert (x, y) == pytest.approx(STORTORGET, abs=1e-6)


def test_a_broken_lamp_file_is_refused_whole_with_every_bad_row(app_context, tmp_path, cli):
    path = tmp_path / "trasig.csv"
    path.write_text(
        "id,power,state,lon,lat\n"
        "B-1,40,working,14.6372,63.1767\n"
        ",40,working,14.6372,63.1767\n"  # line 3: no id
        "B-1,40,working,14.6372,63.1767\n"  # line 4: the id again
        "B-4,lots,working,14.6372,63.1767\n"  # line 5: power not a number
        "B-5,40,flickering,14.6372,63.1767\n"  # line 6: unknown state
        "B-6,40,working,18.0,59.3\n"  # line 7: Stockholm, outside the municipality
        "B-7,40,working,,\n",
        encoding="utf-8",
    )  # line 8: no position
    with pytest.raises(ImportRejected) as refused:
        importer.import_lamps(path)
    assert sorted({error.row for error in refused.value.errors}) == [3, 4, 5, 6, 7, 8]
    fields = {error.row: error.field for error in refused.value.errors}
    assert fields[3] == "id" and fields[5] == "power" and fields[6] == "state" and fields[7] == "geometry"
    assert db.session.scalar(select(func.count()).select_from(Lamp)) == 0
    result = cli.invoke(args=["import-lamps", str(path)])
    assert result.exit_code != 0 and "line 5" in result.output.replace("rad", "line")


def test_a_lamp_file_without_an_id_column_is_refused(app_context, tmp_path):
    path = tmp_path / "utan-id.csv"
    path.write_text("power,lon,lat\n40,14.6372,63.1767\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="id"):
        importer.import_lamps(path)


def _geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def test_a_path_network_is_imported_splitting_multilines_and_replacing_its_dataset(app_context, tmp_path):
    path = tmp_path / "nvdb.geojson"
    line = [_lonlat(0, 0), _lonlat(100, 0)]
    multi = [[_lonlat(0, 50), _lonlat(50, 50)], [_lonlat(60, 50), _lonlat(90, 50)]]
    _geojson(
        path,
        [
            {
                "type": "Feature",
                "properties": {"namn": "Gångväg 1", "typ": "GC-väg", "objectid": 7},
                "geometry": {"type": "LineString", "coordinates": line},
            },
            {
                "type": "Feature",
                "properties": {"namn": "Gångväg 2"},
                "geometry": {"type": "MultiLineString", "coordinates": multi},
            },
        ],
    )
    result = importer.import_paths(path)
    assert result.rows == 3
    names = sorted(db.session.scalars(select(PathSegment.name)))
    assert names == ["Gångväg 1", "Gångväg 2", "Gångväg 2"]
    assert db.session.scalar(select(PathSegment.ref).where(PathSegment.name == "Gångväg 1")) == "7"
    again = importer.import_paths(path)
    assert again.updated == 3 and db.session.scalar(select(func.count()).select_from(PathSegment)) == 3


def test_a_broken_path_file_is_refused_whole(app_context, tmp_path):
    path = tmp_path / "trasig.geojson"
    _geojson(
        path,
        [
            {
                "type": "Feature",
                "properties": {"name": "OK"},
                "geometry": {"type": "LineString", "coordinates": [_lonlat(0, 0), _lonlat(10, 0)]},
            },
            {
                "type": "Feature",
                "properties": {"name": "En punkt"},
                "geometry": {"type": "Point", "coordinates": STORTORGET},
            },
            {
                "type": "Feature",
                "properties": {"name": "x" * 300},
                "geometry": {"type": "LineString", "coordinates": [_lonlat(0, 0), _lonlat(10, 0)]},
            },
            {
                "type": "Feature",
                "properties": {"name": "Långt bort"},
                "geometry": {"type": "LineString", "coordinates": [[18.0, 59.3], [18.01, 59.3]]},
            },
        ],
    )
    with pytest.raises(ImportRejected) as refused:
        importer.import_paths(path)
    assert sorted({error.row for error in refused.value.errors}) == [2, 3, 4]
    assert db.session.scalar(select(func.count()).select_from(PathSegment)) == 0


def test_an_unreadable_file_is_refused_with_a_message(app_context, tmp_path):
    path = tmp_path / "trasig.gpkg"
    path.write_bytes(b"not a geopackage")
    with pytest.raises(ImportRejected):
        importer.import_paths(path)


# --- outages become measures ----------------------------------------------------------------------------------------


def _lighting_place_with_lamp(**place):
    spot = make_place(geometry=mapping(Point(_lonlat(0, 0))), category_code="poor_lighting", **place)
    lamp = _lamp("NEAR", 10)
    far = _lamp("FAR", 200)
    db.session.commit()
    return spot, lamp, far


def test_an_outage_becomes_a_lighting_measure_for_the_lighting_unit(client_as, app_context):
    place, lamp, _far = _lighting_place_with_lamp()
    db.session.add(InventoryYear(year=date.today().year))
    db.session.commit()
    staff = client_as("field_staff")
    url = f"/lighting/lamps/{lamp.id}"
    response = staff.post(
        f"{url}/outages", data={"description": "Släckt sedan i fredags", "csrf_token": csrf_token(staff, url)}
    )
    assert response.status_code == 302
    outage = db.session.scalar(select(LampOutage))
    assert outage.place_id == place.id and outage.measure_id is not None
    measure = db.session.get(Measure, outage.measure_id)
    assert (measure.measure_type, measure.responsible, measure.responsible_name) == (
        "lighting",
        "municipal_unit",
        "Belysningsenheten",
    )
    assert "NEAR" in measure.description and db.session.get(Assessment, measure.assessment_id).place_id == place.id
    twice = staff.post(f"{url}/outages", data={"csrf_token": csrf_token(staff, url)})
    assert twice.status_code == 409
    planner = client_as("planner")
    fixed = planner.post(
        f"/lighting/outages/{outage.id}/fixed",
        data={"fixed_on": date.today().isoformat(), "csrf_token": csrf_token(planner, url)},
    )
    assert fixed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).status == "done"
    lamps_page = staff.get(f"/lighting/places/{place.id}/lamps").get_data(as_text=True)
    assert "NEAR" in lamps_page and "FAR" not in lamps_page


def test_an_outage_without_an_open_year_or_place_is_kept_without_a_measure(client_as, app_context):
    _place, lamp, far = _lighting_place_with_lamp()
    staff = client_as("field_staff")
    for target in (lamp, far):
        url = f"/lighting/lamps/{target.id}"
        page = staff.post(f"{url}/outages", data={"csrf_token": csrf_token(staff, url)}, follow_redirects=True)
        assert page.status_code == 200
    outages = db.session.scalars(select(LampOutage).order_by(LampOutage.id)).all()
    assert [o.measure_id for o in outages] == [None, None] and outages[1].place_id is None


def test_bad_outage_and_fix_input_gets_a_4xx_naming_the_field(client_as, app_context):
    _place, lamp, _far = _lighting_place_with_lamp()
    staff = client_as("field_staff")
    url = f"/lighting/lamps/{lamp.id}"
    long_text = staff.post(
        f"{url}/outages",
        data={"description": "x" * 3000, "csrf_token": csrf_token(staff, url)},
        headers={"Accept": "application/json"},
    )
    assert long_text.status_code == 400 and long_text.get_json()["field"] == "description"
    assert staff.get("/lighting/lamps/99999").status_code == 404
    planner = client_as("planner")
    service_outage = service.report_outage(lamp.id, None).outage
    future = (date.today() + timedelta(days=3)).isoformat()
    refused = planner.post(
        f"/lighting/outages/{service_outage.id}/fixed",
        data={"fixed_on": future, "csrf_token": csrf_token(planner, url)},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 400 and refused.get_json()["field"] == "fixed_on"
    bad_distance = planner.post(
        "/lighting/gaps/analyse",
        data={"distance": "-3", "csrf_token": csrf_token(planner, url)},
        headers={"Accept": "application/json"},
    )
    assert bad_distance.status_code == 400 and bad_distance.get_json()["field"] == "distance"


# --- pages ----------------------------------------------------------------------------------------------------------


def test_the_dark_hours_year_is_public_and_sets_reports_against_darkness(client, app_context):
    place = make_place()
    db.session.add(
        Observation(
            place_id=place.id,
            source_code="citizen_report",
            text="Mörkt",
            observed_at=datetime(2025, 12, 15, 17, 0, tzinfo=LOCAL),
            geom=from_shape(Point(*STORTORGET), srid=4326),
        )
    )
    db.session.commit()
    page = client.get("/lighting/dark-hours?year=2025").get_data(as_text=True)
    assert page.count("data-month=") == 12
    december = re.search(r'<tr data-month="12">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r"<td class=\"number\">1</td>\s*<td class=\"number\">1</td>", december)
    dark_hours = float(re.search(r'data-dark-hours="([\d.]+)"', december).group(1))
    june = re.search(r'<tr data-month="6">(.*?)</tr>', page, re.S).group(1)
    assert dark_hours > 15 and 'data-dark-hours="0.0"' in june
    chart = client.get("/lighting/dark-hours.svg?year=2025")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml" and b"<svg" in chart.data
    assert client.get("/lighting/dark-hours?year=20x5").status_code == 400


def test_sun_times_for_the_walk_form(client_as, app_context):
    staff = client_as("planner")
    december = staff.get("/lighting/sun-times?date=2025-12-15").get_json()
    assert december["sunset"] < "15:00" and december["civil_dusk"] < "16:00"
    assert december["proposed_starts"][0] >= december["civil_dusk"]
    june = staff.get("/lighting/sun-times?date=2025-06-20").get_json()
    assert june["civil_dusk"] is None and june["sunset"] > "22:00"
    assert staff.get("/lighting/sun-times?date=soon").status_code == 400
    assert staff.get("/lighting/sun-times?date=2025-06-20&lat=95").status_code == 400
    page = staff.get("/walks/new").get_data(as_text=True)
    assert 'id="walk-sun"' in page and "lighting_walk.js" in page


def test_a_daylight_walk_to_places_unsafe_at_night_is_warned(client_as, app_context):
    from gis_app.walks.models import WalkStop
    from tests.test_walk_api import make_walk

    night_place = make_place(time_of_day="night", title="Tunneln")
    walk = make_walk()
    walk.starts_at = datetime(2026, 6, 15, 13, 0, tzinfo=LOCAL)
    db.session.add(WalkStop(walk_id=walk.id, place_id=night_place.id, position=1))
    db.session.commit()
    planner = client_as("planner")
    page = planner.get(f"/walks/{walk.id}").get_data(as_text=True)
    assert 'id="walk-light-warning"' in page and "Tunneln" in page
    assert 'data-light-class="daylight"' in page
    walk.starts_at = datetime(2026, 12, 15, 19, 0, tzinfo=LOCAL)
    db.session.commit()
    page = planner.get(f"/walks/{walk.id}").get_data(as_text=True)
    assert 'id="walk-light-warning"' not in page and 'data-light-class="dark"' in page


def test_the_gap_list_and_its_export(client_as, app_context):
    make_area(box(*_lonlat(-1000, -1000), *_lonlat(1000, 1000)), name="Centrum")
    _network()
    service.analyse_gaps(25)
    planner = client_as("planner")
    page = planner.get("/lighting/gaps?order=reports").get_data(as_text=True)
    assert page.count("data-gap=") == 3 and "Centrum" in page
    csv_export = planner.get("/lighting/gaps/export?format=csv&crs=3006")
    assert csv_export.status_code == 200
    lines = csv_export.get_data(as_text=True).strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Lucka-id") and len(lines) == 4  # a BOM for Excel
    geojson = planner.get("/lighting/gaps/export?format=geojson").get_json()
    assert len(geojson["features"]) == 3
    assert planner.get("/lighting/gaps/export?format=pdf").status_code == 400
    assert planner.get("/lighting/gaps?order=best").status_code == 400
    staff = client_as("field_staff")
    assert staff.get("/lighting/gaps").status_code == 200
    assert staff.get("/lighting/gaps/export?format=csv").status_code == 403


def test_the_lighting_map_page_and_its_layers(client, client_as, app_context):
    _network()
    service.analyse_gaps(25)
    staff = client_as("field_staff")
    page = staff.get("/lighting/").get_data(as_text=True)
    assert "leaflet.terminator/L.Terminator.js" in page and 'id="terminator-time"' in page
    lamps = staff.get("/lighting/layers/lamps.geojson").get_json()
    assert {f["properties"]["ref"]: f["properties"]["out"] for f in lamps["features"]}["OUT"] is True
    gaps = staff.get("/lighting/layers/gaps.geojson").get_json()
    assert len(gaps["features"]) == 3 and gaps["features"][0]["geometry"]["type"] == "LineString"
    assert client.get("/lighting/").status_code == 302  # the public is sent to log in
    assert client.get("/lighting/layers/lamps.geojson").status_code == 302
    assert client.get("/vendor/@joergdietrich/leaflet.terminator/L.Terminator.js").status_code == 200


def test_inventory_statistics_show_darkness_by_month_and_gaps_closed(client_as, app_context):
    year = datetime.now(LOCAL).year
    db.session.add(InventoryYear(year=year))
    place = make_place()
    db.session.add(
        Observation(
            place_id=place.id,
            source_code="citizen_report",
            text="Mörkt",
            observed_at=datetime(year, 1, 15, 20, 0, tzinfo=LOCAL),
            geom=from_shape(Point(*STORTORGET), srid=4326),
        )
    )
    db.session.commit()
    _network()
    service.analyse_gaps(25)
    _lamp("NEW50", 50, 2)
    db.session.commit()
    service.analyse_gaps(25)
    page = client_as("planner").get(f"/inventory/{year}/statistics").get_data(as_text=True)
    assert 'id="year-darkness"' in page and "(1/1)" in page
    assert 'data-closed="1"' in page
