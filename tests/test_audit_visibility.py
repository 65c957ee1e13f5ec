"""Audit rows are as secret as what they record: police-only observations stay out of what other staff see of a
place's history, on deletion too, are purged like any other, and cannot be reviewed by id by a planner."""

from datetime import UTC, datetime, timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select

from gis_app.auth import audit
from gis_app.auth.models import AuditEntry
from gis_app.extensions import db
from gis_app.places.models import Observation
from tests.factories import STORTORGET, csrf_token, make_place
from tests.test_outreach import POLICE_ONLY_TEXT, post_visit, visit_body

SHARED_TEXT = "Delad-iakttagelse-3307"


def _place_with_police_observation(client_as):
    place = make_place(observations=[SHARED_TEXT])
    assert post_visit(client_as("police"), visit_body(place, observation=POLICE_ONLY_TEXT)).status_code == 201
    return place


def test_deleting_a_place_keeps_its_police_only_observations_out_of_the_history(client_as, app_context):
    place = _place_with_police_observation(client_as)
    place_id, version = place.id, place.version
    planner = client_as("planner")
    token = csrf_token(planner, f"/places/{place_id}")
    assert planner.post(f"/places/{place_id}/delete", data={"version": version, "csrf_token": token}).status_code == 302

    seen_by = {
        role: client_as(role).get(f"/places/{place_id}/history").get_data(as_text=True)
        for role in ("planner", "field_staff", "police", "admin")
    }
    for role in ("planner", "field_staff"):
        assert POLICE_ONLY_TEXT not in seen_by[role], role
        assert SHARED_TEXT in seen_by[role], role
    for role in ("police", "admin"):
        assert POLICE_ONLY_TEXT in seen_by[role], role
    deleted = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "delete", AuditEntry.entity == "observation")
    ).all()
    assert sorted(entry.police_only for entry in deleted) == [False, True]


def test_every_audit_row_of_police_only_data_is_marked(app_context):
    assert audit.is_police_only("outreach_visit", None, {"notes": "x"})
    assert audit.is_police_only("place", {"observations": [{"police_only": True}]}, None)
    assert audit.is_police_only("observation", {"police_only": True}, {"police_only": False})  # the before is secret
    assert not audit.is_police_only("observation", None, {"police_only": False, "text": "x"})
    assert not audit.is_police_only("outreach_task", None, {"description": "x"})  # planners' task


def test_the_trail_leaves_out_police_only_rows_unless_asked_for_by_the_police(client_as, app_context):
    place = _place_with_police_observation(client_as)
    everyone = [entry.after for entry in audit.place_trail(place.id)]
    police = [entry.after for entry in audit.place_trail(place.id, police=True)]
    assert POLICE_ONLY_TEXT not in str(everyone)
    assert POLICE_ONLY_TEXT in str(police)


def test_purge_treats_police_only_audit_rows_like_the_others(cli, app_context):
    place = make_place()
    old = datetime.now(UTC) - timedelta(days=3 * 365)
    observation = Observation(
        place_id=place.id,
        source_code="police",
        text="x",
        police_only=True,
        observed_at=old,
        reporter_name="Anna Andersson",
        reporter_contact="070-123 45 67",
        geom=from_shape(Point(*STORTORGET), srid=4326),
    )
    db.session.add(observation)
    db.session.flush()
    snapshot = {
        "id": observation.id,
        "place_id": place.id,
        "police_only": True,
        "reporter_name": "Anna Andersson",
        "reporter_contact": "070-123 45 67",
    }
    db.session.add(
        AuditEntry(
            action="create", entity="police_observation", entity_id=observation.id, after=snapshot, police_only=True
        )
    )
    db.session.commit()
    observation_id = observation.id
    db.session.remove()

    result = cli.invoke(args=["purge-personal-data", "--months", "24"])
    assert result.exit_code == 0, result.output
    after = db.session.scalar(select(AuditEntry.after).where(AuditEntry.entity_id == observation_id))
    assert after["reporter_name"] is None and after["reporter_contact"] is None
    assert after["police_only"] is True


def test_a_planner_cannot_review_a_police_only_observation_by_its_id(client_as, app_context):
    place = _place_with_police_observation(client_as)
    observation_id = db.session.scalar(select(Observation.id).where(Observation.police_only.is_(True)))
    planner = client_as("planner")
    token = csrf_token(planner, f"/places/{place.id}")
    response = planner.post(f"/observations/{observation_id}/review", data={"csrf_token": token})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Observation, observation_id).reviewed is False
    admin = client_as("admin")
    token = csrf_token(admin, f"/places/{place.id}")
    assert admin.post(f"/observations/{observation_id}/review", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Observation, observation_id).reviewed is True
