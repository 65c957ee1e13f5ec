"""Benchmark the places API against the bare SQL it runs, on a generated table of many places.

Usage: .venv/bin/python bench/bench_api.py [--places 100000] [--repeat 20]
Prints, for each request, the median milliseconds through the app (Flask test client, no HTTP, as the
public: no login) and for the page's SQL alone, so the app's own overhead shows. One place in five is in a
sensitive category, so the public's generalised positions are exercised. Requests the code under test does not
support (a keyset cursor, before it existed) print n/a.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gis_app import create_app  # noqa: E402
from gis_app.extensions import db  # noqa: E402
from gis_app.places import queries  # noqa: E402
from tests.helpers import drop_database, fresh_database_url  # noqa: E402

FILL = """
INSERT INTO place (title, category_code, status_code, time_of_day, priority, reported_on, geom)
SELECT 'Plats ' || i,
       (ARRAY['poor_lighting','vandalism','graffiti','dark_path','drug_related'])[1 + i % 5],
       (ARRAY['reported','confirmed','measure_planned','remediated'])[1 + i % 4],
       (ARRAY['day','evening','night'])[1 + i % 3],
       1 + i % 3,
       DATE '2024-01-01' + (i % 1000),
       ST_SetSRID(ST_MakePoint(14.45 + random() * 0.5, 63.0 + random() * 0.35), 4326)
FROM generate_series(1, :n) AS i;
INSERT INTO observation (place_id, source_code, observed_at, text, geom)
SELECT id, 'citizen_report', TIMESTAMPTZ '2024-01-01' + (id % 1000) * INTERVAL '1 day', 'Mörkt och otryggt', geom
FROM place, generate_series(1, 2);
ANALYZE place; ANALYZE observation;
"""

REQUESTS = {
    "first page, whole municipality (limit 100)": "bbox=14.26,62.89,15.56,63.60&limit=100",
    "map fetch, town centre box (limit 5000)": "bbox=14.60,63.16,14.68,63.20&limit=5000",
    "bbox, town centre (limit 1000)": "bbox=14.60,63.16,14.68,63.20&limit=1000",
    "bbox, town centre (limit 10)": "bbox=14.60,63.16,14.68,63.20&limit=10",
    "page 1 (limit 100)": "limit=100",
    "deep page, offset 99000 (limit 100)": "limit=100&offset=99000",
    "deep page, keyset cursor 99000 (limit 100)": "limit=100&cursor=99000",
    "deep page in a box, keyset (limit 100)": "bbox=14.26,62.89,15.56,63.60&limit=100&cursor=90000",
    "filtered: vandalism at night in 2025": "category=vandalism&time_of_day=night&year=2025&limit=100",
}


def median_ms(action, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    name = "gis_app_bench"
    # No rate limit: the benchmark is one client asking many times on purpose.
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(name), "API_RATE_LIMIT": ""})
    client = app.test_client()
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        for statement in FILL.split(";"):
            if statement.strip():
                db.session.execute(text(statement), {"n": args.places})
        db.session.commit()
        print(f"generated {args.places} places, {2 * args.places} observations in {time.perf_counter() - start:.1f} s")
        print(f"{'request':48} {'API ms':>8} {'SQL ms':>8} {'features':>9}")
        for label, query in REQUESTS.items():
            url = f"/api/collections/places/items?{query}"
            response = client.get(url)
            if response.status_code != 200:
                print(f"{label:48} {'n/a':>8} {'n/a':>8} {'':>9}")
                continue
            features = response.json["numberReturned"]
            api = median_ms(lambda url=url: client.get(url), args.repeat)
            sql = median_ms(lambda query=query, features=features: _bare_sql(query, features), args.repeat)
            print(f"{label:48} {api:8.1f} {sql:8.1f} {features:9d}")
        db.session.remove()
        db.engine.dispose()
    drop_database(name)


def _bare_sql(query: str, served: int) -> None:
    """The features query of the same request (as many rows as it served), without the app around it."""
    from urllib.parse import parse_qs

    from gis_app.api.collections import COLLECTIONS
    from gis_app.api.params import parse_query

    values = parse_query(COLLECTIONS["places"].params(), {k: v[0] for k, v in parse_qs(query).items()})
    values.pop("limit", None)
    offset = values.pop("offset", 0)
    after = {"after": values.pop("cursor")} if "cursor" in values else {}
    queries.place_features(queries.PlaceFilter(**values), served + 1, offset, queries.Audience(), **after)


if __name__ == "__main__":
    main()
