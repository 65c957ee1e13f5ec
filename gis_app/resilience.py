"""Riding out database restarts: reads that lost their connection are retried; what still fails answers 503."""

import functools
import time
from contextlib import suppress

from flask import Flask, current_app, g, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from gis_app.errors import AppError
from gis_app.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD"})
# Pauses before the second and third attempt of a read: a fast PostgreSQL restart takes about a second.
READ_RETRY_DELAYS = (0.2, 0.6)
# SQLSTATEs of a lost or refused connection: class 08, and admin/crash shutdown or "starting up" (57P01-03).
CONNECTION_SQLSTATES = ("08", "57P01", "57P02", "57P03")
RETRY_AFTER_SECONDS = "2"


class DatabaseUnavailable(AppError):
    """The database cannot be reached just now; the client may try again shortly."""

    status = 503
    code = "ServiceUnavailable"


class _RetryRead(Exception):
    """Raised out of the error handler to make the dispatch wrapper run the read again."""


def install(app: Flask) -> None:
    """Retry reads that lost the database connection; answer 503 instead of 500 when the database is away."""
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(InterfaceError, _database_error)
    app.full_dispatch_request = _with_read_retries(app.full_dispatch_request)
    # Teardowns run last-registered first, so this one ends the session before Flask-SQLAlchemy's would fail to.
    app.teardown_appcontext(lambda _error: _reset_session())


def lost_connection(error: DBAPIError) -> bool:
    """Tell whether the error means the connection to PostgreSQL broke or could not be made."""
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate is None:
        # libpq failed before speaking to a server at all: refused, no socket, timed out.
        return isinstance(error, OperationalError)
    return sqlstate.startswith(CONNECTION_SQLSTATES)


def _with_read_retries(full_dispatch_request):
    """Wrap Flask's dispatch so a GET or HEAD runs again, whole, after a lost connection."""

    @functools.wraps(full_dispatch_request)
    def dispatch():
        # Writes are never repeated: a lost COMMIT may have succeeded, and only the client can tell.
        delays = READ_RETRY_DELAYS if request.method in SAFE_METHODS else ()
        for attempt, delay in enumerate(delays, start=1):
            g.database_read_retry = True
            try:
                return full_dispatch_request()
            except _RetryRead as retry:
                current_app.logger.warning(
                    "Retrying %s %s (attempt %d) after a lost database connection: %s",
                    request.method,
                    request.path,
                    attempt + 1,
                    retry.__cause__.orig,
                )
                _reset_session()
                time.sleep(delay)
            finally:
                g.pop("database_read_retry", None)
        return full_dispatch_request()

    return dispatch


def _database_error(error: DBAPIError):
    """Ask for another attempt of a read, or answer 503 with the one error shape."""
    if g.get("database_read_retry") and lost_connection(error):
        raise _RetryRead() from error
    current_app.logger.warning("Database unavailable for %s %s: %s", request.method, request.path, error.orig)
    if "_login_user" not in g:
        # The failure may have been loading the user: render the page for an anonymous caller, not fail again.
        g._login_user = current_app.login_manager.anonymous_user()
    unavailable = DatabaseUnavailable(_("The database cannot be reached just now. Please try again in a moment."))
    response = current_app.make_response(current_app.handle_user_exception(unavailable))
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def _reset_session() -> None:
    """Drop the transaction and return the connection, also one the database dropped (a restart): the next
    attempt or request checks out a fresh, pinged one, and the answer already made stands."""
    with suppress(DBAPIError):
        db.session.rollback()
    with suppress(DBAPIError):
        db.session.remove()
