"""Logging in, locking out after repeated failures, and finding the user behind an API token."""
from datetime import datetime, timedelta, timezone

from flask import current_app, g
from sqlalchemy import func, select

from gis_app.auth.models import ApiToken, User
from gis_app.extensions import db


def _now() -> datetime:
    return datetime.now(timezone.utc)


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > _now()


def authenticate(email: str, password: str) -> User | None:
    """Return the user if the password is right and the account active and not locked; count failures."""
    user = find_user(email)
    if user is None or not user.active or is_locked(user):
        return None
    if not user.check_password(password):
        _count_failure(user)
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = func.now()
    db.session.commit()
    return user


def _count_failure(user: User) -> None:
    user.failed_logins += 1
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = _now() + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
        user.failed_logins = 0
    db.session.commit()


def user_from_token(request) -> User | None:
    """Authenticate `Authorization: Bearer <token>` on the API only; remember the token for scopes and the audit."""
    header = request.headers.get("Authorization", "")
    if not request.path.startswith("/api/") or not header.startswith("Bearer "):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(header[7:].strip()),
                                                     ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.active:
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
    return {"email": user.email, "role": user.role, "organisation_id": user.organisation_id, "active": user.active,
            "locked_until": user.locked_until.isoformat() if user.locked_until else None}
