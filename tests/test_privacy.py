"""What the public sees: sensitive places only as a grid cell, only reviewed text, never reporters."""

import json

import pytest
from pyproj import Transformer

from gis_app.extensions import db
from gis_app.places.models import Observation
from tests.factories import make_place, make_token, make_user

ITEMS = "/api/collections/places/items"
EXACT = (14.6372, 63.1767)
TO_SWEREF = Transformer.from_crs(4326, 3006, always_xy=True)


def feature(client, place_id, **headers):
    return client.get(f"{ITEMS}/{place_id}", headers=headers).json


def test_public_sees_a_sensitive_place_at_the_centre_of_its_grid_cell(client, app_context, app):
    place = make_place(category_code="drug_related")
    shown = feature(client, place.id)["geometry"]["coordinates"]
    assert shown != list(EXACT)
    x, y = TO_SWEREF.transform(*shown)
    grid = app.config["PUBLIC_GRID_METRES"]
    assert x % grid == pytest.approx(grid / 2, abs=0.01) and y % grid == pytest.approx(grid / 2, abs=0.01)
    exact_x, exact_y = TO_SWEREF.transform(*EXACT)
    assert abs(x - exact_x) <= grid / 2 and abs(y - exact_y) <= grid / 2


def test_a_sensitive_line_or_polygon_becomes_a_point_for_the_public(client, app_context):
    place = make_place(
        {"type": "Polygon", "coordinates": [[[14.63, 63.17], [14.64, 63.17], [14.64, 63.175], [14.63, 63.17]]]},
        category_code="intoxicated_people",
    )
    assert feature(client, place.id)["geometry"]["type"] == "Point"


def test_ordinary_places_are_exact_for_everyone(client, app_context):
    place = make_place(category_code="poor_lighting")
    assert feature(client, place.id)["geometry"]["coordinates"] == list(EXACT)


def test_staff_see_sensitive_places_exactly(client, app_context, client_as):
    place = make_place(category_code="drug_related")
    police = client_as("police")
    assert feature(police, place.id)["geometry"]["coordinates"] == list(EXACT)
    secret = make_token(make_user("planner"))
    assert feature(client, place.id, Authorization=f"Bearer {secret}")["geometry"]["coordinates"] == list(EXACT)


def test_a_tiny_bbox_around_the_true_position_does_not_find_a_sensitive_place(client, app_context):
    place = make_place(category_code="drug_related")
    shown = feature(client, place.id)["geometry"]["coordinates"]
    tiny = f"{EXACT[0] - 1e-5},{EXACT[1] - 1e-5},{EXACT[0] + 1e-5},{EXACT[1] + 1e-5}"
    assert client.get(f"{ITEMS}?bbox={tiny}").json["features"] == []
    around_shown = f"{shown[0] - 1e-4},{shown[1] - 1e-4},{shown[0] + 1e-4},{shown[1] + 1e-4}"
    assert [f["id"] for f in client.get(f"{ITEMS}?bbox={around_shown}").json["features"]] == [place.id]


def test_public_sees_only_reviewed_text(client, app_context, client_as):
    place = make_place(observations=["Namn Namnsson bor i porten"], reviewed=False)
    public = feature(client, place.id)["properties"]["last_observation"]
    assert public["text"] is None and public["source"] == "citizen_report"
    assert feature(client_as("field_staff"), place.id)["properties"]["last_observation"]["text"] is not None
    db.session.query(Observation).update({"reviewed": True})
    db.session.commit()
    assert feature(client, place.id)["properties"]["last_observation"]["text"] == "Namn Namnsson bor i porten"


def test_reporter_identity_never_reaches_the_api(client, app_context, client_as):
    place = make_place(observations=["Trasig lampa"])
    db.session.query(Observation).update({"reporter_name": "Anna Andersson", "reporter_contact": "070-1234567"})
    db.session.commit()
    for reader in (client, client_as("admin")):
        for url in (f"{ITEMS}/{place.id}", ITEMS):
            body = json.dumps(reader.get(url).json)
            assert "Anna Andersson" not in body and "070-1234567" not in body


def test_police_only_observations_stay_with_the_police(client, app_context, client_as):
    place = make_place(observations=["Synlig för alla"])
    db.session.add(
        Observation(
            place_id=place.id,
            source_code="police",
            text="Endast polis: narkotikaspaning",
            police_only=True,
            reviewed=True,
            geom=place.geom,
        )
    )
    db.session.commit()
    for role in ("field_staff", "planner"):
        page = client_as(role).get(f"/places/{place.id}").get_data(as_text=True)
        assert "Synlig för alla" in page and "narkotikaspaning" not in page
    for role in ("police", "admin"):
        assert "narkotikaspaning" in client_as(role).get(f"/places/{place.id}").get_data(as_text=True)
    for reader in (client, client_as("planner")):
        assert "narkotikaspaning" not in json.dumps(reader.get(ITEMS).json)
