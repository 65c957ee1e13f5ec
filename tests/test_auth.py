"""Logging in and out, lockout, rate limiting, cookies and API tokens."""

from gis_app.auth.access import current_role
from gis_app.auth.models import ApiToken
from gis_app.extensions import db
from tests.factories import PASSWORD, csrf_token, make_token, make_user


def post_login(client, email, password):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_login_and_logout(client, app_context):
    user = make_user("planner")
    response = post_login(client, user.email.upper(), PASSWORD)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert user.email in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert user.email not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client, app_context):
    user = make_user("planner")
    response = post_login(client, user.email, "wrong")
    assert response.status_code == 400
    assert "Fel e-postadress eller lösenord" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, app_context):
    user = make_user("planner")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_lockout_after_repeated_failures(client, app_context, app):
    user = make_user("planner")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        post_login(client, user.email, "wrong")
    assert post_login(client, user.email, PASSWORD).status_code == 400  # locked, even with the right password


def test_deactivated_user_cannot_log_in(client, app_context):
    user = make_user("planner", active=False)
    assert post_login(client, user.email, PASSWORD).status_code == 400


def test_login_is_rate_limited(app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    client = app.test_client()
    statuses = [post_login(client, "nobody@example.se", "x").status_code for _ in range(5)]
    assert statuses[:3] == [400, 400, 400] and statuses[-1] == 429


def test_next_only_goes_to_this_site(client, app_context):
    user = make_user("planner")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_api_token_authenticates_and_revoked_tokens_do_not(client, app_context):
    user = make_user("planner")
    secret = make_token(user)
    stored = db.session.query(ApiToken).one()
    assert stored.token_hash != secret and len(stored.token_hash) == 64
    with client:
        client.get("/api/", headers={"Authorization": f"Bearer {secret}"})
        assert current_role() == "planner"
    stored.revoked_at = db.func.now()
    db.session.commit()
    response = client.get("/api/", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401 and "återkallad" in response.get_json()["description"]
