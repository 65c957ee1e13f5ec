"""Benchmark the remediation-list export: N measures to XLSX, CSV and GeoPackage (and GeoJSON).

Usage: .venv/bin/python bench/bench_export.py [--measures 100000] [--formats xlsx,csv,gpkg,geojson]
Makes its own database (as tests/conftest.py does), fills it with generated places, one inventory year,
assessments and measures, then runs each export in a fresh Python process and prints, per format,
the seconds, the process's peak resident memory, how much of it the export added over the process
before the export started (imports and app included), and the file size.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import drop_database, fresh_database_url  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from gis_app import create_app  # noqa: E402
from gis_app.extensions import db  # noqa: E402

MEASURES_PER_PLACE = 5
FILL = """
INSERT INTO place (title, category_code, status_code, priority, reported_on, geom)
SELECT 'Plats ' || i || ' vid Stortorget',
       (ARRAY['poor_lighting','vandalism','graffiti','dark_path','overgrown_vegetation'])[1 + i % 5],
       (ARRAY['reported','confirmed','measure_planned'])[1 + i % 3], 1 + i % 3,
       DATE '2025-01-01' + (i % 300),
       CASE WHEN i % 4 = 0
            THEN ST_SetSRID(ST_MakeLine(ST_MakePoint(14.45 + (i % 997) * 0.0005, 63.0 + (i % 991) * 0.00035),
                                        ST_MakePoint(14.4503 + (i % 997) * 0.0005, 63.0002 + (i % 991) * 0.00035)),
                            4326)
            ELSE ST_SetSRID(ST_MakePoint(14.45 + random() * 0.5, 63.0 + random() * 0.35), 4326) END
FROM generate_series(1, :places) AS i;
INSERT INTO inventory_year (year, status) VALUES (2025, 'open');
INSERT INTO inventory_assessment (year_id, place_id, still_unsafe, main_factor, priority)
SELECT (SELECT id FROM inventory_year WHERE year = 2025), id, id % 7 <> 0, category_code, priority FROM place;
INSERT INTO inventory_measure (assessment_id, measure_type, description, responsible, responsible_name, status,
                               not_feasible_reason, cost_estimate_sek, due_on, done_on)
SELECT a.id,
       (ARRAY['lighting','vegetation','vandalism_repair','camera_perimeter','police_outreach','owner_contact',
              'other'])[1 + (a.id + k) % 7],
       'Åtgärd ' || k || ' för plats ' || a.place_id,
       (ARRAY['municipal_unit','police','property_owner','road_authority','other'])[1 + (a.id + k) % 5],
       'Tekniska förvaltningen',
       (ARRAY['proposed','decided','in_progress','done','verified','not_feasible'])[1 + (a.id * k) % 6],
       CASE WHEN (a.id * k) % 6 = 5 THEN 'Ryms inte i budget' END,
       1000 * (1 + (a.id * k) % 250),
       DATE '2025-03-01' + ((a.id + k) % 280),
       CASE WHEN (a.id * k) % 6 IN (3, 4) THEN DATE '2025-02-01' + ((a.id + k) % 250) END
FROM inventory_assessment a, generate_series(1, :per_place) AS k;
ANALYZE place; ANALYZE inventory_assessment; ANALYZE inventory_measure;
"""


def fill(measures: int) -> None:
    started = time.perf_counter()
    for statement in FILL.split(";"):
        if statement.strip():
            db.session.execute(
                text(statement), {"places": measures // MEASURES_PER_PLACE, "per_place": MEASURES_PER_PLACE}
            )
    db.session.commit()
    print(
        f"generated {measures} measures on {measures // MEASURES_PER_PLACE} places in "
        f"{time.perf_counter() - started:.1f} s"
    )


def run_one(url: str, format_name: str, out: str) -> None:
    """In a fresh process: export once; print seconds and memory as JSON."""
    import openpyxl  # noqa: F401  (imported before the baseline, so the figures are the export's own)
    import pyogrio.raw  # noqa: F401

    from gis_app.exports import EXPORTERS
    from gis_app.inventory import remediation
    from gis_app.inventory.queries import RemediationFilter

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        filters = RemediationFilter(year=2025)
        started = time.perf_counter()
        size = remediation.write(remediation.prepare(EXPORTERS[format_name], filters), filters, out)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak / 1024,
                "added_mb": (peak - before) / 1024,
                "size_mb": size / 1024 / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--measures", type=int, default=100_000)
    parser.add_argument("--formats", default="xlsx,csv,gpkg,geojson")
    parser.add_argument("--run", help=argparse.SUPPRESS)  # internal: the child process
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_one(args.url, args.run, args.out)
        return
    name = "gis_app_bench_export"
    url = fresh_database_url(name)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        fill(args.measures)
        db.session.remove()
        db.engine.dispose()
    print(f"{'format':8} {'seconds':>8} {'peak MB':>8} {'added MB':>9} {'file MB':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for format_name in args.formats.split(","):
            out = str(Path(folder) / f"export.{format_name}")
            child = subprocess.run(
                [sys.executable, __file__, "--run", format_name, "--url", url, "--out", out],
                capture_output=True,
                text=True,
            )
            if child.returncode:
                print(f"{format_name}: failed\n{child.stderr[-3000:]}")
                continue
            result = json.loads(child.stdout.strip().splitlines()[-1])
            print(
                f"{format_name:8} {result['seconds']:8.1f} {result['peak_mb']:8.0f} {result['added_mb']:9.1f} "
                f"{result['size_mb']:8.1f}"
            )
    drop_database(name)


if __name__ == "__main__":
    main()
