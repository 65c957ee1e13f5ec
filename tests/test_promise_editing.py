"""Editing the citizen promise: planners write periods, promises, activities and indicators; the police write only
promises the police own or share; every change is audited and every bad field is named in a 400 answer."""

from datetime import date

import pytest
from sqlalchemy import func, select

from gis_app.auth.models import AuditEntry
from gis_app.extensions import db
from gis_app.promise import service
from gis_app.promise.models import IndicatorValue, Promise, PromiseActivity, PromiseIndicator, PromisePeriod
from tests.factories import csrf_token


def audited(entity: str) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity == entity).order_by(AuditEntry.id))
    )


def send(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/promises"), **data})


@pytest.fixture
def period(app_context):
    period = PromisePeriod(title="Medborgarlöfte 2025–2026", starts_on=date(2025, 1, 1), ends_on=date(2026, 12, 31))
    db.session.add(period)
    db.session.commit()
    return period


def make_promise(period, owner: str) -> Promise:
    position = db.session.scalar(select(func.count()).select_from(Promise)) + 1
    promise = Promise(period_id=period.id, position=position, title=f"Löfte {owner}", owner=owner)
    db.session.add(promise)
    db.session.commit()
    return promise


def test_a_planner_makes_and_edits_a_period(client_as, app_context):
    planner = client_as("planner")
    assert planner.get("/promises/periods/new").status_code == 200
    made = send(
        planner, "/promises/periods/new", title="Medborgarlöfte 2027", starts_on="2027-01-01", ends_on="2027-12-31"
    )
    assert made.status_code == 302
    period = db.session.scalar(select(PromisePeriod))
    assert (period.title, period.ends_on) == ("Medborgarlöfte 2027", date(2027, 12, 31))
    edited = send(
        planner,
        f"/promises/periods/{period.id}/edit",
        title="Medborgarlöfte 2027–2028",
        starts_on="2027-01-01",
        ends_on="2028-12-31",
    )
    assert edited.status_code == 302
    db.session.expire_all()
    assert db.session.get(PromisePeriod, period.id).ends_on == date(2028, 12, 31)
    assert audited("promise_period") == ["create", "update"]
    page = planner.get("/promises").get_data(as_text=True)
    assert "Medborgarlöfte 2027–2028" in page and f"/promises/periods/{period.id}/promises/new" in page


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"title": "", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}, {"title"}),
        ({"title": "X", "starts_on": "1 januari", "ends_on": "2027-02-30"}, {"starts_on", "ends_on"}),
        ({"title": "X", "starts_on": "2027-01-01", "ends_on": "2026-12-31"}, {"ends_on"}),
        ({"title": "X", "starts_on": "2027-01-01", "ends_on": "2099-12-31"}, {"ends_on"}),
        ({"title": "Medborgarlöfte 2025–2026", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}, {"title"}),
        ({"title": "x" * 201, "starts_on": "2027-01-01", "ends_on": "2027-12-31"}, {"title"}),
        ({"title": "A\x00B", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}, {"title"}),
    ],
)
def test_bad_periods_are_refused_by_field(client_as, period, data, fields):
    answer = send(client_as("planner"), "/promises/periods/new", **data)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert {name for name in ("title", "starts_on", "ends_on") if f'id="{name}-error"' in page} == fields
    assert db.session.scalar(select(func.count()).select_from(PromisePeriod)) == 1


def test_a_planner_writes_a_promise_with_activities_and_indicators(client_as, period):
    planner = client_as("planner")
    made = send(
        planner,
        f"/promises/periods/{period.id}/promises/new",
        title="Vi lagar belysningen",
        description="Snabbt.",
        owner="municipality",
        activities="Inventera lampor\n\nLaga trasiga lampor\n",
    )
    assert made.status_code == 302
    promise = db.session.scalar(select(Promise))
    assert [a.description for a in promise.activities] == ["Inventera lampor", "Laga trasiga lampor"]
    url = f"/promises/{promise.id}/edit"
    assert (
        send(planner, url, title="Vi lagar belysningen", owner="both", activities="Laga trasiga lampor").status_code
        == 302
    )
    db.session.expire_all()
    promise = db.session.get(Promise, promise.id)
    assert promise.owner == "both" and [a.description for a in promise.activities] == ["Laga trasiga lampor"]
    assert audited("promise") == ["create", "update"]
    assert audited("promise_activity") == ["create", "create", "update", "delete"]
    computed = send(
        planner,
        f"/promises/{promise.id}/indicators",
        label="Belysningsåtgärder",
        source="lighting_measures_done",
        unit="st",
        target="",
    )
    manual = send(
        planner,
        f"/promises/{promise.id}/indicators",
        label="Trygghetsmätning",
        source="manual",
        unit="%",
        target="70,5",
    )
    assert computed.status_code == manual.status_code == 302
    indicators = db.session.scalars(select(PromiseIndicator).order_by(PromiseIndicator.position)).all()
    assert [(i.source, i.position, i.target) for i in indicators] == [
        ("lighting_measures_done", 1, None),
        ("manual", 2, 70.5),
    ]
    # A manual value is entered with a date; the report valued over the period shows it.
    token = csrf_token(planner, "/promises")
    entered = planner.post(
        f"/promises/indicators/{indicators[1].id}/values",
        data={"csrf_token": token, "measured_on": "2025-06-01", "value": "72", "note": "Enkät"},
    )
    assert entered.status_code == 302
    content = service.build_content(date(2025, 1, 1), date(2025, 6, 30))
    (written,) = content["promises"]
    assert written["activities"] == ["Laga trasiga lampor"]
    assert [(i["label"], i["value"]) for i in written["indicators"]] == [
        ("Belysningsåtgärder", 0),
        ("Trygghetsmätning", 72),
    ]
    # Its values keep a manual indicator manual; deleting it removes them, audited.
    changed = send(
        planner, f"/promises/indicators/{indicators[1].id}/edit", label="T", source="walks_held", unit="", target=""
    )
    assert changed.status_code == 400 and f"i{indicators[1].id}-source-error" in changed.get_data(as_text=True)
    assert (
        send(
            planner,
            f"/promises/indicators/{indicators[0].id}/edit",
            label="Lampor",
            source="measures_done",
            unit="st",
            target="12",
        ).status_code
        == 302
    )
    assert send(planner, f"/promises/indicators/{indicators[1].id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(IndicatorValue)) == 0
    assert audited("promise_indicator") == ["create", "create", "update", "delete"]
    assert audited("promise_indicator_value")[-1] == "delete"
    assert send(planner, f"/promises/{promise.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PromiseActivity)) == 0
    assert audited("promise")[-1] == "delete"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"label": "", "source": "manual"}, "label"),
        ({"label": "X", "source": "reports_by_magic"}, "source"),
        ({"label": "X", "source": "manual", "target": "-1"}, "target"),
        ({"label": "X", "source": "manual", "target": "många"}, "target"),
        ({"label": "X", "source": "manual", "target": "1e400"}, "target"),
        ({"label": "X", "source": "manual", "unit": "u" * 41}, "unit"),
    ],
)
def test_bad_indicators_are_refused_by_field(client_as, period, data, field):
    promise = make_promise(period, "municipality")
    answer = send(client_as("planner"), f"/promises/{promise.id}/indicators", **data)
    assert answer.status_code == 400
    assert f'id="new-{field}-error"' in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PromiseIndicator)) == 0


def test_bad_promises_are_refused_by_field(client_as, period):
    planner = client_as("planner")
    url = f"/promises/periods/{period.id}/promises/new"
    answer = send(planner, url, title="", owner="the mayor", activities="x" * 1001)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert all(f'id="{name}-error"' in page for name in ("title", "owner", "activities"))
    assert send(planner, "/promises/periods/999999/promises/new", title="X", owner="both").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Promise)) == 0


def test_the_police_edit_only_promises_they_own_or_share(client_as, period):
    police, field_staff = client_as("police"), client_as("field_staff")
    theirs, shared, ours = (
        make_promise(period, "police"),
        make_promise(period, "both"),
        make_promise(period, "municipality"),
    )
    assert police.get(f"/promises/{ours.id}/edit").status_code == 403
    assert send(police, f"/promises/{ours.id}/edit", title="Ändrat", owner="municipality").status_code == 403
    assert send(police, f"/promises/{ours.id}/indicators", label="X", source="manual").status_code == 403
    assert send(police, f"/promises/{ours.id}/delete").status_code == 403
    assert (
        send(police, f"/promises/{theirs.id}/edit", title="Polisen besöker skolor", owner="police").status_code == 302
    )
    assert send(police, f"/promises/{shared.id}/indicators", label="Besök", source="outreach_visits").status_code == 302
    # The police cannot hand a promise to the municipality alone, nor make one.
    handed = send(police, f"/promises/{theirs.id}/edit", title="X", owner="municipality")
    assert handed.status_code == 400 and 'id="owner-error"' in handed.get_data(as_text=True)
    made = send(police, f"/promises/periods/{period.id}/promises/new", title="Polisens löfte", owner="police")
    assert made.status_code == 302
    assert (
        send(police, "/promises/periods/new", title="X", starts_on="2030-01-01", ends_on="2030-12-31").status_code
        == 403
    )
    assert send(field_staff, f"/promises/{theirs.id}/edit", title="X", owner="police").status_code == 403
    page = police.get("/promises").get_data(as_text=True)
    assert f"/promises/{theirs.id}/edit" in page and f"/promises/{ours.id}/edit" not in page
    db.session.expire_all()
    assert db.session.get(Promise, ours.id).title == "Löfte municipality"
