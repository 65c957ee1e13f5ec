"""Administration pages: users, organisations and API tokens; only admins reach them."""

import re

import pytest
from sqlalchemy import func, select

from gis_app.admin import service as admin_service
from gis_app.auth.access import current_role
from gis_app.auth.models import ApiToken, AuditEntry, Organisation, User
from gis_app.extensions import db
from tests.factories import PASSWORD, csrf_token, make_token, make_user

PAGES = ("/admin/users", "/admin/users/new", "/admin/users/{user_id}", "/admin/organisations", "/admin/tokens")
NEW_PASSWORD = "a new password 123"


def post_form(client, url, data=None, form_url=None):
    """POST like a browser: with the CSRF token of the page the form is on (English, so tests can read it)."""
    token = csrf_token(client, (form_url or url) + "?lang=en")
    return client.post(url, data={"csrf_token": token, **(data or {})})


def log_in(app, email, password):
    client = app.test_client()
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(client, "/login")}
    )
    return client, response


def field_errors(response, field: str) -> list[str]:
    """The error messages shown next to a form field."""
    page = response.get_data(as_text=True)
    block = re.search(rf'<div id="{field}-error" class="field-errors"[^>]*>(.*?)</div>', page, re.S)
    return re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', block.group(1)) if block else []


def kommunen() -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == "Kommunen"))


def user_form(user: User, **changes) -> dict:
    """The edit form as it stands for the user, with some fields changed (False unticks a checkbox)."""
    data = {"role": user.role, "organisation": str(user.organisation_id), "active": "y", **changes}
    return {key: value for key, value in data.items() if value is not False}


@pytest.fixture
def admin(client_as):
    return client_as("admin")


# --- who may come here ----------------------------------------------------------------------------------------------


def test_every_page_works_for_an_admin(admin):
    for page in PAGES:
        response = admin.get(page.format(user_id=admin.user.id) + "?lang=en")
        assert response.status_code == 200, page
        assert '<nav class="admin-nav"' in response.get_data(as_text=True)
    assert 'href="/admin/users" data-nav="admin"' in admin.get("/").get_data(as_text=True)


def test_users_page_lists_email_role_organisation_active_and_locked(admin, app):
    locked = make_user("planner", active=False, locked_until=func.now() + func.make_interval(0, 0, 0, 0, 1))
    page = admin.get("/admin/users?lang=en").get_data(as_text=True)
    row = re.search(rf'<tr data-user-id="{locked.id}" class="inactive">(.*?)</tr>', page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells[:4] == [locked.email, "Planner", "Kommunen", "No"]
    assert cells[4].startswith("Until")


@pytest.mark.parametrize("role", ["field_staff", "planner", "police"])
def test_other_roles_are_refused(client_as, role):
    client = client_as(role)
    for page in PAGES:
        assert client.get(page.format(user_id=client.user.id)).status_code == 403, page
    assert post_form(client, "/admin/users/new", {"email": "x@example.se"}, form_url="/login").status_code == 403
    assert 'data-nav="admin"' not in client.get("/").get_data(as_text=True)


def test_the_public_is_sent_to_log_in(client, app_context):
    user = make_user("planner")
    for page in PAGES:
        response = client.get(page.format(user_id=user.id))
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/admin/"), page
    assert post_form(client, f"/admin/users/{user.id}/password", form_url="/login").status_code == 401


def test_an_api_token_of_an_admin_does_not_open_the_pages(client, app_context):
    secret = make_token(make_user("admin"), scopes=("read", "write:places"))
    response = client.get("/admin/tokens", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]  # tokens count on /api only
    assert "data-token-id" not in response.get_data(as_text=True) and "csrf_token" not in response.headers.get(
        "Set-Cookie", ""
    )


def test_a_form_without_its_csrf_token_is_refused(admin):
    response = admin.post(
        "/admin/users/new",
        data={
            "email": "ny@example.se",
            "role": "planner",
            "organisation": str(kommunen().id),
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "ny@example.se")) is None


def test_unknown_user_or_token_is_404(admin):
    assert admin.get("/admin/users/9999").status_code == 404
    assert post_form(admin, "/admin/tokens/9999/revoke", form_url="/admin/tokens").status_code == 404


# --- users ----------------------------------------------------------------------------------------------------------


def test_create_user_who_can_then_log_in(admin, app):
    response = post_form(
        admin,
        "/admin/users/new",
        {
            "email": " Ny.Planerare@Example.se ",
            "role": "planner",
            "organisation": str(kommunen().id),
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    user = db.session.scalar(select(User).where(User.email == "ny.planerare@example.se"))
    assert (user.role, user.organisation.name, user.active) == ("planner", "Kommunen", True)
    assert "ny.planerare@example.se" in admin.get("/admin/users").get_data(as_text=True)
    _, login = log_in(app, "ny.planerare@example.se", NEW_PASSWORD)
    assert login.status_code == 302


def test_duplicate_email_is_an_error_on_the_email_field(admin):
    existing = make_user("police")
    response = post_form(
        admin,
        "/admin/users/new",
        {
            "email": existing.email.upper(),
            "role": "planner",
            "organisation": str(kommunen().id),
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert field_errors(response, "email") == ["A user with this email exists already."]
    assert (
        db.session.scalar(
            select(func.count()).select_from(User).where(func.lower(User.email) == existing.email.lower())
        )
        == 1
    )


def test_bad_input_is_shown_next_to_each_field(admin):
    response = post_form(
        admin,
        "/admin/users/new",
        {"email": "not an email", "role": "superuser", "organisation": "9999", "password": "short"},
    )
    assert response.status_code == 400
    for field in ("email", "role", "organisation", "password"):
        assert field_errors(response, field), field
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    too_long = "a" * 250 + "@example.se"
    response = post_form(
        admin,
        "/admin/users/new",
        {"email": too_long, "role": "planner", "organisation": str(kommunen().id), "password": NEW_PASSWORD},
    )
    assert response.status_code == 400 and field_errors(response, "email")


def test_change_role_and_organisation(admin):
    user = make_user("field_staff")
    polisen = db.session.scalar(select(Organisation).where(Organisation.name == "Polisen"))
    response = post_form(admin, f"/admin/users/{user.id}", user_form(user, role="police", organisation=str(polisen.id)))
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.role, user.organisation_id, user.active) == ("police", polisen.id, True)


def test_deactivated_user_cannot_log_in_and_is_logged_out(admin, client_as, app):
    planner = client_as("planner")
    response = post_form(admin, f"/admin/users/{planner.user.id}", user_form(planner.user, active=False))
    assert response.status_code == 302
    assert planner.get("/admin/users").status_code == 302  # the open session ended: sent to log in
    assert planner.user.email not in planner.get("/").get_data(as_text=True)
    _, login = log_in(app, planner.user.email, PASSWORD)
    assert login.status_code == 400
    post_form(admin, f"/admin/users/{planner.user.id}", user_form(planner.user, active="y"))
    assert log_in(app, planner.user.email, PASSWORD)[1].status_code == 302


def test_unlock_a_locked_account(admin, app):
    user = make_user("planner")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        log_in(app, user.email, "wrong password")
    assert log_in(app, user.email, PASSWORD)[1].status_code == 400
    page = admin.get(f"/admin/users/{user.id}?lang=en").get_data(as_text=True)
    assert 'name="unlock"' in page
    assert post_form(admin, f"/admin/users/{user.id}", user_form(user, unlock="y")).status_code == 302
    assert log_in(app, user.email, PASSWORD)[1].status_code == 302


def test_reset_password_shows_a_new_one_once_and_it_works(admin, app):
    user = make_user("police")
    response = post_form(admin, f"/admin/users/{user.id}/password", form_url=f"/admin/users/{user.id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    new_password = re.search(
        r"<code class=\"secret\" data-new-password>([^<]+)</code>", response.get_data(as_text=True)
    ).group(1)
    assert len(new_password) >= 10
    assert new_password not in admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert log_in(app, user.email, PASSWORD)[1].status_code == 400
    assert log_in(app, user.email, new_password)[1].status_code == 302


def test_the_last_active_admin_cannot_demote_or_deactivate_themself(admin):
    me = admin.user
    demote = post_form(
        admin, f"/admin/users/{me.id}?lang=en", user_form(me, role="planner"), form_url=f"/admin/users/{me.id}"
    )
    assert demote.status_code == 400
    assert field_errors(demote, "role") == [
        "This is the last active administrator: make another user an administrator first."
    ]
    deactivate = post_form(admin, f"/admin/users/{me.id}", user_form(me, active=False))
    assert deactivate.status_code == 400 and field_errors(deactivate, "active")
    db.session.refresh(me)
    assert (me.role, me.active) == ("admin", True)


def test_an_admin_may_step_down_when_another_admin_remains(admin):
    make_user("admin")
    me = admin.user
    response = post_form(admin, f"/admin/users/{me.id}", user_form(me, role="planner"))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    db.session.refresh(me)
    assert me.role == "planner"
    assert admin.get("/admin/users").status_code == 403


# --- organisations --------------------------------------------------------------------------------------------------


def test_create_organisation_and_refuse_a_duplicate(admin):
    name = "Fastighets AB Norr"
    response = post_form(admin, "/admin/organisations", {"name": name, "kind": "other"})
    assert response.status_code == 302
    assert db.session.scalar(select(Organisation.kind).where(Organisation.name == name)) == "other"
    assert name in admin.get("/admin/organisations").get_data(as_text=True)
    duplicate = post_form(
        admin, "/admin/organisations?lang=en", {"name": name.upper(), "kind": "kommun"}, form_url="/admin/organisations"
    )
    assert duplicate.status_code == 400
    assert field_errors(duplicate, "name") == ["An organisation with this name exists already."]
    bad_kind = post_form(admin, "/admin/organisations", {"name": "Annan", "kind": "company"})
    assert bad_kind.status_code == 400 and field_errors(bad_kind, "kind")


# --- API tokens -----------------------------------------------------------------------------------------------------


def issue_token(admin, user, scopes=("read",), name="Larmcentralen"):
    response = post_form(admin, "/admin/tokens", {"user": str(user.id), "name": name, "scopes": list(scopes)})
    assert response.status_code == 200, response.get_data(as_text=True)
    match = re.search(r"<code class=\"secret\" data-token-secret>([^<]+)</code>", response.get_data(as_text=True))
    return response, match.group(1)


def test_token_secret_is_shown_once_and_authenticates_on_the_api(admin, client):
    owner = make_user("planner")
    response, secret = issue_token(admin, owner, scopes=("read", "write:places"))
    assert response.headers["Cache-Control"] == "no-store"
    token = db.session.scalar(select(ApiToken))
    assert (token.user_id, token.name, sorted(token.scopes)) == (owner.id, "Larmcentralen", ["read", "write:places"])
    assert token.token_hash != secret
    listing = admin.get("/admin/tokens?lang=en").get_data(as_text=True)
    assert secret not in listing and "Larmcentralen" in listing and owner.email in listing
    with client:
        assert client.get("/api/", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
        assert current_role() == "planner"


def test_token_form_errors(admin):
    owner = make_user("planner")
    response = post_form(admin, "/admin/tokens", {"user": str(owner.id), "name": ""})
    assert response.status_code == 400
    assert field_errors(response, "name") and field_errors(response, "scopes")
    assert "data-token-secret" not in response.get_data(as_text=True)
    response = post_form(admin, "/admin/tokens", {"user": "9999", "name": "x", "scopes": ["read"]})
    assert response.status_code == 400 and field_errors(response, "user")
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoked_token_is_refused_with_401(admin, client):
    owner = make_user("police")
    secret = make_token(owner, name="Polisens app")
    token = db.session.scalar(select(ApiToken))
    response = post_form(admin, f"/admin/tokens/{token.id}/revoke", form_url="/admin/tokens")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/tokens"
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert client.get("/api/", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    again = post_form(admin, f"/admin/tokens/{token.id}/revoke", form_url="/admin/tokens")
    assert again.status_code == 302  # revoking twice is harmless


# --- audit trail ----------------------------------------------------------------------------------------------------


def test_user_and_token_changes_are_audited_without_secrets(admin):
    post_form(
        admin,
        "/admin/users/new",
        {
            "email": "granskad@example.se",
            "role": "field_staff",
            "organisation": str(kommunen().id),
            "password": NEW_PASSWORD,
        },
    )
    user = db.session.scalar(select(User).where(User.email == "granskad@example.se"))
    post_form(admin, f"/admin/users/{user.id}", user_form(user, role="planner"))
    post_form(admin, f"/admin/users/{user.id}", user_form(user, role="planner"))  # no change: no row
    post_form(admin, f"/admin/users/{user.id}/password", form_url=f"/admin/users/{user.id}")
    _, secret = issue_token(admin, user)
    token = db.session.scalar(select(ApiToken))
    post_form(admin, f"/admin/tokens/{token.id}/revoke", form_url="/admin/tokens")

    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.entity, e.entity_id) for e in entries] == [
        ("create", "user", user.id),
        ("update", "user", user.id),
        ("update", "user", user.id),
        ("create", "api_token", token.id),
        ("update", "api_token", token.id),
    ]
    assert all(e.user_id == admin.user.id for e in entries)
    assert (entries[1].before["role"], entries[1].after["role"]) == ("field_staff", "planner")
    assert entries[2].after["password"] == "reset"
    assert entries[4].before["revoked_at"] is None and entries[4].after["revoked_at"]
    text = repr([(e.before, e.after) for e in entries])
    for leak in ("password_hash", "token_hash", "scrypt", secret, user.password_hash, token.token_hash):
        assert leak not in text


def test_outside_organisations_get_outside_roles_and_never_staff_roles(admin):
    owner = admin_service.create_organisation("Fastighets AB Söder", "other")
    form = {"email": "agare@example.se", "password": NEW_PASSWORD, "organisation": str(owner.id)}
    staff = post_form(admin, "/admin/users/new?lang=en", {**form, "role": "field_staff"}, form_url="/admin/users/new")
    assert staff.status_code == 400 and field_errors(staff, "role")
    municipal = post_form(
        admin, "/admin/users/new", {**form, "role": "property_owner", "organisation": str(kommunen().id)}
    )
    assert municipal.status_code == 400
    assert post_form(admin, "/admin/users/new", {**form, "role": "property_owner"}).status_code == 302
    assert db.session.scalar(select(User.role).where(User.email == "agare@example.se")) == "property_owner"
