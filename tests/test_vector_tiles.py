"""Vector tiles of places: counts that add up, generalised positions for the public, cache headers and ETags."""

import json
import math

import mapbox_vector_tile
import pytest
from pyproj import Transformer
from sqlalchemy import text

from gis_app.extensions import db
from tests.factories import STORTORGET, make_place, make_token, make_user

SENSITIVE = "drug_related"
TO_SWEREF = Transformer.from_crs(4326, 3006, always_xy=True)
JSON = {"Accept": "application/json"}
HALF = 20037508.342789244  # half the Web Mercator world, metres


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def lonlat(z: int, x: int, y: int, px: float, py: float) -> tuple[float, float]:
    """The position of MVT coordinates (y down) in tile z/x/y."""
    n = 2**z
    mx, my = (x + px / 4096) / n, (y + py / 4096) / n
    return mx * 360 - 180, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * my))))


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def spread_places():
    """Places in and around the centre: plain, sensitive, a line, a polygon; reproducible positions."""
    lon, lat = STORTORGET
    for i in range(60):
        dx, dy = ((i * 37) % 101 - 50) / 2000, ((i * 53) % 97 - 48) / 4000
        make_place(
            title=f"Plats {i}",
            category_code=SENSITIVE if i % 4 == 0 else "vandalism",
            geometry={"type": "Point", "coordinates": [lon + dx, lat + dy]},
        )
    make_place(
        title="Gångväg",
        category_code="dark_path",
        geometry={"type": "LineString", "coordinates": [[lon, lat], [lon + 0.01, lat + 0.003]]},
    )
    make_place(
        title="Park",
        category_code="youth_gatherings",
        geometry={
            "type": "Polygon",
            "coordinates": [
                [[lon, lat], [lon + 0.004, lat], [lon + 0.004, lat + 0.002], [lon, lat + 0.002], [lon, lat]]
            ],
        },
    )


def sql_count(column: str, z: int, xs: range, ys: range, where: str = "true") -> int:
    """Places whose point on surface lies in these tiles, half-open as tiles are, computed without cell numbers."""
    x0, x1 = xs.start, xs.stop
    y0, y1 = ys.start, ys.stop
    size = 2 * HALF / 2**z
    return db.session.scalar(
        text(f"""
        SELECT count(*) FROM (SELECT ST_Transform(ST_PointOnSurface({column}), 3857) AS p FROM place WHERE {where}) s
        WHERE ST_X(p) >= :west AND ST_X(p) < :east AND ST_Y(p) <= :north AND ST_Y(p) > :south"""),
        {"west": -HALF + x0 * size, "east": -HALF + x1 * size, "north": HALF - y0 * size, "south": HALF - y1 * size},
    )


def counts_in(client, z: int, xs: range, ys: range, query: str = "", headers=None) -> tuple[int, dict]:
    total, per_category = 0, {}
    for x in xs:
        for y in ys:
            response = client.get(f"/tiles/places/{z}/{x}/{y}.mvt{query}", headers=headers or {})
            assert response.status_code == 200, response.data
            for feature in decode(response.data).get("cells", {}).get("features", []):
                total += feature["properties"]["count"]
                for code, n in json.loads(feature["properties"]["categories"]).items():
                    per_category[code] = per_category.get(code, 0) + n
    return total, per_category


@pytest.mark.parametrize("z", [11, 13, 14])
def test_zoomed_out_counts_add_up_to_the_sql_count(client, app_context, z):
    spread_places()
    x, y = tile_of(*STORTORGET, z)
    xs, ys = range(x - 1, x + 2), range(y - 1, y + 2)
    total, per_category = counts_in(client, z, xs, ys)
    assert total == sql_count("public_geom", z, xs, ys) > 0
    assert per_category[SENSITIVE] == sql_count("public_geom", z, xs, ys, f"category_code = '{SENSITIVE}'")
    # With a filter, the same holds for what the filter keeps.
    filtered, _ = counts_in(client, z, xs, ys, f"?category={SENSITIVE},dark_path")
    assert filtered == sql_count("public_geom", z, xs, ys, f"category_code IN ('{SENSITIVE}', 'dark_path')")


def test_staff_counts_use_the_exact_positions(client_as):
    spread_places()
    z = 15
    x, y = tile_of(*STORTORGET, z)
    xs, ys = range(x - 2, x + 3), range(y - 2, y + 3)
    total, _ = counts_in(client_as("planner"), z, xs, ys)
    assert total == sql_count("geom", z, xs, ys)


def _cell_centre_distance(lon: float, lat: float, metres: int = 250) -> float:
    """Metres from the nearest centre of the public grid's cells (SWEREF 99 TM)."""
    east, north = TO_SWEREF.transform(lon, lat)
    return math.hypot(
        east - (math.floor(east / metres) + 0.5) * metres, north - (math.floor(north / metres) + 0.5) * metres
    )


def _points(client, z: int, xs: range, ys: range, headers=None) -> dict[int, dict]:
    found = {}
    for x in xs:
        for y in ys:
            response = client.get(f"/tiles/places/{z}/{x}/{y}.mvt", headers=headers or {})
            assert response.status_code == 200
            for feature in decode(response.data).get("places", {}).get("features", []):
                geometry = feature["geometry"]
                if geometry["type"] == "Point":
                    feature["lonlat"] = lonlat(z, x, y, *geometry["coordinates"])
                found[feature["properties"]["id"]] = feature
    return found


def test_public_points_never_show_a_sensitive_place_inside_its_cell(client, client_as):
    spread_places()
    z = 16
    x, y = tile_of(*STORTORGET, z)
    xs, ys = range(x - 3, x + 4), range(y - 3, y + 4)
    public = _points(client, z, xs, ys)
    sensitive = [f for f in public.values() if f["properties"]["category"] == SENSITIVE]
    assert sensitive, "the tiles hold sensitive places"
    for feature in sensitive:
        assert feature["properties"]["generalised"] is True
        assert _cell_centre_distance(*feature["lonlat"]) < 0.5  # the cell's centre, within the tile's precision
    plain = [f for f in public.values() if f["properties"]["category"] == "vandalism"]
    assert all(f["properties"]["generalised"] is False for f in plain)

    staff = _points(client_as("planner"), z, xs, ys)
    moved = [
        i
        for i, f in staff.items()
        if f["properties"]["category"] == SENSITIVE
        and i in public
        and math.dist(f["lonlat"], public[i]["lonlat"]) > 1e-5
    ]
    assert moved, "staff see sensitive places where they are"
    assert all(f["properties"]["generalised"] is False for f in staff.values())


def test_zoomed_out_public_counts_are_counted_by_the_public_position(client, app_context):
    """A sensitive place just inside a tile whose public cell centre lies in the next tile is counted there."""
    z = 16
    lon, lat = STORTORGET
    x, y = tile_of(lon, lat, z)
    west = lonlat(z, x, y, 0, 2048)[0]
    place = make_place(category_code=SENSITIVE, geometry={"type": "Point", "coordinates": [west + 1e-6, lat]})
    public_lon = db.session.scalar(text("SELECT ST_X(public_geom) FROM place WHERE id = :id"), {"id": place.id})
    counted_in = tile_of(public_lon, lat, z - 2)
    zoomed_out = z - 2
    total, _ = counts_in(
        client, zoomed_out, range(counted_in[0], counted_in[0] + 1), range(counted_in[1], counted_in[1] + 1)
    )
    assert total == 1


def test_tiles_carry_cache_headers_and_answer_304_when_unchanged(client, client_as):
    make_place()
    z = 12
    x, y = tile_of(*STORTORGET, z)
    url = f"/tiles/places/{z}/{x}/{y}.mvt"
    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "application/vnd.mapbox-vector-tile"
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url + "?category=vandalism").headers["ETag"] != etag  # filters are part of it
    make_place(title="Ny plats")  # any change of places moves the data version on
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200

    staff = client_as("planner").get(url)
    assert staff.headers["Cache-Control"] == "private, no-cache"
    assert staff.headers["ETag"] != client.get(url).headers["ETag"]
    assert "Cookie" in staff.headers["Vary"] and "Authorization" in staff.headers["Vary"]


def test_bad_tiles_and_filters_are_4xx_naming_the_field(client, app_context):
    z = 12
    x, y = tile_of(*STORTORGET, z)
    assert client.get("/tiles/places/12/0/0.mvt").status_code == 404  # far from the municipality
    assert client.get("/tiles/places/3/99/0.mvt").status_code == 404
    assert client.get("/tiles/places/40/0/0.mvt").status_code == 404
    response = client.get(f"/tiles/places/{z}/{x}/{y}.mvt?category=nope", headers=JSON)
    assert response.status_code == 400 and response.json["field"] == "category"
    response = client.get(f"/tiles/places/{z}/{x}/{y}.mvt?year=abc", headers=JSON)
    assert response.status_code == 400 and response.json["field"] == "year"
    response = client.get(f"/tiles/places/{z}/{x}/{y}.mvt?bogus=1", headers=JSON)
    assert response.status_code == 400 and response.json["field"] == "bogus"


def test_empty_tile_is_an_empty_body(client, app_context):
    z = 14
    x, y = tile_of(*STORTORGET, z)
    response = client.get(f"/tiles/places/{z}/{x}/{y}.mvt")
    assert response.status_code == 200 and decode(response.data) == {}


def _pyramid() -> set:
    return set(
        db.session.execute(text("SELECT public, level, cell, category_code, n FROM place_cell_count WHERE n > 0"))
    )


def test_pre_counted_cells_follow_inserts_moves_category_changes_and_deletes(client, client_as):
    """The pyramid the counts tiles read is kept by the database: after every kind of write it equals a recount,
    and the tiles' counts still equal the SQL count for the same tiles, filtered or not, for both audiences."""
    spread_places()
    lon, lat = STORTORGET
    db.session.execute(
        text("UPDATE place SET geom = ST_Translate(geom, 0.02, 0.004) WHERE title IN ('Plats 1', 'Plats 4')")
    )
    db.session.execute(text(f"UPDATE place SET category_code = '{SENSITIVE}' WHERE title = 'Plats 2'"))
    db.session.execute(text("UPDATE place SET title = 'Ny titel' WHERE title = 'Plats 3'"))  # no change of cell
    db.session.execute(text("DELETE FROM place WHERE title IN ('Plats 5', 'Plats 8')"))
    db.session.commit()
    kept = _pyramid()
    assert kept and {row[0] for row in kept} == {True, False}
    db.session.execute(text("SELECT rebuild_place_cell_counts()"))
    assert _pyramid() == kept

    for z in (8, 11, 14):  # coarser than the pyramid (summed from its zoom-12 cells), and in it
        x, y = tile_of(lon, lat, z)
        xs, ys = (range(x, x + 1), range(y, y + 1)) if z < 10 else (range(x - 1, x + 2), range(y - 1, y + 2))
        assert counts_in(client, z, xs, ys)[0] == sql_count("public_geom", z, xs, ys) > 0
        assert counts_in(client_as("planner"), z, xs, ys)[0] == sql_count("geom", z, xs, ys)
        filtered, per_category = counts_in(client, z, xs, ys, f"?category={SENSITIVE}")
        assert (
            filtered == per_category[SENSITIVE] == sql_count("public_geom", z, xs, ys, f"category_code = '{SENSITIVE}'")
        )


def test_truncating_places_empties_the_pre_counted_cells(app_context):
    make_place()
    assert _pyramid()
    db.session.execute(text("TRUNCATE place CASCADE"))
    db.session.commit()
    assert not _pyramid()


def test_staff_tiles_work_with_an_api_token(client, client_as):
    """A staff member's token gets the staff tiles (exact positions, private), as a session does; the public's
    tiles are never answered from the staff's kept tiles; a bad token is refused."""
    spread_places()
    z = 16
    x, y = tile_of(*STORTORGET, z)
    xs, ys = range(x - 3, x + 4), range(y - 3, y + 4)
    bearer = {"Authorization": f"Bearer {make_token(make_user('planner'))}"}
    by_token = _points(client, z, xs, ys, headers=bearer)
    assert by_token == _points(client_as("planner"), z, xs, ys)
    assert all(f["properties"]["generalised"] is False for f in by_token.values())
    public = _points(client, z, xs, ys)
    assert any(f["properties"]["generalised"] for f in public.values())
    response = client.get(f"/tiles/places/{z}/{x}/{y}.mvt", headers=bearer)
    assert response.headers["Cache-Control"] == "private, no-cache"

    zoomed_out = 13
    x, y = tile_of(*STORTORGET, zoomed_out)
    xs, ys = range(x - 1, x + 2), range(y - 1, y + 2)
    assert counts_in(client, zoomed_out, xs, ys, headers=bearer)[0] == sql_count("geom", zoomed_out, xs, ys)
    bad = client.get(f"/tiles/places/{z}/{x}/{y}.mvt", headers={"Authorization": "Bearer nope", **JSON})
    assert bad.status_code == 401
