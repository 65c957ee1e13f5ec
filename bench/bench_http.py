"""The scale benchmark over HTTP: the app as `make run` serves it (gunicorn), driven by wrk, against its raw SQL.

Usage: .venv/bin/python bench/bench_http.py [--places 1000000] [--seconds 10] [--keep] [--reuse]
(or `make bench`). It builds its own database (bench/scale_data.py: reproducible, 70 % of the places around central
Östersund, 30 % over the municipality, a quarter sensitive, as many observations), starts gunicorn with the
Makefile's workers and threads, and measures each request with wrk (two threads, two connections, on this machine;
installed from Debian if missing) and, in the same run, the SQL that request runs, replayed by a psycopg loop in
two threads (the physical limit). The field-sync load (four clients posting walk findings with unique UUIDs, then
every request replayed) and the time to the first features drawn in headless Chromium are measured too. Prints one
table: request, req/s, p50, p95, p99, bytes, the SQL's req/s and the ratio. Drops its database at the end unless
--keep; --reuse keeps a database a --keep run left (skips building the data).
"""

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale_data  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from gis_app import create_app  # noqa: E402
from gis_app.extensions import db  # noqa: E402
from tests.helpers import CHROMIUM_ARGS, drop_database, free_port, fresh_database_url, wait_for  # noqa: E402

NAME = "gis_app_bench_http"
BOX = "14.60,63.16,14.66,63.19"  # central Östersund
LUA = ROOT / "bench" / "wrk_report.lua"
BIN = Path(sys.executable).parent
CONFIG = {"SECRET_KEY": "bench", "TILE_URL": "", "API_RATE_LIMIT": "", "TILE_RATE_LIMIT": ""}
ENVIRONMENT = {
    "SECRET_KEY": "bench",
    "GIS_APP_TILE_URL": "",
    "GIS_APP_API_RATE_LIMIT": "",
    "GIS_APP_TILE_RATE_LIMIT": "",
}
WORKERS, THREADS = "2", "4"  # the Makefile's defaults


def ensure_wrk() -> str:
    """wrk from Debian (installed here when missing: the benchmark's one system package)."""
    if not shutil.which("wrk"):
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"},
        )
    return shutil.which("wrk")


# --- the data ---------------------------------------------------------------------------------------------------


def build(app, url: str, places: int) -> None:
    """Migrate, import the boundaries as `make run` does, and generate the places and observations."""
    env = os.environ | ENVIRONMENT | {"DATABASE_URL": url}
    data = ROOT / "data"
    with app.app_context():
        upgrade()
    for path, kind in (
        ("ostersund_kommun_from_deso2018.geojson", "municipality"),
        ("ostersund_deso2018.geojson", "district"),
    ):
        subprocess.run(
            [BIN / "gis-app", "import-areas", data / path, "--kind", kind], env=env, check=True, capture_output=True
        )
    subprocess.run([BIN / "gis-app", "public-grid"], env=env, check=True, capture_output=True)
    with app.app_context():
        start = time.perf_counter()
        scale_data.build(db.session, places, places)
        print(f"built {places} places and {places} observations in {time.perf_counter() - start:.0f} s", flush=True)


def accounts(app) -> dict:
    """A planner's read token, a field worker's token that may record findings, and an open walk."""
    from datetime import UTC, datetime

    from geoalchemy2.shape import from_shape
    from shapely.geometry import Point

    from gis_app.auth.models import ApiToken, Organisation, User
    from gis_app.walks.models import Walk

    with app.app_context():
        organisation = db.session.scalar(db.select(Organisation).where(Organisation.name == "Kommunen"))
        secrets = {}
        for role, scopes in (("planner", ["read"]), ("field_staff", ["read", "write:observations"])):
            user = User(
                email=f"bench-{role}-{uuid.uuid4().hex[:8]}@example.se", role=role, organisation_id=organisation.id
            )
            user.set_password(uuid.uuid4().hex)
            db.session.add(user)
            db.session.flush()
            token, secrets[role] = ApiToken.issue(user, "bench", scopes)
            db.session.add(token)
        walk = Walk(
            title="Benchmark",
            starts_at=datetime.now(UTC),
            meeting_place="Stortorget",
            meeting_point=from_shape(Point(*scale_data.CENTRE), srid=4326),
            organiser_kinds=["municipality"],
        )
        db.session.add(walk)
        db.session.commit()
        return {"staff": secrets["planner"], "field": secrets["field_staff"], "walk": walk.id}


# --- what is asked ----------------------------------------------------------------------------------------------


def tiles_over(box: str, z: int) -> list[str]:
    west, south, east, north = map(float, box.split(","))
    n = 2**z

    def column(lon):
        return int((lon + 180) / 360 * n)

    def row(lat):
        return int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)

    return [
        f"/tiles/places/{z}/{x}/{y}.mvt"
        for x in range(column(west), column(east) + 1)
        for y in range(row(north), row(south) + 1)
    ]


def requests(places: int) -> list[tuple[str, list[str], bool]]:
    """(label, paths, staff): what the table measures."""
    items = f"/api/collections/places/items?bbox={BOX}"
    deep = max(1, int(places * 0.9))
    rows = [
        ("items, central box, limit 1000", [f"{items}&limit=1000"], False),
        ("items, central box, limit 10", [f"{items}&limit=10"], False),
        ("items, central box, limit 1000, staff token", [f"{items}&limit=1000"], True),
        ("items, central box, limit 10, staff token", [f"{items}&limit=10"], True),
        ("items, page 1 (limit 100)", ["/api/collections/places/items?limit=100"], False),
        (
            f"items, cursor {deep:,} rows in (limit 100)",
            [f"/api/collections/places/items?limit=100&cursor={deep}"],
            False,
        ),
    ]
    for staff in (False, True):
        for z in range(10, 17):
            rows.append((f"tiles z{z}, central{', staff token' if staff else ''}", tiles_over(BOX, z), staff))
    rows.append(("map page / (HTML)", ["/"], False))
    return rows


# --- the SQL alone ----------------------------------------------------------------------------------------------


def captured_sql(app, path: str, headers: dict) -> list[tuple[str, dict]]:
    """The read statements one request runs (through the app in-process), to replay without the app."""
    statements: list[tuple[str, dict]] = []
    with app.app_context():

        def grab(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", grab)
        try:
            response = app.test_client().get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
        finally:
            event.remove(db.engine, "before_cursor_execute", grab)
    return statements


def sql_rate(url: str, pages: list[list[tuple[str, dict]]], seconds: float) -> float:
    """Pages per second when two threads replay each page's statements back to back on their own connections."""
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    done = [0, 0]
    stop = time.monotonic() + seconds

    def loop(slot: int) -> None:
        with psycopg.connect(conninfo) as connection:
            connection.execute("SET jit = off")  # as the app's sessions (GIS_APP_DB_SESSION_OPTIONS)
            connection.commit()
            i = slot
            while time.monotonic() < stop:
                # One transaction per page, as the app: its transaction-local settings (set_config(..., true))
                # then reach the statements after them.
                for statement, parameters in pages[i % len(pages)]:
                    connection.execute(statement, parameters).fetchall()
                connection.commit()
                i += 1
                done[slot] += 1

    threads = [threading.Thread(target=loop, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


# --- over HTTP --------------------------------------------------------------------------------------------------


def run_wrk(wrk: str, base: str, paths: list[str], header: str, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    try:
        out = subprocess.run(
            [
                wrk,
                "-t2",
                "-c2",
                f"-d{seconds}s",
                "--timeout",
                "30s",
                "-s",
                str(LUA),
                base + paths[0],
                "--",
                listing.name,
                header,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(listing.name)
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


def cold_p95(base: str, paths: list[str], header: dict) -> float:
    """p95 milliseconds of the first request of each tile (no tile kept by the server yet), one at a time."""
    host, port = base.removeprefix("http://").split(":")
    connection = HTTPConnection(host, int(port))
    timings = []
    for path in paths:
        start = time.perf_counter()
        connection.request("GET", path, headers=header)
        connection.getresponse().read()
        timings.append((time.perf_counter() - start) * 1000)
    connection.close()
    return statistics.quantiles(timings, n=20)[-1] if len(timings) > 1 else timings[0]


def field_sync(base: str, field_token: str, walk_id: int, seconds: float, clients: int = 4) -> dict:
    """Clients post findings with unique UUIDs for `seconds`, then every request is replayed once."""
    host, port = base.removeprefix("http://").split(":")
    headers = {"Authorization": f"Bearer {field_token}", "Content-Type": "application/json"}
    lon, lat = scale_data.CENTRE
    sent: list[list[bytes]] = [[] for _ in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[dict] = [{} for _ in range(clients)]
    path = f"/api/walks/{walk_id}/findings"

    def post(connection, body, slot):
        start = time.perf_counter()
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies[slot].append((time.perf_counter() - start) * 1000)
        statuses[slot][response.status] = statuses[slot].get(response.status, 0) + 1

    def client(slot: int, replay: bool, stop: float) -> None:
        connection = HTTPConnection(host, int(port))
        if replay:
            for body in sent[slot]:
                post(connection, body, slot)
        else:
            i = 0
            while time.monotonic() < stop:
                finding = {
                    "client_uuid": str(uuid.uuid4()),
                    "geometry": {"type": "Point", "coordinates": [lon + (i % 97) / 20000, lat + slot / 5000]},
                    "accuracy_m": 8,
                    "category": "poor_lighting",
                    "note": "Trasig lampa",
                }
                body = json.dumps(finding).encode()
                sent[slot].append(body)
                post(connection, body, slot)
                i += 1
        connection.close()

    def phase(replay: bool) -> tuple[float, list[float], dict]:
        for slot in range(clients):
            latencies[slot].clear()
            statuses[slot].clear()
        stop = time.monotonic() + seconds
        threads = [threading.Thread(target=client, args=(slot, replay, stop)) for slot in range(clients)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        merged: dict = {}
        for counts in statuses:
            for status, n in counts.items():
                merged[status] = merged.get(status, 0) + n
        return elapsed, sorted(t for slot in latencies for t in slot), merged

    elapsed, timings, first = phase(False)
    total = sum(len(bodies) for bodies in sent)
    replay_elapsed, replay_timings, again = phase(True)
    return {
        "sent": total,
        "rate": total / elapsed,
        "p50": statistics.median(timings),
        "p99": timings[int(len(timings) * 0.99) - 1],
        "first": first,
        "replay": again,
        "replay_rate": total / replay_elapsed,
    }


def first_features_seconds(base: str) -> float:
    """Seconds from navigation to the first place or count bubble drawn on the map page, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(base + "/", wait_until="commit")
        start = time.perf_counter()
        page.wait_for_selector(".place-cell, .place-cluster, path.place", timeout=30000)
        seconds = time.perf_counter() - start
        # The same from the page's own clock: navigation start to now (includes the request).
        seconds = max(seconds, page.evaluate("performance.now()") / 1000)
        browser.close()
    return seconds


# --- the run ----------------------------------------------------------------------------------------------------


def serve(url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = (
        os.environ
        | ENVIRONMENT
        | {"DATABASE_URL": url, "GIS_APP_DB_POOL_SIZE": THREADS, "GIS_APP_DB_MAX_OVERFLOW": THREADS}
    )
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            WORKERS,
            "--threads",
            THREADS,
            "--timeout",
            "120",
            "gis_app:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(base, server, timeout=60)
    return server, base


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
            if line.startswith("Model name")
        ),
        "?",
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs ({model}), {memory:.0f} GiB RAM, load average {os.getloadavg()[0]:.1f} at the start"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--places", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run and each SQL loop")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the database a --keep run left")
    args = parser.parse_args()
    wrk = ensure_wrk()
    print(machine(), flush=True)
    if args.reuse:
        from gis_app.devdb import start_private_instance
        from gis_app.settings import load_settings

        settings = load_settings()
        url = start_private_instance(settings["PGDATA_DIR"], settings["PG_PORT"], NAME)
    else:
        url = fresh_database_url(NAME)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **CONFIG})
    if not args.reuse:
        build(app, url, args.places)
    secrets = accounts(app)
    server, base = serve(url)
    results = []
    try:
        for label, paths, staff in requests(args.places):
            header = f"Authorization: Bearer {secrets['staff']}" if staff else ""
            headers = {"Authorization": f"Bearer {secrets['staff']}"} if staff else {}
            cold = cold_p95(base, paths, headers) if paths[0].startswith("/tiles/") else None
            measured = run_wrk(wrk, base, paths, header, args.seconds)
            raw = None
            if paths[0] != "/":
                pages = [captured_sql(app, path, headers) for path in paths[:50]]
                raw = sql_rate(url, pages, min(args.seconds, 5))
            results.append((label, measured, raw, cold))
            print(f"  measured {label}", flush=True)
        sync = field_sync(base, secrets["field"], secrets["walk"], args.seconds)
        with app.app_context():
            duplicates = db.session.scalar(
                text("SELECT count(*) - count(DISTINCT client_uuid) FROM walk_finding WHERE walk_id = :w"),
                {"w": secrets["walk"]},
            )
            stored = db.session.scalar(
                text("SELECT count(*) FROM walk_finding WHERE walk_id = :w"), {"w": secrets["walk"]}
            )
        drawn = first_features_seconds(base)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            drop_database(NAME)
    print_table(results, sync, duplicates, stored, drawn)


def print_table(results, sync, duplicates, stored, drawn) -> None:
    print()
    columns = ("req/s", "p50 ms", "p95 ms", "p99 ms", "bytes", "SQL req/s", "ratio", "cold p95")
    widths = (7, 7, 7, 7, 9, 9, 5, 8)
    print(f"| {'request':48} | " + " | ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)) + " |")
    print(f"|{'-' * 50}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 11}|{'-' * 11}|{'-' * 7}|{'-' * 10}|")
    for label, m, raw, cold in results:
        rate = m["requests"] / (m["duration_us"] / 1e6)
        size = m["bytes"] / max(m["requests"], 1)
        ratio = f"{rate / raw:.0%}" if raw else "n/a"
        raw_text = f"{raw:.0f}" if raw else "n/a"
        cold_text = f"{cold:.0f}" if cold is not None else ""
        errors = f" ({m['non_2xx']} non-2xx)" if m["non_2xx"] or m["socket_errors"] else ""
        print(
            f"| {label + errors:48} | {rate:7.0f} | {m['p50_us'] / 1000:7.1f} | {m['p95_us'] / 1000:7.1f} | "
            f"{m['p99_us'] / 1000:7.1f} | {size:9.0f} | {raw_text:>9} | {ratio:>5} | {cold_text:>8} |"
        )
    print(
        f"| {'walk findings, 4 clients, unique UUIDs':48} | {sync['rate']:7.0f} | {sync['p50']:7.1f} | {'':>7} | "
        f"{sync['p99']:7.1f} | {'':>9} | {'n/a':>9} | {'n/a':>5} | {'':>8} |"
    )
    print()
    print(
        f"field sync: {sync['sent']} findings sent {sync['first']}, replayed {sync['replay']} "
        f"({sync['replay_rate']:.0f}/s); stored {stored}, duplicates {duplicates}"
    )
    print(f"first features drawn in headless Chromium: {drawn:.2f} s after navigation start")


if __name__ == "__main__":
    main()
