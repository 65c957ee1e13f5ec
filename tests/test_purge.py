"""gis-app purge-personal-data: reporters' names and contacts go after the retention period, audit trail too."""

from datetime import UTC, datetime, timedelta

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select, text

from gis_app.auth.models import AuditEntry
from gis_app.extensions import db
from gis_app.places.models import Observation, Place
from tests.factories import STORTORGET, make_place

NOW = datetime.now(UTC)


def make_observation(place: Place, age_days: int, name="Anna Andersson", contact="070-123 45 67") -> Observation:
    """Insert an observation made `age_days` ago with a reporter, and its create and update audit rows."""
    observation = Observation(
        place_id=place.id,
        source_code="citizen_report",
        text="Mörkt och otryggt",
        observed_at=NOW - timedelta(days=age_days),
        reporter_name=name,
        reporter_contact=contact,
        geom=from_shape(Point(*STORTORGET), srid=4326),
    )
    db.session.add(observation)
    db.session.flush()
    after = {
        "id": observation.id,
        "place_id": place.id,
        "text": "Mörkt och otryggt",
        "reporter_name": name,
        "reporter_contact": contact,
    }
    db.session.add(
        AuditEntry(action="create", entity="observation", entity_id=observation.id, before=None, after=after)
    )
    db.session.add(
        AuditEntry(
            action="update",
            entity="observation",
            entity_id=observation.id,
            before=after,
            after=after | {"reviewed": True},
        )
    )
    db.session.commit()
    return observation


def audit_rows(observation_id: int) -> list[tuple]:
    return list(
        db.session.execute(
            select(AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.entity == "observation", AuditEntry.entity_id == observation_id)
            .order_by(AuditEntry.id)
        )
    )


def reporter(observation_id: int) -> tuple:
    return tuple(
        db.session.execute(
            select(Observation.reporter_name, Observation.reporter_contact).where(Observation.id == observation_id)
        ).one()
    )


def test_old_observations_lose_personal_data_recent_ones_keep_it(cli, app_context):
    place = make_place(title="Parken")
    old = make_observation(place, age_days=3 * 365).id
    recent = make_observation(place, age_days=30).id
    db.session.remove()

    result = cli.invoke(args=["purge-personal-data", "--months", "24"])
    assert result.exit_code == 0, result.output
    assert "från 1 iakttagelser och 2 loggposter" in result.output

    assert reporter(old) == (None, None)
    assert reporter(recent) == ("Anna Andersson", "070-123 45 67")
    assert db.session.scalar(select(Observation.text).where(Observation.id == old)) == "Mörkt och otryggt"
    assert db.session.scalar(select(db.func.count()).select_from(Observation)) == 2
    assert db.session.scalar(select(Place.title)) == "Parken"


def test_the_audit_trail_keeps_no_copy(cli, app_context):
    place = make_place()
    place_id = place.id
    old = make_observation(place, age_days=800).id
    recent = make_observation(place, age_days=10).id
    db.session.remove()

    assert cli.invoke(args=["purge-personal-data", "--months", "24"]).exit_code == 0

    (create_before, create_after), (update_before, update_after) = audit_rows(old)
    assert create_before is None
    for snapshot in (create_after, update_before, update_after):
        assert snapshot["reporter_name"] is None and snapshot["reporter_contact"] is None
        assert snapshot["text"] == "Mörkt och otryggt" and snapshot["place_id"] == place_id
    assert audit_rows(recent)[0][1]["reporter_name"] == "Anna Andersson"
    dumped = db.session.scalar(
        text("SELECT string_agg(before::text || after::text, '') FROM audit_log WHERE entity_id = :id"), {"id": old}
    )
    assert "Anna" not in dumped and "070" not in dumped


def test_the_audit_rows_of_a_deleted_observation_are_scrubbed_by_their_age(cli, app_context):
    place = make_place()
    gone = make_observation(place, age_days=900).id
    db.session.execute(text("DELETE FROM observation WHERE id = :id"), {"id": gone})
    db.session.execute(
        text("UPDATE audit_log SET at = now() - interval '30 months' WHERE entity_id = :id"), {"id": gone}
    )
    db.session.commit()
    db.session.remove()

    result = cli.invoke(args=["purge-personal-data", "--months", "24"])
    assert "från 0 iakttagelser och 2 loggposter" in result.output
    assert all(after["reporter_name"] is None for _, after in audit_rows(gone))


def test_dry_run_counts_and_changes_nothing(cli, app_context):
    place = make_place()
    old = make_observation(place, age_days=3 * 365).id
    db.session.remove()
    before = audit_rows(old)

    result = cli.invoke(args=["purge-personal-data", "--months", "24", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "skulle ta bort personuppgifter från 1 iakttagelser och 2 loggposter" in result.output
    assert "Ingenting ändrades" in result.output
    db.session.remove()
    assert reporter(old) == ("Anna Andersson", "070-123 45 67")
    assert audit_rows(old) == before


def test_the_retention_setting_is_the_default(cli, app, app_context):
    place = make_place()
    thirteen_months = make_observation(place, age_days=400).id
    db.session.remove()
    app.config["PERSONAL_DATA_RETENTION_MONTHS"] = 12
    try:
        result = cli.invoke(args=["purge-personal-data"])
    finally:
        app.config["PERSONAL_DATA_RETENTION_MONTHS"] = 24
    assert "äldre än 12 månader" in result.output
    assert reporter(thirteen_months) == (None, None)


def test_a_second_run_finds_nothing_left(cli, app_context):
    make_observation(make_place(), age_days=1000)
    db.session.remove()
    assert "från 1 iakttagelser" in cli.invoke(args=["purge-personal-data"]).output
    assert "från 0 iakttagelser och 0 loggposter" in cli.invoke(args=["purge-personal-data"]).output


def test_setting_comes_from_the_environment():
    from gis_app.settings import load_settings

    assert load_settings({})["PERSONAL_DATA_RETENTION_MONTHS"] == 24
    assert load_settings({"GIS_APP_PERSONAL_DATA_RETENTION_MONTHS": "6"})["PERSONAL_DATA_RETENTION_MONTHS"] == 6
