"""The logic of the administration pages: users, organisations and API tokens. Views only parse and render."""

import secrets

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gis_app.auth import audit
from gis_app.auth.models import EXTERNAL_ROLES, ApiToken, Organisation, User
from gis_app.auth.service import end_all_sessions, find_user, user_snapshot
from gis_app.errors import AppError, NotFound
from gis_app.extensions import db

# No look-alikes (0/O, 1/l/I), so a password read aloud or copied by hand survives.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_GROUPS = 4
PASSWORD_GROUP_LENGTH = 5  # 20 characters from 56: about 116 bits


def generate_password() -> str:
    """A random password in dash-separated groups, e.g. 'k3Fq9-...'."""
    return "-".join(
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP_LENGTH)) for _ in range(PASSWORD_GROUPS)
    )


# --- users ----------------------------------------------------------------------------------------------------------


def list_users() -> list[User]:
    """Every user, by email."""
    return list(db.session.scalars(select(User).order_by(User.email)))


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def create_user(email: str, role: str, organisation_id: int, password: str) -> User:
    """Create an active user; a taken email (in any letter case) is a field error."""
    if find_user(email):
        raise AppError(_("A user with this email exists already."), field="email")
    user = User(
        email=email.strip().lower(),
        role=role,
        organisation_id=organisation_for(role, organisation_id).id,
        active=True,
        failed_logins=0,
    )
    user.set_password(password)
    db.session.add(user)
    _flush_or_field_error("email", _("A user with this email exists already."))
    audit.record("create", "user", user.id, None, user_snapshot(user))
    db.session.commit()
    return user


def update_user(user: User, role: str, organisation_id: int, active: bool, unlock: bool) -> User:
    """Change role, organisation and active; optionally unlock. Never leaves the app without an active admin."""
    if user.role == "admin" and user.active and (role != "admin" or not active):
        _keep_one_active_admin(user, field="role" if role != "admin" else "active")
    before = user_snapshot(user)
    user.role = role
    user.organisation_id = organisation_for(role, organisation_id).id
    user.active = active
    if not active:
        end_all_sessions(user.id)  # reactivating the account later must not revive its old sessions
    if unlock:
        user.failed_logins = 0
        user.locked_until = None
    _record_update("user", user.id, before, user_snapshot(user))
    db.session.commit()
    return user


def _keep_one_active_admin(user: User, field: str) -> None:
    # FOR UPDATE: two admins demoting each other at once are serialised, and the second sees the first's change.
    admins = db.session.scalars(
        select(User.id).where(User.role == "admin", User.active.is_(True)).with_for_update()
    ).all()
    if set(admins) <= {user.id}:
        db.session.rollback()
        raise AppError(
            _("This is the last active administrator: make another user an administrator first."), field=field
        )


def reset_password(user: User) -> str:
    """Give the user a new random password, unlock the account, and return the password (shown once)."""
    password = generate_password()
    before = user_snapshot(user) | {"password": audit.REDACTED}
    user.set_password(password)
    user.failed_logins = 0
    user.locked_until = None
    end_all_sessions(user.id)  # whoever knew the old password is logged out everywhere
    audit.record("update", "user", user.id, before, user_snapshot(user) | {"password": "reset"})
    db.session.commit()
    return password


# --- organisations --------------------------------------------------------------------------------------------------


def list_organisations() -> list[tuple[Organisation, int]]:
    """Every organisation with its number of users, by name."""
    users = select(func.count(User.id)).where(User.organisation_id == Organisation.id).scalar_subquery()
    return [tuple(row) for row in db.session.execute(select(Organisation, users).order_by(Organisation.name))]


def get_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise AppError(_("No such organisation."), field="organisation")
    return organisation


def organisation_for(role: str, organisation_id: int) -> Organisation:
    """The organisation, if the role fits it: outside organisations get outside roles, never staff roles."""
    organisation = get_organisation(organisation_id)
    if (role in EXTERNAL_ROLES) != (organisation.kind == "other"):
        raise AppError(
            _(
                "Property owners and associations have roles of their own; "
                "staff roles are for the municipality and the police."
            ),
            field="role",
        )
    return organisation


def organisation_choices() -> list[tuple[int, str]]:
    return [(org.id, org.name) for org in db.session.scalars(select(Organisation).order_by(Organisation.name))]


def create_organisation(name: str, kind: str) -> Organisation:
    """Create an organisation; a taken name (in any letter case) is a field error."""
    taken = db.session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.strip().lower()))
    if taken:
        raise AppError(_("An organisation with this name exists already."), field="name")
    organisation = Organisation(name=name.strip(), kind=kind)
    db.session.add(organisation)
    _flush_or_field_error("name", _("An organisation with this name exists already."))
    audit.record("create", "organisation", organisation.id, None, {"name": organisation.name, "kind": kind})
    db.session.commit()
    return organisation


# --- API tokens -----------------------------------------------------------------------------------------------------


def list_tokens() -> list[ApiToken]:
    """Every token, newest first."""
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def token_owner_choices(role_labels: dict) -> list[tuple[int, str]]:
    """Active users, who may own a token (a deactivated user's tokens do not authenticate), with their role's label."""
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.email))
    return [(user.id, f"{user.email} ({role_labels.get(user.role, user.role)})") for user in users]


def token_snapshot(token: ApiToken) -> dict:
    """What the audit trail keeps of a token (never its hash)."""
    return {
        "user_id": token.user_id,
        "name": token.name,
        "scopes": list(token.scopes),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def issue_token(user_id: int, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """Issue a token for an active user; return it and its secret, which is never stored."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise AppError(_("Choose an active user."), field="user")
    token, secret = ApiToken.issue(user, name, scopes)
    db.session.add(token)
    db.session.flush()
    audit.record("create", "api_token", token.id, None, token_snapshot(token))
    db.session.commit()
    return token, secret


def get_token(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("No such API token."))
    return token


def revoke_token(token: ApiToken) -> bool:
    """Revoke the token; False if it was revoked already."""
    if token.revoked_at is not None:
        return False
    before = token_snapshot(token)
    token.revoked_at = db.session.scalar(select(func.now()))
    audit.record("update", "api_token", token.id, before, token_snapshot(token))
    db.session.commit()
    return True


def _record_update(entity: str, entity_id: int, before: dict, after: dict) -> None:
    """Audit an update that changed something; saving an unchanged form leaves no row."""
    if before != after:
        audit.record("update", entity, entity_id, before, after)


def _flush_or_field_error(field: str, message: str) -> None:
    """Flush; a unique violation from a concurrent request becomes the same field error as the check before it."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise AppError(message, field=field) from None
