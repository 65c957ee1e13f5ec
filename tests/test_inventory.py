"""The annual inventory: open a year, assess places, add measures, close the year; roles, audit, comparison."""

from datetime import date

import pytest
from sqlalchemy import func, select

from gis_app.auth.access import ACCESS
from gis_app.auth.models import AuditEntry
from gis_app.core.validation import InvalidInput
from gis_app.errors import AppError
from gis_app.extensions import db
from gis_app.inventory import labels, service
from gis_app.inventory.models import MEASURE_STATUSES, MEASURE_TYPES, RESPONSIBLE_PARTIES, Assessment, Measure
from gis_app.inventory.service import YearClosed, classify
from gis_app.places.models import Place
from tests.factories import csrf_token, make_area, make_place

ASSESS = {"still_unsafe": True, "main_factor": "poor_lighting", "priority": 1, "note": None}
MEASURE = {
    "measure_type": "lighting",
    "responsible": "municipal_unit",
    "responsible_name": "Gatubelysning",
    "status": "decided",
    "cost_estimate_sek": 45000,
    "due_on": date(2025, 10, 1),
}


@pytest.fixture
def year_with_measure(app_context):
    place = make_place(reported_on=date(2025, 3, 1))
    service.open_year(2025)
    service.save_assessment(2025, place.id, ASSESS)
    measure = service.create_measure(2025, place.id, MEASURE)
    return place, measure


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- labels and access ----------------------------------------------------------------------------------------------


def test_every_code_has_a_swedish_and_english_label():
    assert set(labels.MEASURE_TYPE_LABELS) == set(MEASURE_TYPES)
    assert set(labels.RESPONSIBLE_LABELS) == set(RESPONSIBLE_PARTIES)
    assert set(labels.MEASURE_STATUS_LABELS) == set(MEASURE_STATUSES)
    assert set(labels.MEASURE_STATUS_COLORS) == {"none", *MEASURE_STATUSES}


def test_every_inventory_endpoint_has_a_rule_and_the_public_none(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("inventory.")}
    assert endpoints <= set(ACCESS)
    assert all("public" not in ACCESS[endpoint] for endpoint in endpoints)


@pytest.mark.parametrize(
    "role, read, write", [("field_staff", 200, 403), ("police", 200, 403), ("planner", 200, 302), ("admin", 200, 302)]
)
def test_roles(client_as, year_with_measure, role, read, write):
    place, measure = year_with_measure
    client = client_as(role)
    for url in (
        "/inventory",
        "/inventory/2025",
        f"/inventory/2025/places/{place.id}",
        "/inventory/2025/remediation",
        "/inventory/2025/map",
        "/inventory/2025/statistics",
    ):
        assert client.get(url).status_code == read, url
    token = csrf_token(client_as("planner"), "/inventory")
    response = client.post("/inventory", data={"year": "2026", "csrf_token": token})
    assert response.status_code in (write, 400)  # a planner's token is not this client's: 400 for the form
    export = client.get("/inventory/2025/remediation/export?format=csv")
    assert export.status_code == (200 if role in ("planner", "admin") else 403)
    place_page = client.get(f"/inventory/2025/places/{place.id}").get_data(as_text=True)
    assert "Dålig belysning" in place_page  # the main factor by its label
    if role in ("field_staff", "police"):
        assert 'id="assessment-form"' not in place_page
        own = csrf_token(client, "/login")
        for url in (
            f"/inventory/2025/places/{place.id}",
            f"/inventory/2025/places/{place.id}/measures/new",
            f"/inventory/measures/{measure.id}",
            f"/inventory/measures/{measure.id}/delete",
            "/inventory/2025/close",
        ):
            assert client.post(url, data={"csrf_token": own}).status_code == 403, url


def test_public_sees_nothing(client, year_with_measure):
    place, _ = year_with_measure
    for url in (
        "/inventory",
        "/inventory/2025",
        "/inventory/2025/remediation/export?format=csv",
        "/inventory/2025/map",
        "/inventory/2025/statistics",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    token = csrf_token(client, "/login")
    assert client.post("/inventory", data={"year": "2026", "csrf_token": token}).status_code == 401


# --- the cycle through the pages ------------------------------------------------------------------------------------


def test_planner_does_the_whole_cycle(client_as, app_context):
    place = make_place(reported_on=date(2025, 4, 2), title="Mörk gångtunnel")
    client = client_as("planner")
    token = csrf_token(client, "/inventory")
    response = client.post("/inventory", data={"year": "2025", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/inventory/2025")
    page = client.get("/inventory/2025").get_data(as_text=True)
    assert "Mörk gångtunnel" in page

    url = f"/inventory/2025/places/{place.id}"
    response = client.post(
        url, data={"still_unsafe": "yes", "main_factor": "poor_lighting", "priority": "1", "csrf_token": token}
    )
    assert response.status_code == 302
    response = client.post(
        f"{url}/measures/new",
        data={
            "measure_type": "lighting",
            "responsible": "municipal_unit",
            "responsible_name": "Gatubelysning",
            "status": "decided",
            "cost_estimate_sek": "45000",
            "due_on": "2025-10-01",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    measure = db.session.scalar(select(Measure))
    assert (measure.status, measure.cost_estimate_sek, measure.due_on) == ("decided", 45000, date(2025, 10, 1))

    response = client.post(
        f"/inventory/measures/{measure.id}",
        data={
            "measure_type": "lighting",
            "responsible": "municipal_unit",
            "status": "done",
            "done_on": "2025-09-20",
            "cost_estimate_sek": "41000",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    export = client.get("/inventory/2025/remediation/export?format=csv&separator=;")
    assert export.status_code == 200 and "Mörk gångtunnel" in export.get_data(as_text=True)

    assert client.post("/inventory/2025/close", data={"csrf_token": token, "confirmed": "2025"}).status_code == 302
    assert 'data-year-status="closed"' in client.get("/inventory/2025").get_data(as_text=True)
    actions = db.session.execute(select(AuditEntry.entity, AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == [
        ("inventory_year", "create"),
        ("assessment", "create"),
        ("measure", "create"),
        ("measure", "update"),
        ("place", "update"),
        ("inventory_year", "update"),
    ]
    assert all(entry.user_id == client.user.id for entry in db.session.scalars(select(AuditEntry)))


def test_form_errors_are_shown_next_to_the_field_with_400(client_as, year_with_measure):
    place, measure = year_with_measure
    client = client_as("planner")
    token = csrf_token(client, "/inventory")
    response = client.post(
        f"/inventory/2025/places/{place.id}/measures/new",
        data={
            "measure_type": "lighting",
            "responsible": "municipal_unit",
            "status": "not_feasible",
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    assert 'data-field="not_feasible_reason"' in response.get_data(as_text=True)
    response = client.post(
        f"/inventory/measures/{measure.id}",
        data={"measure_type": "lighting", "responsible": "municipal_unit", "status": "done", "csrf_token": token},
    )
    assert response.status_code == 400 and 'data-field="done_on"' in response.get_data(as_text=True)
    response = client.post("/inventory", data={"year": "2025", "csrf_token": token})
    assert response.status_code == 400 and 'data-field="year"' in response.get_data(as_text=True)
    assert _count(Measure) == 1


# --- a closed year is read-only -------------------------------------------------------------------------------------


def test_closed_year_refuses_every_edit(client_as, year_with_measure):
    place, measure = year_with_measure
    service.close_year(2025)
    audit_rows = _count(AuditEntry)
    with pytest.raises(YearClosed):
        service.save_assessment(2025, place.id, {**ASSESS, "priority": 3})
    with pytest.raises(YearClosed):
        service.create_measure(2025, place.id, MEASURE)
    with pytest.raises(YearClosed):
        service.update_measure(measure.id, {**MEASURE, "status": "in_progress"})
    with pytest.raises(YearClosed):
        service.delete_measure(measure.id)
    with pytest.raises(YearClosed):
        service.close_year(2025)

    client = client_as("planner")
    token = csrf_token(client, "/inventory")
    for url, data in [
        (f"/inventory/2025/places/{place.id}", {"still_unsafe": "no", "main_factor": "vandalism", "priority": "3"}),
        (f"/inventory/2025/places/{place.id}/measures/new", MEASURE | {"due_on": "2025-10-01"}),
        (f"/inventory/measures/{measure.id}", MEASURE | {"status": "in_progress", "due_on": ""}),
        (f"/inventory/measures/{measure.id}/delete", {}),
        ("/inventory/2025/close", {}),
    ]:
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 409, url
        assert "closed" in response.get_data(as_text=True) or "stängd" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).status == "decided"
    assert db.session.scalar(select(Assessment.priority)) == 1
    assert _count(AuditEntry) == audit_rows
    # Reading and exporting still work.
    assert client.get("/inventory/2025/remediation/export?format=csv").status_code == 200


# --- service rules --------------------------------------------------------------------------------------------------


def test_measure_rules(year_with_measure):
    place, measure = year_with_measure
    with pytest.raises(InvalidInput) as refused:
        service.create_measure(
            2025, place.id, {**MEASURE, "measure_type": "magic", "responsible": "", "cost_estimate_sek": -1}
        )
    assert {name for name, _ in refused.value.errors} == {"measure_type", "responsible", "cost_estimate_sek"}
    with pytest.raises(InvalidInput):
        service.update_measure(measure.id, {**MEASURE, "status": "done", "done_on": date(2999, 1, 1)})
    updated = service.update_measure(
        measure.id, {**MEASURE, "status": "not_feasible", "not_feasible_reason": "Marken är privat."}
    )
    assert updated.status == "not_feasible"
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "measure").order_by(AuditEntry.id.desc())
    ).first()
    assert entry.action == "update" and entry.before["status"] == "decided" and entry.after["status"] == "not_feasible"
    service.delete_measure(measure.id)
    assert _count(Measure) == 0
    assert (
        db.session.scalar(select(func.count()).where(AuditEntry.entity == "measure", AuditEntry.action == "delete"))
        == 1
    )


def test_a_year_opens_once_and_measures_need_an_assessment(app_context):
    place = make_place(reported_on=date(2025, 3, 1))
    service.open_year(2025)
    with pytest.raises(AppError) as twice:
        service.open_year(2025)
    assert twice.value.status == 409
    with pytest.raises(AppError):
        service.open_year(1850)
    with pytest.raises(AppError) as early:
        service.create_measure(2025, place.id, MEASURE)
    assert early.value.status == 409


def test_scope_is_reported_this_year_or_still_open(client_as, app_context):
    reported_now = make_place(reported_on=date(2025, 6, 1), status_code="remediated", title="Ny i år")
    still_open = make_place(reported_on=date(2023, 6, 1), status_code="confirmed", title="Gammal men öppen")
    closed_old = make_place(reported_on=date(2023, 6, 1), status_code="verified", title="Gammal och åtgärdad")
    later = make_place(reported_on=date(2026, 2, 1), title="Nästa år")
    service.open_year(2025)
    client = client_as("police")
    page = client.get("/inventory/2025").get_data(as_text=True)
    assert "Ny i år" in page and "Gammal men öppen" in page
    assert "Gammal och åtgärdad" not in page and "Nästa år" not in page
    assert client.get(f"/inventory/2025/places/{closed_old.id}").status_code == 404
    assert {reported_now.id, still_open.id, later.id}


# --- filters --------------------------------------------------------------------------------------------------------


def test_remediation_filters(client_as, app_context):
    north = make_area(
        {"type": "Polygon", "coordinates": [[[14.6, 63.17], [14.7, 63.17], [14.7, 63.2], [14.6, 63.2], [14.6, 63.17]]]},
        code="N",
        name="Norr",
    )
    lit = make_place(reported_on=date(2025, 1, 5), title="Lampa", district_id=north.id)
    tag = make_place(
        {"type": "Point", "coordinates": [14.5, 63.1]},
        reported_on=date(2025, 1, 6),
        title="Klotter",
        category_code="graffiti",
    )
    service.open_year(2025)
    service.save_assessment(2025, lit.id, ASSESS)
    service.save_assessment(2025, tag.id, {**ASSESS, "main_factor": "graffiti"})
    service.create_measure(2025, lit.id, MEASURE)
    service.create_measure(
        2025,
        tag.id,
        {**MEASURE, "measure_type": "vandalism_repair", "responsible": "property_owner", "status": "proposed"},
    )
    service.create_measure(
        2025,
        tag.id,
        {
            **MEASURE,
            "measure_type": "police_outreach",
            "responsible": "police",
            "status": "done",
            "done_on": date(2025, 5, 1),
        },
    )
    client = client_as("planner")

    def ids(query: str) -> list[str]:
        csv_text = client.get(f"/inventory/2025/remediation/export?format=csv&{query}").get_data(as_text=True)
        return sorted(line.split(";")[3] for line in csv_text.splitlines()[1:])

    assert ids("") == ["Klotter", "Klotter", "Lampa"]
    assert ids(f"district={north.id}") == ["Lampa"]
    assert ids("category=graffiti") == ["Klotter", "Klotter"]
    assert ids("responsible=police,property_owner") == ["Klotter", "Klotter"]
    assert ids("status=done") == ["Klotter"]
    assert ids("status=proposed&responsible=property_owner&category=graffiti") == ["Klotter"]
    assert ids("status=verified") == []
    page = client.get("/inventory/2025/remediation?status=decided").get_data(as_text=True)
    assert 'data-total="1"' in page


# --- year over year -------------------------------------------------------------------------------------------------


def test_classify_constructed_case():
    previous = {1: True, 2: True, 3: True, 4: False, 5: True}
    current = {1: True, 2: False, 4: True, 6: True, 7: False}
    fixed = {3}  # 3 not reassessed, but a measure was done; 5 not reassessed, nothing done
    result = classify(previous, current, fixed)
    assert result.new == {4, 6}
    assert result.still_unsafe == {1, 5}
    assert result.remediated == {2, 3}
    assert result.counts() == {"new": 2, "still_unsafe": 2, "remediated": 2}


def test_year_over_year_from_the_database(client_as, app_context):
    kept = make_place(reported_on=date(2024, 2, 1), title="Kvar")
    fixed = make_place(reported_on=date(2024, 2, 1), title="Fixad")
    new = make_place(reported_on=date(2025, 2, 1), title="Ny")
    service.open_year(2024)
    for place in (kept, fixed):
        service.save_assessment(2024, place.id, ASSESS)
    service.create_measure(2024, fixed.id, {**MEASURE, "status": "done", "done_on": date(2024, 9, 1)})
    service.close_year(2024)
    service.open_year(2025)
    service.save_assessment(2025, kept.id, ASSESS)
    # Its measure done, the fixed place was remediated in 2024 and is no longer in 2025's scope: fixed is enough.
    assert not service.queries.place_in_scope(service.get_year(2025), fixed.id)
    service.save_assessment(2025, new.id, ASSESS)
    comparison = service.compare_with_previous(service.get_year(2025))
    assert (comparison.new, comparison.still_unsafe, comparison.remediated) == ({new.id}, {kept.id}, {fixed.id})
    page = client_as("field_staff").get("/inventory/2025/map").get_data(as_text=True)
    for kind in ("new", "still_unsafe", "remediated"):
        assert f'<tr data-kind="{kind}"><th>' in page
    assert page.count('class="number">1</td>') >= 3


def test_statistics_page(client_as, year_with_measure):
    place, measure = year_with_measure
    service.create_measure(
        2025, place.id, {**MEASURE, "status": "done", "done_on": date(2025, 4, 1), "cost_estimate_sek": 5000}
    )
    service.create_measure(
        2025, place.id, {**MEASURE, "status": "not_feasible", "not_feasible_reason": "Nej", "cost_estimate_sek": 999}
    )
    page = client_as("police").get("/inventory/2025/statistics").get_data(as_text=True)
    assert 'data-stat="cost_planned">50 000 kr' in page
    assert 'data-stat="cost_done">5 000 kr' in page
    assert "Kommunal enhet" in page and 'class="bar"' in page


# --- CLI and demo data ----------------------------------------------------------------------------------------------


def test_cli_export(cli, year_with_measure, tmp_path):
    out = tmp_path / "list.xlsx"
    result = cli.invoke(args=["export-remediation", "--year", "2025", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and "EPSG:3006" in result.output
    missing = cli.invoke(args=["export-remediation", "--year", "2019", "--format", "csv", "--out", str(out)])
    assert missing.exit_code != 0 and "2019" in missing.output


def test_demo_years_give_a_comparison(app_context):
    from gis_app.inventory import demo as inventory_demo
    from gis_app.places import demo

    demo.load(count=120)
    message = inventory_demo.load_if_missing(2380)
    assert "2024" in message and inventory_demo.load_if_missing(2380) == ""
    counts = service.compare_with_previous(service.get_year(2025)).counts()
    assert all(counts[kind] > 0 for kind in ("new", "still_unsafe", "remediated")), counts


# --- before and after photos ----------------------------------------------------------------------------------------


def _jpeg(color=(200, 30, 30)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


def test_measure_photos_before_and_after(client_as, year_with_measure):
    import io

    from gis_app.inventory.models import MeasurePhoto

    place, measure = year_with_measure
    client = client_as("planner")
    token = csrf_token(client, "/inventory")
    form = {"measure_type": "lighting", "responsible": "municipal_unit", "status": "decided", "csrf_token": token}
    response = client.post(
        f"/inventory/measures/{measure.id}",
        content_type="multipart/form-data",
        data={
            **form,
            "before_photos": [(io.BytesIO(_jpeg()), "fore.jpg")],
            "after_photos": [(io.BytesIO(_jpeg((0, 120, 0))), "efter.jpg")],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    links = db.session.scalars(select(MeasurePhoto).order_by(MeasurePhoto.id)).all()
    assert [link.kind for link in links] == ["before", "after"]
    page = client.get(f"/inventory/2025/places/{place.id}").get_data(as_text=True)
    assert f"/photos/{links[0].photo_id}/thumbnail" in page
    assert client.get(f"/photos/{links[0].photo_id}/thumbnail").status_code == 200

    bad = client.post(
        f"/inventory/measures/{measure.id}",
        content_type="multipart/form-data",
        data={**form, "after_photos": [(io.BytesIO(b"not an image"), "x.jpg")]},
    )
    assert bad.status_code == 400 and 'data-field="after_photos"' in bad.get_data(as_text=True)
    assert _count(MeasurePhoto) == 2

    removed = client.post(
        f"/inventory/measures/{measure.id}/photos/{links[0].photo_id}/remove", data={"csrf_token": token}
    )
    assert removed.status_code == 302 and _count(MeasurePhoto) == 1
    kinds = (
        db.session.execute(
            select(AuditEntry.action).where(AuditEntry.entity == "measure_photo").order_by(AuditEntry.id)
        )
        .scalars()
        .all()
    )
    assert kinds == ["create", "create", "delete"]


# --- the place's status follows its measures ------------------------------------------------------------------------


def _place_status(place_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Place.status_code).where(Place.id == place_id))


def _done(measure_id: int, status: str = "done", **more) -> dict:
    return {
        **MEASURE,
        "status": status,
        "done_on": date(2025, 9, 1) if status in ("done", "verified") else None,
        **more,
    }


def test_place_is_remediated_when_its_last_open_measure_is_done(client_as, year_with_measure):
    place, first = year_with_measure
    second = service.create_measure(2025, place.id, {**MEASURE, "measure_type": "vegetation"})
    client = client_as("planner")
    token = csrf_token(client, "/inventory")
    form = {
        "measure_type": "lighting",
        "responsible": "municipal_unit",
        "status": "done",
        "done_on": "2025-09-20",
        "csrf_token": token,
    }

    assert client.post(f"/inventory/measures/{first.id}", data=form).status_code == 302
    assert _place_status(place.id) == "reported"  # the second measure is still open
    response = client.post(f"/inventory/measures/{second.id}", data={**form, "measure_type": "vegetation"})
    assert response.status_code == 302
    assert _place_status(place.id) == "remediated"

    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "place")).one()
    assert entry.action == "update" and entry.user_id == client.user.id
    assert (entry.before["status_code"], entry.after["status_code"]) == ("reported", "remediated")
    assert "Åtgärdad" in client.get(f"/places/{place.id}").get_data(as_text=True)  # the place's own page


def test_verification_stays_a_deliberate_step(year_with_measure):
    place, measure = year_with_measure
    service.update_measure(measure.id, _done(measure.id, "verified"))
    assert _place_status(place.id) == "remediated"  # not verified: a person verifies the place itself
    service.update_measure(measure.id, _done(measure.id, "done", cost_estimate_sek=1))
    assert _place_status(place.id) == "remediated"


def test_not_feasible_measures_do_not_remediate_and_reopening_a_measure_plans_again(year_with_measure):
    place, measure = year_with_measure
    service.update_measure(measure.id, {**MEASURE, "status": "not_feasible", "not_feasible_reason": "Budget"})
    assert _place_status(place.id) == "reported"  # nothing was done
    service.update_measure(measure.id, _done(measure.id))
    assert _place_status(place.id) == "remediated"
    service.update_measure(measure.id, {**MEASURE, "status": "in_progress"})  # marked done by mistake
    assert _place_status(place.id) == "measure_planned"
    other = service.create_measure(2025, place.id, _done(0))
    service.delete_measure(measure.id)  # the open one goes; the one left is done
    assert _place_status(place.id) == "remediated"
    assert service.get_measure(other.id).status == "done"
    statuses = [
        (e.before["status_code"], e.after["status_code"])
        for e in db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "place").order_by(AuditEntry.id))
    ]
    assert statuses == [
        ("reported", "remediated"),
        ("remediated", "measure_planned"),
        ("measure_planned", "remediated"),
    ]


@pytest.mark.parametrize("status", ["verified", "dismissed"])
def test_a_verified_or_dismissed_place_is_left_alone(year_with_measure, status):
    place, measure = year_with_measure
    db.session.get(Place, place.id).status_code = status
    db.session.get(Place, place.id).dismissed_reason = "Dubblett" if status == "dismissed" else None
    db.session.commit()
    service.update_measure(measure.id, _done(measure.id))
    assert _place_status(place.id) == status


# --- closing asks for confirmation; an admin reopens with a reason --------------------------------------------------


def test_closing_asks_for_confirmation_naming_what_is_locked(client_as, year_with_measure):
    place, measure = year_with_measure
    client = client_as("planner")
    year_page = client.get("/inventory/2025").get_data(as_text=True)
    assert 'href="/inventory/2025/close" data-close-year' in year_page  # a link to the question, not a close

    page = client.get("/inventory/2025/close").get_data(as_text=True)
    assert '<li data-locked="assessments">1 ' in page and '<li data-locked="measures">1 ' in page
    assert 'data-locked="open_measures"' in page  # the decided measure is not done yet
    token = csrf_token(client, "/inventory/2025/close")
    response = client.post("/inventory/2025/close", data={"csrf_token": token})  # no confirmation
    assert response.status_code == 400 and 'data-field="confirmed"' in response.get_data(as_text=True)
    assert not service.get_year(2025).is_closed

    response = client.post("/inventory/2025/close", data={"csrf_token": token, "confirmed": "2025"})
    assert response.status_code == 302
    db.session.expire_all()
    assert service.get_year(2025).is_closed
    assert client.get("/inventory/2025/close").status_code == 409


def test_an_admin_reopens_a_closed_year_with_a_reason(client_as, year_with_measure):
    place, measure = year_with_measure
    service.close_year(2025)
    planner = client_as("planner")
    token = csrf_token(planner, "/inventory/2025")
    assert "reopen-form" not in planner.get("/inventory/2025").get_data(as_text=True)
    assert planner.post("/inventory/2025/reopen", data={"csrf_token": token, "reason": "x"}).status_code == 403

    admin = client_as("admin")
    token = csrf_token(admin, "/inventory/2025")
    assert 'id="reopen-form"' in admin.get("/inventory/2025").get_data(as_text=True)
    for reason in ("", "   ", "x" * 2001):
        response = admin.post("/inventory/2025/reopen", data={"csrf_token": token, "reason": reason})
        assert response.status_code == 400 and 'data-field="reason"' in response.get_data(as_text=True)
    assert admin.post("/inventory/2099/reopen", data={"csrf_token": token, "reason": "Fel"}).status_code == 404
    db.session.expire_all()
    assert service.get_year(2025).is_closed

    reason = "Två åtgärder registrerades på fel plats <b>"
    response = admin.post("/inventory/2025/reopen", data={"csrf_token": token, "reason": reason})
    assert response.status_code == 302
    db.session.expire_all()
    inventory = service.get_year(2025)
    assert (inventory.status, inventory.reopen_reason, inventory.reopened_by_id) == ("open", reason, admin.user.id)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity == "inventory_year").order_by(AuditEntry.id.desc())
    ).first()
    assert (entry.user_id, entry.before["status"], entry.after["status"]) == (admin.user.id, "closed", "open")
    assert entry.after["reopen_reason"] == reason
    page = admin.get("/inventory/2025").get_data(as_text=True)
    assert "fel plats &lt;b&gt;" in page and 'id="reopen-form"' not in page
    service.update_measure(measure.id, {**MEASURE, "status": "in_progress"})  # writable again
    response = admin.post("/inventory/2025/reopen", data={"csrf_token": token, "reason": "Igen"})
    assert response.status_code == 409 and "2025" in response.get_data(as_text=True)
