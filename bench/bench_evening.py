"""Benchmark the evening economy: importing a register of many premises, and the map page and yearly summary
with many premises, inspections and unsafe places in the zone.

Usage: .venv/bin/python bench/bench_evening.py [--premises 5000] [--repeat 5]
Prints seconds for the import and median milliseconds per page (Flask test client, no HTTP).
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import drop_database, fresh_database_url  # noqa: E402

from gis_app import create_app  # noqa: E402
from gis_app.evening import demo, service  # noqa: E402
from gis_app.extensions import db  # noqa: E402

FILL_PLACES = """
INSERT INTO place (title, category_code, time_of_day, geom)
SELECT 'Plats ' || i, 'poor_lighting', (ARRAY['day','evening','night'])[1 + i % 3],
       ST_SetSRID(ST_MakePoint(14.628 + random() * 0.022, 63.172 + random() * 0.010), 4326)
FROM generate_series(1, :n) AS i
"""
FILL_INSPECTIONS = """
INSERT INTO evening_inspection (premises_id, inspected_at, municipality_staff, police_staff, over_serving,
    age_checks, order_security, staff_trained, crowding, outcome)
SELECT p.id, now() - (random() * interval '300 days'), 'A', 'B', 'ok', 'ok', 'ok', 'ok', 'ok',
       (ARRAY['no_remarks','remarks','serious'])[1 + (p.id + g) % 3]
FROM evening_premises p, generate_series(1, 3) AS g
"""


def _median_ms(client, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--premises", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    name = "gis_app_bench_evening"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": fresh_database_url(name),
            "SECRET_KEY": "bench",
            "TILE_URL": "",
            "IMPORT_MAX_FEATURES": 1_000_000,
            "TESTING": True,
        }
    )
    try:
        with app.app_context():
            upgrade()
            demo._zone()
            db.session.commit()
            rng = random.Random(1)
            path = Path("/tmp/bench_premises.csv")
            lines = ["licence_ref,name,opens_at,closes_at,lon,lat"] + [
                f"B-{i},Ställe {i},17:00,{rng.choice(['22:00', '01:00', '03:00'])},"
                f"{14.628 + rng.random() * 0.022:.6f},{63.172 + rng.random() * 0.010:.6f}"
                for i in range(args.premises)
            ]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            started = time.perf_counter()
            service.import_premises(path)
            print(f"import {args.premises} premises: {time.perf_counter() - started:.2f} s")
            db.session.execute(text(FILL_PLACES), {"n": 2000})
            db.session.execute(text(FILL_INSPECTIONS))
            db.session.commit()
        client = app.test_client()
        print(f"map page (public): {_median_ms(client, '/evening/', args.repeat):.0f} ms")
        # a police session without the login form
        with client.session_transaction() as session, app.app_context():
            from factories import make_user

            session["_user_id"] = str(make_user("police").id)
            session["_fresh"] = True
        print(f"map page (police, with inspections and places): {_median_ms(client, '/evening/', args.repeat):.0f} ms")
        print(f"yearly summary: {_median_ms(client, '/evening/premises', args.repeat):.0f} ms")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(name)


if __name__ == "__main__":
    main()
