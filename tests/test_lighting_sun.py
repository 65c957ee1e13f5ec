"""The sun at each observation: accuracy, the database's own computation, the back-fill, the light filter."""

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select, text

from gis_app.extensions import db
from gis_app.lighting import sun
from gis_app.places.models import Observation
from tests.factories import STORTORGET, make_place, make_token, make_user

OSTERSUND = (14.64, 63.18)
LOCAL = ZoneInfo("Europe/Stockholm")
OBLIQUITY = 23.44


def _highest(day: date) -> float:
    """The sun's highest altitude of the day at 63.18° N, 14.64° E: its altitude at solar noon."""
    return sun.day_light(*OSTERSUND, day, LOCAL).noon_altitude


def test_solar_noon_on_the_solstices_and_equinox_matches_the_published_altitudes():
    # At solar noon the altitude is 90° − latitude + declination; the declination is ±23.44° at the solstices.
    assert abs(_highest(date(2024, 12, 21)) - (90 - 63.18 - OBLIQUITY)) < 0.5
    assert abs(_highest(date(2024, 6, 20)) - (90 - 63.18 + OBLIQUITY)) < 0.5
    assert abs(_highest(date(2025, 3, 20)) - (90 - 63.18)) < 0.5


def test_sunrise_and_sunset_at_the_winter_solstice_in_ostersund():
    # Almanac values for Östersund on 21 December: sunrise about 09:40, sunset about 14:18.
    day = sun.day_light(*OSTERSUND, date(2024, 12, 21), LOCAL)
    assert abs((day.sunrise - datetime(2024, 12, 21, 9, 40, tzinfo=LOCAL)).total_seconds()) < 180
    assert abs((day.sunset - datetime(2024, 12, 21, 14, 18, tzinfo=LOCAL)).total_seconds()) < 180
    assert day.civil_dusk > day.sunset and day.dark_hours > 16


def test_june_nights_never_get_dark_at_63_degrees():
    day = sun.day_light(*OSTERSUND, date(2024, 6, 20), LOCAL)
    assert day.civil_dusk is None and day.dark_hours == 0


def test_light_classes_at_the_usual_thresholds():
    assert list(sun.light_class([10, -0.5, -0.9, -5.9, -6.1, -11.9, -12.1])) == [
        "daylight",
        "daylight",
        "civil_twilight",
        "civil_twilight",
        "nautical_twilight",
        "nautical_twilight",
        "dark",
    ]


def _observe(place, when: datetime, lon_lat=STORTORGET) -> Observation:
    observation = Observation(
        place_id=place.id,
        source_code="citizen_report",
        text="Mörkt",
        observed_at=when,
        geom=from_shape(Point(*lon_lat), srid=4326),
    )
    db.session.add(observation)
    db.session.commit()
    db.session.refresh(observation)
    return observation


def test_a_report_at_four_in_december_is_dark_and_one_in_june_is_daylight(app_context):
    place = make_place()
    december = _observe(place, datetime(2025, 12, 15, 16, 0, tzinfo=LOCAL))
    june = _observe(place, datetime(2025, 6, 15, 16, 0, tzinfo=LOCAL))
    assert december.light_class in sun.DARK_CLASSES and sun.is_dark(december.sun_altitude)
    assert june.light_class == "daylight" and june.sun_altitude > 20


def test_the_database_and_numpy_compute_the_same_altitude(app_context):
    rng = random.Random(7)
    rows = [
        (
            rng.uniform(11, 24),
            rng.uniform(55, 69),
            datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, 40 * 365 * 86400)),
        )
        for _ in range(200)
    ]
    stored = [
        db.session.scalar(text("SELECT sun_altitude(:lon, :lat, :at)"), {"lon": lon, "lat": lat, "at": at})
        for lon, lat, at in rows
    ]
    computed = sun.altitude([r[0] for r in rows], [r[1] for r in rows], [r[2].timestamp() for r in rows])
    assert np.allclose(stored, computed, atol=1e-6)


def test_moving_an_observation_recomputes_its_sun(app_context):
    observation = _observe(make_place(), datetime(2025, 12, 15, 12, 0, tzinfo=LOCAL))
    assert observation.light_class == "daylight"
    observation.observed_at = datetime(2025, 12, 15, 22, 0, tzinfo=LOCAL)
    db.session.commit()
    db.session.refresh(observation)
    assert observation.light_class == "dark"


def test_the_backfill_command_fills_existing_rows_in_batches(app_context, cli):
    place = make_place()
    for hour in range(0, 24, 2):
        _observe(place, datetime(2025, 1, 10, hour, 0, tzinfo=LOCAL))
    db.session.execute(text("ALTER TABLE observation DISABLE TRIGGER observation_sun"))
    db.session.execute(text("UPDATE observation SET sun_altitude = NULL"))
    db.session.execute(text("ALTER TABLE observation ENABLE TRIGGER observation_sun"))
    db.session.commit()
    result = cli.invoke(args=["backfill-sun", "--batch", "1000"])
    assert result.exit_code == 0, result.output
    assert "12" in result.output
    db.session.expire_all()
    observations = db.session.scalars(select(Observation)).all()
    assert all(o.sun_altitude is not None for o in observations)
    assert {o.light_class for o in observations} >= {"daylight", "dark"}
    again = cli.invoke(args=["backfill-sun"])
    assert "0" in again.output  # nothing left to do


def test_the_api_and_the_map_filter_places_reported_in_darkness(client, app_context):
    dark_place = make_place(title="Mörk gång")
    _observe(dark_place, datetime(2025, 12, 15, 16, 0, tzinfo=LOCAL))
    light_place = make_place(title="Ljus gång")
    _observe(light_place, datetime(2025, 6, 15, 16, 0, tzinfo=LOCAL))
    token = make_token(make_user("planner"))
    headers = {"Authorization": f"Bearer {token}"}
    dark = client.get("/api/collections/places/items?light=dark", headers=headers).get_json()
    assert [f["properties"]["title"] for f in dark["features"]] == ["Mörk gång"]
    assert dark["features"][0]["properties"]["last_observation"]["light_class"] == "nautical_twilight"
    daylight = client.get("/api/collections/places/items?light=daylight", headers=headers).get_json()
    assert [f["properties"]["title"] for f in daylight["features"]] == ["Ljus gång"]
    both = client.get("/api/collections/places/items?light=dark,daylight").get_json()
    assert len(both["features"]) == 2
    bad = client.get("/api/collections/places/items?light=night")
    assert bad.status_code == 400 and bad.get_json()["field"] == "light"
    page = client.get("/?light=dark").get_data(as_text=True)
    assert 'name="light" value="dark" checked' in page


def test_the_openapi_document_describes_the_light_parameter(client):
    document = client.get("/api/openapi").get_json()
    names = {
        p.get("name")
        for path in document["paths"].values()
        for op in path.values()
        if isinstance(op, dict)
        for p in op.get("parameters", [])
    }
    assert "light" in names or "light" in str(document)
