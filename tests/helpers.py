"""Helpers the tests share (imported by conftest.py and by test modules): databases, servers and browser pages."""

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

from gis_app.devdb import start_private_instance
from gis_app.settings import load_settings

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def admin_engine():
    settings = load_settings()
    admin_url = start_private_instance(settings["PGDATA_DIR"], settings["PG_PORT"], "postgres")
    return create_engine(admin_url, isolation_level="AUTOCOMMIT")


def drop_database(name: str) -> None:
    engine = admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def fresh_database_url(name: str) -> str:
    """A new, empty database of this name on the private instance (with PostGIS)."""
    drop_database(name)
    settings = load_settings()
    return start_private_instance(settings["PGDATA_DIR"], settings["PG_PORT"], name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
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


def stop_server(server: subprocess.Popen) -> None:
    """Stop a test server: gracefully, and killed if its workers are still finishing keep-alive requests."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def guarded_page(context):
    """A new page of `context` that records JavaScript errors (CSP violations too), refuses every request off
    127.0.0.1 (recording it), and polls for wait_for_function."""
    page = context.new_page()
    page.js_errors = []
    page.external_requests = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and page.js_errors.append(message.text)
    )
    # Playwright's own wait_for_function evaluates strings inside the page, which our CSP (rightly) forbids;
    # poll from outside instead, where evaluation is not subject to the page's policy.
    page.wait_for_function = lambda expression, timeout=10_000, **_: poll(page, expression, timeout)

    def guard(route):
        if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            page.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)  # on the context, so a service worker's requests are guarded too
    return page


def poll(page, expression: str, timeout_ms: float):
    """Wait until a JavaScript expression (or arrow function) is truthy in the page."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout_ms} ms: {expression}")
        time.sleep(0.05)


def journey_screenshot(page, journey: str, name: str) -> None:
    """Save a full-page screenshot under $GIS_APP_SCREENS/<journey>/ when that variable is set (for issue notes)."""
    folder = os.environ.get("GIS_APP_SCREENS")
    if folder:
        target = Path(folder) / journey
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"), full_page=True)
