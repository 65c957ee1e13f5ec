"""Vector tiles of counts for the EST inventory's year map and the police outreach heat map: the counts of the
tiles in a box add up to the database's count for the same box and filters; who may fetch them; bad input."""

import json
from datetime import date

import mapbox_vector_tile
import pytest
from shapely.geometry import box as shapely_box
from sqlalchemy import text

from gis_app.extensions import db
from gis_app.inventory import queries as inventory_queries
from gis_app.inventory import service
from gis_app.inventory.queries import MapFilter
from gis_app.outreach import queries as outreach_queries
from gis_app.tiles import tile_bounds
from tests.factories import STORTORGET, make_area, make_place
from tests.test_vector_tiles import tile_of

LON, LAT = STORTORGET
YEAR = 2025
N_PLACES = 300

PLACES = """
INSERT INTO place (title, title_reviewed, category_code, status_code, reported_on, district_id, geom)
SELECT 'Plats ' || i, true, (ARRAY['poor_lighting','vandalism','graffiti'])[1 + i % 3],
       CASE WHEN i % 5 = 0 THEN 'remediated' ELSE 'reported' END,
       CASE WHEN i % 2 = 0 AND i > 40 THEN DATE '2025-04-01' ELSE DATE '2024-04-01' END,
       CASE WHEN i % 4 = 0 THEN CAST(:district AS integer) END,
       ST_SetSRID(ST_MakePoint(:lon + 0.08 * ((i * 37) % 1000) / 1000.0 - 0.04,
                               :lat + 0.04 * ((i * 61) % 997) / 997.0 - 0.02), 4326)
FROM generate_series(1, :n) AS i
"""
# Reports at every hour of a week (observed_at in UTC; the app counts local hours and evenings), one per place.
OBSERVATIONS = """
INSERT INTO observation (place_id, source_code, observed_at, geom, police_only)
SELECT p.id, 'citizen_report', TIMESTAMPTZ '2026-11-02 00:00:00+00' + (p.id % 168) * INTERVAL '1 hour',
       ST_PointOnSurface(p.geom), p.id % 7 = 0
FROM place p
"""


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def tiles_box(z: int, xs: range, ys: range) -> tuple[float, float, float, float]:
    """W, S, E, N of a block of tiles (Web Mercator tiles are longitude/latitude rectangles)."""
    west, _s, _e, north = tile_bounds(z, xs.start, ys.start)
    _w, south, east, _n = tile_bounds(z, xs.stop - 1, ys.stop - 1)
    return west, south, east, north


def cells_in(client, url: str, z: int, xs: range, ys: range, query: str = "") -> tuple[int, dict]:
    """The sum of the cells' counts over the tiles, and per breakdown key."""
    total, per_key = 0, {}
    for x in xs:
        for y in ys:
            response = client.get(url.format(z=z, x=x, y=y) + query)
            if response.status_code == 404:  # beyond the municipality's extent: nothing is there
                continue
            assert response.status_code == 200, response.data
            assert response.headers["Cache-Control"].startswith("private")
            for feature in decode(response.data).get("cells", {}).get("features", []):
                total += feature["properties"]["count"]
                for key, n in json.loads(feature["properties"]["categories"]).items():
                    per_key[key] = per_key.get(key, 0) + n
    return total, per_key


LIGHTING = {"main_factor": "poor_lighting", "priority": 2}
CITY = {"responsible": "municipal_unit"}


@pytest.fixture
def year_map(app_context):
    """Two inventory years over a few hundred places, with assessments and measures that make every comparison."""
    district = make_area(shapely_box(LON - 0.1, LAT - 0.1, LON + 0.1, LAT + 0.1))
    db.session.execute(text(PLACES), {"n": N_PLACES, "lon": LON, "lat": LAT, "district": district.id})
    db.session.commit()
    for year in (YEAR - 1, YEAR):
        service.open_year(year)
    ids = list(db.session.scalars(text("SELECT id FROM place ORDER BY id")))
    for place_id in ids[:12]:  # unsafe last year: still unsafe, remediated by a measure, or found safe again
        service.save_assessment(YEAR - 1, place_id, {"still_unsafe": True, **LIGHTING})
    for place_id in ids[:4]:
        service.save_assessment(YEAR, place_id, {"still_unsafe": False, **LIGHTING})
    for place_id in ids[4:7]:
        service.create_measure(
            YEAR - 1,
            place_id,
            {
                "measure_type": "lighting",
                "responsible": "municipal_unit",
                "status": "done",
                "done_on": date(2024, 8, 9),
            },
        )
    for place_id in ids[41:61:2]:  # new this year (reported in it), with a measure under way
        service.save_assessment(YEAR, place_id, {"still_unsafe": True, "main_factor": "vandalism", "priority": 1})
        service.create_measure(YEAR, place_id, {"measure_type": "other", "responsible": "police", "status": "decided"})
    return district


def _year():
    return inventory_queries.find_year(YEAR)


INVENTORY_TILE = "/tiles/inventory/" + str(YEAR) + "/{z}/{x}/{y}.mvt"


@pytest.mark.parametrize("z", [11, 13])
def test_year_map_cells_add_up_to_the_sql_count_for_the_box_and_filters(client_as, year_map, z):
    staff = client_as("field_staff")
    x, y = tile_of(LON, LAT, z)
    xs, ys = range(x - 1, x + 2), range(y - 1, y + 2)
    box = tiles_box(z, xs, ys)
    total, per_status = cells_in(staff, INVENTORY_TILE, z, xs, ys)
    assert total == inventory_queries.map_count(_year(), MapFilter(), box) > 0
    assert set(per_status) == {"none", "decided"}  # last year's done measures do not colour this year's map
    assert per_status["decided"] == inventory_queries.map_count(_year(), MapFilter(status=["decided"]), box) > 0
    for query, place_filter in (
        ("?status=none", MapFilter(status=["none"])),
        ("?category=vandalism,graffiti", MapFilter(category=["vandalism", "graffiti"])),
        (f"?district={year_map.id}&status=none,decided", MapFilter(district=[year_map.id], status=["none", "decided"])),
        ("?comparison=new", MapFilter(comparison=["new"])),
    ):
        filtered, _ = cells_in(staff, INVENTORY_TILE, z, xs, ys, query)
        assert filtered == inventory_queries.map_count(_year(), place_filter, box), query


def _all_tiles(z: int) -> tuple[range, range]:
    x, y = tile_of(LON, LAT, z)
    return range(x - 1, x + 2), range(y - 1, y + 2)


def test_year_map_comparison_in_sql_is_the_service_classification(client_as, year_map):
    """Each comparison's cells over the whole area add up to the page's counts (service.classify in Python)."""
    staff = client_as("planner")
    counts = service.compare_with_previous(_year()).counts()
    assert counts == {"new": 10, "still_unsafe": 5, "remediated": 7}
    for kind, expected in counts.items():
        assert cells_in(staff, INVENTORY_TILE, 9, *_all_tiles(9), f"?comparison={kind}")[0] == expected, kind


def test_year_map_places_in_view_come_page_by_page_with_their_popup_texts(client_as, year_map):
    staff = client_as("field_staff")
    box = (LON - 0.01, LAT - 0.005, LON + 0.01, LAT + 0.005)
    expected = inventory_queries.map_count(_year(), MapFilter(), box)
    assert expected > 3
    found, after = [], 0
    while after is not None:
        bbox = ",".join(map(str, box))
        response = staff.get(f"/tiles/inventory/{YEAR}/places?bbox={bbox}&limit=3&after={after}")
        assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
        page = response.get_json()
        found += page["features"]
        after = page["next"]
    assert len(found) == len({f["id"] for f in found}) == expected
    feature = found[0]
    assert feature["properties"]["url"] == f"/inventory/{YEAR}/places/{feature['id']}"
    assert feature["properties"]["status"] in ("Ingen åtgärd än", "Beslutad")


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/tiles/inventory/2025/12/2200/1100.mvt?status=bogus", "status"),
        ("/tiles/inventory/2025/12/2200/1100.mvt?district=abc", "district"),
        ("/tiles/inventory/2025/12/2200/1100.mvt?category=", "category"),
        ("/tiles/inventory/2025/12/2200/1100.mvt?colour=red", "colour"),
        ("/tiles/inventory/2025/places", "bbox"),
        ("/tiles/inventory/2025/places?bbox=1,2,3", "bbox"),
        ("/tiles/inventory/2025/places?bbox=0,0,200,10", "bbox"),
        ("/tiles/inventory/2025/places?bbox=14,63,15,64&after=-1", "after"),
        ("/tiles/inventory/2025/places?bbox=14,63,15,64&limit=0", "limit"),
    ],
)
def test_year_map_bad_input_is_a_400_naming_the_field(client_as, year_map, url, field):
    x, y = tile_of(LON, LAT, 12)
    response = client_as("planner").get(url.replace("2200/1100", f"{x}/{y}"))
    assert response.status_code == 400, response.data
    assert field in response.get_data(as_text=True)


def test_year_map_tiles_outside_the_area_or_too_deep_or_of_no_year_are_404(client_as, year_map):
    staff = client_as("planner")
    x, y = tile_of(LON, LAT, 12)
    assert staff.get(f"/tiles/inventory/{YEAR}/12/0/0.mvt").status_code == 404
    assert staff.get(f"/tiles/inventory/1999/12/{x}/{y}.mvt").status_code == 404
    x19, y19 = tile_of(LON, LAT, 19)
    assert staff.get(f"/tiles/inventory/{YEAR}/19/{x19}/{y19}.mvt").status_code == 404


def test_year_map_tiles_are_for_staff_only(client, client_as, year_map):
    x, y = tile_of(LON, LAT, 12)
    tile = f"/tiles/inventory/{YEAR}/12/{x}/{y}.mvt"
    places = f"/tiles/inventory/{YEAR}/places?bbox=14,63,15,64"
    for url in (tile, places):
        assert client.get(url).status_code in (302, 401)
        assert client_as("property_owner").get(url).status_code == 403
        assert client_as("association").get(url).status_code == 403
        assert client_as("security").get(url).status_code == 200


# --- the police outreach heat map -----------------------------------------------------------------------------------

HEAT_TILE = "/outreach/tiles/{z}/{x}/{y}.mvt"
ALL_WEEK = "?weekday=1,2,3,4,5,6,7&hour=" + ",".join(map(str, range(24)))


@pytest.fixture
def reports(app_context):
    """A few hundred places with one report each, spread over every hour of a week."""
    db.session.execute(text(PLACES), {"n": N_PLACES, "lon": LON, "lat": LAT, "district": None})
    db.session.execute(text(OBSERVATIONS))
    db.session.commit()


@pytest.mark.parametrize("z", [11, 13, 14])
def test_heat_cells_add_up_to_the_sql_count_for_the_box_and_times(client_as, reports, z):
    police = client_as("police")
    x, y = tile_of(LON, LAT, z)
    xs, ys = range(x - 1, x + 2), range(y - 1, y + 2)
    box = tiles_box(z, xs, ys)
    every_day, every_hour = list(range(1, 8)), list(range(24))
    total, _ = cells_in(police, HEAT_TILE, z, xs, ys, ALL_WEEK)
    assert total == outreach_queries.heat_count(every_day, every_hour, box) > 0
    fri_sat_nights = "?weekday=5,6&hour=" + ",".join(map(str, [*range(18, 24), *range(6)]))
    nights, _ = cells_in(police, HEAT_TILE, z, xs, ys, fri_sat_nights)
    expected = outreach_queries.heat_count([5, 6], [*range(18, 24), *range(6)], box)
    assert nights == expected and 0 < nights < total
    assert cells_in(police, HEAT_TILE, z, xs, ys, "?weekday=&hour=")[0] == 0  # none ticked is none


def test_heat_cells_over_the_whole_area_are_every_report_heat_points_sees(client_as, reports):
    police = client_as("police")
    every_day, every_hour = list(range(1, 8)), list(range(24))
    assert cells_in(police, HEAT_TILE, 9, *_all_tiles(9), ALL_WEEK)[0] == N_PLACES
    assert len(outreach_queries.heat_points(every_day, every_hour)) == N_PLACES


def test_heat_tiles_are_police_only_private_and_revalidate(client, client_as, reports):
    x, y = tile_of(LON, LAT, 12)
    tile = f"/outreach/tiles/12/{x}/{y}.mvt{ALL_WEEK}"
    places = f"/outreach/layers/places{ALL_WEEK}&bbox=14,63,15,64"
    for url in (tile, places):
        assert client.get(url).status_code in (302, 401)
        for role in ("field_staff", "planner", "security", "property_owner"):
            assert client_as(role).get(url).status_code == 403, role
    police = client_as("police")
    first = police.get(tile)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in first.headers["Vary"]
    again = police.get(tile, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    make_place(observations=["ny"])  # a new report: the tile is another one
    db.session.commit()
    assert police.get(tile, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
    assert client_as("admin").get(tile).status_code == 200


def test_heat_places_in_view_come_page_by_page_with_their_counts(client_as, reports):
    police = client_as("police")
    box = (LON - 0.01, LAT - 0.005, LON + 0.01, LAT + 0.005)
    expected = outreach_queries.heat_count(list(range(1, 8)), list(range(24)), box)
    found, after = [], 0
    while after is not None:
        response = police.get(f"/outreach/layers/places{ALL_WEEK}&bbox={','.join(map(str, box))}&limit=4&after={after}")
        assert response.status_code == 200, response.data
        page = response.get_json()
        found += page["features"]
        after = page["next"]
    assert sum(p["reports"] for p in found) == expected > 4
    assert found[0]["url"] == f"/outreach/places/{found[0]['id']}"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?weekday=8&hour=1", "weekday"),
        ("?weekday=1&hour=24", "hour"),
        ("?weekday=1&hour=x", "hour"),
        ("?day=1", "day"),
    ],
)
def test_heat_bad_input_is_a_400_naming_the_field(client_as, reports, query, field):
    x, y = tile_of(LON, LAT, 12)
    police = client_as("police")
    for url in (f"/outreach/tiles/12/{x}/{y}.mvt{query}", f"/outreach/layers/places{query}&bbox=14,63,15,64"):
        response = police.get(url)
        assert response.status_code == 400 and field in response.get_data(as_text=True), url
    assert police.get(f"/outreach/layers/places{ALL_WEEK}").status_code == 400  # the view is required
