"""Benchmark property protection: importing a register of many property polygons, the list and map page with many
properties and cameras, and one daily reminder run over many overdue measures (to a local aiosmtpd server).

Usage: .venv/bin/python bench/bench_properties.py [--properties 2000] [--overdue 200] [--repeat 5]
Prints seconds for the import and the reminder runs, and median milliseconds per page (Flask test client).
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import geopandas
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from shapely.geometry import box
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gis_app import create_app  # noqa: E402
from gis_app.extensions import db  # noqa: E402
from gis_app.properties import notify, service  # noqa: E402
from tests.factories import PASSWORD, csrf_token, make_place, make_user  # noqa: E402
from tests.helpers import drop_database, free_port, fresh_database_url  # noqa: E402

FILL_CAMERAS = """
INSERT INTO property_camera (property_id, name, geom, view)
SELECT p.id, 'Kamera ' || p.id, ST_PointOnSurface(p.geom), ST_Buffer(ST_PointOnSurface(p.geom), 0.0002, 2)
FROM property p
"""
FILL_OVERDUE = """
WITH year AS (INSERT INTO inventory_year (year, status) VALUES (extract(year FROM now())::int, 'open') RETURNING id),
     assessment AS (
       INSERT INTO inventory_assessment (year_id, place_id, still_unsafe, main_factor)
       SELECT year.id, :place, true, 'poor_lighting' FROM year RETURNING id),
     visit AS (
       INSERT INTO property_site_visit (property_id, visited_on, participants, findings)
       SELECT min(id), current_date - 30, 'A', 'B' FROM property RETURNING id),
     measure AS (
       INSERT INTO inventory_measure (assessment_id, measure_type, responsible, status, description, due_on)
       SELECT assessment.id, 'lighting', 'property_owner', 'decided', 'Ljus ' || g, current_date - 5
       FROM assessment, generate_series(1, :n) AS g RETURNING id)
INSERT INTO property_visit_measure (visit_id, measure_id, responsible_email)
SELECT visit.id, measure.id, 'ansvarig' || measure.id || '@example.se' FROM visit, measure
"""


class Inbox:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.count += 1
        return "250 OK"


def _median_ms(client, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _register(path: Path, count: int) -> None:
    rng = random.Random(1)
    rows = []
    for i in range(count):
        lon, lat = 14.60 + rng.random() * 0.08, 63.16 + rng.random() * 0.03
        rows.append(
            {"fastighet": f"Bench {i}:1", "namn": f"Fastighet {i}", "geometry": box(lon, lat, lon + 4e-4, lat + 2e-4)}
        )
    geopandas.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326").to_file(path, driver="GPKG")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--properties", type=int, default=2000)
    parser.add_argument("--overdue", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    name = "gis_app_bench_properties"
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": fresh_database_url(name),
            "SECRET_KEY": "bench",
            "TILE_URL": "",
            "TESTING": True,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": smtp.port,
        }
    )
    try:
        with app.app_context():
            upgrade()
            place = make_place()
            path = Path("/tmp/bench_properties.gpkg")
            _register(path, args.properties)
            started = time.perf_counter()
            service.import_properties(path)
            print(f"import {args.properties} properties (GeoPackage): {time.perf_counter() - started:.2f} s")
            db.session.execute(text(FILL_CAMERAS))
            db.session.execute(text(FILL_OVERDUE), {"place": place.id, "n": args.overdue})
            db.session.commit()
            email = make_user("security").email
        client = app.test_client()
        with app.app_context():
            token = csrf_token(client, "/login")
        client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        print(f"list and map (security, with cameras): {_median_ms(client, '/properties/', args.repeat):.0f} ms")
        with app.app_context():
            started = time.perf_counter()
            result = notify.send_reminders()
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = notify.send_reminders()
            second = time.perf_counter() - started
        print(
            f"reminder run: {result.assigned + result.overdue} e-mails in {first:.2f} s; "
            f"second run: {again.assigned + again.overdue} e-mails in {second:.2f} s (server got {inbox.count})"
        )
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(name)
        smtp.stop()


if __name__ == "__main__":
    main()
