"""Titles from unreviewed text are not public: the public sees 'category in district' until a planner reviews."""

import json

from shapely.geometry import box

from gis_app.extensions import db
from gis_app.places.models import Place
from tests.factories import STORTORGET, csrf_token, make_area, make_token, make_user
from tests.test_walk_api import finding, make_walk, post

NOTE = "Testperson Svensson 070-123 45 67 vid lampan"
ITEMS = "/api/collections/places/items"


def _district():
    lon, lat = STORTORGET
    return make_area(box(lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05), code="D1", name="Centrum")


def _titles(client, query: str = "") -> list[str]:
    body = client.get(f"{ITEMS}{query}").get_json()
    return [feature["properties"]["title"] for feature in body["features"]]


def _finding_place(client_as) -> int:
    walk_id = make_walk().id
    staff = client_as("field_staff")
    assert post(staff, walk_id, finding(note=NOTE)).status_code == 201
    return db.session.scalar(db.select(Place.id))


def test_a_walk_note_is_no_public_title_until_a_planner_reviews_it(client, client_as, app_context):
    _district()
    place_id = _finding_place(client_as)
    public = client.get(ITEMS).get_data(as_text=True)
    assert "Svensson" not in public and "070" not in public
    assert _titles(client) == ["Dålig belysning i Centrum"]
    assert _titles(client, "?lang=en") == ["Poor lighting in Centrum"]
    assert "Svensson" not in client.get(f"{ITEMS}/{place_id}").get_data(as_text=True)
    planner = client_as("planner")
    assert _titles(planner)[0].startswith("Testperson Svensson")  # staff see the title as written
    page = planner.get(f"/places/{place_id}").get_data(as_text=True)
    assert "Dålig belysning i Centrum" in page  # the planner sees what the public sees

    token = csrf_token(planner, f"/places/{place_id}")
    assert planner.post(f"/places/{place_id}/review-title", data={"csrf_token": token}).status_code == 302
    assert _titles(client)[0].startswith("Testperson Svensson")


def test_without_a_district_the_public_title_is_the_category(client, client_as, app_context):
    _finding_place(client_as)
    assert _titles(client) == ["Dålig belysning"]


def test_who_writes_the_title_decides_whether_it_is_public(client, client_as, app_context):
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(STORTORGET)},
        "properties": {"title": "Skriven titel", "category": "poor_lighting"},
    }
    for role in ("field_staff", "planner"):
        token = make_token(make_user(role), ["write:places"])
        response = client.post(
            ITEMS,
            data=json.dumps(feature),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.get_data(as_text=True)
    reviewed = dict(db.session.execute(db.select(Place.id, Place.title_reviewed).order_by(Place.id)).all())
    assert list(reviewed.values()) == [False, True]
    assert _titles(client) == ["Dålig belysning", "Skriven titel"]


def test_a_planner_saving_the_edit_form_reviews_the_title(client, client_as, app_context):
    place_id = _finding_place(client_as)
    place = db.session.get(Place, place_id)
    planner = client_as("planner")
    token = csrf_token(planner, f"/places/{place_id}/edit")
    lon, lat = STORTORGET
    form = {
        "title": place.title,
        "category": "poor_lighting",
        "description": "",
        "time_of_day": "",
        "affected_group": "",
        "priority": "2",
        "status": place.status_code,
        "dismissed_reason": "",
        "lon": str(lon + 0.001),
        "lat": str(lat),
        "geojson": "",
        "version": str(place.version),
        "csrf_token": token,
    }
    assert planner.post(f"/places/{place_id}/edit", data=form).status_code == 302
    assert _titles(client)[0].startswith("Testperson Svensson")
