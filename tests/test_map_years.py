"""The map's year filter lists exactly the years with a report or an observation (read by a skip scan)."""

from datetime import UTC, date, datetime

from sqlalchemy import text

from gis_app.extensions import db
from gis_app.places import reference
from gis_app.places.models import Observation
from tests.factories import make_place

EVERY_ROW = """
SELECT DISTINCT year FROM (SELECT extract(year FROM reported_on)::int AS year FROM place
                           UNION SELECT extract(year FROM observed_at)::int FROM observation) AS y
"""


def test_years_with_gaps_and_observation_only_years(app_context):
    assert reference.years() == []
    first = make_place(reported_on=date(2019, 12, 31))
    make_place(reported_on=date(2023, 1, 1))
    make_place(reported_on=date(2023, 6, 1))
    db.session.add(
        Observation(
            place_id=first.id,
            source_code="citizen_report",
            text="Mörkt",
            observed_at=datetime(2021, 7, 1, 12, tzinfo=UTC),
            geom=first.geom,
        )
    )
    db.session.commit()
    assert reference.years() == [2023, 2021, 2019]
    assert reference.years() == sorted(db.session.scalars(text(EVERY_ROW)), reverse=True)
