"""Public positions kept by the database, and what the public can infer from everything it is shown."""

import json
import math

from pyproj import Transformer
from shapely.geometry import box
from sqlalchemy import text

from gis_app.extensions import db
from gis_app.places.queries import set_public_grid
from tests.factories import STORTORGET, make_area, make_place

ITEMS = "/api/collections/places/items"
TO_SWEREF = Transformer.from_crs(4326, 3006, always_xy=True)
TO_WGS84 = Transformer.from_crs(3006, 4326, always_xy=True)
GRID = 250


def _cell_of(lon: float, lat: float) -> tuple[float, float]:
    """South-west corner (SWEREF 99 TM) of the public grid cell holding the point."""
    x, y = TO_SWEREF.transform(lon, lat)
    return math.floor(x / GRID) * GRID, math.floor(y / GRID) * GRID


def _lonlat_box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    corners = [TO_WGS84.transform(x, y) for x in (x0, x1) for y in (y0, y1)]
    lons, lats = [c[0] for c in corners], [c[1] for c in corners]
    return min(lons), min(lats), max(lons), max(lats)


def _move(place_id: int, x: float, y: float) -> None:
    db.session.execute(
        text("UPDATE place SET geom = ST_Transform(ST_SetSRID(ST_MakePoint(:x, :y), 3006), 4326) WHERE id = :id"),
        {"x": x, "y": y, "id": place_id},
    )
    db.session.commit()


def _public_view(client, place_id: int, districts: list[int], probes: list[str]) -> str:
    """Everything an anonymous client can ask about the place, as one comparable text."""
    answers = {"item": client.get(f"{ITEMS}/{place_id}").json, "all": client.get(ITEMS).json}
    for district in districts:
        answers[f"district {district}"] = client.get(f"{ITEMS}?district={district}").json
    for probe in probes:
        answers[f"bbox {probe}"] = client.get(f"{ITEMS}?bbox={probe}").json
    for answer in answers.values():
        answer.pop("timeStamp", None)
    return json.dumps(answers, sort_keys=True)


def test_everything_the_public_sees_leaves_the_whole_cell_possible(client, app_context, client_as, app, monkeypatch):
    """Move a sensitive place to many positions in one grid cell that a district border splits: every anonymous
    answer (position, district, district filters and counts, bbox probes) must stay the same."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "")  # this test asks a thousand questions
    x0, y0 = _cell_of(*STORTORGET)
    border_lon, _ = TO_WGS84.transform(x0 + 40, y0 + GRID / 2)  # a border cutting off a 40 m strip of the cell
    west = make_area(box(14.5, 63.0, border_lon, 63.3), code="W", name="Väster")
    east = make_area(box(border_lon, 63.0, 14.8, 63.3), code="E", name="Öster")
    place = make_place(category_code="drug_related")
    steps = [GRID * f for f in (0.04, 0.1, 0.3, 0.5, 0.7, 0.96)]
    probes = [
        ",".join(
            f"{v:.7f}"
            for v in _lonlat_box(x0 + i * GRID / 5, y0 + j * GRID / 5, x0 + (i + 1) * GRID / 5, y0 + (j + 1) * GRID / 5)
        )
        for i in range(5)
        for j in range(5)
    ]
    views, staff_districts = set(), set()
    staff = client_as("planner")
    for dx in steps:
        for dy in steps:
            _move(place.id, x0 + dx, y0 + dy)
            views.add(_public_view(client, place.id, [west.id, east.id], probes))
            staff_districts.add(staff.get(f"{ITEMS}/{place.id}").json["properties"]["district_id"])
    assert staff_districts == {west.id, east.id}  # the border really splits the cell
    assert len(views) == 1, "an anonymous answer changed with the position inside the cell"


def test_public_district_is_that_of_the_cell_centre(client, app_context, client_as):
    x0, y0 = _cell_of(*STORTORGET)
    border_lon, _ = TO_WGS84.transform(x0 + 40, y0 + GRID / 2)
    west = make_area(box(14.5, 63.0, border_lon, 63.3), code="W", name="Väster")
    east = make_area(box(border_lon, 63.0, 14.8, 63.3), code="E", name="Öster")
    place = make_place(category_code="youth_gatherings")
    _move(place.id, x0 + 10, y0 + 10)  # exactly in the western strip; the cell's centre lies in the east
    public = client.get(f"{ITEMS}/{place.id}").json["properties"]
    assert (public["district_id"], public["district_name"]) == (east.id, "Öster")
    assert client.get(f"{ITEMS}?district={west.id}").json["numberMatched"] == 0
    staff = client_as("police").get(f"{ITEMS}/{place.id}").json["properties"]
    assert staff["district_id"] == west.id


def _public_row(place_id: int):
    return db.session.execute(
        text("SELECT ST_AsText(public_geom), public_district_id, ST_AsText(geom) FROM place WHERE id = :id"),
        {"id": place_id},
    ).one()


def test_the_database_keeps_public_positions_right_on_every_write(app_context):
    place = make_place(category_code="poor_lighting")
    public, _, exact = _public_row(place.id)
    assert public == exact  # ordinary places are public as they are
    db.session.execute(text("UPDATE place SET category_code = 'drug_related' WHERE id = :id"), {"id": place.id})
    db.session.commit()
    public, _, exact = _public_row(place.id)
    assert public != exact and public.startswith("POINT")
    moved_cell = public
    _move(place.id, *TO_SWEREF.transform(14.70, 63.20))
    assert _public_row(place.id)[0] != moved_cell


def test_category_sensitivity_grid_size_and_districts_move_public_positions(app_context):
    place = make_place(category_code="vandalism")
    try:
        db.session.execute(text("UPDATE category SET sensitive = true WHERE code = 'vandalism'"))
        db.session.commit()
        public, _, exact = _public_row(place.id)
        assert public != exact
        assert set_public_grid(1000) and not set_public_grid(1000)
        x, y = TO_SWEREF.transform(*[float(v) for v in _public_row(place.id)[0][6:-1].split()])
        assert round(x) % 1000 == 500 and round(y) % 1000 == 500
    finally:
        set_public_grid(GRID)
        db.session.execute(text("UPDATE category SET sensitive = false WHERE code = 'vandalism'"))
        db.session.commit()
    public, _, exact = _public_row(place.id)
    assert public == exact
    district = make_area(box(14.5, 63.0, 14.8, 63.3))
    assert _public_row(place.id)[1] == district.id  # areas imported after the place


def test_outside_organisations_accounts_see_what_the_public_sees(client, app_context, client_as):
    place = make_place(category_code="youth_gatherings")
    public = client.get(f"{ITEMS}/{place.id}").json["geometry"]
    for role in ("property_owner", "association"):
        assert client_as(role).get(f"{ITEMS}/{place.id}").json["geometry"] == public
    assert client_as("security").get(f"{ITEMS}/{place.id}").json["geometry"] != public
