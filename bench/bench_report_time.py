"""Benchmark the time it takes to report a place: the citizen's journey on a 360 px phone, step by step.

Usage: .venv/bin/python bench/bench_report_time.py [--runs 5]
Starts the app with gunicorn on a fresh database (as the tests' live_server does) with the demo address register,
then drives Chromium (/usr/bin/chromium) through /report on a 360 x 740 touch screen: open the form, search an
address, pin the first result, fill in the category, time of day and text, wait for the ALTCHA proof of work
(the widget starts it when the form gets focus, with the app's default difficulty), send, and reach the status page.
Prints the wall time of each step and the total, per run and as the median. It measures the machine, not a person:
the typing is instant, so the figures are what the product adds to a citizen's own time.
Set GIS_APP_SCREENS to also save the journey's screenshots (tests/helpers.journey_screenshot).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from gis_app import create_app  # noqa: E402
from gis_app.citizens import demo  # noqa: E402
from gis_app.extensions import db  # noqa: E402
from tests.helpers import (  # noqa: E402
    CHROMIUM_ARGS,
    drop_database,
    free_port,
    fresh_database_url,
    journey_screenshot,
    wait_for,
)

PHONE = {"width": 360, "height": 740}
STEPS = ("open form", "search address", "pin", "fill in", "proof of work", "send", "total", "solving (background)")


def prepare(name: str) -> str:
    """A fresh database with the schema and the demo address register; its URL."""
    url = fresh_database_url(name)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        demo.load()
        db.session.remove()
        db.engine.dispose()
    return url


def start_server(database_url: str) -> tuple[subprocess.Popen, str]:
    """gunicorn as the tests' live_server starts it (2 workers, 4 threads), with no report rate limit in the way."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "GIS_APP_TILE_URL": "",
        "SECRET_KEY": "bench",
        "GIS_APP_API_RATE_LIMIT": "",
        "GIS_APP_CITIZEN_REPORT_RATE_LIMIT": "1000 per hour",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "gis_app:create_app()"],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(url, server, timeout=180)  # a loaded machine can take a while to import the app
    except Exception:
        stop(server)
        raise
    return server, url


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def wait_until(page, expression: str, timeout: float = 60) -> None:
    page.wait_for_function(expression, timeout=timeout * 1000, polling=20)


def journey(browser, url: str, screens: bool) -> dict[str, float]:
    """One report from an empty phone browser to its status page; seconds per step."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="sv-SE")
    page = context.new_page()
    times: dict[str, float] = {}
    started = last = time.perf_counter()

    def step(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[name] = now - last
        last = now
        if screens:
            journey_screenshot(page, "citizens", f"bench-{name.replace(' ', '-')}")

    page.goto(url + "/report")
    wait_until(page, "document.body.dataset.reportReady === 'true'")
    step("open form")
    # When the widget starts and ends its work (it runs while the citizen searches and types).
    page.evaluate(
        """() => { window.powTimes = {};
        document.getElementById('altcha').addEventListener('statechange', (event) => {
          window.powTimes[event.detail.state] = performance.now(); }); }"""
    )
    page.locator("#place-search").tap()
    page.locator("#place-search").fill("Storgatan 12")
    page.locator("#search-button").tap()
    page.locator("#search-results button").first.wait_for()
    step("search address")
    page.locator("#search-results button").first.tap()
    wait_until(page, "document.getElementById('address').value !== ''")
    step("pin")
    page.locator("label.choice:has(input[value=poor_lighting])").tap()
    page.locator("label.choice:has(input[name=time_of_day][value=evening])").tap()
    page.fill("#text", "Mörk gångväg, lampan har varit trasig i flera veckor")
    step("fill in")
    page.locator("#text").focus()  # the widget solves on focus; a person's typing usually hides this wait
    wait_until(page, "(document.querySelector('input[name=altcha]') || {}).value")
    step("proof of work")
    pow_times = page.evaluate("window.powTimes")
    solving = (pow_times.get("verified", 0) - pow_times.get("verifying", 0)) / 1000
    page.locator("#send-report").tap()
    page.wait_for_url(re.compile(r"/status/"), timeout=60_000)
    page.locator("[data-reference]").wait_for()
    step("send")
    times["total"] = time.perf_counter() - started
    times["solving (background)"] = solving
    context.close()
    return times


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    name = "gis_app_bench_report_time"
    server = None
    try:
        server, url = start_server(prepare(name))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            journey(browser, url, screens=False)  # warm-up: workers import, caches fill
            runs = [journey(browser, url, screens=index == 0) for index in range(args.runs)]
            browser.close()
    finally:
        if server is not None:
            stop(server)
        drop_database(name)
    print(f"citizen report on a {PHONE['width']} px phone, {args.runs} runs after a warm-up (seconds)")
    print(f"{'step':<22}" + "".join(f"{f'run {i + 1}':>9}" for i in range(args.runs)) + f"{'median':>9}")
    for key in STEPS:
        values = [run[key] for run in runs]
        print(f"{key:<22}" + "".join(f"{v:9.2f}" for v in values) + f"{statistics.median(values):9.2f}")


if __name__ == "__main__":
    main()
