"""Shared fixtures: a real PostGIS database (migrated once), the app, a client, a live server and Chromium."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from psycopg.errors import DeadlockDetected
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from gis_app import create_app
from gis_app.extensions import db
from tests.factories import PASSWORD, csrf_token, make_user
from tests.helpers import (
    CHROMIUM_ARGS,
    drop_database,
    free_port,
    fresh_database_url,
    guarded_page,
    stop_server,
    wait_for,
)

REFERENCE_DATA = Path(__file__).resolve().parents[1] / "data"
# Reference data the migrations seed; every other table is emptied after each test.
KEPT_TABLES = ("alembic_version", "spatial_ref_sys", "category", "observation_source", "place_status", "organisation")


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

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "TILE_URL": "", "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def clean_tables(app):
    """Each test starts with no places, observations or areas; reference data stays."""
    yield
    with app.app_context():
        db.session.remove()
        tables = db.session.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND NOT tablename = ANY(:kept)"),
            {"kept": list(KEPT_TABLES)},
        ).all()
        truncate_all(tables)


def truncate_all(tables: list[str], attempts: int = 5) -> None:
    """TRUNCATE every table; a live server may still be finishing a browser's last request, so a deadlock with
    it is retried (PostgreSQL aborted one side of it)."""
    for attempt in range(attempts):
        try:
            db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            db.session.commit()
            return
        except OperationalError as error:
            db.session.rollback()
            if not isinstance(error.orig, DeadlockDetected) or attempt == attempts - 1:
                raise
            time.sleep(0.2)


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


class LiveServer(str):
    """The server's base URL, which also knows where its access log is."""

    access_log: Path


@pytest.fixture(scope="session")
def live_server(app, database_url, tmp_path_factory):
    """The app served by gunicorn on 127.0.0.1 in its own process, as `make run` serves it."""
    port = free_port()
    url = LiveServer(f"http://127.0.0.1:{port}")
    url.access_log = tmp_path_factory.mktemp("server") / "access.log"
    # No API rate limit: load and browser tests read far more than one visitor would (test_capacity tests limits).
    env = os.environ | {
        "DATABASE_URL": database_url,
        "GIS_APP_TILE_URL": "",
        "SECRET_KEY": "test",
        "GIS_APP_API_RATE_LIMIT": "",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--access-logfile",
            str(url.access_log),
            "gis_app:create_app()",
        ],
        env=env,
    )
    wait_for(url, server)
    yield url
    stop_server(server)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser page in its own context, guarded as guarded_page says."""
    context = chromium.new_context()
    yield guarded_page(context)
    context.close()


@pytest.fixture(scope="session")
def reference_data():
    return REFERENCE_DATA
