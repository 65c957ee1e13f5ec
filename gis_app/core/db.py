"""The one way to write (a transaction that commits all or nothing) and to fetch a row by id or answer 404."""

from collections.abc import Callable
from contextlib import contextmanager

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from gis_app.core.inputs import DB_INT_MAX
from gis_app.errors import AppError, NotFound
from gis_app.extensions import db


def find(model, ident: object):
    """The row with this id, or None; an id no PostgreSQL integer can hold finds nothing (never a 500)."""
    return db.session.get(model, ident) if isinstance(ident, int) and 0 < ident <= DB_INT_MAX else None


def get_or_404(model, ident: int, message: str):
    """The row with this id, or NotFound with `message`."""
    row = find(model, ident)
    if row is None:
        raise NotFound(message)
    return row


@contextmanager
def transaction(conflict: Callable[[], Exception] | None = None, passthrough: tuple[type[Exception], ...] = ()):
    """Commit all the block wrote, or nothing.

    A lost race on a row's version raises `conflict()` (default: 409). The database's refusals (a constraint, data
    it cannot store) are the caller's input, so a 422, unless their type is in `passthrough`: then the caller
    handles them (a repeated client UUID is a repeat, not an error).
    """
    try:
        yield
        db.session.commit()
    except passthrough:
        db.session.rollback()
        raise
    except StaleDataError:
        db.session.rollback()
        raise (
            conflict()
            if conflict
            else AppError(
                _("Someone else changed this after you read it: reload and try again."), status=409, code="Conflict"
            )
        ) from None
    except (IntegrityError, DataError) as exc:
        db.session.rollback()
        current_app.logger.warning("write refused by the database: %s", exc)
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise AppError(
            _("The database refused the change; nothing was changed: %(reason)s", reason=reason),
            status=422,
            code="InvalidParameterValue",
        ) from None
    except BaseException:
        db.session.rollback()
        raise
