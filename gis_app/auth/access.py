"""Who may reach what: one declared table of every endpoint's rule for each role, enforced before each request."""
from flask import g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gis_app.errors import AppError

PUBLIC = "public"
ROLES = (PUBLIC, "field_staff", "planner", "police", "admin")
EVERYONE = frozenset(ROLES)
STAFF = frozenset(ROLES) - {PUBLIC}
PLANNING = frozenset({"planner", "admin"})
ADMIN = frozenset({"admin"})

# Every endpoint must be listed; an endpoint without a rule is refused (and fails the role-matrix test).
ACCESS: dict[str, frozenset[str]] = {
    # Assets and the public map
    "static": EVERYONE,
    "vendor.asset": EVERYONE,
    "tiles.tile": EVERYONE,
    "places.map_page": EVERYONE,
    # Accounts
    "auth.login": EVERYONE,
    "auth.logout": STAFF,
    # Places and observations (pages)
    "places.place_detail": STAFF,
    "places.new_place": STAFF,
    "places.edit_place": PLANNING,
    "places.delete_place": PLANNING,
    "places.new_observation": STAFF,
    "places.review_observation": PLANNING,
    "places.place_history": STAFF,
    # OGC API – Features: reading is public (generalised for the public), writing needs a role or a token scope
    "api.landing_page": EVERYONE,
    "api.openapi": EVERYONE,
    "api.conformance": EVERYONE,
    "api.collections": EVERYONE,
    "api.collection": EVERYONE,
    "api.items": EVERYONE,
    "api.item": EVERYONE,
    "api.create_item": STAFF,
    "api.replace_item": PLANNING,
    "api.update_item": PLANNING,
    "api.delete_item": PLANNING,
    "api.create_observation": STAFF,
    # Administration
    "admin.users": ADMIN,
    "admin.new_user": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.reset_password": ADMIN,
    "admin.organisations": ADMIN,
    "admin.tokens": ADMIN,
    "admin.revoke_token": ADMIN,
}


def current_role() -> str:
    """The role of whoever makes this request: a logged-in user, a token's user, or the public."""
    return current_user.role if current_user.is_authenticated else PUBLIC


def is_staff() -> bool:
    return current_role() != PUBLIC


def api_token():
    """The API token this request was authenticated with, if any."""
    return g.get("api_token")


def enforce_access():
    """Refuse the request unless the table allows the caller's role (before_request hook)."""
    if request.endpoint is None:  # no route matched: the 404/405 handlers answer
        return None
    allowed = ACCESS.get(request.endpoint, frozenset())
    role = current_role()
    if role in allowed:
        return None
    if role == PUBLIC and request.blueprint != "api" and request.method == "GET":
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if role == PUBLIC:
        raise AppError(_("Log in, or send an API token, to do this."), status=401, code="Unauthorized")
    raise AppError(_("Your role may not do this."), status=403, code="Forbidden")
