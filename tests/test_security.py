"""Security headers, and basemap tiles served through the app so pages never call a third party."""

import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize("url", ["/", "/login", "/api/", "/api/collections/places/items", "/no-such-page"])
def test_every_response_has_the_security_headers(client, url):
    headers = client.get(url).headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert not re.search(r"https?://", policy)  # no third-party origin at all
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_each_page_gets_its_own_nonce_on_its_inline_scripts(client):
    nonces = set()
    for _ in range(2):
        response = client.get("/")
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        html = response.get_data(as_text=True)
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", html)
        assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)
        nonces.add(nonce)
    assert len(nonces) == 2


@pytest.fixture
def tile_server():
    """A stand-in for the upstream tile server, counting its requests."""
    calls = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            calls.append(self.path)
            status, body, kind = (
                (200, PNG, "image/png") if self.path.startswith("/ok/") else (200, b"<html>", "text/html")
            )
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", calls
    server.shutdown()


def test_tiles_are_fetched_once_then_served_from_the_cache(client, app, monkeypatch, tile_server, tmp_path):
    base, calls = tile_server
    monkeypatch.setitem(app.config, "TILE_URL", base + "/ok/{z}/{x}/{y}.png")
    monkeypatch.setitem(app.config, "TILE_CACHE_DIR", str(tmp_path))
    for _ in range(2):
        response = client.get("/tiles/3/4/2.png")
        assert response.status_code == 200 and response.mimetype == "image/png" and response.data == PNG
    assert calls == ["/ok/3/4/2.png"]
    assert "tiles/{z}/{x}/{y}.png" in client.get("/").get_data(as_text=True)  # the map asks the app


def test_bad_tiles_and_a_failing_upstream_give_clear_errors(client, app, monkeypatch, tile_server, tmp_path):
    base, _ = tile_server
    monkeypatch.setitem(app.config, "TILE_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "TILE_URL", base + "/ok/{z}/{x}/{y}.png")
    assert client.get("/tiles/3/8/0.png").status_code == 404  # x beyond 2**z
    assert client.get("/tiles/25/0/0.png").status_code == 404
    monkeypatch.setitem(app.config, "TILE_URL", base + "/html/{z}/{x}/{y}.png")
    assert client.get("/tiles/1/1/0.png").status_code == 502  # tiles over the municipality (test_tiles.py)
    monkeypatch.setitem(app.config, "TILE_URL", "http://127.0.0.1:9/{z}/{x}/{y}.png")  # nothing listens
    assert client.get("/tiles/2/2/1.png").status_code == 502
    monkeypatch.setitem(app.config, "TILE_URL", "")
    assert client.get("/tiles/1/1/1.png").status_code == 404
