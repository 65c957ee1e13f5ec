"""`gis-app demo-data`: reproducible, realistic and inside Östersund municipality."""

from collections import Counter

import pytest
from sqlalchemy import func, select, text

from gis_app.extensions import db
from gis_app.places import demo
from gis_app.places.models import Observation, Place

MUNICIPALITY = "ostersund_kommun_from_deso2018.geojson"
SNAPSHOT = text("SELECT title, category_code, ST_AsText(geom) FROM place ORDER BY id")
OBSERVATION_SNAPSHOT = text(
    "SELECT place_id, source_code, observed_at, text, ST_AsText(geom) FROM observation ORDER BY id"
)


@pytest.fixture
def municipality(cli, app_context, reference_data):
    result = cli.invoke(args=["import-areas", str(reference_data / MUNICIPALITY), "--kind", "municipality"])
    assert result.exit_code == 0, result.output


def load(cli, *options):
    result = cli.invoke(args=["demo-data", *options])
    assert result.exit_code == 0, result.output
    return result


def place_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Place))


def test_two_runs_give_identical_rows(cli, municipality):
    load(cli)
    first = (db.session.execute(SNAPSHOT).all(), db.session.execute(OBSERVATION_SNAPSHOT).all())
    db.session.execute(text("TRUNCATE observation, place RESTART IDENTITY CASCADE"))
    db.session.commit()

    load(cli)

    assert (db.session.execute(SNAPSHOT).all(), db.session.execute(OBSERVATION_SNAPSHOT).all()) == first


def test_another_seed_gives_other_places(app_context):
    sources = ["safety_walk", "police"]
    assert [p.values["title"] for p in demo.generate(1, 20, sources)] != [
        p.values["title"] for p in demo.generate(demo.DEFAULT_SEED, 20, sources)
    ]


def test_places_are_valid_inside_the_municipality_and_varied(cli, municipality):
    load(cli)

    count, invalid, outside = db.session.execute(
        text("""
        SELECT count(*), count(*) FILTER (WHERE NOT ST_IsValid(p.geom)),
               count(*) FILTER (WHERE NOT ST_CoveredBy(p.geom, m.geom))
        FROM place p, (SELECT ST_Union(geom) AS geom FROM area WHERE kind = 'municipality') m""")
    ).one()
    assert 200 <= count <= 500
    assert (invalid, outside) == (0, 0)
    types = dict(db.session.execute(text("SELECT GeometryType(geom), count(*) FROM place GROUP BY 1")).all())
    assert set(types) == {"POINT", "LINESTRING", "POLYGON"} and types["POINT"] > count / 2

    places = list(db.session.scalars(select(Place)))
    categories = Counter(place.category_code for place in places)
    assert {code for code, _ in categories.most_common(2)} == {"poor_lighting", "vandalism"}
    assert sum(place.time_of_day in ("evening", "night") for place in places) > 0.7 * count
    assert Counter(place.affected_group for place in places).most_common(1)[0][0] == "women"
    assert len({place.status_code for place in places}) == 6
    assert all(place.dismissed_reason for place in places if place.status_code == "dismissed")
    assert min(place.reported_on for place in places).isoformat() >= "2024-01-01"
    assert max(place.reported_on for place in places).isoformat() <= "2026-11-01"
    assert len({place.title for place in places}) > count / 2


def test_each_place_has_one_to_four_nearby_observations(cli, municipality):
    load(cli)

    demo_rows = Observation.source_code.in_(demo.DEMO_SOURCES)  # other features' demos add their own observations
    per_place = dict(
        db.session.execute(
            select(Observation.place_id, func.count()).where(demo_rows).group_by(Observation.place_id)
        ).all()
    )
    assert len(per_place) == place_count() and set(per_place.values()) <= {1, 2, 3, 4}
    farthest = db.session.scalar(
        text("""
        SELECT max(ST_Distance(o.geom::geography, p.geom::geography))
        FROM observation o JOIN place p ON p.id = o.place_id WHERE o.source_code = ANY(:sources)"""),
        {"sources": list(demo.DEMO_SOURCES)},
    )
    assert farthest < 50
    assert len(set(db.session.scalars(select(Observation.source_code)))) >= 5


def test_existing_places_are_protected(cli, municipality):
    load(cli)
    count = place_count()

    skipped = cli.invoke(args=["demo-data", "--if-empty"])
    refused = cli.invoke(args=["demo-data"])
    assert place_count() == count
    appended = cli.invoke(args=["demo-data", "--append", "--count", "10", "--seed", "7"])

    assert skipped.exit_code == 0
    assert refused.exit_code == 1 and "--if-empty" in refused.output and "Traceback" not in refused.output
    assert appended.exit_code == 0 and place_count() == count + 10


def test_real_places_get_no_demo_rows(cli, municipality):
    """A municipality's own import is never seeded with demo inventory years, measures or outreach."""
    from tests.factories import make_place

    make_place(title="Verklig plats")

    result = cli.invoke(args=["demo-data", "--if-empty"])

    assert result.exit_code == 0, result.output
    counts = db.session.execute(
        text(
            "SELECT (SELECT count(*) FROM inventory_year), (SELECT count(*) FROM inventory_measure), "
            "(SELECT count(*) FROM outreach_visit), (SELECT count(*) FROM place)"
        )
    ).one()
    assert tuple(counts) == (0, 0, 0, 1)


def test_every_features_demo_loads_on_a_cold_start(cli, municipality, app):
    from gis_app.core.registry import demo_loaders

    output = load(cli).output.strip().splitlines()
    assert len(output) == 1 + len(demo_loaders(app)), output  # the places' line, then one line per feature
