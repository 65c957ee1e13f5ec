"""Night walks: the public calendar without names (page, JSON, export), association accounts scoped to their own
group, the calendar import (good and broken), routes drawn or uploaded, bad input naming the field, night reports
landing as observations, the season's summary read back, the demo and the count in the report to citizens."""

import csv
import io
import json
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from flask_login import login_user
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString
from sqlalchemy import func, select

from gis_app.auth.models import Organisation
from gis_app.core.clock import local_now, local_zone
from gis_app.core.readers import ImportRejected
from gis_app.core.validation import InvalidInput
from gis_app.extensions import db
from gis_app.nightwalks import demo, service
from gis_app.nightwalks.models import NightEvent, NightGroup, NightReport, NightShift
from gis_app.places.models import Observation, Place
from gis_app.promise import service as promise_service
from tests.factories import PASSWORD, csrf_token, make_place, make_user
from tests.xss_corpus import script_problems

ROUTE = [(14.6372, 63.1767), (14.6398, 63.1781), (14.6425, 63.1760)]
STOCKHOLM = [(18.0686, 59.3293), (18.0700, 59.3300)]
LEADER = "Kalle Vandringsledare"


def _organisation(name: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, kind="other")
        db.session.add(organisation)
        db.session.commit()
    return organisation


def _group(name: str, organisation: str) -> NightGroup:
    group = NightGroup(
        name=name, kind="association", organisation_id=_organisation(organisation).id, agreement_from=date(2025, 1, 1)
    )
    db.session.add(group)
    db.session.commit()
    return group


def _shift(group: NightGroup, days_ago: int = 2, event: NightEvent | None = None, leader=LEADER) -> NightShift:
    start = datetime.combine(local_now().date() - timedelta(days=days_ago), datetime.min.time(), local_zone())
    start = start.replace(hour=21)
    shift = NightShift(
        group_id=group.id,
        event_id=event.id if event else None,
        starts_at=start,
        ends_at=start + timedelta(hours=5),
        walkers=6,
        route=from_shape(LineString(ROUTE), srid=4326),
        leader=leader,
    )
    db.session.add(shift)
    db.session.commit()
    return shift


@pytest.fixture
def two_groups(app_context):
    """Two associations in two outside organisations, each with a past shift."""
    ours = _group("Nattvandrarna Test", "Nattvandrarna Test org")
    theirs = _group("Andra föreningen", "Andra föreningen org")
    return ours, theirs, _shift(ours), _shift(theirs, leader="Lisa Annanförening")


def _log_in(app, role: str, organisation: str | None = None):
    user = make_user(role, organisation=organisation)
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    client.user = user
    return client


def _shift_form(group, **fields) -> dict:
    start = (local_now() + timedelta(days=3)).replace(hour=21, minute=0, second=0, microsecond=0, tzinfo=None)
    data = {
        "group_id": str(group),
        "event_id": "",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
        "walkers": "6",
        "leader": LEADER,
        "notes": "",
        "route": json.dumps({"type": "LineString", "coordinates": ROUTE}),
    }
    return {**data, **fields}


def _post_shift(client, data: dict, files: dict | None = None):
    data = {**data, "csrf_token": csrf_token(client, "/nightwalks/shifts/new"), **(files or {})}
    return client.post("/nightwalks/shifts/new", data=data, content_type="multipart/form-data")


def _report_form(shift_id: int, **fields) -> dict:
    data = {
        "shift_id": str(shift_id),
        "summary": "Lugn kväll.",
        "sightings-0-kind": "intoxicated_people",
        "sightings-0-count": "3",
        "sightings-0-lon": "14.6380",
        "sightings-0-lat": "63.1770",
        "sightings-1-kind": "litter",
        "sightings-1-count": "2",
        "sightings-1-note": "Glas vid busshållplatsen",
        "sightings-1-lon": "14.6400",
        "sightings-1-lat": "63.1778",
    }
    return {**data, **fields}


def _post_report(client, url_shift_id: int, data: dict):
    url = f"/nightwalks/shifts/{url_shift_id}/report"
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


# --- the public calendar ---------------------------------------------------------------------------------------------


def test_the_public_sees_the_calendar_without_names(app, client, app_context):
    demo.load(2380)
    year = local_now().year
    names = (demo.ASSOCIATION, demo.VOLUNTEERS, *demo.LEADERS)
    page = client.get(f"/nightwalks/?year={year}").get_data(as_text=True)
    assert "Valborg (demo)" in page and "Storsjöyran (demo)" in page and 'data-demo="1"' in page
    assert 'id="public-shifts"' in page and page.count("<tr>") > len(demo.EVENTS)
    data = client.get(f"/nightwalks/calendar.json?year={year}").get_json()
    assert {e["title"] for e in data["events"]} >= {"Valborg (demo)", "Storsjöyran (demo)"}
    assert data["shifts"] and set(data["shifts"][0]) == {"starts_at", "ends_at", "walkers", "district", "event", "demo"}
    exported = client.get(f"/nightwalks/calendar/export?year={year}&format=csv").get_data(as_text=True)
    assert "Storsjöyran (demo)" in exported
    for text in (page, json.dumps(data, ensure_ascii=False), exported):
        assert not any(name in text for name in names)
    # Shifts, their routes, the season's summary and places stay behind the login.
    for url in (
        "/nightwalks/shifts",
        "/nightwalks/shifts.json",
        "/nightwalks/season/export?format=csv",
        "/nightwalks/shifts/1",
    ):
        assert client.get(url).status_code == 302, url
    assert client.get("/nightwalks/calendar/export?format=pdf").status_code == 400


# --- association accounts see and write only their own ---------------------------------------------------------------


def test_an_association_sees_only_its_own_shifts(app, two_groups):
    ours, theirs, our_shift, their_shift = two_groups
    member = _log_in(app, "association", "Nattvandrarna Test org")
    listing = member.get("/nightwalks/shifts").get_data(as_text=True)
    assert "Nattvandrarna Test" in listing and "Andra föreningen" not in listing
    shifts = member.get("/nightwalks/shifts.json").get_json()["shifts"]
    assert [s["id"] for s in shifts] == [our_shift.id]
    assert member.get(f"/nightwalks/shifts/{our_shift.id}").status_code == 200
    assert member.get(f"/nightwalks/shifts/{their_shift.id}").status_code == 404
    assert member.get(f"/nightwalks/shifts/{their_shift.id}/report").status_code == 404
    exported = member.get("/nightwalks/season/export?format=csv").get_data(as_text=True)
    assert "Nattvandrarna Test" in exported and "Andra föreningen" not in exported and "Lisa" not in exported
    # The public view of places: no place pages, no staff-only pages.
    place = make_place()
    assert member.get(f"/places/{place.id}").status_code == 403
    assert member.get("/nightwalks/groups").status_code == 403
    assert member.get("/nightwalks/events/import").status_code == 403


def test_an_association_cannot_write_for_another(app, two_groups):
    ours, theirs, our_shift, their_shift = two_groups
    member = _log_in(app, "association", "Nattvandrarna Test org")
    response = _post_shift(member, _shift_form(theirs.id))
    assert response.status_code == 400
    assert 'data-field="group_id"' in response.get_data(as_text=True)
    # A report for the other association's shift, sent through its own shift's form, names the shift.
    response = _post_report(member, our_shift.id, _report_form(their_shift.id))
    assert response.status_code == 400 and 'data-field="shift_id"' in response.get_data(as_text=True)
    with pytest.raises(InvalidInput) as refused, app.test_request_context():
        login_user(member.user)
        service.file_report({"shift_id": their_shift.id, "sightings": []})
    assert refused.value.errors[0][0] == "shift_id"
    assert db.session.scalar(select(func.count()).select_from(NightReport)) == 0


def test_other_staff_read_but_only_planners_and_own_groups_write(app, two_groups):
    ours, theirs, our_shift, their_shift = two_groups
    field = _log_in(app, "field_staff")
    assert field.get(f"/nightwalks/shifts/{their_shift.id}").status_code == 200
    assert field.get("/nightwalks/shifts/new").status_code == 403
    police = _log_in(app, "police")
    response = _post_shift(police, _shift_form(ours.id))  # the police plan for their volunteers, not associations
    assert response.status_code == 400 and 'data-field="group_id"' in response.get_data(as_text=True)


# --- planning a shift: drawn, uploaded, bad input --------------------------------------------------------------------


def test_a_member_plans_a_shift_with_a_drawn_route(app, two_groups):
    ours = two_groups[0]
    member = _log_in(app, "association", "Nattvandrarna Test org")
    response = _post_shift(member, _shift_form(ours.id))
    assert response.status_code == 302, response.get_data(as_text=True)
    shift = db.session.scalar(select(NightShift).order_by(NightShift.id.desc()))
    assert shift.group_id == ours.id and shift.walkers == 6 and shift.created_by_id == member.user.id
    assert response.headers["Location"].endswith(f"/nightwalks/shifts/{shift.id}")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"route": json.dumps({"type": "LineString", "coordinates": STOCKHOLM})}, "route"),
        ({"walkers": "-3"}, "walkers"),
        ({"walkers": "0"}, "walkers"),
        ({"route": ""}, "route"),
        ({"route": '{"type": "Point", "coordinates": [14.63, 63.17]}'}, "route"),
        ({"route": "not json"}, "route"),
        ({"ends_at": "2020-01-01T01:00"}, "ends_at"),
        ({"leader": "x" * 201}, "leader"),
        ({"event_id": "999999"}, "event_id"),
        ({"group_id": "99999999999999"}, "group_id"),
    ],
)
def test_bad_shift_input_names_the_field(app, two_groups, fields, field):
    member = _log_in(app, "association", "Nattvandrarna Test org")
    response = _post_shift(member, _shift_form(two_groups[0].id, **fields))
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NightShift)) == 2


def test_a_route_uploaded_as_geojson(app, two_groups):
    member = _log_in(app, "association", "Nattvandrarna Test org")
    good = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": ROUTE}}
            ],
        }
    )
    response = _post_shift(
        member, _shift_form(two_groups[0].id, route=""), {"route_file": (io.BytesIO(good.encode()), "rutt.geojson")}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(NightShift)) == 3
    broken = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": ROUTE[0]}}],
        }
    )
    for content, name in ((broken, "rutt.geojson"), ("{not geojson", "rutt.geojson"), ("x", "rutt.txt")):
        response = _post_shift(
            member, _shift_form(two_groups[0].id, route=""), {"route_file": (io.BytesIO(content.encode()), name)}
        )
        assert response.status_code == 400, name
        assert 'data-field="route_file"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(NightShift)) == 3


# --- the night report ------------------------------------------------------------------------------------------------


def test_a_night_report_lands_as_observations_and_a_planner_sees_it(app, two_groups):
    ours, theirs, our_shift, their_shift = two_groups
    existing = make_place(
        title="Berusade vid torget",
        category_code="intoxicated_people",
        geometry={"type": "Point", "coordinates": [14.6381, 63.1770]},
    )
    member = _log_in(app, "association", "Nattvandrarna Test org")
    response = _post_report(member, our_shift.id, _report_form(our_shift.id))
    assert response.status_code == 302, response.get_data(as_text=True)
    observations = db.session.scalars(select(Observation).where(Observation.source_code == "night_walk")).all()
    assert len(observations) == 2
    by_place = {o.place_id: o for o in observations}
    assert existing.id in by_place and "3 × Berusade personer" in by_place[existing.id].text
    new_place = db.session.get(Place, next(pid for pid in by_place if pid != existing.id))
    assert new_place.category_code == "litter" and not new_place.title_reviewed
    assert all(not o.reviewed for o in observations)  # outside text: public once a planner reviews it
    # Filed once: a second report for the same shift names the shift.
    again = _post_report(member, our_shift.id, _report_form(our_shift.id))
    assert again.status_code == 400 and 'data-field="shift_id"' in again.get_data(as_text=True)
    planner = _log_in(app, "planner")
    detail = planner.get(f"/nightwalks/shifts/{our_shift.id}").get_data(as_text=True)
    assert "Lugn kväll." in detail and f"/places/{existing.id}" in detail and LEADER in detail
    place_page = planner.get(f"/places/{existing.id}").get_data(as_text=True)
    assert "Nattvandring" in place_page


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"sightings-0-count": "-2"}, "sightings-0-count"),
        ({"sightings-0-kind": "aliens"}, "sightings-0-kind"),
        ({"sightings-0-lon": "18.0686", "sightings-0-lat": "59.3293"}, "sightings-0-geometry"),
        ({"sightings-1-lon": "", "sightings-1-lat": ""}, "sightings-1-geometry"),
        ({"sightings-0-lon": "abc"}, "sightings-0-geometry"),
        ({"summary": "\x00"}, "summary"),
    ],
)
def test_bad_report_input_names_the_field(app, two_groups, fields, field):
    our_shift = two_groups[2]
    member = _log_in(app, "association", "Nattvandrarna Test org")
    response = _post_report(member, our_shift.id, _report_form(our_shift.id, **fields))
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 0


def test_a_report_waits_for_the_night(app, two_groups):
    ours = two_groups[0]
    future = _shift(ours, days_ago=-3)
    member = _log_in(app, "association", "Nattvandrarna Test org")
    response = _post_report(member, future.id, _report_form(future.id))
    assert response.status_code == 400 and 'data-field="shift_id"' in response.get_data(as_text=True)


# --- the calendar import ---------------------------------------------------------------------------------------------

GOOD_CSV = (
    "titel,typ,fran,till,anteckning\n"
    "Valborg,riskhelg,2026-04-30,2026-05-01,\n"
    "Storsjöyran,evenemang,2026-07-23,2026-07-25,Stor festival\n"
)
BROKEN_CSV = "titel,typ,fran,till\nValborg,riskhelg,2026-04-31,2026-05-01\n,evenemang,2026-07-23,2026-07-20\n"


def test_the_calendar_import_takes_a_good_file_and_refuses_a_broken_one(app, app_context, tmp_path):
    good, broken = tmp_path / "kalender.csv", tmp_path / "trasig.csv"
    good.write_text(GOOD_CSV)
    broken.write_text(BROKEN_CSV)
    result = service.import_events(good)
    assert (result.inserted, result.updated) == (2, 0)
    assert service.import_events(good).updated == 2  # upsert on title and start
    with pytest.raises(ImportRejected) as rejected:
        service.import_events(broken)
    report = rejected.value.report()
    assert "fran" in report and "titel" in report and "till" in report
    assert db.session.scalar(select(func.count()).select_from(NightEvent)) == 2
    planner = _log_in(app, "planner")
    url = "/nightwalks/events/import"
    response = planner.post(
        url,
        data={"csrf_token": csrf_token(planner, url), "calendar": (io.BytesIO(BROKEN_CSV.encode()), "trasig.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and 'id="import-report"' in response.get_data(as_text=True)
    response = planner.post(
        url,
        data={"csrf_token": csrf_token(planner, url), "calendar": (io.BytesIO(b"x"), "kalender.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and 'data-field="calendar"' in response.get_data(as_text=True)
    response = planner.post(
        url,
        data={
            "csrf_token": csrf_token(planner, url),
            "calendar": (io.BytesIO(GOOD_CSV.replace("2026", "2027").encode()), "k.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(NightEvent)) == 4


# --- the season's summary, read back ---------------------------------------------------------------------------------


def test_the_season_summary_reads_back_as_xlsx_and_csv(app, two_groups):
    ours, theirs, our_shift, their_shift = two_groups
    member = _log_in(app, "association", "Nattvandrarna Test org")
    assert _post_report(member, our_shift.id, _report_form(our_shift.id)).status_code == 302
    planner = _log_in(app, "planner")
    year = our_shift.starts_at.astimezone(local_zone()).year
    response = planner.get(f"/nightwalks/season/export?year={year}&format=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    groups = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(groups) == {"Nattvandrarna Test", "Andra föreningen"}
    ours_row = groups["Nattvandrarna Test"]
    assert ours_row["Berusade personer"] == 3 and ours_row["Nedskräpning"] == 2 and ours_row["rapporterad"] == "ja"
    assert ours_row["antal_vandrare"] == 6 and 250 < ours_row["rutt_meter"] < 600
    text = planner.get(f"/nightwalks/season/export?year={year}&format=csv").get_data(as_text=True)
    records = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert {r["grupp"] for r in records} == {"Nattvandrarna Test", "Andra föreningen"}
    assert planner.get("/nightwalks/season/export?format=gpkg").status_code == 400
    assert planner.get("/nightwalks/season/export").status_code == 400  # the format is always chosen


# --- groups, demo and the report to citizens -------------------------------------------------------------------------


def test_a_planner_registers_an_association_linked_to_its_organisation(app, app_context):
    planner = _log_in(app, "planner")
    organisation = _organisation("Föreningen Nattugglorna")
    police = db.session.scalar(select(Organisation).where(Organisation.kind == "polis"))
    url = "/nightwalks/groups"

    def post(**fields):
        data = {
            "name": "Nattugglorna",
            "kind": "association",
            "organisation_id": str(organisation.id),
            "agreement_from": "2026-01-01",
            "agreement_until": "",
            **fields,
        }
        return planner.post(url, data={**data, "csrf_token": csrf_token(planner, url)})

    bad = post(organisation_id=str(police.id))
    assert bad.status_code == 400 and 'data-field="organisation_id"' in bad.get_data(as_text=True)
    bad = post(agreement_until="2025-01-01")
    assert bad.status_code == 400 and 'data-field="agreement_until"' in bad.get_data(as_text=True)
    assert post().status_code == 302
    group = db.session.scalar(select(NightGroup).where(NightGroup.name == "Nattugglorna"))
    assert group.organisation_id == organisation.id


def test_the_demo_is_marked_and_loads_once(app_context):
    message = demo.load_if_missing(2380)
    assert "demo" in message.lower()
    assert demo.load_if_missing(2380) == ""
    groups = db.session.scalars(select(NightGroup)).all()
    assert {g.name for g in groups} == {demo.ASSOCIATION, demo.VOLUNTEERS} and all(g.demo for g in groups)
    shifts = db.session.scalars(select(NightShift)).all()
    assert shifts and all(s.demo for s in shifts)
    assert all("(demo)" in e.title for e in db.session.scalars(select(NightEvent)))
    assert (
        db.session.scalar(select(func.count()).select_from(Observation).where(Observation.source_code == "night_walk"))
        > 0
    )


def test_the_report_to_citizens_counts_night_walks_per_district(app_context, two_groups):
    our_shift = two_groups[2]
    day = our_shift.starts_at.astimezone(local_zone()).date()
    content = promise_service.build_content(day - timedelta(days=30), day + timedelta(days=1))
    rows = content["night_walks"]
    assert sum(row["count"] for row in rows) == 2 and sum(row["walkers"] for row in rows) == 12
    assert all(set(row) == {"district", "count", "walkers", "sightings"} for row in rows)
    empty = promise_service.build_content(date(2001, 1, 1), date(2001, 6, 30))
    assert empty["night_walks"] is None


def test_the_report_page_is_reachable(app, two_groups):
    member = _log_in(app, "association", "Nattvandrarna Test org")
    page = member.get(f"/nightwalks/shifts/{two_groups[2].id}/report")
    assert page.status_code == 200 and 'id="night-map-config"' in page.get_data(as_text=True)


HOSTILE = '<img src=x onerror="window.__xss=1">Nattugglan `${window.__xss=2}` </script>'


def test_hostile_text_never_reaches_a_script(app, two_groups):
    ours, theirs, our_shift, their_shift = two_groups
    member = _log_in(app, "association", "Nattvandrarna Test org")
    our_shift.leader = our_shift.notes = HOSTILE
    db.session.add(NightEvent(title=HOSTILE, kind="event", starts_on=date.today(), ends_on=date.today()))
    db.session.commit()
    note = _report_form(our_shift.id, **{"sightings-0-note": HOSTILE, "summary": HOSTILE})
    assert _post_report(member, our_shift.id, note).status_code == 302
    planner = _log_in(app, "planner")
    for client, path in (
        (member, f"/nightwalks/shifts/{our_shift.id}"),
        (planner, f"/nightwalks/shifts/{our_shift.id}"),
        (planner, "/nightwalks/shifts"),
        (planner, "/nightwalks/shifts/new"),
        (app.test_client(), "/nightwalks/"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert script_problems(html) == [], path
        assert HOSTILE not in html, path  # escaped wherever it is shown


def test_leaders_names_are_purged_with_other_personal_data(app_context):
    from gis_app.auth import audit
    from gis_app.auth.models import AuditEntry
    from gis_app.maintenance.retention import purge_personal_data

    group = _group("Nattvandrarna Gallring", "Nattvandrarna Gallring org")
    old, recent = _shift(group, days_ago=30 * 30, leader="Gammal Ledare"), _shift(group, days_ago=2)
    for shift in (old, recent):
        audit.record_create(shift, "nw_shift")
    db.session.commit()

    assert purge_personal_data(24).night_shifts == 1
    db.session.expire_all()
    assert (old.leader, recent.leader) == (None, LEADER)
    trail = {
        e.entity_id: e.after for e in db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "nw_shift"))
    }
    assert trail[old.id]["leader"] is None and trail[recent.id]["leader"] == LEADER
