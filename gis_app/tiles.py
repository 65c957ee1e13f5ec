"""Basemap tiles through the app: pages ask only their own origin; the server fetches and caches upstream tiles.

What one client can cost is bounded: only tiles over the municipality at the configured zooms; requests and
upstream fetches counted per address and for the whole server (shared by all workers); a short upstream timeout;
at most a few upstream fetches at once per worker (others answer 503 at once, so a slow tile server never holds
every thread); and a cache of bounded size that drops the least recently used tiles.
"""

import math
import os
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from flask import Blueprint, current_app, request, send_file
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from gis_app.areas.queries import municipality_extent
from gis_app.auth.access import is_staff
from gis_app.errors import AppError, NotFound
from gis_app.ratelimits import enforce

blueprint = Blueprint("tiles", __name__)

MAX_TILE_BYTES = 1024 * 1024
EXTENT_MARGIN_DEGREES = 0.05  # tiles just outside the outline still draw the map's edge
EXTENT_SECONDS = 300  # how long a worker trusts the municipality extent it read
SLOT_WAIT_SECONDS = 0.25  # a tile waits this long for a free fetch slot, then answers 503
CACHE_RESCAN_EVERY = 50  # stores between full scans of the cache, which also see other workers' tiles
CACHE_EVICT_TO = 0.8  # eviction frees room down to this share of the cache's limit


class TileServerBusy(AppError):
    status = 503
    code = "ServiceUnavailable"


def proxied_tile_url() -> str:
    """The tile URL template the map uses, or '' when no basemap is configured."""
    return f"{request.script_root}/tiles/{{z}}/{{x}}/{{y}}.png" if current_app.config["TILE_URL"] else ""


# --- which tiles are offered ----------------------------------------------------------------------------------------


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """W, S, E, N in degrees of a Web Mercator (slippy map) tile."""
    n = 2**z

    def latitude(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, latitude(y + 1), (x + 1) / n * 360 - 180, latitude(y)


def _extent() -> tuple[float, float, float, float]:
    """The municipality's extent (else GIS_APP_BOUNDS), read at most every few minutes per worker."""
    cached = current_app.extensions.get("tile_extent")
    if cached and cached[0] > time.monotonic():
        return cached[1]
    box = municipality_extent() or tuple(current_app.config["AREA_BOUNDS"])
    current_app.extensions["tile_extent"] = (time.monotonic() + EXTENT_SECONDS, box)
    return box


def offered(z: int, x: int, y: int) -> bool:
    """Only existing tiles at the configured zooms that overlap the municipality (with a margin)."""
    config = current_app.config
    if not (config["TILE_MIN_ZOOM"] <= z <= config["TILE_MAX_ZOOM"] and x < 2**z and y < 2**z):
        return False
    return offered_extent(z, x, y)


def offered_box() -> tuple[float, float, float, float]:
    """W, S, E, N in degrees that the offered tiles cover: the municipality's extent with the margin."""
    west, south, east, north = _extent()
    m = EXTENT_MARGIN_DEGREES
    return west - m, south - m, east + m, north + m


def offered_extent(z: int, x: int, y: int) -> bool:
    """Whether the tile overlaps the municipality (with a margin); the vector tiles use it too."""
    west, south, east, north = tile_bounds(z, x, y)
    ext_west, ext_south, ext_east, ext_north = _extent()
    m = EXTENT_MARGIN_DEGREES
    return west <= ext_east + m and east >= ext_west - m and south <= ext_north + m and north >= ext_south - m


# --- fetching upstream ----------------------------------------------------------------------------------------------


def _slots() -> threading.BoundedSemaphore:
    """This worker's upstream fetch slots (dict.setdefault is atomic, so threads share one)."""
    return current_app.extensions.setdefault(
        "tile_fetch_slots", threading.BoundedSemaphore(current_app.config["TILE_MAX_CONCURRENT_FETCHES"])
    )


def _read(response, deadline: float) -> bytes:
    """Read the body, but give up at the deadline even if the server trickles bytes."""
    chunks, size = [], 0
    while chunk := response.read(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_TILE_BYTES or time.monotonic() > deadline:
            raise TimeoutError("tile too large or too slow")
    return b"".join(chunks)


def _fetch(z: int, x: int, y: int) -> bytes:
    url = current_app.config["TILE_URL"].format(s="a", z=z, x=x, y=y)
    upstream = urllib.request.Request(url, headers={"User-Agent": current_app.config["TILE_USER_AGENT"]})
    timeout = current_app.config["TILE_TIMEOUT_SECONDS"]
    try:
        with urllib.request.urlopen(upstream, timeout=timeout) as response:
            if not response.headers.get_content_type().startswith("image/"):
                raise AppError(
                    _("The basemap server sent something that is not an image."), status=502, code="BadGateway"
                )
            return _read(response, time.monotonic() + timeout)
    except (urllib.error.URLError, TimeoutError, OSError):
        raise AppError(_("The basemap server did not answer."), status=502, code="BadGateway") from None


def _fetch_in_a_slot(z: int, x: int, y: int) -> bytes:
    """Fetch while holding one of this worker's few slots; none free soon means 503 now, not a queue."""
    slots = _slots()
    if not slots.acquire(timeout=SLOT_WAIT_SECONDS):
        raise TileServerBusy(_("The basemap is busy. Please try again in a moment."))
    try:
        return _fetch(z, x, y)
    finally:
        slots.release()


# --- the cache ------------------------------------------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache_states: dict[Path, dict] = {}  # per cache folder: this worker's estimate of its size, and stores since a scan


def _store(path: Path, content: bytes) -> None:
    """Write atomically, so a concurrent reader never sees half a tile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(handle, "wb") as file:
        file.write(content)
    os.replace(temporary, path)


def _cached_tiles(root: Path) -> list[tuple[float, int, Path]]:
    tiles = []
    for path in root.rglob("*.png"):
        try:
            stat = path.stat()
        except FileNotFoundError:  # another worker evicted it meanwhile
            continue
        tiles.append((stat.st_mtime, stat.st_size, path))
    return tiles


def evict(root: Path, limit: int) -> int:
    """If the cache is over `limit` bytes, delete the least recently used tiles; return the bytes it holds."""
    tiles = _cached_tiles(root)
    total = sum(size for _used, size, _path in tiles)
    if total <= limit:
        return total
    for _used, size, path in sorted(tiles):
        path.unlink(missing_ok=True)
        total -= size
        if total <= limit * CACHE_EVICT_TO:
            break
    return total


def _keep_cache_bounded(root: Path, added: int) -> None:
    """After a store: rescan when this worker's estimate passes the limit, and every so often anyway."""
    limit = current_app.config["TILE_CACHE_MAX_BYTES"]
    with _cache_lock:
        state = _cache_states.setdefault(root, {"known_bytes": None, "stores": 0})
        state["stores"] += 1
        known = state["known_bytes"]
        if known is not None and known + added <= limit and state["stores"] % CACHE_RESCAN_EVERY:
            state["known_bytes"] = known + added
            return
        state["known_bytes"] = evict(root, limit)


def _cached(path: Path) -> bool:
    """Whether the tile is cached; a hit marks it recently used (the eviction order)."""
    try:
        os.utime(path)
        return True
    except FileNotFoundError:
        return False


def tile_bytes(z: int, x: int, y: int) -> bytes | None:
    """One basemap tile for a server-side image (print, PDF): from the cache, else fetched once and cached; None
    when no basemap is configured, the tile is not offered, or the tile server is busy, limited or down."""
    if not current_app.config["TILE_URL"] or not offered(z, x, y):
        return None
    root = Path(current_app.config["TILE_CACHE_DIR"])
    path = root / str(z) / str(x) / f"{y}.png"
    try:
        if not _cached(path):
            enforce("TILE_FETCH_TOTAL_RATE_LIMIT", "tile-fetch-total")  # the same budget as the map's tiles
            content = _fetch_in_a_slot(z, x, y)
            _store(path, content)
            _keep_cache_bounded(root, len(content))
            return content
        return path.read_bytes()
    except (AppError, OSError):
        return None


@blueprint.get("/tiles/<int:z>/<int:x>/<int:y>.png")
def tile(z: int, x: int, y: int):
    """One basemap tile, from the cache or fetched once from the configured tile server."""
    if not current_app.config["TILE_URL"] or not offered(z, x, y):
        raise NotFound(_("No such tile."))
    address = None if is_staff() else get_remote_address()
    if address:
        enforce("TILE_RATE_LIMIT", "tiles", address)
    root = Path(current_app.config["TILE_CACHE_DIR"])
    path = root / str(z) / str(x) / f"{y}.png"
    if not _cached(path):
        if address:
            enforce("TILE_FETCH_RATE_LIMIT", "tile-fetch", address)
        enforce("TILE_FETCH_TOTAL_RATE_LIMIT", "tile-fetch-total")  # what the tile server's policy allows us
        content = _fetch_in_a_slot(z, x, y)
        _store(path, content)
        _keep_cache_bounded(root, len(content))
    return send_file(path, mimetype="image/png", max_age=7 * 86400)
