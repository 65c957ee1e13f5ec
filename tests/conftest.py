"""Shared fixtures: a real PostGIS database (migrated once), the app, a client, a live server and Chromium."""
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from gis_app import create_app
from gis_app.devdb import private_url
from gis_app.extensions import db
from gis_app.settings import load_settings

SHARED_DATA = Path(os.environ.get("GIS_APP_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
DATA_TABLES = "observation, place, area"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _fresh_database_url(name: str) -> str:
    """TEST_DATABASE_URL if set, else a freshly (re)created database on the private instance."""
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    settings = load_settings()
    admin_url = private_url(settings["PGDATA_DIR"], settings["PG_PORT"], "postgres")
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()
    return private_url(settings["PGDATA_DIR"], settings["PG_PORT"], name)


@pytest.fixture(scope="session")
def database_url():
    return _fresh_database_url("gis_app_test")


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
        db.session.execute(text(f"TRUNCATE {DATA_TABLES} RESTART IDENTITY CASCADE"))
        db.session.commit()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over real HTTP on 127.0.0.1, in a thread of the test process."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser page that records JavaScript errors and refuses every request off 127.0.0.1."""
    context = chromium.new_context()
    page = context.new_page()
    page.js_errors = []
    page.external_requests = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))

    def guard(route):
        if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            page.external_requests.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    yield page
    context.close()


@pytest.fixture(scope="session")
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA}")
    return SHARED_DATA
