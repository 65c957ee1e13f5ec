"""What one anonymous client may cost the API: requests per address (shared by all workers) and query time."""

from contextlib import contextmanager

from flask import current_app
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from gis_app.auth.access import is_staff
from gis_app.errors import AppError
from gis_app.extensions import db
from gis_app.ratelimits import enforce

QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout


class QueryTooSlow(AppError):
    status = 503
    code = "ServiceUnavailable"


def limit_public_request() -> None:
    """Count the public's API requests per address; cap the time each of their statements may take."""
    if is_staff():
        return
    enforce("API_RATE_LIMIT", "api", get_remote_address())
    milliseconds = current_app.config["PUBLIC_STATEMENT_TIMEOUT_MS"]
    if milliseconds:  # for this request's transaction only
        db.session.execute(text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(milliseconds)})


@contextmanager
def within_time_budget():
    """A query stopped by the statement timeout answers 503 with a hint, not 500."""
    try:
        yield
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != QUERY_CANCELED:
            raise
        db.session.rollback()  # the transaction is dead; nothing else in this request may use it
        raise QueryTooSlow(
            _("The request took too long. Ask for a smaller box, fewer features per page, or more filters.")
        ) from None
