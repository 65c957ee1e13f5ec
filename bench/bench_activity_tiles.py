"""Benchmark the year map's and the heat map's tiles of counts per cell at scale, and check that they add up.

Usage: .venv/bin/python bench/bench_activity_tiles.py [--places 1000000] [--repeat 3]
Builds bench/scale_data.py's data set (as many observations as places) in a database of its own, opens the EST
inventory years 2024 and 2025, then for zooms 10, 12 and 14 fetches the 3 × 3 tiles around the centre of each map
through the app (as a police user, who may see both) and prints the median milliseconds per tile, and whether the
cells' counts add up to the SQL count of the same box (they must: the map at any size tells the truth).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import mapbox_vector_tile
from flask_migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale_data import BOUNDS, CENTRE, OBSERVATIONS, PLACES, UNIFORM  # noqa: E402
from sqlalchemy import text  # noqa: E402

from gis_app import create_app  # noqa: E402
from gis_app.extensions import db  # noqa: E402
from gis_app.inventory import queries as inventory_queries  # noqa: E402
from gis_app.inventory import service  # noqa: E402
from gis_app.outreach import queries as outreach_queries  # noqa: E402
from gis_app.tiles import tile_bounds  # noqa: E402
from tests.factories import PASSWORD, csrf_token, make_user  # noqa: E402
from tests.helpers import drop_database, fresh_database_url  # noqa: E402
from tests.test_vector_tiles import tile_of  # noqa: E402

EVERY_DAY, EVERY_HOUR = list(range(1, 8)), list(range(24))
HEAT_QUERY = "?weekday=1,2,3,4,5,6,7&hour=" + ",".join(map(str, EVERY_HOUR))


def _build(places: int) -> None:
    """scale_data's places and as many observations, then ANALYZE (VACUUM cannot run in the session's transaction)."""
    west, south, east, north = BOUNDS
    db.session.execute(text(UNIFORM))
    bounds = {"west": west, "south": south, "east": east, "north": north}
    db.session.execute(text(PLACES), {"n": places, "lon": CENTRE[0], "lat": CENTRE[1], **bounds})
    db.session.execute(text(OBSERVATIONS), {"n": places, "places": places})
    db.session.execute(text("ANALYZE place; ANALYZE observation"))
    db.session.commit()


def _client(app):
    police = make_user("police")
    client = app.test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={"email": police.email, "password": PASSWORD, "csrf_token": token})
    return client


def _tiles(client, url: str, z: int, repeat: int) -> tuple[float, int, tuple]:
    """Median ms per tile over the 3 × 3 block around the centre, the cells' total, and the block's box."""
    x, y = tile_of(*CENTRE, z)
    times, total = [], 0
    for tx in range(x - 1, x + 2):
        for ty in range(y - 1, y + 2):
            for round_ in range(repeat):
                started = time.perf_counter()
                response = client.get(url.format(z=z, x=tx, y=ty))
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.data[:200]
                if round_ == 0:
                    cells = mapbox_vector_tile.decode(response.data).get("cells", {}).get("features", [])
                    total += sum(feature["properties"]["count"] for feature in cells)
    west, _s, _e, north = tile_bounds(z, x - 1, y - 1)
    _w, south, east, _n = tile_bounds(z, x + 1, y + 1)
    return statistics.median(times), total, (west, south, east, north)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    name = "gis_app_bench_activity_tiles"
    url = fresh_database_url(name)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TILE_URL": "", "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            _build(args.places)
            print(f"{args.places} places and observations built in {time.perf_counter() - started:.0f} s")
            for year in (2024, 2025):
                service.open_year(year)
            year = inventory_queries.find_year(2025)
            client = _client(app)
            for z in (10, 12, 14):
                ms, total, box = _tiles(client, "/tiles/inventory/2025/{z}/{x}/{y}.mvt", z, args.repeat)
                sql = inventory_queries.map_count(year, inventory_queries.MapFilter(), box)
                print(json.dumps({"map": "year", "z": z, "median_ms_per_tile": round(ms), "cells": total, "sql": sql}))
                ms, total, box = _tiles(client, "/outreach/tiles/{z}/{x}/{y}.mvt" + HEAT_QUERY, z, args.repeat)
                sql = outreach_queries.heat_count(EVERY_DAY, EVERY_HOUR, box)
                print(json.dumps({"map": "heat", "z": z, "median_ms_per_tile": round(ms), "cells": total, "sql": sql}))
            db.session.remove()
    finally:
        drop_database(name)


if __name__ == "__main__":
    main()
