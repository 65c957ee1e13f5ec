"""Shared fixtures: a real PostGIS database (migrated once), the app, a client, a live server and Chromium."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from gis_app import create_app
from gis_app.devdb import start_private_instance
from gis_app.extensions import db
from gis_app.settings import load_settings
from factories import PASSWORD, csrf_token, make_user

REFERENCE_DATA = Path(__file__).resolve().parents[1] / "data"
# Reference data the migrations seed; every other table is emptied after each test.
KEPT_TABLES = ("alembic_version", "spatial_ref_sys", "category", "observation_source", "place_status",
               "organisation")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _admin_engine():
    settings = load_settings()
    admin_url = start_private_instance(settings["PGDATA_DIR"], settings["PG_PORT"], "postgres")
    return create_engine(admin_url, isolation_level="AUTOCOMMIT")


def drop_database(name: str) -> None:
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def fresh_database_url(name: str) -> str:
    """A new, empty database of this name on the private instance (with PostGIS)."""
    drop_database(name)
    settings = load_settings()
    return start_private_instance(settings["PGDATA_DIR"], settings["PG_PORT"], name)


@pytest.fixture(scope="session")
def database_url():
    """TEST_DATABASE_URL if set; else a database of this test run's own, dropped at the end."""
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"]
        return
    name = f"gis_app_test_{os.getpid()}"
    yield fresh_database_url(name)
    drop_database(name)


@pytest.fixture(scope="session")
def app(database_url):
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "TILE_URL": "",
                      "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def clean_tables(app):
    """Each test starts with no places, observations or areas; reference data stays."""
    yield
    with app.app_context():
        db.session.remove()
        tables = db.session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                         "AND NOT tablename = ANY(:kept)"), {"kept": list(KEPT_TABLES)}).all()
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        db.session.commit()


@pytest.fixture(autouse=True)
def reset_rate_limits(app):
    """Each test starts with fresh login rate limits (they count per address, and every test is 127.0.0.1)."""
    from gis_app.extensions import limiter

    with app.app_context():  # the counters live in the database
        limiter.reset()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def client_as(app, app_context):
    """A test client logged in (through the login form) as a new user with the given role."""
    def log_in(role: str):
        user = make_user(role)
        client = app.test_client()
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, response.data
        client.user = user
        return client

    return log_in


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer(str):
    """The server's base URL, which also knows where its access log is."""

    access_log: Path


@pytest.fixture(scope="session")
def live_server(app, database_url, tmp_path_factory):
    """The app served by gunicorn on 127.0.0.1 in its own process, as `make run` serves it."""
    port = _free_port()
    url = LiveServer(f"http://127.0.0.1:{port}")
    url.access_log = tmp_path_factory.mktemp("server") / "access.log"
    # No API rate limit: load and browser tests read far more than one visitor would (test_capacity tests limits).
    env = os.environ | {"DATABASE_URL": database_url, "GIS_APP_TILE_URL": "", "SECRET_KEY": "test",
                        "GIS_APP_API_RATE_LIMIT": ""}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                               "--workers", "2", "--threads", "4", "--access-logfile", str(url.access_log),
                               "gis_app:create_app()"], env=env)
    _wait_for(url, server)
    yield url
    server.terminate()
    server.wait(timeout=10)


def _wait_for(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the app server exited at start-up")
        try:
            urllib.request.urlopen(url + "/api/conformance", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"the app server did not answer at {url}")


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def guarded_page(context):
    """A new page of `context` that records JavaScript errors (CSP violations too), refuses every request off
    127.0.0.1 (recording it), and polls for wait_for_function."""
    page = context.new_page()
    page.js_errors = []
    page.external_requests = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.on("console", lambda message: "Content Security Policy" in message.text
            and page.js_errors.append(message.text))
    # Playwright's own wait_for_function evaluates strings inside the page, which our CSP (rightly) forbids;
    # poll from outside instead, where evaluation is not subject to the page's policy.
    page.wait_for_function = lambda expression, timeout=10_000, **_: _poll(page, expression, timeout)

    def guard(route):
        if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            page.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)  # on the context, so a service worker's requests are guarded too
    return page


@pytest.fixture
def page(chromium):
    """A fresh browser page in its own context, guarded as guarded_page says."""
    context = chromium.new_context()
    yield guarded_page(context)
    context.close()


def _poll(page, expression: str, timeout_ms: float):
    """Wait until a JavaScript expression (or arrow function) is truthy in the page."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout_ms} ms: {expression}")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def reference_data():
    return REFERENCE_DATA
