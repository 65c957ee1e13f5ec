"""Logging in, locking out after repeated failures, server-side sessions, and the user behind an API token."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from flask import current_app, g, session
from flask_babel import gettext as _
from sqlalchemy import case, delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from gis_app.auth.models import ApiToken, User, UserSession
from gis_app.errors import AppError
from gis_app.extensions import db

SESSION_KEY = "sid"  # the session cookie's key for the secret of its server-side session row


class InvalidToken(AppError):
    """A request carried an API token that does not (or no longer) authenticate."""

    status = 401
    code = "InvalidToken"


def _now() -> datetime:
    return datetime.now(UTC)


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > _now()


# --- logging in -----------------------------------------------------------------------------------------------------


@cache
def _stand_in_hash() -> str:
    """A hash of a random password, made like users' hashes, checked when no account has the email."""
    return generate_password_hash(secrets.token_urlsafe(32), method="scrypt")


def _not_locked():
    return User.locked_until.is_(None) | (User.locked_until <= func.now())


def authenticate(email: str, password: str) -> User | None:
    """Return the user if the password is right and the account active and not locked; count failures.

    Every attempt does the same work (one password hash, one counting statement), whether or not the account
    exists, is locked or is deactivated, so the answer's timing tells nothing about the account.
    """
    user = find_user(email)
    right = check_password_hash(user.password_hash if user else _stand_in_hash(), password)
    if user is None or not user.active or not right:
        _count_failure(user.id if user else None)
        return None
    return _admit(user)


def _count_failure(user_id: int | None) -> None:
    """Count a failure in one statement: concurrent failures all count, and the one reaching the limit locks."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    counted = User.failed_logins + 1
    reaches_limit = counted >= limit
    lock = func.now() + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    db.session.execute(
        update(User)
        .where(User.id == user_id, User.active.is_(True), _not_locked())
        .values(
            failed_logins=case((reaches_limit, 0), else_=counted),
            locked_until=case((reaches_limit, lock), else_=User.locked_until),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _admit(user: User) -> User | None:
    """Reset the count and note the login, unless the account got locked meanwhile (checked in the same row)."""
    admitted = db.session.scalar(
        update(User)
        .where(User.id == user.id, User.active.is_(True), _not_locked())
        .values(failed_logins=0, locked_until=None, last_login_at=func.now())
        .returning(User.id)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if admitted is None:
        return None
    db.session.refresh(user)
    return user


# --- server-side sessions -------------------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(user: User) -> None:
    """Begin a new session for the user (a fresh cookie, CSRF secret and server-side row); keep the language."""
    language = session.get("lang")
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF's cache of the old session's CSRF token
    if language:
        session["lang"] = language
    secret = secrets.token_urlsafe(32)
    _forget_expired(user.id)
    db.session.add(UserSession(user_id=user.id, secret_hash=_hash(secret)))
    db.session.commit()
    session[SESSION_KEY] = secret


def _oldest_valid():
    return func.now() - current_app.permanent_session_lifetime


def _forget_expired(user_id: int) -> None:
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user_id, UserSession.created_at < _oldest_valid())
    )


def session_user(user_id: str) -> User | None:
    """The user of this session cookie while its server-side session lasts and the account is active."""
    secret = session.get(SESSION_KEY)
    if not user_id.isdigit() or not isinstance(secret, str):
        return None
    return db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == int(user_id),
            User.active.is_(True),
            UserSession.secret_hash == _hash(secret),
            UserSession.created_at >= _oldest_valid(),
        )
    )


def end_session() -> None:
    """End this session on the server: a copy of its cookie no longer logs anyone in."""
    secret = session.pop(SESSION_KEY, None)
    if isinstance(secret, str):
        db.session.execute(delete(UserSession).where(UserSession.secret_hash == _hash(secret)))
        db.session.commit()


def end_all_sessions(user_id: int) -> None:
    """End every session of the user (password reset, deactivation); the caller commits."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))


# --- API tokens -----------------------------------------------------------------------------------------------------


def _bearer_secret(request) -> str | None:
    """The token of an `Authorization: Bearer` header ('' when it names none), or None without such a header."""
    scheme, _space, secret = request.headers.get("Authorization", "").strip().partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


def request_token(request) -> ApiToken | None:
    """The valid API token the request carries, or None when it carries none; InvalidToken for any other token."""
    if "bearer_token" in g:
        return g.bearer_token
    secret = _bearer_secret(request)
    token = None
    if secret is not None:
        token = db.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(secret), ApiToken.revoked_at.is_(None))
        )
        if token is None or not token.user.active:
            raise InvalidToken(_("The API token is not valid: it is unknown or revoked, or its user is deactivated."))
    g.bearer_token = token
    return token


def refuse_invalid_token(request) -> None:
    """Answer 401 to any request with a token that is not valid, on pages too, before anything else looks at it."""
    request_token(request)


TOKEN_PATHS = ("/api/", "/tiles/")  # the API and the data tiles a token's client draws (never the pages)


def user_from_token(request) -> User | None:
    """Authenticate `Authorization: Bearer <token>` on the API and tiles only; remember the token for scopes and
    the audit."""
    token = request_token(request)
    if token is None or not request.path.startswith(TOKEN_PATHS):
        return None
    _note_use(token)
    g.api_token = token
    return token.user


def _note_use(token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute, so admins can retire unused ones."""
    if token.last_used_at is None or token.last_used_at < _now() - timedelta(minutes=1):
        token.last_used_at = func.now()
        db.session.commit()


def user_snapshot(user: User) -> dict:
    """What the audit trail keeps of a user (never the password hash)."""
    return {
        "email": user.email,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "active": user.active,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
    }
