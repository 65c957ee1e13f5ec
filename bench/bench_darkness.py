"""Benchmark darkness as data: the sun back-fill and the lighting-gap analysis, each in its own database.

Usage: .venv/bin/python bench/bench_darkness.py [--observations 1000000] [--segments 10000] [--lamps 20000]
Prints the seconds each step takes (targets: back-fill of 1,000,000 observations ≤ 60 s; gap analysis of
10,000 segments and 20,000 lamps ≤ 10 s).
"""

import argparse
import sys
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import drop_database, fresh_database_url  # noqa: E402

from gis_app import create_app  # noqa: E402
from gis_app.extensions import db  # noqa: E402
from gis_app.lighting import service  # noqa: E402
from gis_app.places.models import Observation  # noqa: E402

# Observations inserted with the trigger off, as rows that existed before migration 0010 would be.
OBSERVATIONS = """
ALTER TABLE observation DISABLE TRIGGER observation_sun;
INSERT INTO place (title, category_code, geom)
SELECT 'Plats ' || i, 'poor_lighting', ST_SetSRID(ST_MakePoint(14.45 + random() * 0.5, 63.0 + random() * 0.35), 4326)
FROM generate_series(1, :places) AS i;
INSERT INTO observation (place_id, source_code, observed_at, text, geom)
SELECT 1 + i % :places, 'citizen_report', TIMESTAMPTZ '2020-01-01' + random() * INTERVAL '5 years', 'Mörkt',
       ST_SetSRID(ST_MakePoint(14.45 + random() * 0.5, 63.0 + random() * 0.35), 4326)
FROM generate_series(1, :observations) AS i;
ALTER TABLE observation ENABLE TRIGGER observation_sun;
ANALYZE observation
"""
# Short paths (40–300 m, one bend) in a 10 × 10 km square of central Östersund, in SWEREF 99 TM; lamps on them.
NETWORK = """
INSERT INTO path_segment (name, dataset, geom)
SELECT 'Gångväg ' || i, 'bench', ST_Transform(ST_SetSRID(ST_MakeLine(ARRAY[
         ST_MakePoint(x, y),
         ST_MakePoint(x + len * cos(a), y + len * sin(a)),
         ST_MakePoint(x + len * cos(a) + len * cos(a + 0.5), y + len * sin(a) + len * sin(a + 0.5))]), 3006), 4326)
FROM (SELECT i, 470000 + random() * 10000 AS x, 7000000 + random() * 10000 AS y, 20 + random() * 130 AS len,
             random() * 6.2832 AS a FROM generate_series(1, :segments) AS i) s;
INSERT INTO lamp (ref, state, dataset, geom)
SELECT 'L' || i, CASE WHEN i % 25 = 0 THEN 'broken' ELSE 'working' END, 'bench',
       ST_LineInterpolatePoint(s.geom, random())
FROM generate_series(1, :lamps) AS i
JOIN path_segment s ON s.id = 1 + i % :segments;
ANALYZE path_segment; ANALYZE lamp
"""


def _run(statements: str, values: dict) -> None:
    for statement in statements.split(";"):
        if statement.strip():
            db.session.execute(text(statement), values)
    db.session.commit()


def bench_backfill(observations: int) -> None:
    name = "gis_app_bench_sun"
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(name)})
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        _run(OBSERVATIONS, {"observations": observations, "places": max(1, observations // 10)})
        print(f"generated {observations} observations without a sun altitude in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        done = service.backfill_sun()
        seconds = time.perf_counter() - start
        missing = db.session.scalar(select(func.count()).where(Observation.sun_altitude.is_(None)))
        print(
            f"back-filled the sun altitude and light class of {done} observations in {seconds:.1f} s "
            f"({missing} left without)"
        )
        db.session.remove()
    drop_database(name)


def bench_gaps(segments: int, lamps: int) -> None:
    name = "gis_app_bench_gaps"
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(name)})
    with app.app_context():
        upgrade()
        _run(NETWORK, {"segments": segments, "lamps": lamps})
        start = time.perf_counter()
        run = service.analyse_gaps(25)
        seconds = time.perf_counter() - start
        print(
            f"gap analysis of {run.segments} segments ({run.network_m / 1000:.0f} km) and {run.lamps} working lamps "
            f"in {seconds:.1f} s: {run.gap_m / 1000:.1f} km unlit"
        )
        db.session.remove()
    drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--segments", type=int, default=10_000)
    parser.add_argument("--lamps", type=int, default=20_000)
    args = parser.parse_args()
    bench_gaps(args.segments, args.lamps)
    bench_backfill(args.observations)


if __name__ == "__main__":
    main()
