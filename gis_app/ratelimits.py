"""Rate limits that hold across every worker and process: fixed-window counters in the app's own PostgreSQL.

`RATELIMIT_STORAGE_URI = database://` (the default) makes Flask-Limiter count in the UNLOGGED table `rate_limit`
through the app's database engine, so no extra service is needed. `enforce` applies a limit from a setting to any
key (an address, an account, a scope such as the API or upstream tile fetches).
"""

import math
import random
import time

from flask import current_app, has_app_context
from flask_babel import gettext as _
from limits import parse_many
from limits.storage import Storage
from sqlalchemy import Column, DateTime, Integer, Table, Text, text
from sqlalchemy.exc import SQLAlchemyError

from gis_app.errors import AppError, render_error
from gis_app.extensions import db, limiter

rate_limit_table = Table(
    "rate_limit",
    db.metadata,
    Column("key", Text, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    prefixes=["UNLOGGED"],
)

# One round trip: start a window, or count into the current one; an expired window starts again.
INCREMENT = text("""
    INSERT INTO rate_limit AS r (key, count, expires_at)
    VALUES (:key, :amount, clock_timestamp() + make_interval(secs => :expiry))
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN r.expires_at <= clock_timestamp() THEN excluded.count ELSE r.count + excluded.count END,
        expires_at = CASE WHEN r.expires_at <= clock_timestamp() THEN excluded.expires_at ELSE r.expires_at END
    RETURNING count
""")
CURRENT = text(
    "SELECT count, extract(epoch FROM expires_at) FROM rate_limit WHERE key = :key AND expires_at > clock_timestamp()"
)
PURGE = text("DELETE FROM rate_limit WHERE expires_at < clock_timestamp() - interval '1 minute'")
PURGE_CHANCE = 0.002  # about one hit in 500 sweeps out windows that ended, so the table stays small


class DatabaseStorage(Storage):
    """A `limits` storage in the app's database (scheme `database://`); used inside an app context."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with db.engine.begin() as connection:
            count = connection.scalar(INCREMENT, {"key": key, "amount": amount, "expiry": expiry})
            if random.random() < PURGE_CHANCE:
                connection.execute(PURGE)
        return count

    def _current(self, key: str):
        with db.engine.connect() as connection:
            return connection.execute(CURRENT, {"key": key}).first()

    def get(self, key: str) -> int:
        row = self._current(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._current(key)
        return float(row[1]) if row else time.time()

    def check(self) -> bool:
        if not has_app_context():
            return False
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(text("DELETE FROM rate_limit")).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM rate_limit WHERE key = :key"), {"key": key})


class TooManyRequests(AppError):
    status = 429
    code = "TooManyRequests"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def enforce(setting: str, scope: str, *identifiers: str) -> None:
    """Count one hit of the limit in config[setting] (e.g. '120 per minute'); 429 when it is used up."""
    value = current_app.config.get(setting)
    if not value:
        return  # an empty setting switches the limit off
    strategy = limiter.limiter
    for item in parse_many(value):
        if not strategy.hit(item, scope, *identifiers):
            reset_at = strategy.get_window_stats(item, scope, *identifiers).reset_time
            raise TooManyRequests(
                _("Too many requests. Please wait a moment and try again."),
                retry_after=max(1, math.ceil(reset_at - time.time())),
            )


def _too_many(error: TooManyRequests):
    """The one error shape (HTML or JSON), telling the client when it may try again."""
    response = current_app.make_response(render_error(error.status, error.code, error.message))
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def install(app) -> None:
    app.register_error_handler(TooManyRequests, _too_many)
