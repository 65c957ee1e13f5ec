"""Outreach: the visit log API (idempotent with client_uuid), follow-up tasks, shift plans, layers and access."""

import json
import re
import uuid

import pytest
from sqlalchemy import func, select

from gis_app.auth.models import AuditEntry
from gis_app.extensions import db
from gis_app.outreach.models import FollowUpTask, OutreachPlan, OutreachVisit
from gis_app.places.models import Observation
from tests.factories import STORTORGET, csrf_token, make_place, make_token, make_user

VISITS = "/api/outreach/visits"
SECRET_NOTE = "Hemlig-anteckning-8841"
POLICE_ONLY_TEXT = "Polisiär-iakttagelse-5521"


def post_visit(client, body, token=None):
    headers = {"X-CSRFToken": token or csrf_token(client, "/outreach/visits/new")}
    return client.post(VISITS, data=json.dumps(body), content_type="application/json", headers=headers)


def visit_body(place, **fields):
    return {"client_uuid": str(uuid.uuid4()), "place_id": place.id, "contacts": 3, "notes": SECRET_NOTE, **fields}


def _near(k: int) -> dict:
    return {"type": "Point", "coordinates": [STORTORGET[0] + 0.003 * k, STORTORGET[1] + 0.001 * (k % 3)]}


# --- the visit log API ----------------------------------------------------------------------------------------------


def test_a_visit_is_logged_and_a_retry_returns_the_same_visit(client_as, app_context):
    police = client_as("police")
    place = make_place()
    body = visit_body(place)
    first = post_visit(police, body)
    assert first.status_code == 201, first.get_json()
    retry = post_visit(police, body)
    assert retry.status_code == 200
    assert retry.get_json()["id"] == first.get_json()["id"]
    assert first.get_json()["contacts"] == 3 and first.get_json()["officer_id"] == police.user.id
    assert db.session.scalar(select(func.count()).select_from(OutreachVisit)) == 1
    audits = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "outreach_visit")).all()
    assert len(audits) == 1 and audits[0].user_id == police.user.id and audits[0].action == "create"


def test_visit_needs_the_csrf_header_in_a_browser_session(client_as, app_context):
    police = client_as("police")
    response = police.post(VISITS, data=json.dumps(visit_body(make_place())), content_type="application/json")
    assert response.status_code == 400 and response.get_json()["code"] == "CSRFError"


def test_visit_with_a_token_needs_the_observation_scope(client, app_context):
    officer = make_user("police")
    place = make_place()
    good = make_token(officer, ["write:observations"])
    response = client.post(VISITS, json=visit_body(place), headers={"Authorization": f"Bearer {good}"})
    assert response.status_code == 201
    read_only = make_token(officer, ["read"], name="read")
    response = client.post(VISITS, json=visit_body(place), headers={"Authorization": f"Bearer {read_only}"})
    assert response.status_code == 403


def test_invalid_visits_name_every_wrong_field(client_as, app_context):
    police = client_as("police")
    response = post_visit(
        police, {"client_uuid": "nope", "place_id": 999999, "contacts": -1, "extra": 1, "follow_up": True}
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.get_json()["errors"]}
    assert fields == {"client_uuid", "place_id", "contacts", "extra", "follow_up_note"}
    assert db.session.scalar(select(func.count()).select_from(OutreachVisit)) == 0


def test_another_officer_cannot_reuse_a_client_uuid(client_as, app_context):
    place = make_place()
    body = visit_body(place)
    assert post_visit(client_as("police"), body).status_code == 201
    response = post_visit(client_as("police"), body)
    assert response.status_code == 409 and SECRET_NOTE not in response.get_data(as_text=True)


def test_follow_up_creates_a_task_planners_see_without_the_notes(client_as, app_context):
    place = make_place(title="Busshållplatsen")
    police = client_as("police")
    response = post_visit(police, visit_body(place, follow_up=True, follow_up_note="Trasig lampa vid entrén"))
    assert response.status_code == 201 and response.get_json()["task_id"]
    planner = client_as("planner")
    page = planner.get("/outreach/tasks").get_data(as_text=True)
    assert "Trasig lampa vid entrén" in page and "Busshållplatsen" in page
    assert SECRET_NOTE not in page
    task = db.session.scalar(select(FollowUpTask))
    done = planner.post(f"/outreach/tasks/{task.id}/done", data={"csrf_token": csrf_token(planner, "/outreach/tasks")})
    assert done.status_code == 302
    db.session.refresh(task)
    assert task.status == "done" and task.done_by_id == planner.user.id
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "outreach_task")) == 2
    )  # created, then closed


def test_planners_get_monthly_counts_only(client_as, app_context):
    place = make_place(title="Parken")
    police = client_as("police")
    for _ in range(2):
        assert post_visit(police, visit_body(place)).status_code == 201
    planner = client_as("planner")
    counts = planner.get("/api/outreach/visit-counts").get_json()["counts"]
    assert len(counts) == 1 and counts[0]["visits"] == 2 and counts[0]["title"] == "Parken"
    assert set(counts[0]) == {"place_id", "title", "month", "visits"}
    summary = planner.get("/outreach/summary").get_data(as_text=True)
    assert "Parken" in summary and SECRET_NOTE not in summary


# --- police-only data -----------------------------------------------------------------------------------------------


def test_police_only_observations_never_reach_the_places_api(client, client_as, app_context):
    place = make_place(observations=["Offentlig iakttagelse"])
    police = client_as("police")
    response = post_visit(police, visit_body(place, observation=POLICE_ONLY_TEXT))
    assert response.status_code == 201
    observation = db.session.get(Observation, response.get_json()["observation_id"])
    assert observation.police_only and observation.source_code == "police"
    for reader in (client, client_as("planner"), client_as("field_staff"), police):
        item = reader.get(f"/api/collections/places/items/{place.id}").get_data(as_text=True)
        items = reader.get("/api/collections/places/items").get_data(as_text=True)
        assert POLICE_ONLY_TEXT not in item and POLICE_ONLY_TEXT not in items
        assert SECRET_NOTE not in item and SECRET_NOTE not in items
    assert "Offentlig iakttagelse" in client.get(f"/api/collections/places/items/{place.id}").get_data(as_text=True)
    timeline = police.get(f"/outreach/places/{place.id}").get_data(as_text=True)
    assert POLICE_ONLY_TEXT in timeline and SECRET_NOTE in timeline
    assert 'data-factor="since_visit"' in timeline  # the place's priority, factor by factor


@pytest.mark.parametrize("role", ["planner", "field_staff"])
def test_police_pages_and_fields_are_forbidden_to_other_staff(client_as, app_context, role):
    place = make_place()
    other = client_as(role)
    for url in (
        "/outreach/",
        "/outreach/plan",
        "/outreach/plans",
        "/outreach/layers",
        f"/outreach/places/{place.id}",
        "/outreach/visits/new",
        VISITS,
        f"{VISITS}?place={place.id}",
    ):
        assert other.get(url).status_code == 403, url
    token = csrf_token(other, "/login") if role else None
    response = other.post(VISITS, json=visit_body(place), headers={"X-CSRFToken": token})
    assert response.status_code == 403
    assert other.get("/outreach/tasks").status_code == (200 if role == "planner" else 403)


def test_the_public_is_sent_to_log_in_or_refused(client, app_context):
    assert client.get("/outreach/plan").status_code == 302
    assert client.get("/outreach/tasks").status_code == 302
    assert client.post(VISITS, json={}).status_code == 401
    assert client.get("/api/outreach/visit-counts").status_code in (302, 401)


def test_admins_reach_the_police_pages(client_as, app_context):
    admin = client_as("admin")
    for url in ("/outreach/", "/outreach/plan", "/outreach/layers", "/outreach/tasks", "/outreach/summary"):
        assert admin.get(url).status_code == 200, url


# --- pages ----------------------------------------------------------------------------------------------------------


def test_priorities_page_shows_each_factor(client_as, app_context):
    make_place(title="Torget", category_code="violence")
    html = client_as("police").get("/outreach/").get_data(as_text=True)
    assert "Torget" in html
    for factor in ("recent_reports", "evening_night", "police_category", "unresolved", "since_visit"):
        assert f'data-factor="{factor}"' in html


def map_config(html: str) -> dict:
    """What the page's map script reads (a JSON block: titles never reach folium's inline script)."""
    block = re.search(r'<script type="application/json" id="outreach-map-config">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def map_features(html: str) -> dict:
    """The features the page's map script draws."""
    return map_config(html)["features"]


PLAN_QUERY = (
    "/outreach/plan?shift_date=2026-11-27&starts_at=19:00&ends_at=23:00&start=Polisstationen&count=4&return_to_start=y"
)


def test_plan_page_orders_the_top_places_and_saves_the_plan(client_as, app_context):
    places = [make_place(title=f"Plats {k}", geometry=_near(k)) for k in range(6)]
    police = client_as("police")
    response = police.get(PLAN_QUERY)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.findall(r'<li class="stop" data-stop="(\d+)"', html) == ["1", "2", "3", "4"]
    stops = map_features(html)["stops"]  # the numbered markers
    assert [(s["position"], s["state"]) for s in stops] == [
        (1, "planned"),
        (2, "planned"),
        (3, "planned"),
        (4, "planned"),
    ]
    assert "km/h" in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    form = dict(re.findall(r'<input id="(\w+)" name="\1" type="hidden" value="([^"]*)"', html))
    form.update({"csrf_token": token, "title": "Fredagspass"})
    saved = police.post("/outreach/plans", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    plan = db.session.scalar(select(OutreachPlan))
    assert plan.title == "Fredagspass" and len(plan.stops) == 4 and plan.total_metres > 0
    assert [s.position for s in plan.stops] == [1, 2, 3, 4]
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity.in_(["outreach_plan", "outreach_stop"]))
        )
        == 5
    )
    visited_place = plan.stops[0].place_id
    assert (
        post_visit(
            police, {"client_uuid": str(uuid.uuid4()), "place_id": visited_place, "plan_id": plan.id}
        ).status_code
        == 201
    )
    detail = police.get(f"/outreach/plans/{plan.id}").get_data(as_text=True)
    assert 'data-visited-count="1"' in detail
    states = [stop["state"] for stop in map_features(detail)["stops"]]
    assert states.count("visited") == 1 and states.count("not-visited") == 3
    assert len(places) == 6


def test_visit_form_is_idempotent_when_sent_twice(client_as, app_context):
    place = make_place(title="Gångtunneln")
    police = client_as("police")
    html = police.get(f"/outreach/visits/new?place={place.id}").get_data(as_text=True)
    client_uuid = re.search(r'name="client_uuid" type="hidden" value="([^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    form = {
        "csrf_token": token,
        "client_uuid": client_uuid,
        "place": str(place.id),
        "visited_at": "2026-11-20T22:15",
        "contacts": "5",
        "notes": "Lugnt",
        "police_only": "y",
    }
    assert police.post("/outreach/visits/new", data=form).status_code == 302
    assert police.post("/outreach/visits/new", data=form).status_code == 302
    visits = db.session.scalars(select(OutreachVisit)).all()
    assert len(visits) == 1 and visits[0].contacts == 5
    assert visits[0].visited_at.hour == 21  # 22:15 Swedish winter time is 21:15 UTC
    timeline = police.get(f"/outreach/places/{place.id}").get_data(as_text=True)
    assert "Lugnt" in timeline


def test_layers_page_serves_the_heat_map_locally(client_as, app_context):
    make_place(observations=["kväll"])
    html = client_as("police").get("/outreach/layers?filtered=1&weekday=5&weekday=6&hour=20").get_data(as_text=True)
    for cdn in ("cdn.jsdelivr", "cdnjs", "unpkg", "code.jquery"):
        assert cdn not in html
    assert 'data-count="' in html


def test_heat_map_plugin_is_served_from_the_app(client_as, app_context):
    place = make_place()
    db.session.execute(
        Observation.__table__.update().where(Observation.place_id == place.id).values(observed_at=func.now())
    )
    make_place(observations=["a", "b"])
    police = client_as("police")
    everything = "&".join([f"weekday={d}" for d in range(1, 8)] + [f"hour={h}" for h in range(24)])
    html = police.get(f"/outreach/layers?filtered=1&{everything}").get_data(as_text=True)  # none ticked is none
    assert "/vendor/leaflet.heat/dist/leaflet-heat.js" in html and "/static/js/outreach_map.js" in html
    config = map_config(html)  # the heat comes from the counts per cell of the vector tiles, for these times
    assert config["filters"] == {"weekday": "1,2,3,4,5,6,7", "hour": ",".join(map(str, range(24)))}
    assert "heat" not in config["features"] and 'data-count="2"' in html  # no points in the page: all of them count
    assert police.get("/vendor/leaflet.heat/dist/leaflet-heat.js").status_code == 200
    script = police.get("/static/js/outreach_map.js")
    assert script.status_code == 200 and b"L.heatLayer" in script.data


# --- layers: time filter and the EST inventory ----------------------------------------------------------------------


def test_heat_points_filter_by_weekday_and_hour_and_nights_count_with_the_evening(app_context):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from gis_app.outreach import queries

    place = make_place()
    local = ZoneInfo("Europe/Stockholm")
    for when in (
        datetime(2026, 11, 20, 23, 0, tzinfo=local),  # Friday evening
        datetime(2026, 11, 21, 1, 30, tzinfo=local),  # the night after it (a Saturday by the calendar)
        datetime(2026, 11, 17, 13, 0, tzinfo=local),
    ):  # Tuesday afternoon
        db.session.add(
            Observation(place_id=place.id, source_code="police", text="x", observed_at=when, geom=place.geom)
        )
    db.session.commit()
    night_hours = [*range(18, 24), *range(0, 6)]
    assert len(queries.heat_points([5], night_hours)) == 2
    assert len(queries.heat_points([6], night_hours)) == 0
    assert len(queries.heat_points([2], [13])) == 1
    assert len(queries.heat_points([], [])) == 3


def test_places_flagged_for_police_outreach_in_the_est_inventory(client_as, app_context):
    inventory = pytest.importorskip("gis_app.inventory.models")
    place = make_place(title="Flaggad plats", category_code="youth_gatherings")
    make_place(title="Inte flaggad")
    year = db.session.scalar(select(inventory.InventoryYear).where(inventory.InventoryYear.year == 2026))
    if year is None:
        year = inventory.InventoryYear(year=2026)
        db.session.add(year)
        db.session.flush()
    assessment = inventory.Assessment(
        year_id=year.id, place_id=place.id, still_unsafe=True, main_factor="youth_gatherings"
    )
    db.session.add(assessment)
    db.session.flush()
    db.session.add(inventory.Measure(assessment_id=assessment.id, measure_type="police_outreach", responsible="police"))
    db.session.commit()
    police = client_as("police")
    layers = police.get("/outreach/layers").get_data(as_text=True)
    assert 'data-flagged-count="1"' in layers
    priorities = police.get("/outreach/").get_data(as_text=True)
    assert priorities.count("data-est-flag") == 1


def test_demo_data_adds_police_visits_once(cli, app_context):
    result = cli.invoke(args=["demo-data", "--count", "30"])
    assert result.exit_code == 0, result.output
    visits = db.session.scalar(select(func.count()).select_from(OutreachVisit))
    assert visits > 0 and "polisbesök" in result.output
    again = cli.invoke(args=["demo-data", "--if-empty"])
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(func.count()).select_from(OutreachVisit)) == visits


def test_police_only_observations_stay_out_of_the_place_history_audit(client_as, app_context):
    from gis_app.auth.audit import place_trail

    place = make_place()
    police = client_as("police")
    assert post_visit(police, visit_body(place, observation=POLICE_ONLY_TEXT)).status_code == 201
    assert post_visit(police, visit_body(place, observation="Delad iakttagelse", police_only=False)).status_code == 201
    trail = json.dumps([entry.after for entry in place_trail(place.id)])
    assert POLICE_ONLY_TEXT not in trail and "Delad iakttagelse" in trail
    audited = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "police_observation"))
    assert audited.after["text"] == POLICE_ONLY_TEXT


# --- issue 11: an explanation an officer can trust ------------------------------------------------------------------


def test_each_factor_shows_its_facts_beside_the_weighted_points(client_as, app_context):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    local = ZoneInfo("Europe/Stockholm")
    place = make_place(title="Besökt för länge sedan", category_code="violence")
    for hour in (13, 22):
        db.session.add(
            Observation(
                place_id=place.id,
                source_code="citizen_report",
                text="x",
                geom=place.geom,
                observed_at=(datetime.now(local) - timedelta(days=3)).replace(hour=hour),
            )
        )
    db.session.add(
        OutreachVisit(
            client_uuid=uuid.uuid4(), place_id=place.id, visited_at=datetime.now(local) - timedelta(days=43, hours=1)
        )
    )
    db.session.commit()
    police = client_as("police")
    for url in ("/outreach/", f"/outreach/places/{place.id}"):
        html = police.get(url).get_data(as_text=True)
        since = re.search(r'data-factor="since_visit">(.*?)</div>', html, re.S).group(1)
        assert "43 dagar sedan senaste besöket" in since and "3.0 poäng" in since, url
        reports = re.search(r'data-factor="recent_reports">(.*?)</div>', html, re.S).group(1)
        assert "2 rapporter de senaste 90 dagarna" in reports, url
        share = re.search(r'data-factor="evening_night">(.*?)</div>', html, re.S).group(1)
        assert "50 % efter 18.00" in share and "1 av 2" in share and "1.5 poäng" in share, url


def test_one_contact_is_singular(client_as, app_context):
    place = make_place()
    police = client_as("police")
    assert post_visit(police, visit_body(place, contacts=1)).status_code == 201
    html = police.get(f"/outreach/places/{place.id}").get_data(as_text=True)
    assert "1 kontakt " in html or "1 kontakt<" in html or "1 kontakt\n" in html
    assert "1 kontakter" not in html


# --- issue 11: on the phone -----------------------------------------------------------------------------------------

POSITION_QUERY = (
    "/outreach/plan?shift_date=2026-11-27&starts_at=19:00&ends_at=23:00&start=position&count=3&return_to_start=y"
)


def test_the_plan_can_start_at_my_position(client_as, app_context):
    for k in range(4):
        make_place(title=f"Plats {k}", geometry=_near(k))
    police = client_as("police")
    missing = police.get(POSITION_QUERY)
    assert missing.status_code == 400
    assert 'data-field="start"' in missing.get_data(as_text=True)
    assert police.get(POSITION_QUERY + "&start_lon=999&start_lat=63.17").status_code == 400
    here = (14.6500, 63.1800)
    html = police.get(POSITION_QUERY + f"&start_lon={here[0]}&start_lat={here[1]}").get_data(as_text=True)
    assert "Start: Min position" in html
    start = json.loads(re.search(r'id="outreach-map-config">(.*?)</script>', html, re.S).group(1))["features"]["start"]
    assert (start["lon"], start["lat"], start["name"]) == (here[0], here[1], "Min position")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    form = dict(re.findall(r'<input id="(\w+)" name="\1" type="hidden" value="([^"]*)"', html))
    form.update({"csrf_token": token, "title": "Från där jag står"})
    assert police.post("/outreach/plans", data=form).status_code == 302
    plan = db.session.scalar(select(OutreachPlan))
    assert plan.start_name == "Min position"
    assert db.session.scalar(select(func.ST_X(OutreachPlan.start_geom))) == pytest.approx(here[0])


def test_times_per_stop_say_on_foot_or_by_car(client_as, app_context):
    for k in range(4):
        make_place(title=f"Plats {k}", geometry=_near(k))
    html = client_as("police").get(PLAN_QUERY).get_data(as_text=True)
    stop = re.search(r'<li class="stop" data-stop="1".*?</li>', html, re.S).group(0)
    assert re.search(r'data-mode="foot">till fots \d\d:\d\d<', stop)
    assert re.search(r'data-mode="car">med bil \d\d:\d\d<', stop)


def test_after_a_visit_the_plan_opens_at_the_next_stop(client_as, app_context):
    for k in range(5):
        make_place(title=f"Plats {k}", geometry=_near(k))
    police = client_as("police")
    html = police.get(PLAN_QUERY).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    form = dict(re.findall(r'<input id="(\w+)" name="\1" type="hidden" value="([^"]*)"', html))
    police.post("/outreach/plans", data={**form, "csrf_token": token, "title": "Pass"})
    plan = db.session.scalar(select(OutreachPlan))
    second = plan.stops[1].place_id
    page = police.get(f"/outreach/visits/new?plan={plan.id}&place={second}").get_data(as_text=True)
    visit = {
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1),
        "client_uuid": re.search(r'name="client_uuid" type="hidden" value="([^"]+)"', page).group(1),
        "plan_id": str(plan.id),
        "place": str(second),
        "visited_at": "2026-11-20T20:15",
        "contacts": "0",
    }
    saved = police.post("/outreach/visits/new", data=visit)
    assert saved.status_code == 302
    after = police.get(saved.headers["Location"])
    assert after.status_code == 302 and after.headers["Location"].endswith(f"/outreach/plans/{plan.id}#stop-3")
    detail = police.get(f"/outreach/plans/{plan.id}").get_data(as_text=True)
    assert 'id="stop-3"' in detail


# --- issue 11: the heat map's weekday and hour controls -------------------------------------------------------------


def test_no_weekday_or_hour_selected_means_none_said_plainly(client_as, app_context):
    place = make_place(observations=["a", "b"])
    police = client_as("police")
    cleared = police.get("/outreach/layers?filtered=1").get_data(as_text=True)
    assert 'data-count="0"' in cleared and "data-nothing-selected" in cleared
    assert "Ingen veckodag och ingen timme är vald" in cleared
    assert map_config(cleared)["filters"] == {"weekday": "", "hour": ""}  # the tiles count nothing either
    no_hour = police.get("/outreach/layers?filtered=1&weekday=1&weekday=2").get_data(as_text=True)
    assert 'data-count="0"' in no_hour and "Ingen timme är vald" in no_hour
    everything = "&".join([f"weekday={d}" for d in range(1, 8)] + [f"hour={h}" for h in range(24)])
    full = police.get(f"/outreach/layers?filtered=1&{everything}").get_data(as_text=True)
    assert 'data-count="2"' in full and "data-nothing-selected" not in full
    assert place.id


def test_heat_map_presets_replace_one_dimension_and_keep_the_other(client_as, app_context):
    html = client_as("police").get("/outreach/layers?filtered=1&weekday=3&hour=20").get_data(as_text=True)
    fri_sat = re.search(r'data-preset="weekday-fri_sat" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "weekday=5&weekday=6" in fri_sat and "hour=20" in fri_sat and "weekday=3" not in fri_sat
    night = re.search(r'data-preset="hour-evening_night" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "weekday=3" in night and "hour=18" in night and "hour=5" in night and "hour=20&hour=21" in night
    clear = re.search(r'data-preset="clear" href="([^"]+)"', html).group(1)
    assert clear.endswith("/outreach/layers?filtered=1")


# --- issue 11: follow-up tasks and token owners -----------------------------------------------------------------


def test_tasks_link_their_place_and_show_who_completed_them_and_when(client_as, app_context):
    place = make_place(title="Busshållplatsen")
    assert (
        post_visit(
            client_as("police"), visit_body(place, follow_up=True, follow_up_note="Lampan är trasig")
        ).status_code
        == 201
    )
    planner = client_as("planner")
    page = planner.get("/outreach/tasks").get_data(as_text=True)
    assert f'href="/places/{place.id}"' in page
    assert "data-confirm=" in page and "Lampan är trasig" in re.search(r'data-confirm="([^"]*)"', page).group(1)
    task = db.session.scalar(select(FollowUpTask))
    planner.post(f"/outreach/tasks/{task.id}/done", data={"csrf_token": csrf_token(planner, "/outreach/tasks")})
    done = planner.get("/outreach/tasks?status=done").get_data(as_text=True)
    db.session.refresh(task)
    assert f'data-done-by="{planner.user.email}"' in done
    assert f'Markerad klar <time datetime="{task.done_at.isoformat()}">' in done and planner.user.email in done


def test_token_owners_are_shown_with_swedish_role_names_and_revoking_asks_first(client_as, app_context):
    make_user("field_staff")
    admin = client_as("admin")
    page = admin.get("/admin/tokens").get_data(as_text=True)
    assert "(Fältpersonal)" in page and "(field_staff)" not in page and "(Administratör)" in page
    officer = make_user("police")
    make_token(officer, ["read"], name="Larmcentral")
    page = admin.get("/admin/tokens").get_data(as_text=True)
    assert re.search(r'action="/admin/tokens/\d+/revoke" class="inline-form"\s+data-confirm="[^"]*Larmcentral', page)
    assert "/static/js/confirm.js" in page
