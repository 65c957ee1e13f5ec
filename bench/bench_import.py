"""Time the place import engine (the command's and the browser's one code path) on a generated GeoPackage.

Usage: .venv/bin/python bench/bench_import.py [--rows 20000]
Prints the seconds to read, to check every row (the dry run) and to import (read, check and write in one
transaction), on a fresh database of its own, so that a browser import's wait (gunicorn's timeout is 120 s) is known.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import geopandas
import numpy as np
from flask_migrate import upgrade
from shapely import points

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gis_app import create_app  # noqa: E402
from gis_app.core.readers import read_source  # noqa: E402
from gis_app.places.importer import dry_run, import_places  # noqa: E402
from tests.helpers import drop_database, fresh_database_url  # noqa: E402

CATEGORIES = ["poor_lighting", "vandalism", "graffiti", "dark_path", "litter"]


def generated(rows: int, path: Path) -> Path:
    """Random points in central Östersund with a title, category and a note on every other row."""
    rng = np.random.default_rng(1)
    frame = geopandas.GeoDataFrame(
        {
            "title": [f"Plats {i}" for i in range(rows)],
            "category": [CATEGORIES[i % len(CATEGORIES)] for i in range(rows)],
            "note": [f"Anteckning {i}" if i % 2 else None for i in range(rows)],
        },
        geometry=points(rng.uniform(14.60, 14.68, rows), rng.uniform(63.16, 63.20, rows)),
        crs="EPSG:4326",
    ).to_crs(3006)
    frame.to_file(path, engine="pyogrio")
    return path


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    rows = parser.parse_args().rows
    name = "gis_app_bench_import"
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(name), "SECRET_KEY": "bench"})
    try:
        with app.app_context(), tempfile.TemporaryDirectory() as folder:
            upgrade()
            path = generated(rows, Path(folder) / "places.gpkg")
            read = timed(lambda: read_source(path, allow_csv=True))
            check = timed(lambda: dry_run(path))
            write = timed(lambda: import_places(path))
            print(f"{rows} rows, {path.stat().st_size / 1e6:.1f} MB GeoPackage in SWEREF 99 TM")
            print(f"read {read:.2f} s, dry run (read + check) {check:.2f} s, import (+ write) {write:.2f} s")
    finally:
        from gis_app.extensions import db

        with app.app_context():
            db.engine.dispose()
        drop_database(name)


if __name__ == "__main__":
    main()
