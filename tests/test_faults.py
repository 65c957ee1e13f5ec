"""Faults: lost connections, a PostgreSQL restart under load, and kill -9 of the app server mid-write.

The restart test restarts the shared private PostgreSQL once (about a second), which briefly disturbs
other test runs on the same instance; it is skipped when TEST_DATABASE_URL points elsewhere.
"""

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from gis_app import create_app
from gis_app.auth.access import ACCESS, EVERYONE
from gis_app.devdb import PG_BIN
from gis_app.extensions import db
from gis_app.settings import load_settings
from tests.factories import make_place, make_token, make_user
from tests.helpers import free_port, wait_for

ITEMS = "/api/collections/places/items"
OWN_INSTANCE = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="restarts only the project's private PostgreSQL instance"
)


# --- A lost connection, made real by the backend terminating itself -------------------------------------------


@pytest.fixture(scope="module")
def flaky_app(app, database_url):
    """An app with one extra endpoint that kills its own database connection on its first `failures` calls."""
    flaky = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test",
            "TILE_URL": "",
            "WTF_CSRF_ENABLED": False,
        }
    )
    flaky.calls, flaky.failures = 0, 0

    @flaky.route("/lose-connection", methods=["GET", "POST"])
    def lose_connection():
        flaky.calls += 1
        if flaky.calls <= flaky.failures:
            db.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return {"calls": flaky.calls, "places": db.session.scalar(text("SELECT count(*) FROM place"))}

    @flaky.get("/bad-sql")
    def bad_sql():
        flaky.calls += 1
        return {"rows": db.session.scalar(text("SELECT * FROM no_such_table"))}

    return flaky


@pytest.fixture
def flaky(flaky_app, monkeypatch):
    """The flaky app's client; `flaky.fail(n)` makes the next n calls lose their connection."""
    monkeypatch.setitem(ACCESS, "lose_connection", EVERYONE)
    monkeypatch.setitem(ACCESS, "bad_sql", EVERYONE)
    client = flaky_app.test_client()
    client.environ_base["HTTP_ACCEPT"] = "application/json"

    def fail(times: int) -> None:
        flaky_app.calls, flaky_app.failures = 0, times

    client.fail = fail
    client.calls = lambda: flaky_app.calls
    return client


@pytest.mark.parametrize("failures", [1, 2])
def test_a_read_that_lost_its_connection_is_retried(flaky, failures):
    flaky.fail(failures)
    response = flaky.get("/lose-connection")
    assert response.status_code == 200
    assert response.json["calls"] == failures + 1


def test_a_read_that_keeps_failing_answers_503_not_500(flaky):
    flaky.fail(10)
    response = flaky.get("/lose-connection")
    assert response.status_code == 503
    assert response.json["code"] == "ServiceUnavailable" and "Försök igen" in response.json["description"]
    assert response.headers["Retry-After"]
    assert flaky.calls() == 3, "the first attempt and two retries"


def test_a_write_is_never_retried_and_answers_503(flaky):
    flaky.fail(1)
    response = flaky.post("/lose-connection")
    assert response.status_code == 503 and response.json["code"] == "ServiceUnavailable"
    assert flaky.calls() == 1


def test_a_page_says_try_again_in_html(flaky):
    flaky.fail(10)
    response = flaky.get("/lose-connection", headers={"Accept": "text/html"})
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert "Försök igen" in response.get_data(as_text=True)


def test_other_database_errors_are_not_retried(flaky):
    flaky.fail(0)
    response = flaky.get("/bad-sql")
    assert response.status_code == 500
    assert flaky.calls() == 1


# --- PostgreSQL restarts while the live server answers reads ---------------------------------------------------


def server_pids(port: int) -> set[int]:
    """PIDs of the gunicorn master and workers bound to the port (workers share the master's command line)."""
    pids = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(b"gunicorn" in part for part in cmdline) and f"127.0.0.1:{port}".encode() in cmdline:
                pids.add(int(proc.name))
    return pids


def restart_private_postgres() -> None:
    """`pg_ctl restart -m fast` on the private instance, as the postgres user; it reuses its start options."""
    root = Path(load_settings()["PGDATA_DIR"])
    command = [
        str(PG_BIN / "pg_ctl"),
        "restart",
        "-m",
        "fast",
        "-w",
        "-t",
        "60",
        "-D",
        str(root / "data"),
        "-l",
        str(root / "postgres.log"),
    ]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True)


def get_status(url: str) -> int | str:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return type(error).__name__


class ReadLoop:
    """Threads that GET a URL over and over, recording (started, finished, status) of every request."""

    def __init__(self, url: str, threads: int = 4):
        self.url, self.results, self._stop = url, [], threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            status = get_status(self.url)
            self.results.append((started, time.monotonic(), status))
            time.sleep(0.02)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def successes(self) -> int:
        return sum(1 for *_, status in self.results if status == 200)

    def recovered(self, fault_began: float, fault_ended: float) -> float | None:
        """When the first read begun since the fault began completed successfully after the fault ended."""
        return min(
            (
                done
                for began, done, status in self.results
                if status == 200 and began >= fault_began and done >= fault_ended
            ),
            default=None,
        )


def wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@OWN_INSTANCE
@pytest.mark.serial
def test_reads_recover_after_a_database_restart_without_restarting_the_app(live_server, app_context):
    for n in range(12):
        make_place(title=f"restart-{n}", observations=["Mörkt"])
    port = int(live_server.rsplit(":", 1)[1])
    pids = server_pids(port)
    assert len(pids) == 3, "the master and two workers"

    with ReadLoop(live_server + ITEMS + "?limit=10") as loop:
        wait_until(lambda: loop.successes() >= 20, timeout=30)  # every worker thread holds pooled connections
        restart_began = time.monotonic()
        restart_private_postgres()
        restarted = time.monotonic()
        wait_until(lambda: loop.recovered(restart_began, restarted) is not None, timeout=60)
        recovered = loop.recovered(restart_began, restarted)
        time.sleep(2)  # keep reading a while after recovery: no late failures from stale pooled connections
    results = list(loop.results)

    during = [(done - began, status) for began, done, status in results if done >= restart_began and began <= recovered]
    failed = [status for _, status in during if status != 200]
    after = [status for began, _, status in results if began >= recovered]
    print(
        f"\nPostgreSQL restart took {restarted - restart_began:.2f} s; {len(during)} reads overlapped it, "
        f"{len(failed)} failed {sorted(set(map(str, failed)))}, the slowest took {max(d for d, _ in during):.2f} s; "
        f"reads succeeded again {recovered - restarted:.2f} s after pg_ctl returned; {len(after)} reads after "
        f"recovery, all 200: {set(after) == {200}}; {len(results)} reads in all"
    )
    assert 500 not in [status for *_, status in results], "a lost database is 503, never 500"
    assert set(failed) <= {503}, f"failures other than 503: {failed}"
    assert set(after) == {200}
    assert server_pids(port) == pids, "gunicorn was not restarted"


# --- kill -9 of the app server in the middle of a burst of writes ----------------------------------------------


def feature(n: int) -> bytes:
    return json.dumps(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [14.6372, 63.1767]},
            "properties": {
                "title": f"kill-{n}",
                "category": "poor_lighting",
                "observation": {"text": "t", "source": "citizen_report"},
            },
        }
    ).encode()


def post_feature(url: str, secret: str, n: int) -> tuple[int, int | str, int | None]:
    """POST one feature; return (n, status or error name, the new feature's id if acknowledged)."""
    request = urllib.request.Request(
        url,
        data=feature(n),
        method="POST",
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/geo+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return n, response.status, json.loads(response.read()).get("id")
    except urllib.error.HTTPError as error:
        return n, error.code, None
    except (OSError, http.client.HTTPException) as error:
        return n, type(error).__name__, None


@pytest.fixture
def own_server(app, database_url):
    """A gunicorn of this test's own (2 workers), whose database sessions are named so they can be found."""
    port = free_port()
    named_url = database_url + ("&" if "?" in database_url else "?") + "application_name=gis-kill-test"
    env = os.environ | {"DATABASE_URL": named_url, "GIS_APP_TILE_URL": "", "SECRET_KEY": "test"}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "gis_app:create_app()",
        ],
        env=env,
        start_new_session=True,  # its own process group: kill_server reaches every worker, even one just forked
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(url, server)
    server.url, server.port = url, port
    yield server
    kill_server(server)  # in case the test failed before its kill


def kill_server(server: subprocess.Popen) -> None:
    """kill -9 the master and every worker at once: no graceful shutdown, no finishing of requests."""
    with contextlib.suppress(ProcessLookupError):  # killed already
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)


def wait_for_sessions_to_end(engine) -> None:
    """Wait until PostgreSQL has noticed the dead clients, so every transaction is committed or rolled back."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE application_name = 'gis-kill-test' AND datname = current_database()"
    )
    with engine.connect() as conn:
        wait_until(lambda: conn.execute(query).scalar() == 0, timeout=120)  # generous: a loaded machine is slow


def stored_writes(engine) -> dict[str, dict]:
    """Every kill-N place: its id, observation count and audit rows for the place and its observations."""
    query = text("""
        SELECT p.title, p.id,
               (SELECT count(*) FROM observation o WHERE o.place_id = p.id) AS observations,
               (SELECT count(*) FROM audit_log a
                 WHERE a.entity = 'place' AND a.action = 'create' AND a.entity_id = p.id) AS place_audits,
               (SELECT count(*) FROM observation o WHERE o.place_id = p.id AND NOT EXISTS (
                   SELECT 1 FROM audit_log a WHERE a.entity = 'observation' AND a.entity_id = o.id))
                 AS unaudited_observations
        FROM place p WHERE p.title LIKE 'kill-%'""")
    with engine.connect() as conn:
        return {row.title: row._asdict() for row in conn.execute(query)}


def test_acknowledged_writes_survive_kill_9_and_nothing_is_half_written(own_server, app_context):
    secret = make_token(make_user("field_staff"), scopes=("write:places", "write:observations"))
    url = own_server.url + ITEMS
    acknowledged, outcomes = 0, []
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(post_feature, url, secret, n) for n in range(400)]
        for future in futures:
            outcomes.append(future.result())
            acknowledged += outcomes[-1][1] == 201
            if acknowledged == 40:  # mid-burst: the other threads' writes are in flight
                kill_server(own_server)
                break
        outcomes += [future.result() for future in futures[len(outcomes) :]]

    wait_for_sessions_to_end(db.engine)
    stored = stored_writes(db.engine)
    acked = {f"kill-{n}": feature_id for n, status, feature_id in outcomes if status == 201}
    statuses = [status for _, status, _ in outcomes]
    print(
        f"\nkill -9 mid-burst: {len(outcomes)} writes attempted, {len(acked)} acknowledged (201), "
        f"{len(stored)} found in the database, {len(set(stored) - set(acked))} stored but never acknowledged, "
        f"{sum(s != 201 for s in statuses)} failed ({sorted(set(map(str, statuses)) - {'201'})})"
    )
    assert len(acked) >= 40 and len(outcomes) > len(acked), "the kill came mid-burst"
    assert set(statuses) - {201} <= {
        "URLError",
        "RemoteDisconnected",
        "ConnectionResetError",
        "ConnectionRefusedError",
        "IncompleteRead",
        "BrokenPipeError",
    }
    lost = [title for title in acked if title not in stored]
    assert not lost, f"acknowledged but lost: {lost}"
    assert all(str(stored[title]["id"]) == str(feature_id) for title, feature_id in acked.items())
    half_written = {
        title: row
        for title, row in stored.items()
        if row["observations"] != 1 or row["place_audits"] != 1 or row["unaudited_observations"]
    }
    assert not half_written, f"half-written: {half_written}"


def test_a_connection_dropped_after_the_answer_leaves_the_answer_standing(client, monkeypatch):
    """A restart can end the connection between the answer and the session's end (seen as a 500 under load)."""
    from sqlalchemy.exc import OperationalError

    real_remove, calls = db.session.remove, []

    def dropped_once():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))
        real_remove()

    monkeypatch.setattr(db.session, "remove", dropped_once)
    assert client.get("/api/collections/places/items?limit=1").status_code == 200
    assert len(calls) >= 2
