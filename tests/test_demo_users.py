"""`gis-app demo-data` in demo mode: one login per role, created once; never outside demo mode."""

import pytest
from sqlalchemy import func, select

from gis_app.auth.demo import DEMO_PASSWORD, DEMO_USERS
from gis_app.auth.models import User
from gis_app.extensions import db
from gis_app.places.models import Place
from tests.factories import csrf_token, make_place

EXPECTED = {
    "falt@demo.example": ("field_staff", "Kommunen"),
    "planerare@demo.example": ("planner", "Kommunen"),
    "polis@demo.example": ("police", "Polisen"),
    "admin@demo.example": ("admin", "Kommunen"),
    "sakerhet@demo.example": ("security", "Kommunen"),
    "agare@demo.example": ("property_owner", "Storsjöbygdens Fastigheter AB (demo)"),
    "nattvandrare@demo.example": ("association", "Nattvandrarna Östersund (demo)"),
}


@pytest.fixture
def demo_mode(app, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_MODE", True)


def demo_data(cli, *options):
    result = cli.invoke(args=["demo-data", "--count", "3", *options])
    assert result.exit_code == 0, result.output
    return result


def users() -> dict:
    return {user.email: (user.role, user.organisation.name) for user in db.session.scalars(select(User))}


def test_demo_mode_creates_one_user_per_role_who_can_log_in(demo_mode, cli, app, app_context):
    result = demo_data(cli)

    assert users() == EXPECTED
    assert {email for email, _, _ in DEMO_USERS} == set(EXPECTED) and len(DEMO_PASSWORD) >= 10
    assert DEMO_PASSWORD in result.output
    for email in EXPECTED:
        client = app.test_client()
        response = client.post(
            "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": csrf_token(client, "/login")}
        )
        assert response.status_code == 302, email


def test_demo_users_are_created_once_and_existing_ones_are_left_alone(demo_mode, cli, app_context):
    demo_data(cli)
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.example"))
    admin.set_password("changed by the admin")
    db.session.commit()
    hash_before = admin.password_hash

    db.session.delete(db.session.scalar(select(User).where(User.email == "polis@demo.example")))
    db.session.commit()
    demo_data(cli, "--append")

    assert users() == EXPECTED
    assert db.session.scalar(select(func.count()).select_from(User)) == len(EXPECTED)
    db.session.refresh(admin)
    assert admin.password_hash == hash_before


def test_demo_users_are_created_even_when_places_exist_and_are_skipped(demo_mode, cli, app_context):
    make_place()
    demo_data(cli, "--if-empty")
    assert users() == EXPECTED
    assert db.session.scalar(select(func.count()).select_from(Place)) == 1


def test_no_users_outside_demo_mode(cli, app, app_context):
    assert app.config["DEMO_MODE"] is False
    demo_data(cli)
    demo_data(cli, "--if-empty")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
