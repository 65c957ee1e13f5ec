"""Vector tiles of places (`/tiles/places/{z}/{x}/{y}.mvt`), built by PostGIS, for the maps at any size.

Same origin only, from the app. The public gets tiles of public positions (generalised places at their cell),
staff the places themselves; both with an ETag from the data version, the filters, the tile and the audience, so
a revalidation of an unchanged tile costs one sequence read and never the tile's query. Public tiles may be kept
by browsers and proxies for GIS_APP_MVT_MAX_AGE seconds; staff tiles are private and always revalidated. Staff
are known by their session or by an API token (`Authorization: Bearer`), as on the API.

Each worker also keeps the bodies of recent tiles by their ETag (which holds the data version, audience, tile and
filters, so a kept tile never crosses audiences): many clients asking for the same tiles of the town centre cost
the sequence read, not the tile's query. A sequence moves on before its writer commits, so a tile made in that
moment may miss the write under the new version: kept bodies therefore expire after CACHE_SECONDS.
"""

import hashlib
import threading
import time
from collections import OrderedDict

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from gis_app.api.budget import within_time_budget
from gis_app.api.collections import PLACE_FILTERS
from gis_app.api.params import parse_query
from gis_app.auth.access import is_staff
from gis_app.errors import NotFound
from gis_app.extensions import db
from gis_app.places import tile_queries
from gis_app.places.queries import Audience, PlaceFilter
from gis_app.ratelimits import enforce
from gis_app.tiles import offered_extent, tile_bounds

blueprint = Blueprint("vectortiles", __name__)

MVT = "application/vnd.mapbox-vector-tile"
MAX_ZOOM = 20
FORMAT_VERSION = "1"  # bump when the tiles' layout changes, so no client keeps an old one
CACHE_MAX_BYTES = 16 * 1024 * 1024  # tile bodies kept per worker
CACHE_SECONDS = 10.0  # how long a kept body is served (bounds the staleness of the race above)


class TileBodies:
    """A thread-safe, byte-bounded store of tile bodies by ETag for a few seconds; the least recently used go first."""

    def __init__(self, max_bytes: int, seconds: float):
        self.max_bytes, self.seconds, self.size = max_bytes, seconds, 0
        self._bodies: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            kept = self._bodies.get(key)
            if kept is None:
                return None
            if kept[0] < time.monotonic():
                self._drop(key)
                return None
            self._bodies.move_to_end(key)
            return kept[1]

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            if key in self._bodies:
                self._drop(key)
            self._bodies[key] = (time.monotonic() + self.seconds, body)
            self.size += len(body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self._bodies)))

    def _drop(self, key: str) -> None:
        self.size -= len(self._bodies.pop(key)[1])


def _bodies() -> TileBodies:
    """This worker's store (dict.setdefault is atomic, so threads share one)."""
    return current_app.extensions.setdefault("vector_tile_bodies", TileBodies(CACHE_MAX_BYTES, CACHE_SECONDS))


def _filter() -> PlaceFilter:
    """The map's filters from the query string; a 400 naming the parameter for anything wrong."""
    return PlaceFilter(**parse_query(PLACE_FILTERS, request.args))


def _etag(audience: Audience, z: int, x: int, y: int) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)) if k != "lang")
    key = f"{FORMAT_VERSION}|{tile_queries.tile_data_version()}|{audience.public}|{z}/{x}/{y}|{query}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _limit_public() -> None:
    """Count the public's tiles per address (shared by all workers)."""
    enforce("TILE_RATE_LIMIT", "vector-tiles", get_remote_address())


def _cap_public_query_time() -> None:
    """Cap the public's tile query as the API does (only when one runs: a kept tile needs none)."""
    milliseconds = current_app.config["PUBLIC_STATEMENT_TIMEOUT_MS"]
    if milliseconds:
        db.session.execute(db.text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(milliseconds)})


def _cache_headers(response: Response, public: bool, etag: str) -> Response:
    response.set_etag(etag)
    if public:
        response.headers["Cache-Control"] = f"public, max-age={current_app.config['MVT_MAX_AGE']}"
    else:
        response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Cookie", "Authorization"))  # the same URL is another tile for staff
    return response


@blueprint.get("/tiles/places/<int:z>/<int:x>/<int:y>.mvt")
def places_tile(z: int, x: int, y: int):
    """One vector tile of places: counts per cell below GIS_APP_MVT_POINT_ZOOM, the places themselves from it."""
    if not (z <= MAX_ZOOM and x < 2**z and y < 2**z and offered_extent(z, x, y)):
        raise NotFound(_("No such tile."))
    place_filter = _filter()
    audience = Audience(public=not is_staff())
    if audience.public:
        _limit_public()
    etag = _etag(audience, z, x, y)
    if etag in request.if_none_match:
        return _cache_headers(Response(status=304), audience.public, etag)
    body = _bodies().get(etag)
    if body is None:
        if audience.public:
            _cap_public_query_time()
        with within_time_budget():
            if z < current_app.config["MVT_POINT_ZOOM"]:
                body = tile_queries.counts_tile(place_filter, audience, z, x, y)
            else:
                body = tile_queries.points_tile(place_filter, audience, z, x, y, tile_bounds(z, x, y))
        _bodies().put(etag, body)
    return _cache_headers(Response(body, mimetype=MVT), audience.public, etag)
