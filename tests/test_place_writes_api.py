"""Writing places through the API (OGC API – Features, Part 4 style): tokens and scopes, sessions and CSRF,
ETags and If-Match, validation, and the audit trail each write leaves."""

import json

import pytest
from sqlalchemy import create_engine, func, select, text

from gis_app.auth.models import AuditEntry
from gis_app.extensions import db
from gis_app.places import service
from gis_app.places.models import Observation, Place
from tests.factories import STORTORGET, csrf_token, make_place, make_token, make_user

ITEMS = "/api/collections/places/items"
LON, LAT = STORTORGET


def point(lon=LON, lat=LAT) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def square(lon=LON, lat=LAT, size=0.002) -> list:
    return [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]]


def feature(geometry=None, **properties) -> dict:
    return {
        "type": "Feature",
        "geometry": geometry or point(),
        "properties": {"title": "Mörk gångtunnel", "category": "underpass", **properties},
    }


def bearer(role="planner", scopes=("write:places", "write:observations")) -> dict:
    return {"Authorization": f"Bearer {make_token(make_user(role), scopes)}"}


def audit_rows() -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def counts() -> tuple[int, int, int]:
    """Places, observations and audit rows: what a refused write must leave as it was."""
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) for model in (Place, Observation, AuditEntry)
    )


def english(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "lang=en"


# --- creating -------------------------------------------------------------------------------------------------------


def test_create_with_a_token_answers_201_with_location_etag_and_one_audit_row_each(client, app_context):
    headers = bearer("planner")
    body = feature(
        description="Ingen belysning",
        time_of_day="night",
        affected_group="women",
        priority=1,
        observation={
            "text": "Lampan är trasig",
            "source": "citizen_report",
            "reporter_name": "Anna A",
            "reporter_contact": "070-123",
        },
    )
    response = client.post(ITEMS, json=body, headers=headers)
    assert response.status_code == 201, response.json
    created = response.json
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(f"{ITEMS}/{created['id']}")
    assert created["properties"]["title"] == "Mörk gångtunnel"
    assert created["properties"]["last_observation"]["text"] == "Lampan är trasig"
    place = db.session.get(Place, created["id"])
    assert (place.time_of_day, place.affected_group, place.priority, place.status_code) == (
        "night",
        "women",
        1,
        "reported",
    )
    observation = place.observations[0]
    assert observation.reviewed is True  # a planner's own report needs no review
    assert (observation.reporter_name, observation.reporter_contact) == ("Anna A", "070-123")

    place_row, observation_row = audit_rows()
    token_id = db.session.execute(text("SELECT id FROM api_token")).scalar()
    for row in (place_row, observation_row):
        assert row.action == "create" and row.before is None and row.token_id == token_id
        assert row.user.role == "planner"
    assert (place_row.entity, place_row.entity_id) == ("place", place.id)
    assert place_row.after["title"] == "Mörk gångtunnel" and place_row.after["version"] == 1
    assert place_row.after["geom"] == {"type": "Point", "coordinates": [LON, LAT]}
    assert (observation_row.entity, observation_row.entity_id) == ("observation", observation.id)
    # Personal data stays out of the audit trail, so purging it after the retention period is complete.
    assert observation_row.after["reporter_name"] == "***" and "070-123" not in json.dumps(observation_row.after)


def test_field_staff_reports_wait_for_review(client, app_context):
    body = feature(observation={"text": "Otäckt", "source": "safety_walk"})
    response = client.post(ITEMS, json=body, headers=bearer("field_staff"))
    assert response.status_code == 201
    assert db.session.scalars(select(Observation)).one().reviewed is False


def test_lines_and_polygons_and_a_height_are_accepted(client, app_context):
    headers = bearer()
    line = {"type": "LineString", "coordinates": [[LON, LAT, 310.5], [LON + 0.01, LAT + 0.005, 312]]}
    polygon = {
        "type": "Polygon",
        "coordinates": square(),
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
    }
    for geometry in (line, polygon):
        response = client.post(ITEMS, json=feature(geometry), headers=headers)
        assert response.status_code == 201, response.json
        assert response.json["geometry"]["type"] == geometry["type"]
    assert (
        client.post(
            ITEMS,
            data=json.dumps(feature()),
            headers=headers
            | {"Content-Type": "application/geo+json", "Content-Crs": "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"},
        ).status_code
        == 201
    )


def test_get_item_carries_the_version_as_etag(client, app_context):
    place = make_place()
    response = client.get(f"{ITEMS}/{place.id}")
    assert response.headers["ETag"] == f'"{place.version}"' == '"1"'


# --- replacing, patching, deleting ----------------------------------------------------------------------------------


def test_put_replaces_the_feature_and_audits_before_and_after(client, app_context):
    place = make_place(title="Gammal", description="Tas bort", time_of_day="night", status_code="confirmed")
    headers = bearer() | {"If-Match": '"1"'}
    body = feature({"type": "Polygon", "coordinates": square()}, title="Ny", category="vandalism")
    response = client.put(f"{ITEMS}/{place.id}", json=body, headers=headers)
    assert response.status_code == 200, response.json
    assert response.headers["ETag"] == '"2"'
    props = response.json["properties"]
    assert (props["title"], props["category"], props["time_of_day"]) == ("Ny", "vandalism", None)
    assert props["status"] == "confirmed"  # a replace without a status leaves the lifecycle where it is
    (row,) = audit_rows()
    assert (row.action, row.entity, row.entity_id) == ("update", "place", place.id)
    assert row.before["title"] == "Gammal" and row.after["title"] == "Ny"
    assert row.before["description"] == "Tas bort" and row.after["description"] is None
    assert row.before["geom"]["type"] == "Point" and row.after["geom"]["type"] == "Polygon"
    assert (row.before["version"], row.after["version"]) == (1, 2)


def test_patch_changes_only_what_it_names(client, app_context):
    place = make_place(title="Före", description="Står kvar")
    response = client.patch(
        f"{ITEMS}/{place.id}",
        json={"properties": {"title": "Efter", "status": "confirmed"}},
        headers=bearer() | {"If-Match": '"1"', "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.json
    db.session.expire_all()
    assert (place.title, place.description, place.status_code, place.version) == ("Efter", "Står kvar", "confirmed", 2)
    (row,) = audit_rows()
    changed = {key for key in row.after if row.before[key] != row.after[key]}
    assert changed == {"title", "status_code", "version", "updated_at"}


def test_a_write_that_changes_nothing_is_a_no_op(client, app_context):
    place = make_place(title="Samma")
    response = client.patch(
        f"{ITEMS}/{place.id}",
        json={"properties": {"title": "Samma"}, "geometry": point()},
        headers=bearer() | {"If-Match": '"1"'},
    )
    assert response.status_code == 200 and response.headers["ETag"] == '"1"'
    assert audit_rows() == []


def test_a_feature_read_from_the_api_can_be_written_back(client, app_context):
    place = make_place(observations=["x"])
    read = client.get(f"{ITEMS}/{place.id}")
    body = read.json
    body["properties"]["title"] = "Ändrad"
    response = client.put(f"{ITEMS}/{place.id}", json=body, headers=bearer() | {"If-Match": read.headers["ETag"]})
    assert response.status_code == 200, response.json
    assert response.json["properties"]["title"] == "Ändrad"


def test_delete_removes_the_place_and_its_observations_with_an_audit_row_each(client, app_context):
    place = make_place(observations=["ett", "två"])
    response = client.delete(f"{ITEMS}/{place.id}", headers=bearer() | {"If-Match": '"1"'})
    assert response.status_code == 204 and response.data == b""
    assert client.get(f"{ITEMS}/{place.id}").status_code == 404
    assert counts()[:2] == (0, 0)
    rows = audit_rows()
    assert [(r.action, r.entity) for r in rows] == [
        ("delete", "observation"),
        ("delete", "observation"),
        ("delete", "place"),
    ]
    assert all(r.after is None for r in rows)
    assert rows[-1].before["title"] == "Mörk passage" and {r.before["text"] for r in rows[:2]} == {"ett", "två"}


# --- optimistic concurrency -----------------------------------------------------------------------------------------


def test_a_stale_if_match_gets_412_with_the_current_state(client, app_context):
    place = make_place(title="Original")
    headers = bearer()
    first = client.patch(
        f"{ITEMS}/{place.id}", json={"properties": {"title": "Först"}}, headers=headers | {"If-Match": '"1"'}
    )
    assert first.status_code == 200
    before = counts()
    for method, body in (
        ("patch", {"properties": {"title": "Sist"}}),
        ("put", feature(title="Sist")),
        ("delete", None),
    ):
        response = getattr(client, method)(
            english(f"{ITEMS}/{place.id}"), json=body, headers=headers | {"If-Match": '"1"'}
        )
        assert response.status_code == 412, (method, response.json)  # Part 4: a failed If-Match precondition
        assert response.json["code"] == "PreconditionFailed" and "changed" in response.json["description"]
        assert response.json["current"]["properties"]["title"] == "Först"
        assert response.json["current"]["id"] == place.id
        assert response.headers["ETag"] == '"2"'
    assert counts() == before
    db.session.expire_all()
    assert place.title == "Först"


@pytest.mark.parametrize("if_match", ['"abc"', 'W/"1"', '"99999999999999999999"'])
def test_tags_that_are_no_current_version_fail_the_precondition(client, app_context, if_match):
    place = make_place()
    response = client.patch(
        f"{ITEMS}/{place.id}", json={"properties": {"title": "x"}}, headers=bearer() | {"If-Match": if_match}
    )
    assert response.status_code == 412


@pytest.mark.parametrize("if_match", [None, "", "*"])
def test_writes_without_if_match_get_428(client, app_context, if_match):
    place = make_place()
    headers = bearer() | ({"If-Match": if_match} if if_match is not None else {})
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(f"{ITEMS}/{place.id}", json=feature(), headers=headers)
        assert response.status_code == 428, (method, response.json)
        assert response.json["field"] == "If-Match" and response.json["code"] == "PreconditionRequired"
    assert audit_rows() == []


def test_two_concurrent_updates_cannot_both_succeed(client, app, app_context, monkeypatch):
    """Both read version 1; the other commits between this one's read and write: this one must lose."""
    place = make_place(title="Start")
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    real_get_place = service.get_place

    def get_place_then_lose_the_race(place_id):
        loaded = real_get_place(place_id)
        with other.begin() as connection:
            connection.execute(
                text("UPDATE place SET title = 'Den andra', version = version + 1 WHERE id = :id"), {"id": place_id}
            )
        return loaded

    monkeypatch.setattr(service, "get_place", get_place_then_lose_the_race)
    response = client.patch(
        f"{ITEMS}/{place.id}", json={"properties": {"title": "Den här"}}, headers=bearer() | {"If-Match": '"1"'}
    )
    other.dispose()
    assert response.status_code == 409, response.json
    assert response.json["current"]["properties"]["title"] == "Den andra"
    assert response.headers["ETag"] == '"2"'
    assert audit_rows() == []


# --- who may write --------------------------------------------------------------------------------------------------


def test_anonymous_writes_get_401(client, app_context):
    place = make_place()
    calls = [
        ("post", ITEMS),
        ("put", f"{ITEMS}/{place.id}"),
        ("patch", f"{ITEMS}/{place.id}"),
        ("delete", f"{ITEMS}/{place.id}"),
        ("post", f"{ITEMS}/{place.id}/observations"),
    ]
    for method, url in calls:
        response = getattr(client, method)(url, json=feature(), headers={"If-Match": '"1"'})
        assert response.status_code == 401, (method, url)
        assert response.json["code"] == "Unauthorized"
    bad_token = {"Authorization": "Bearer not-a-token"}
    assert client.post(ITEMS, json=feature(), headers=bad_token).status_code == 401
    assert counts() == (1, 0, 0)


def test_field_staff_may_create_but_not_change_or_delete(client_as, app_context):
    field_staff = client_as("field_staff")
    place = make_place()
    headers = {"X-CSRFToken": csrf_token(field_staff, "/"), "If-Match": '"1"'}
    for method in ("put", "patch", "delete"):
        response = getattr(field_staff, method)(f"{ITEMS}/{place.id}", json=feature(), headers=headers)
        assert response.status_code == 403, method
        assert response.json["code"] == "Forbidden"
    assert field_staff.post(ITEMS, json=feature(), headers=headers).status_code == 201
    assert (
        field_staff.post(
            f"{ITEMS}/{place.id}/observations", json={"text": "Sett", "source": "safety_walk"}, headers=headers
        ).status_code
        == 201
    )


def test_a_token_needs_the_scope_for_the_write(client, app_context):
    place = make_place()
    read_only = bearer("admin", ["read"])
    observations_only = bearer("admin", ["write:observations"])
    places_only = bearer("admin", ["write:places"])
    assert client.post(ITEMS, json=feature(), headers=read_only).status_code == 403
    assert client.post(ITEMS, json=feature(), headers=observations_only).status_code == 403
    response = client.patch(
        f"{ITEMS}/{place.id}", json={"properties": {"title": "x"}}, headers=read_only | {"If-Match": '"1"'}
    )
    assert response.status_code == 403 and response.json["code"] == "Forbidden"
    assert client.delete(f"{ITEMS}/{place.id}", headers=observations_only | {"If-Match": '"1"'}).status_code == 403
    observation = {"text": "x", "source": "police"}
    assert client.post(f"{ITEMS}/{place.id}/observations", json=observation, headers=places_only).status_code == 403
    # A first observation inside a new place needs both scopes.
    assert client.post(ITEMS, json=feature(observation=observation), headers=places_only).status_code == 403
    assert counts() == (1, 0, 0)
    assert (
        client.post(f"{ITEMS}/{place.id}/observations", json=observation, headers=observations_only).status_code == 201
    )


def test_a_browser_session_must_send_its_csrf_token(client_as, app_context):
    planner = client_as("planner")
    for headers in ({}, {"X-CSRFToken": "forged"}):
        response = planner.post(ITEMS, json=feature(), headers=headers)
        assert response.status_code == 400
        assert response.json["field"] == "X-CSRFToken"
    assert counts() == (0, 0, 0)
    response = planner.post(ITEMS, json=feature(), headers={"X-CSRFToken": csrf_token(planner, "/")})
    assert response.status_code == 201
    (row,) = audit_rows()
    assert row.user_id == planner.user.id and row.token_id is None


# --- what is refused ------------------------------------------------------------------------------------------------


def test_only_places_are_writable(client, app_context):
    headers = bearer("admin")
    response = client.post("/api/collections/areas/items", json=feature(), headers=headers)
    assert response.status_code == 405 and response.json["code"] == "MethodNotAllowed"
    assert "GET" in response.headers["Allow"]
    assert (
        client.put("/api/collections/areas/items/1", json=feature(), headers=headers | {"If-Match": '"1"'}).status_code
        == 405
    )
    assert client.post("/api/collections/nothing/items", json=feature(), headers=headers).status_code == 404
    assert client.patch(f"{ITEMS}/123456", json=feature(), headers=headers | {"If-Match": '"1"'}).status_code == 404
    assert client.delete(f"{ITEMS}/abc", headers=headers | {"If-Match": '"1"'}).status_code == 404
    assert (
        client.post(f"{ITEMS}/99999/observations", json={"text": "x", "source": "police"}, headers=headers).status_code
        == 404
    )


def test_bodies_must_be_json_features_of_a_sane_size(client, app, app_context, monkeypatch):
    headers = bearer()
    response = client.post(ITEMS, data="title=x", headers=headers | {"Content-Type": "text/plain"})
    assert response.status_code == 415 and response.json["field"] == "Content-Type"
    response = client.post(ITEMS, data='{"type": "Feature",', headers=headers | {"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["field"] == "body"
    response = client.post(ITEMS, json=[feature()], headers=headers)
    assert response.status_code == 400 and response.json["field"] == "body"
    response = client.post(ITEMS, json={"type": "FeatureCollection", "features": []}, headers=headers)
    assert response.status_code == 400 and {"type", "features"} <= {e["field"] for e in response.json["errors"]}
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    response = client.post(ITEMS, json=feature(description="x" * 3000), headers=headers)
    assert response.status_code == 413 and response.json["status"] == 413
    assert counts()[:2] == (0, 0)


def test_every_wrong_field_is_reported_at_once_and_nothing_is_written(client, app_context):
    body = feature(
        title="",
        category="nope",
        priority=7,
        time_of_day="dawn",
        description="a\x00b",
        status="dismissed",
        colour="red",
    )
    response = client.post(english(ITEMS), json=body, headers=bearer())
    assert response.status_code == 422
    errors = {error["field"]: error["description"] for error in response.json["errors"]}
    assert set(errors) == {"title", "category", "priority", "time_of_day", "description", "dismissed_reason", "colour"}
    assert errors["title"] == "required" and "NUL" in errors["description"]
    assert response.json["field"] == "title"
    assert counts() == (0, 0, 0)


def test_observation_fields_are_checked_too(client, app_context):
    place = make_place()
    body = {"text": "x" * 2001, "source": "rumour", "reporter_name": "y" * 201, "extra": 1}
    response = client.post(english(f"{ITEMS}/{place.id}/observations"), json=body, headers=bearer())
    assert response.status_code == 422
    assert {e["field"] for e in response.json["errors"]} == {"text", "source", "reporter_name", "extra"}
    response = client.post(ITEMS, json=feature(observation={"source": "police"}), headers=bearer())
    assert response.status_code == 422 and response.json["field"] == "observation.text"
    assert counts() == (1, 0, 0)


SELF_INTERSECTING = {
    "type": "Polygon",
    "coordinates": [[[LON, LAT], [LON + 0.01, LAT + 0.01], [LON + 0.01, LAT], [LON, LAT + 0.01], [LON, LAT]]],
}
BAD_GEOMETRIES = {
    "self-intersecting": (SELF_INTERSECTING, "geometry", "invalid geometry: Self-intersection"),
    "nan": ({"type": "Point", "coordinates": [float("nan"), LAT]}, "geometry", "finite"),
    "infinity": ({"type": "Point", "coordinates": [LON, float("inf")]}, "geometry", "finite"),
    "huge number": ({"type": "Point", "coordinates": [10**400, LAT]}, "geometry", "finite"),
    "text coordinates": ({"type": "Point", "coordinates": ["14.6", "63.1"]}, "geometry", "numbers"),
    "outside": (point(18.07, 59.33), "geometry", "outside"),
    "sweref 99 tm": (
        {**point(), "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}},
        "geometry",
        "CRS84",
    ),
    "multipoint": ({"type": "MultiPoint", "coordinates": [[LON, LAT]]}, "geometry", "not allowed"),
    "one-point line": ({"type": "LineString", "coordinates": [[LON, LAT]]}, "geometry", "at least 2"),
    "zero-length line": (
        {"type": "LineString", "coordinates": [[LON, LAT], [LON, LAT]]},
        "geometry",
        "invalid geometry",
    ),
    "open ring": (
        {"type": "Polygon", "coordinates": [square()[0][:-1] + [[LON, LAT + 0.001]]]},
        "geometry",
        "end where it starts",
    ),
    "empty": ({"type": "Point", "coordinates": []}, "geometry", "position"),
    "no geometry": (None, "geometry", "required"),
    "text": ("POINT(14.6 63.1)", "geometry", "GeoJSON"),
}


@pytest.mark.parametrize("name", BAD_GEOMETRIES)
def test_bad_geometries_are_refused_never_repaired(client, app_context, name):
    geometry, field, reason = BAD_GEOMETRIES[name]
    body = json.dumps({**feature(), "geometry": geometry})  # NaN and Infinity as JSON's common extension
    response = client.post(english(ITEMS), data=body, headers=bearer() | {"Content-Type": "application/json"})
    assert response.status_code == 422, response.json
    assert response.json["field"] == field and reason in response.json["description"]
    assert counts() == (0, 0, 0)


def test_a_feature_level_crs_other_than_crs84_is_refused(client, app_context):
    sweref = {"type": "name", "properties": {"name": "EPSG:3006"}}
    response = client.post(ITEMS, json=feature() | {"crs": sweref}, headers=bearer())
    assert response.status_code == 400 and response.json["field"] == "crs"
    response = client.post(
        ITEMS, json=feature(), headers=bearer() | {"Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/3006>"}
    )
    assert response.status_code == 400 and response.json["field"] == "Content-Crs"
    assert counts() == (0, 0, 0)


def test_status_follows_the_lifecycle(client, app_context):
    place = make_place()
    headers = bearer()

    def move(status, version, **extra):
        return client.patch(
            english(f"{ITEMS}/{place.id}"),
            json={"properties": {"status": status, **extra}},
            headers=headers | {"If-Match": f'"{version}"'},
        )

    assert move("remediated", 1).status_code == 422  # a step skipped
    for version, status in enumerate(("confirmed", "measure_planned", "remediated", "verified"), start=1):
        assert move(status, version).status_code == 200, status
    assert move("confirmed", 5).json["field"] == "status"  # no way back
    response = move("dismissed", 5)
    assert response.status_code == 422 and response.json["field"] == "dismissed_reason"
    assert move("dismissed", 5, dismissed_reason="Dubblett").status_code == 200
    assert move("reported", 6).status_code == 422
    assert service.can_change_status("reported", "dismissed") and not service.can_change_status("dismissed", "verified")


def test_a_failed_write_leaves_no_place_observation_or_audit_row(client, app_context, monkeypatch):
    """A fault after the place and its first audit row were flushed: the transaction takes all of it back."""
    real_record = service.audit.record

    def fail_on_the_observation(action, entity, *args):
        if entity == "observation":
            raise RuntimeError("disk full")
        return real_record(action, entity, *args)

    monkeypatch.setattr(service.audit, "record", fail_on_the_observation)
    response = client.post(ITEMS, json=feature(observation={"text": "x", "source": "police"}), headers=bearer())
    assert response.status_code == 500 and response.json["code"] == "ServerError"
    assert counts() == (0, 0, 0)


# --- observations ---------------------------------------------------------------------------------------------------


def test_create_observation_is_audited_and_reviewed_by_role(client, app_context):
    place = make_place()
    body = {"text": "Nedsläckt igen", "source": "police", "reporter_contact": "kontakt@example.se"}
    response = client.post(f"{ITEMS}/{place.id}/observations", json=body, headers=bearer("police"))
    assert response.status_code == 201, response.json
    created = response.json
    assert created["text"] == "Nedsläckt igen" and created["reviewed"] is False
    assert "reporter_contact" not in created and "kontakt@example.se" not in response.get_data(as_text=True)
    assert created["geometry"] == {"type": "Point", "coordinates": [LON, LAT]}
    (row,) = audit_rows()
    assert (row.action, row.entity, row.entity_id) == ("create", "observation", created["id"])
    assert row.after["place_id"] == place.id and row.after["reporter_contact"] == "***"
    db.session.expire_all()
    assert place.version == 1  # an observation does not change the place, so open edit forms stay valid
    inside = {"text": "Här", "source": "police", "geometry": point(LON + 0.001, LAT)}
    assert (
        client.post(f"{ITEMS}/{place.id}/observations", json=inside, headers=bearer("admin")).json["reviewed"] is True
    )


# --- the OpenAPI document -------------------------------------------------------------------------------------------


def test_openapi_describes_the_writes(client):
    paths = client.get("/api/openapi").json["paths"]
    create = paths["/collections/places/items"]["post"]
    assert create["requestBody"]["content"]["application/geo+json"]["schema"]["$ref"].endswith("placeFeature")
    assert {"201", "401", "403", "415", "422"} <= set(create["responses"])
    item = paths["/collections/places/items/{feature_id}"]
    assert {"get", "put", "patch", "delete"} <= set(item)
    for method in ("put", "patch", "delete"):
        assert any(p["name"] == "If-Match" and p["required"] for p in item[method]["parameters"])
        assert {"409", "428"} <= set(item[method]["responses"])
    assert "post" in paths["/collections/places/items/{feature_id}/observations"]
    assert set(paths["/collections/areas/items"]) == {"get"}
    assert set(paths["/collections/areas/items/{feature_id}"]) == {"get"}
