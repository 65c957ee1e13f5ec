"""Basemap tiles: only over the municipality, a slow tile server never holds the app, a bounded cache."""

import http.server
import math
import os
import threading

import pytest

from gis_app import tiles

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 1000
ZOOM = 12


def tile_of(lon: float, lat: float, z: int = ZOOM) -> tuple[int, int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return z, int((lon + 180) / 360 * n), int(y)


def url(z, x, y) -> str:
    return f"/tiles/{z}/{x}/{y}.png"


class Upstream:
    """A tile server on 127.0.0.1 that counts requests and can be held until released."""

    def __init__(self):
        self.requests, self.hold, self.arrived, self.release = [], False, threading.Event(), threading.Event()
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                upstream.requests.append(self.path)
                upstream.arrived.set()
                if upstream.hold:
                    upstream.release.wait(10)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(PNG)))
                    self.end_headers()
                    self.wfile.write(PNG)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the app gave up waiting, as it should

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.template = f"http://127.0.0.1:{self.server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def upstream(app, monkeypatch, tmp_path):
    server = Upstream()
    monkeypatch.setitem(app.config, "TILE_URL", server.template)
    monkeypatch.setitem(app.config, "TILE_CACHE_DIR", str(tmp_path / "tiles"))
    app.extensions.pop("tile_fetch_slots", None)  # sized from the settings on first use
    yield server
    server.close()
    app.extensions.pop("tile_fetch_slots", None)


def test_only_tiles_over_the_municipality_at_the_configured_zooms(client, upstream, app, monkeypatch):
    z, x, y = tile_of(14.6372, 63.1767)
    assert client.get(url(z, x, y)).status_code == 200
    assert client.get(url(z, x, y)).status_code == 200  # from the cache
    assert client.get(url(*tile_of(18.07, 59.33))).status_code == 404  # Stockholm
    assert client.get(url(20, 0, 0)).status_code == 404
    monkeypatch.setitem(app.config, "TILE_MAX_ZOOM", 11)
    assert client.get(url(z, x, y)).status_code == 404
    assert len(upstream.requests) == 1


def test_a_slow_tile_server_times_out_with_502(client, upstream, app, monkeypatch):
    monkeypatch.setitem(app.config, "TILE_TIMEOUT_SECONDS", 0.2)
    upstream.hold = True
    assert client.get(url(*tile_of(14.6372, 63.1767))).status_code == 502


def test_fetches_beyond_the_workers_cap_answer_503_and_other_requests_go_on(app, upstream, monkeypatch):
    monkeypatch.setitem(app.config, "TILE_MAX_CONCURRENT_FETCHES", 1)
    upstream.hold = True
    z, x, y = tile_of(14.6372, 63.1767)
    first = {}
    holder = threading.Thread(target=lambda: first.update(status=app.test_client().get(url(z, x, y)).status_code))
    holder.start()
    assert upstream.arrived.wait(10)
    client = app.test_client()
    assert client.get(url(z, x + 1, y)).status_code == 503
    assert client.get("/api/conformance").status_code == 200
    upstream.release.set()
    holder.join(10)
    assert first["status"] == 200 and len(upstream.requests) == 1


def test_upstream_fetches_are_limited_per_address_and_in_total(client, upstream, app, monkeypatch):
    monkeypatch.setitem(app.config, "TILE_FETCH_RATE_LIMIT", "2 per minute")
    monkeypatch.setitem(app.config, "TILE_FETCH_TOTAL_RATE_LIMIT", "3 per minute")
    z, x, y = tile_of(14.6372, 63.1767)
    assert [client.get(url(z, x + i, y)).status_code for i in range(3)] == [200, 200, 429]
    assert client.get(url(z, x, y)).status_code == 200  # cached tiles are still served
    monkeypatch.setitem(app.config, "TILE_FETCH_RATE_LIMIT", "")  # as if from other addresses: the total holds
    assert [client.get(url(z, x + 5 + i, y)).status_code for i in range(3)] == [200, 429, 429]
    assert len(upstream.requests) == 3


def test_requests_per_address_are_limited(client, upstream, app, monkeypatch):
    monkeypatch.setitem(app.config, "TILE_RATE_LIMIT", "2 per minute")
    tile = url(*tile_of(14.6372, 63.1767))
    assert [client.get(tile).status_code for _ in range(3)] == [200, 200, 429]


def test_the_cache_stays_bounded_and_drops_the_least_recently_used(client, upstream, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "TILE_CACHE_MAX_BYTES", 3 * len(PNG))
    z, x, y = tile_of(14.6372, 63.1767)
    first, second, third, fourth = (url(z, x + i, y) for i in range(4))
    for tile in (first, second, third):
        assert client.get(tile).status_code == 200
    root = tmp_path / "tiles"
    for age, i in enumerate(range(3)):  # make the order unmistakable: the first is the oldest
        os.utime(root / str(z) / str(x + i) / f"{y}.png", (1000 + age, 1000 + age))
    assert client.get(first).status_code == 200  # a hit makes the first the most recently used
    assert client.get(fourth).status_code == 200
    kept = sorted(int(p.parent.name) - x for p in root.rglob("*.png"))
    assert kept == [0, 3]
    assert tiles.evict(root, 3 * len(PNG)) <= 3 * len(PNG)
