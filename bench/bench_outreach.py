"""Benchmark the outreach ranking with and without the clause that keeps police visit notes out of the reports.

Usage: .venv/bin/python bench/bench_outreach.py [--places 5000] [--repeat 10]
Generates places with three recent reports each, and a police visit with a note (an observation linked from the
visit) at one place in four; prints the median milliseconds of service.rank() (every place scored) with the
reports-only clause (issue 11) and with it replaced by TRUE (what the score did before).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text, true

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import drop_database, fresh_database_url  # noqa: E402

from gis_app import create_app  # noqa: E402
from gis_app.extensions import db  # noqa: E402
from gis_app.outreach import queries, service  # noqa: E402

FILL = """
INSERT INTO place (title, category_code, status_code, time_of_day, priority, reported_on, geom)
SELECT 'Plats ' || i, (ARRAY['poor_lighting','vandalism','youth_gatherings','violence'])[1 + i % 4],
       'reported', (ARRAY['day','evening','night'])[1 + i % 3], 1, CURRENT_DATE,
       ST_SetSRID(ST_MakePoint(14.45 + random() * 0.5, 63.0 + random() * 0.35), 4326)
FROM generate_series(1, :n) AS i;
INSERT INTO observation (place_id, source_code, observed_at, text, geom)
SELECT id, 'citizen_report', now() - (k * 7 + id % 20) * INTERVAL '1 day', 'Mörkt', geom
FROM place, generate_series(1, 3) AS k;
INSERT INTO observation (place_id, source_code, observed_at, text, police_only, geom)
SELECT id, 'police', now() - INTERVAL '2 days', 'Besöksanteckning', true, geom FROM place WHERE id % 4 = 0;
INSERT INTO outreach_visit (client_uuid, place_id, visited_at, contacts, observation_id)
SELECT gen_random_uuid(), o.place_id, o.observed_at, 1, o.id FROM observation o WHERE o.source_code = 'police';
ANALYZE place; ANALYZE observation; ANALYZE outreach_visit;
"""


def median_ms(action, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    name = "gis_app_bench_outreach"
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(name), "SECRET_KEY": "bench"})
    with app.app_context(), app.test_request_context():
        upgrade()
        for statement in FILL.split(";"):
            if statement.strip():
                db.session.execute(text(statement), {"n": args.places})
        db.session.commit()
        reports_only = median_ms(service.rank, args.repeat)
        counted = service.rank()
        original = queries._is_report
        queries._is_report = lambda: true()  # the score before the fix: visit notes counted as reports
        every_observation = median_ms(service.rank, args.repeat)
        queries._is_report = original
        noted = sum(1 for r in counted if r.candidate.inputs.reports != 3)
        print(f"{args.places} places, {3 * args.places} reports, {args.places // 4} visits with a note")
        print(f"rank(), reports only (issue 11):      {reports_only:8.1f} ms median of {args.repeat}")
        print(f"rank(), visit notes counted (before): {every_observation:8.1f} ms median of {args.repeat}")
        print(f"places whose report count is not 3 with the fix: {noted}")
        db.session.remove()
        db.engine.dispose()
    drop_database(name)


if __name__ == "__main__":
    main()
