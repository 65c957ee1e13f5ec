"""The place pages: detail, new and edit forms, observations, review, delete, the 409 page and the history."""

import re

import pytest
from sqlalchemy import func, select

from gis_app.auth.models import AuditEntry
from gis_app.extensions import db
from gis_app.places.models import Observation, Place
from tests.factories import STORTORGET, csrf_token, make_place

LON, LAT = STORTORGET
STAFF = ("field_staff", "planner", "police", "admin")


def post_form(client, url: str, data: dict, form_url: str | None = None):
    """Post a form the way a browser does: with the CSRF token of the page it came from."""
    return client.post(url, data={"csrf_token": csrf_token(client, form_url or url), **data})


def new_place_data(**fields) -> dict:
    return {
        "title": "Mörk passage",
        "category": "poor_lighting",
        "description": "",
        "time_of_day": "night",
        "affected_group": "women",
        "priority": "1",
        "lon": f"{LON}",
        "lat": f"{LAT}",
        "geojson": "",
        **fields,
    }


def edit_data(place: Place, **fields) -> dict:
    return {
        "title": place.title,
        "category": place.category_code,
        "description": place.description or "",
        "time_of_day": place.time_of_day or "",
        "affected_group": place.affected_group or "",
        "priority": str(place.priority),
        "status": place.status_code,
        "dismissed_reason": "",
        "lon": repr(LON),
        "lat": repr(LAT),
        "geojson": "",
        "version": str(place.version),
        **fields,
    }


def html(response) -> str:
    return response.get_data(as_text=True)


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def field_errors(page: str, field: str) -> list[str]:
    """The error messages shown right after the named input."""
    block = re.search(
        rf'<div class="form-field has-error">(?:(?!<div).)*?name="{field}"(?:(?!<div).)*?</div>', page, re.S
    )
    return re.findall(r'<p class="field-error"[^>]*>([^<]*)</p>', block.group(0)) if block else []


# --- who sees what --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_sees_the_place_and_may_report(client_as, app_context, role):
    place = make_place(observations=["Trasig lampa"])
    client = client_as(role)
    for url in (
        f"/places/{place.id}",
        "/places/new",
        f"/places/{place.id}/observations/new",
        f"/places/{place.id}/history",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = html(client.get(f"/places/{place.id}?lang=en"))
    assert "Trasig lampa" in page and 'href="/places/new"' in page  # the header's New place link
    planning = role in ("planner", "admin")
    assert (f'/places/{place.id}/edit"' in page) is planning
    assert ("/delete" in page) is planning
    assert client.get(f"/places/{place.id}/edit").status_code == (200 if planning else 403)


def test_the_public_is_sent_to_log_in_and_cannot_post(client, app_context):
    place = make_place()
    response = client.get(f"/places/{place.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    token = csrf_token(client, "/login")
    assert client.post("/places/new", data={"csrf_token": token, **new_place_data()}).status_code == 401
    assert client.post(f"/places/{place.id}/delete", data={"csrf_token": token, "version": "1"}).status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Place)) == 1


def test_pages_are_swedish_by_default_and_english_on_request(client_as, app_context):
    client = client_as("planner")
    assert '<html lang="sv">' in html(client.get("/places/new"))
    page = html(client.get("/places/new?lang=en"))
    assert '<html lang="en">' in page and "Title" in page and "Use my position" in page


def test_unknown_places_are_404(client_as, app_context):
    client = client_as("admin")
    for url in (
        "/places/999999",
        "/places/999999/edit",
        "/places/999999/history",
        "/places/999999/observations/new",
        "/places/99999999999999999999",
    ):
        assert client.get(url).status_code == 404, url
    assert post_form(client, "/observations/999999/review", {}, "/places/new").status_code == 404


# --- new place ------------------------------------------------------------------------------------------------------


def test_field_staff_add_a_place_with_a_decimal_comma(client_as, app_context):
    client = client_as("field_staff")
    data = new_place_data(lon=f"{LON}".replace(".", ","), lat=f"{LAT}".replace(".", ","))
    response = post_form(client, "/places/new", data)
    assert response.status_code == 302, html(response)
    place = db.session.scalars(select(Place)).one()
    assert response.headers["Location"] == f"/places/{place.id}"
    assert (place.title, place.time_of_day, place.affected_group, place.priority) == (
        "Mörk passage",
        "night",
        "women",
        1,
    )
    (row,) = db.session.scalars(select(AuditEntry)).all()
    assert (row.action, row.entity, row.user_id) == ("create", "place", client.user.id)


def test_a_path_or_an_area_comes_as_geojson(client_as, app_context):
    client = client_as("planner")
    line = '{"type": "LineString", "coordinates": [[14.63, 63.17], [14.64, 63.175]]}'
    response = post_form(client, "/places/new", new_place_data(lon="", lat="", geojson=line, category="dark_path"))
    assert response.status_code == 302
    assert db.session.scalar(select(func.ST_GeometryType(Place.geom))) == "ST_LineString"


def test_form_errors_are_shown_next_to_their_fields_with_400(client_as, app_context):
    client = client_as("planner")
    response = post_form(
        client, "/places/new?lang=en", new_place_data(title="   ", description="a\x00b", lon="abc", lat=f"{LAT}")
    )
    assert response.status_code == 400
    page = html(response)
    assert field_errors(page, "title") == ["required"]
    assert field_errors(page, "description") == ["contains a NUL character"]
    assert field_errors(page, "lon") == ["Not a number."]
    assert 'aria-invalid="true"' in page and 'value="abc"' in page  # what was typed stays
    assert db.session.scalar(select(func.count()).select_from(Place)) == 0 and audit_count() == 0


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"lon": "18.07", "lat": "59.33"}, "outside"),
        ({"lon": "", "lat": ""}, "required"),
        (
            {
                "geojson": '{"type": "Polygon", "coordinates": '
                "[[[14.6, 63.1], [14.7, 63.2], [14.7, 63.1], [14.6, 63.2], [14.6, 63.1]]]}"
            },
            "invalid geometry: Self-intersection",
        ),
        ({"geojson": "{not json"}, "This is not GeoJSON."),
    ],
)
def test_bad_locations_are_refused(client_as, app_context, fields, message):
    client = client_as("planner")
    response = post_form(client, "/places/new?lang=en", new_place_data(**fields))
    assert response.status_code == 400
    assert message in html(response)
    assert db.session.scalar(select(func.count()).select_from(Place)) == 0


def test_the_form_loads_its_map_from_the_app_only(client_as, app_context):
    page = html(client_as("field_staff").get("/places/new"))
    assert "/vendor/leaflet/dist/leaflet.js" in page and "/static/js/place_form.js" in page
    assert 'id="place-form-config"' in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs, _ in scripts)  # no inline code
    assert "https://" not in "".join(attrs for attrs, _ in scripts)


# --- detail, observations, review -----------------------------------------------------------------------------------


def test_staff_see_reporters_and_unreviewed_texts_are_marked(client_as, app_context):
    place = make_place()
    db.session.add(
        Observation(
            place_id=place.id,
            source_code="citizen_report",
            text="Hemlig text",
            reviewed=False,
            reporter_name="Eva Ek",
            reporter_contact="eva@example.se",
            geom=place.geom,
        )
    )
    db.session.commit()
    police = html(client_as("police").get(f"/places/{place.id}?lang=en"))
    assert "Eva Ek" in police and "eva@example.se" in police and "Not reviewed" in police
    assert "/review" not in police  # only planners review
    planner = client_as("planner")
    page = html(planner.get(f"/places/{place.id}?lang=en"))
    observation = db.session.scalars(select(Observation)).one()
    assert f"/observations/{observation.id}/review" in page


def test_a_planner_reviews_an_observation(client_as, app_context):
    place = make_place(observations=["Ogranskad"], reviewed=False)
    observation = db.session.scalars(select(Observation)).one()
    assert client_as("field_staff").post(f"/observations/{observation.id}/review").status_code in (400, 403)
    planner = client_as("planner")
    response = post_form(planner, f"/observations/{observation.id}/review", {}, f"/places/{place.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/places/{place.id}#observation-")
    db.session.expire_all()
    assert observation.reviewed is True
    (row,) = db.session.scalars(select(AuditEntry)).all()
    assert (row.action, row.entity, row.before["reviewed"], row.after["reviewed"]) == (
        "update",
        "observation",
        False,
        True,
    )
    post_form(planner, f"/observations/{observation.id}/review", {}, f"/places/{place.id}")
    assert audit_count() == 1  # reviewing twice changes nothing


@pytest.mark.parametrize("role, reviewed", [("field_staff", False), ("police", False), ("planner", True)])
def test_new_observations_are_reviewed_only_when_a_planner_writes_them(client_as, app_context, role, reviewed):
    place = make_place()
    client = client_as(role)
    url = f"/places/{place.id}/observations/new"
    response = post_form(
        client,
        url,
        {"text": "Fönster krossat", "source": "safety_walk", "reporter_name": "Kim", "reporter_contact": ""},
    )
    assert response.status_code == 302, html(response)
    observation = db.session.scalars(select(Observation)).one()
    assert (observation.text, observation.reviewed, observation.created_by_id) == (
        "Fönster krossat",
        reviewed,
        client.user.id,
    )
    assert observation.reporter_name == "Kim" and observation.reporter_contact is None


def test_observation_form_errors(client_as, app_context):
    place = make_place()
    client = client_as("field_staff")
    url = f"/places/{place.id}/observations/new"
    response = post_form(client, url + "?lang=en", {"text": "x" * 2001, "source": "nope", "reporter_name": "\x00"}, url)
    assert response.status_code == 400
    page = html(response)
    assert field_errors(page, "text") and field_errors(page, "source")
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 0


# --- edit, conflicts, delete ----------------------------------------------------------------------------------------


def test_a_planner_edits_a_place(client_as, app_context):
    place = make_place(title="Före")
    planner = client_as("planner")
    form = html(planner.get(f"/places/{place.id}/edit"))
    assert 'name="version" type="hidden" value="1"' in form and 'value="Före"' in form
    response = post_form(planner, f"/places/{place.id}/edit", edit_data(place, title="Efter", status="confirmed"))
    assert response.status_code == 302, html(response)
    db.session.expire_all()
    assert (place.title, place.status_code, place.version) == ("Efter", "confirmed", 2)


def test_status_choices_follow_the_lifecycle(client_as, app_context):
    place = make_place(status_code="confirmed")
    page = html(client_as("planner").get(f"/places/{place.id}/edit"))
    offered = re.findall(r'<option (?:selected )?value="(\w+)"', page.split('name="status"')[1].split("</select>")[0])
    assert offered == ["confirmed", "measure_planned", "dismissed"]


def test_saving_a_stale_form_shows_the_current_place_with_409(client_as, app_context):
    place = make_place(title="Original")
    first, second = client_as("planner"), client_as("admin")
    stale = edit_data(place, title="Andras ändring")
    assert post_form(first, f"/places/{place.id}/edit", edit_data(place, title="Förstas ändring")).status_code == 302
    response = post_form(second, f"/places/{place.id}/edit?lang=en", stale, f"/places/{place.id}/edit")
    assert response.status_code == 409
    page = html(response)
    assert "Someone else changed this place" in page
    assert 'value="Förstas ändring"' in page and "Andras ändring" not in page
    assert 'name="version" type="hidden" value="2"' in page
    db.session.expire_all()
    assert place.title == "Förstas ändring" and audit_count() == 1


def test_delete_needs_the_current_version(client_as, app_context):
    place = make_place(observations=["x"])
    planner = client_as("planner")
    response = post_form(planner, f"/places/{place.id}/delete?lang=en", {"version": "7"}, f"/places/{place.id}")
    assert response.status_code == 409 and "Someone else changed this place" in html(response)
    assert db.session.get(Place, place.id) is not None
    response = post_form(planner, f"/places/{place.id}/delete", {"version": "1"}, f"/places/{place.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Place)) == 0
    assert audit_count() == 2  # the place and its observation


def test_edit_form_errors_keep_the_typed_values(client_as, app_context):
    place = make_place()
    planner = client_as("planner")
    response = post_form(
        planner,
        f"/places/{place.id}/edit?lang=en",
        edit_data(place, title="x" * 201, status="dismissed"),
        f"/places/{place.id}/edit",
    )
    assert response.status_code == 400
    page = html(response)
    assert field_errors(page, "title") and field_errors(page, "dismissed_reason")
    db.session.expire_all()
    assert place.version == 1


# --- history --------------------------------------------------------------------------------------------------------


def test_history_shows_who_changed_what_from_what_to_what(client_as, app_context):
    planner = client_as("planner")
    post_form(planner, "/places/new", new_place_data(title="Första titeln"))
    place = db.session.scalars(select(Place)).one()
    post_form(planner, f"/places/{place.id}/edit", edit_data(place, title="Andra titeln"))
    post_form(
        planner,
        f"/places/{place.id}/observations/new",
        {"text": "Iakttagelse", "source": "police", "reporter_name": "Hemlig Person"},
    )
    page = html(client_as("field_staff").get(f"/places/{place.id}/history?lang=en"))
    entries = re.findall(r'<article class="history-entry">(.*?)</article>', page, re.S)
    assert len(entries) == 3  # newest first
    assert "Created: Observation" in entries[0] and "Iakttagelse" in entries[0]
    assert "Hemlig Person" not in page  # personal data is not kept in the trail
    assert "Changed: Place" in entries[1] and planner.user.email in entries[1]
    change = re.search(
        r'<th scope="row">Title</th><td class="history-before">(.*?)</td>'
        r'<td class="history-after">(.*?)</td>',
        entries[1],
    )
    assert change.groups() == ("Första titeln", "Andra titeln")
    assert "Created: Place" in entries[2] and "Poor lighting" in entries[2]


def test_history_outlives_the_place(client_as, app_context):
    planner = client_as("planner")
    post_form(planner, "/places/new", new_place_data(title="Snart borta"))
    place = db.session.scalars(select(Place)).one()
    post_form(planner, f"/places/{place.id}/delete", {"version": "1"}, f"/places/{place.id}")
    page = html(planner.get(f"/places/{place.id}/history?lang=en"))
    assert "Snart borta" in page and "Deleted: Place" in page and "deleted" in page


def test_a_place_imported_without_history_has_an_empty_history(client_as, app_context):
    place = make_place()
    page = html(client_as("police").get(f"/places/{place.id}/history?lang=en"))
    assert "No changes recorded yet." in page


def test_history_shows_local_times_and_draws_a_moved_location_on_a_map(client_as, app_context):
    import json
    from zoneinfo import ZoneInfo

    planner = client_as("planner")
    post_form(planner, "/places/new", new_place_data(title="Flyttas"))
    place = db.session.scalars(select(Place)).one()
    post_form(planner, f"/places/{place.id}/observations/new", {"text": "Sent på kvällen", "source": "citizen_report"})
    moved = [14.64, 63.179]
    post_form(planner, f"/places/{place.id}/edit", edit_data(place, lon=repr(moved[0]), lat=repr(moved[1])))
    page = html(planner.get(f"/places/{place.id}/history?lang=en"))
    text = page.split('id="history-maps"')[0]
    assert '"type": "Point"' not in text and "coordinates" not in text  # no raw GeoJSON
    observation = db.session.scalars(select(Observation)).one()
    local = observation.observed_at.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M")
    assert (
        f'<th scope="row">Observed</th><td class="history-before">—</td><td class="history-after">{local}</td>'
    ) in page
    assert "+00:00" not in text
    maps = json.loads(
        re.search(r'<script type="application/json" id="history-maps">(.*?)</script>', page, re.S).group(1)
    )
    changed = [g for g in maps["geometries"] if g and g["before"]]
    assert changed and changed[0]["after"]["coordinates"] == pytest.approx(moved)
    assert 'class="history-map" data-geometry="' in page
