"""Logins: failures counted atomically, the same work for every account, sessions revoked on the server and
renewed at login, and a token that is not valid answered with 401."""

import threading

import pytest

from gis_app.auth import models, service
from gis_app.auth.models import ApiToken, User
from gis_app.extensions import db
from tests.factories import PASSWORD, csrf_token, make_token, make_user

ITEMS = "/api/collections/places/items"


def log_in(client, user):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def logged_in(client, user) -> bool:
    return user.email in client.get("/").get_data(as_text=True)


# --- lockout --------------------------------------------------------------------------------------------------------


def test_concurrent_wrong_passwords_all_count_and_lock_the_account(app, app_context, monkeypatch):
    """Six wrong passwords (one more than the lockout needs) checked at once: each read the account first."""
    user = make_user("planner")
    email, attempts = user.email, 6  # within the test pool (4 + 4 connections)
    barrier = threading.Barrier(attempts, timeout=20)
    real_check = models.check_password_hash

    def check_together(stored, password):
        right = real_check(stored, password)
        if password == "wrong":
            barrier.wait()  # every attempt has read the account and checked its password before any counts
        return right

    monkeypatch.setattr(service, "check_password_hash", check_together, raising=False)
    monkeypatch.setattr(models, "check_password_hash", check_together)  # where the old code checked it

    def attempt():
        with app.app_context():
            service.authenticate(email, "wrong")
            db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert service.authenticate(email, PASSWORD) is None  # locked, even with the right password
    db.session.expire_all()
    assert service.is_locked(db.session.get(User, user.id))


def test_a_failure_that_locks_the_account_stops_a_login_already_checking_its_password(app, app_context, monkeypatch):
    email = make_user("planner", failed_logins=app.config["LOGIN_MAX_FAILURES"] - 1).email
    real_check = models.check_password_hash

    def lock_meanwhile(stored, password):
        if password == PASSWORD:
            with app.app_context():  # another worker's failure locks the account while this password is checked
                service.authenticate(email, "wrong")
                db.session.remove()
        return real_check(stored, password)

    monkeypatch.setattr(service, "check_password_hash", lock_meanwhile)
    assert service.authenticate(email, PASSWORD) is None


# --- timing ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["unknown", "wrong password", "locked", "deactivated", "right"])
def test_every_login_checks_one_password_hash_whether_or_not_the_account_exists(app_context, monkeypatch, case):
    user = make_user("planner", active=case != "deactivated")
    if case == "locked":
        user.locked_until = db.func.now() + db.text("interval '1 hour'")
        db.session.commit()
    hashes = []
    real_check = models.check_password_hash
    monkeypatch.setattr(
        service, "check_password_hash", lambda stored, pw: hashes.append(stored) or real_check(stored, pw)
    )
    monkeypatch.setattr(
        models, "check_password_hash", lambda stored, pw: hashes.append(stored) or real_check(stored, pw)
    )
    email = "nobody@example.se" if case == "unknown" else user.email
    password = "wrong" if case == "wrong password" else PASSWORD
    assert (service.authenticate(email, password) is not None) == (case == "right")
    assert len(hashes) == 1
    # The stand-in hash costs what a real one does: the same method and parameters.
    assert hashes[0].rsplit("$", 2)[0] == user.password_hash.rsplit("$", 2)[0]


# --- sessions -------------------------------------------------------------------------------------------------------


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_copied_session_cookie_stops_working_at_logout(app, app_context):
    user = make_user("planner")
    client = app.test_client()
    log_in(client, user)
    copied = _session_cookie(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert not logged_in(thief, user)
    assert thief.get("/places/new").status_code == 302  # sent to log in


def test_logging_out_ends_only_that_session(app, app_context):
    user = make_user("planner")
    phone, desktop = app.test_client(), app.test_client()
    log_in(phone, user)
    log_in(desktop, user)
    phone.post("/logout", data={"csrf_token": csrf_token(phone, "/")})
    assert logged_in(desktop, user) and not logged_in(phone, user)


def test_a_password_reset_or_deactivation_ends_every_session(app, app_context, client_as):
    user = make_user("planner")
    first, second = app.test_client(), app.test_client()
    log_in(first, user)
    log_in(second, user)
    admin = client_as("admin")
    token = csrf_token(admin, f"/admin/users/{user.id}")
    assert admin.post(f"/admin/users/{user.id}/password", data={"csrf_token": token}).status_code == 200
    assert not logged_in(first, user) and not logged_in(second, user)

    other = make_user("field_staff")
    client = app.test_client()
    log_in(client, other)
    form = {"role": "field_staff", "organisation": str(other.organisation_id), "csrf_token": token}
    assert admin.post(f"/admin/users/{other.id}", data=form).status_code == 302  # active unticked
    db.session.expire_all()
    db.session.get(User, other.id).active = True  # reactivated: the old session must stay dead
    db.session.commit()
    assert not logged_in(client, other)


def test_logging_in_renews_the_session_and_its_csrf_secret(app, app_context):
    user = make_user("planner")
    client = app.test_client()
    client.get("/login?lang=en")
    before_token = csrf_token(client, "/login")
    with client.session_transaction() as before:
        secret_before = before["csrf_token"]
    log_in(client, user)
    csrf_token(client, "/")
    with client.session_transaction() as after:
        assert after["csrf_token"] != secret_before
        assert after["lang"] == "en"  # the chosen language survives the login
    response = client.post("/logout", data={"csrf_token": before_token})
    assert response.status_code == 400  # a token from before the login is worth nothing after it
    assert logged_in(client, user)


# --- API tokens -----------------------------------------------------------------------------------------------------


def test_a_token_that_is_not_valid_gets_401_saying_so(client, app_context):
    owner = make_user("planner")
    secret = make_token(owner, ["read", "write:places"])
    assert client.get(ITEMS, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    revoked = make_token(owner, ["read", "write:places"], name="old")
    db.session.execute(db.update(ApiToken).where(ApiToken.name == "old").values(revoked_at=db.func.now()))
    db.session.commit()
    for header in (f"Bearer {revoked}", "Bearer xxx", "Bearer ", "bearer xxx"):
        for method, url in (("get", ITEMS), ("get", "/api/"), ("post", ITEMS), ("get", "/")):
            response = getattr(client, method)(
                url,
                headers={"Authorization": header, "Accept": "application/json"},
                json={} if method == "post" else None,
            )
            assert response.status_code == 401, (header, method, url)
            assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
            assert "inte giltig" in response.get_json()["description"], (header, method, url)
    assert client.get(ITEMS).status_code == 200  # no token: the public view


def test_a_deactivated_users_token_gets_401(client, app_context):
    owner = make_user("planner")
    secret = make_token(owner)
    db.session.execute(db.update(User).where(User.id == owner.id).values(active=False))
    db.session.commit()
    assert client.get(ITEMS, headers={"Authorization": f"Bearer {secret}"}).status_code == 401
