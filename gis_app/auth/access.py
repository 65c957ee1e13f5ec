"""Who may reach what: one declared table of every endpoint's rule for each role, enforced before each request."""

from flask import current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from gis_app.auth.models import EXTERNAL_ROLES
from gis_app.auth.models import ROLES as ACCOUNT_ROLES
from gis_app.core.registry import navigation
from gis_app.errors import AppError

PUBLIC = "public"
PLACE_SCOPE, OBSERVATION_SCOPE = "write:places", "write:observations"  # API token scopes that allow writes
ROLES = (PUBLIC, *ACCOUNT_ROLES)
EVERYONE = frozenset(ROLES)
EXTERNAL = frozenset(EXTERNAL_ROLES)  # logged in, but see what the public sees plus their own records
STAFF = frozenset(ROLES) - {PUBLIC} - EXTERNAL
PLANNING = frozenset({"planner", "admin"})
ADMIN = frozenset({"admin"})
POLICE = frozenset({"police", "admin"})
# Licensing officers (alkoholhandläggare) work as planners until they have a role of their own.
LICENSING = frozenset({"planner", "police", "admin"})
# Camera positions, their permits and property protection: the security role, the police and admins only.
SECURITY = frozenset({"security", "police", "admin"})
PROPERTY_WRITERS = frozenset({"planner", "security", "admin"})  # register properties, site visits and measures
PROPERTY_OWNER = frozenset({"property_owner"})  # an owner's account: its own properties only (the service checks)

# Every endpoint must be listed; an endpoint without a rule is refused (and fails the role-matrix test).
ACCESS: dict[str, frozenset[str]] = {
    # Assets and the public map
    "static": EVERYONE,
    "vendor.asset": EVERYONE,
    "tiles.tile": EVERYONE,
    "vectortiles.places_tile": EVERYONE,  # generalised for the public (gis_app/api/vectortiles.py)
    "activity_tiles.inventory_tile": STAFF,  # the year map's counts (gis_app/api/activity_tiles.py)
    "activity_tiles.inventory_places": STAFF,
    "places.map_page": EVERYONE,
    # Accounts
    "auth.login": EVERYONE,
    "auth.logout": STAFF | EXTERNAL,
    # Places and observations (pages)
    "places.place_detail": STAFF,
    "places.new_place": STAFF,
    "places.edit_place": PLANNING,
    "places.delete_place": PLANNING,
    "places.new_observation": STAFF,
    "places.review_observation": PLANNING,
    "places.review_title": PLANNING,
    "places.place_history": STAFF,
    # OGC API – Features: reading is public (generalised for the public), writing needs a role or a token scope
    "api.landing_page": EVERYONE,
    "api.openapi": EVERYONE,
    "api.conformance": EVERYONE,
    "api.collections": EVERYONE,
    "api.collection": EVERYONE,
    "api.items": EVERYONE,
    "api.item": EVERYONE,
    "api.queryables": EVERYONE,
    "api.tile_matrix_sets": EVERYONE,
    "api.tile_matrix_set": EVERYONE,
    "api.collection_tilesets": EVERYONE,
    "api.collection_tileset": EVERYONE,
    "api.collection_tilejson": EVERYONE,
    "api.qgis_project": EVERYONE,
    "api.create_item": STAFF,
    "api.replace_item": PLANNING,
    "api.update_item": PLANNING,
    "api.delete_item": PLANNING,
    "api.create_observation": STAFF,
    # Photos: staff only
    "photos.photo": STAFF,
    "photos.thumbnail": STAFF,
    # EST inventory
    "inventory.years": STAFF,
    "inventory.open_year": PLANNING,
    "inventory.year_page": STAFF,
    "inventory.close_year": PLANNING,
    "inventory.reopen_year": ADMIN,
    "inventory.place_page": STAFF,
    "inventory.save_assessment": PLANNING,
    "inventory.new_measure": PLANNING,
    "inventory.edit_measure": PLANNING,
    "inventory.delete_measure": PLANNING,
    "inventory.remove_photo": PLANNING,
    "inventory.remediation_list": STAFF,
    "inventory.export": PLANNING,
    "inventory.year_map": STAFF,
    "inventory.statistics": STAFF,
    # Police outreach: plans, visit logs and police-only data for the police; planners see tasks and counts only
    "outreach.priorities": POLICE,
    "outreach.plan_shift": POLICE,
    "outreach.save_plan": POLICE,
    "outreach.plans": POLICE,
    "outreach.plan_detail": POLICE,
    "outreach.new_visit": POLICE,
    "outreach.place_visits": POLICE,
    "outreach.layers": POLICE,
    "outreach.heat_tile": POLICE,  # the heat map's counts per cell: police-only data, never public
    "outreach.heat_places": POLICE,
    "outreach.tasks": PLANNING | POLICE,
    "outreach.complete_task": PLANNING | POLICE,
    "outreach.summary": PLANNING | POLICE,
    "outreach_api.create_visit": POLICE,
    "outreach_api.visits": POLICE,
    "outreach_api.csrf": POLICE,
    "outreach_api.visit_counts": PLANNING | POLICE,
    # Safety walks: planners and admins plan; field staff, police and planners capture; the public sees nothing
    "walks.index": STAFF,
    "walks.new_walk": PLANNING,
    "walks.walk_detail": STAFF,
    "walks.set_stops": PLANNING,
    "walks.suggest_order": PLANNING,
    "walks.move_stop": PLANNING,
    "walks.save_route": PLANNING,
    "walks.follow_up": PLANNING,
    "walks.edit_walk": PLANNING,
    "walks.cancel_walk": PLANNING,
    "walks.delete_walk": PLANNING,
    "walks.route_print": STAFF,
    "walks.capture": STAFF,
    "walks.service_worker": EVERYONE,
    "walks.manifest": EVERYONE,
    "walks.protocol_page": STAFF,
    "walks.protocol_pdf": STAFF,
    "walks.update_finding": PLANNING,
    "walks.export_findings": STAFF,
    "walks_api.create_finding": STAFF,
    "walks_api.findings": STAFF,
    "walks_api.places": STAFF,
    "walks_api.csrf": STAFF,
    # Citizens: report without an account, follow its status; planners moderate (gis_app/citizens)
    "citizens.report_form": EVERYONE,
    "citizens.challenge": EVERYONE,
    "citizens.search": EVERYONE,
    "citizens.status_lookup": EVERYONE,
    "citizens.status_page": EVERYONE,
    "citizens.accessibility": EVERYONE,
    "citizens.privacy": EVERYONE,
    "citizens.queue": PLANNING,
    "citizens.report_detail": PLANNING,
    "citizens.merge_report": PLANNING,
    "citizens.create_place": PLANNING,
    "citizens.dismiss_report": PLANNING,
    # Open311 GeoReport v2: reading is public (what the status page shows); sending needs an api_key with the
    # scope write:reports, checked by the endpoint itself
    "open311.discovery": EVERYONE,
    "open311.services": EVERYONE,
    "open311.service_definition": EVERYONE,
    "open311.requests_list": EVERYONE,
    "open311.create_request": EVERYONE,
    "open311.request_detail": EVERYONE,
    # Reports to citizens (gis_app/promise): published reports, their PDF, photos and feed are public; planners
    # draft and publish, one municipality user and one police user approve (the service checks the organisation)
    "promise.archive": EVERYONE,
    "promise.public_report": EVERYONE,
    "promise.public_report_pdf": EVERYONE,
    "promise.public_photo": EVERYONE,
    "promise.feed": EVERYONE,
    "promise.drafts": PLANNING | POLICE,
    "promise.new_draft": PLANNING,
    "promise.draft": PLANNING | POLICE,
    "promise.edit_draft": PLANNING,
    "promise.refresh_draft": PLANNING,
    "promise.approve_draft": PLANNING | POLICE,
    "promise.publish_draft": PLANNING,
    "promise.delete_draft": PLANNING,
    "promise.supersede": PLANNING,
    "promise.photos": PLANNING,
    "promise.photo_approval": PLANNING,
    "promise.promises": STAFF,
    "promise.enter_value": PLANNING | POLICE,
    # Editing the promise: planners everything, the police the promises they own or share (the service checks)
    "promise.new_period": PLANNING,
    "promise.edit_period": PLANNING,
    "promise.new_promise": PLANNING | POLICE,
    "promise.edit_promise": PLANNING | POLICE,
    "promise.delete_promise": PLANNING | POLICE,
    "promise.new_indicator": PLANNING | POLICE,
    "promise.edit_indicator": PLANNING | POLICE,
    "promise.delete_indicator": PLANNING | POLICE,
    # Lighting: the dark-hours year is public (no personal data); lamps, outages and gaps are for staff
    "lighting.dark_hours": EVERYONE,
    "lighting.dark_hours_chart": EVERYONE,
    "lighting.sun_times": STAFF,
    "lighting.index": STAFF,
    "lighting.lamp_layer": STAFF,
    "lighting.gap_layer": STAFF,
    "lighting.analyse": PLANNING,
    "lighting.gaps": STAFF,
    "lighting.export_gaps": PLANNING,
    "lighting.lamp": STAFF,
    "lighting.report_outage": STAFF,
    "lighting.fix_outage": PLANNING,
    "lighting.place_lamps": STAFF,
    # Evening economy (Purple Flag): the map is public without inspections or unsafe places; inspections and
    # trainings for licensing officers and the police; the self-assessment is written by planners
    "evening.map_page": EVERYONE,
    "about.never_mapped": EVERYONE,
    "evening.premises_list": LICENSING,
    "evening.summary_export": LICENSING,
    "evening.premises_detail": LICENSING,
    "evening.new_inspection": LICENSING,
    "evening.inspection_detail": LICENSING,
    "evening.complete_follow_up": LICENSING,
    "evening.trainings": LICENSING,
    "evening.training_detail": LICENSING,
    "evening.assessments": PLANNING | POLICE,
    "evening.assessment_page": PLANNING | POLICE,
    "evening.save_assessment": PLANNING,
    "evening.assessment_pdf": PLANNING | POLICE,
    "evening.assessment_xlsx": PLANNING | POLICE,
    # Wastewater monitoring: aggregated figures, public
    "wastewater.index": EVERYONE,
    "wastewater.export": EVERYONE,
    "wastewater.catchments": EVERYONE,
    # Property protection (gis_app/properties): staff and the owner's account (its own properties only) see
    # properties, visits and measures; protection and cameras are for SECURITY alone
    "properties.index": STAFF | PROPERTY_OWNER,
    "properties.new_property": PROPERTY_WRITERS,
    "properties.property_detail": STAFF | PROPERTY_OWNER,
    "properties.add_protection": SECURITY & PROPERTY_WRITERS,
    "properties.add_camera": SECURITY & PROPERTY_WRITERS,
    "properties.add_incident": PROPERTY_WRITERS | POLICE,
    "properties.new_visit": PROPERTY_WRITERS,
    "properties.visit_detail": STAFF | PROPERTY_OWNER,
    "properties.agree_measure": PROPERTY_WRITERS,
    "properties.follow_up": PROPERTY_WRITERS,
    "properties.export": PROPERTY_WRITERS | POLICE,
    # Night walks: the calendar is public without names; associations see and write only their own group's shifts
    # and reports (the service scopes them), the police plan for the police volunteers, planners for every group
    "nightwalks.calendar": EVERYONE,
    "nightwalks.calendar_json": EVERYONE,
    "nightwalks.calendar_export": EVERYONE,
    "nightwalks.import_events": PLANNING | POLICE,
    "nightwalks.groups": PLANNING,
    "nightwalks.shifts": STAFF | {"association"},
    "nightwalks.shifts_json": STAFF | {"association"},
    "nightwalks.new_shift": PLANNING | POLICE | {"association"},
    "nightwalks.shift_detail": STAFF | {"association"},
    "nightwalks.new_report": PLANNING | POLICE | {"association"},
    "nightwalks.season_export": STAFF | {"association"},
    # Administration
    "admin.users": ADMIN,
    "admin.new_user": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.reset_password": ADMIN,
    "admin.organisations": ADMIN,
    "admin.tokens": ADMIN,
    "admin.revoke_token": ADMIN,
    # Imports in the browser (gis_app/imports): planners and admins, as with `gis-app import-places`
    "imports.upload": PLANNING,
    "imports.preview": PLANNING,
    "imports.check": PLANNING,
    "imports.run_import": PLANNING,
    "imports.progress": PLANNING,
    "imports.discard": PLANNING,
}


def current_role() -> str:
    """The role of whoever makes this request: a logged-in user, a token's user, or the public."""
    return current_user.role if current_user.is_authenticated else PUBLIC


def can(endpoint: str) -> bool:
    """Whether the caller's role may reach this endpoint: every link and button asks before it is shown."""
    return current_role() in ACCESS.get(endpoint, ())


def visible_navigation() -> list[tuple[str, str, str]]:
    """(key, endpoint, label) of each registered navigation entry the caller may follow: its first allowed choice."""
    links = []
    for entry in navigation(current_app):
        allowed = [(endpoint, label) for endpoint, label in entry.choices if can(endpoint)]
        if allowed:
            links.append((entry.key, allowed[0][0], str(allowed[0][1])))
    return links


def authorise(scope: str) -> None:
    """A token needs the scope; a browser session must prove with its CSRF token that its own page sent this."""
    if api_token() is not None:
        require_scope(scope)
        return
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError:
        raise AppError(
            _("Send this page's CSRF token in the X-CSRFToken header."),
            field="X-CSRFToken",
            status=400,
            code="CSRFError",
        ) from None


def require_scope(scope: str) -> None:
    token = api_token()
    if token is not None and scope not in (token.scopes or []):
        raise AppError(_("This API token lacks the scope %(scope)s.", scope=scope), status=403, code="Forbidden")


def is_staff() -> bool:
    """Municipal and police staff; the public and outside organisations' accounts are not."""
    return current_role() in STAFF


def sees_police_only() -> bool:
    """Police-only records (and the audit rows about them) are for the police and admins alone."""
    return current_role() in POLICE


def sees_security_details() -> bool:
    """Camera positions, permits and property protection: never the public, field staff or outside accounts."""
    return current_role() in SECURITY


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
    if role == PUBLIC and not request.path.startswith("/api/") and request.method == "GET":
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if role == PUBLIC:
        raise AppError(_("Log in, or send an API token, to do this."), status=401, code="Unauthorized")
    raise AppError(_("Your role may not do this."), status=403, code="Forbidden")


def access_matrix_markdown(app=None) -> str:
    """The table as Markdown, one row per endpoint and a ✓ per allowed role; with an app, also each route."""
    routes: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules() if app is not None else ():
        methods = ",".join(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        routes.setdefault(rule.endpoint, []).append(f"{methods} `{rule.rule}`")
    header = ["endpoint", *(["route"] if app is not None else []), *ROLES]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for endpoint in [*ACCESS, *sorted(set(routes) - set(ACCESS))]:  # routes without a rule last: refused to all
        route = ["<br>".join(routes.get(endpoint, ["(no route)"]))] if app is not None else []
        marks = ["✓" if role in ACCESS.get(endpoint, ()) else "–" for role in ROLES]
        lines.append("| " + " | ".join([f"`{endpoint}`", *route, *marks]) + " |")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m gis_app.auth.access
    from gis_app import create_app

    print(access_matrix_markdown(create_app()))  # noqa: T201  (this command prints the table)
