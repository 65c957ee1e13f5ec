"""The outreach priority: each factor moves the score the right way, on pure inputs and on constructed data."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point

from gis_app.extensions import db
from gis_app.outreach import service
from gis_app.outreach.models import OutreachVisit
from gis_app.outreach.scoring import DEFAULT_WEIGHTS, FACTORS, PlaceInputs, parse_weights, recency_weight, score
from gis_app.places.models import Observation
from tests.factories import STORTORGET, make_place

LOCAL = ZoneInfo("Europe/Stockholm")
CAP = 30


def total(**inputs) -> float:
    return score(PlaceInputs(**inputs), DEFAULT_WEIGHTS, CAP).total


def test_recent_reports_raise_it_and_newer_ones_count_more():
    assert recency_weight(0, 90) == 1 and recency_weight(45, 90) == 0.5 and recency_weight(90, 90) == 0
    assert recency_weight(200, 90) == 0
    assert total(recency_sum=2.0, reports=2) > total(recency_sum=1.0, reports=1) > total()


def test_a_larger_evening_and_night_share_raises_it():
    assert (
        total(reports=4, evening_night_reports=4)
        > total(reports=4, evening_night_reports=1)
        > total(reports=4, evening_night_reports=0)
    )
    assert total(time_of_day="night") > total(time_of_day="day")  # no reports: the place's own time of day


def test_police_categories_raise_it():
    for code in ("intoxicated_people", "youth_gatherings", "drug_related", "violence"):
        assert total(category_code=code) > total(category_code="poor_lighting")


def test_unresolved_places_rank_above_resolved_ones():
    assert total(status_code="confirmed") > total(status_code="remediated")
    assert total(status_code="reported") > total(status_code="verified")


def test_longer_since_the_last_visit_raises_it_up_to_the_cap():
    assert total(days_since_visit=1) < total(days_since_visit=10) < total(days_since_visit=CAP)
    assert total(days_since_visit=CAP) == total(days_since_visit=CAP * 3) == total(days_since_visit=None)


def test_the_breakdown_shows_each_contribution_and_sums_to_the_total():
    breakdown = score(
        PlaceInputs(recency_sum=1.5, reports=2, evening_night_reports=1, category_code="violence", days_since_visit=15),
        DEFAULT_WEIGHTS,
        CAP,
    )
    assert set(breakdown.contributions) == set(FACTORS)
    assert breakdown.contributions == {
        "recent_reports": 1.5,
        "evening_night": 1.5,
        "police_category": 3.0,
        "unresolved": 2.0,
        "since_visit": 1.5,
    }
    assert breakdown.total == pytest.approx(sum(breakdown.contributions.values()))


def test_weights_are_configurable():
    assert parse_weights("since_visit=0")["since_visit"] == 0.0
    assert parse_weights("")["recent_reports"] == DEFAULT_WEIGHTS["recent_reports"]
    with pytest.raises(ValueError):
        parse_weights("nonsense=1")
    no_visit_weight = parse_weights({"since_visit": 0})
    assert score(PlaceInputs(), no_visit_weight, CAP).contributions["since_visit"] == 0


# --- on constructed data in PostGIS ---------------------------------------------------------------------------------


def observe(place, days_ago: float, hour: int, police_only: bool = False) -> None:
    """An observation `days_ago` days back at `hour` local time."""
    when = (datetime.now(LOCAL) - timedelta(days=days_ago)).replace(hour=hour, minute=0, second=0, microsecond=0)
    db.session.add(
        Observation(
            place_id=place.id,
            source_code="citizen_report",
            text="x",
            reviewed=True,
            observed_at=when,
            police_only=police_only,
            geom=from_shape(Point(*STORTORGET), srid=4326),
        )
    )
    db.session.commit()


def ranking(app) -> dict[int, service.Ranked]:
    with app.test_request_context():
        return {r.candidate.place_id: r for r in service.rank()}


def test_constructed_places_rank_by_each_factor(app, app_context):
    base = make_place(title="Bas")
    evening = make_place(title="Kväll")
    recent = make_place(title="Färsk")
    police = make_place(title="Våld", category_code="violence")
    resolved = make_place(title="Åtgärdad", status_code="remediated")
    visited = make_place(title="Besökt")
    for place in (base, evening, police, resolved, visited):
        observe(place, days_ago=30, hour=13)
    observe(evening, days_ago=30, hour=13)  # same count as `recent` below, but at night:
    observe(evening, days_ago=30, hour=23)
    observe(recent, days_ago=2, hour=13)
    observe(base, days_ago=200, hour=23)  # outside the window: counts for nothing
    db.session.add(
        OutreachVisit(
            client_uuid="00000000-0000-4000-8000-000000000001",
            place_id=visited.id,
            visited_at=datetime.now(LOCAL) - timedelta(days=2),
        )
    )
    db.session.commit()
    ranked = ranking(app)
    totals = {
        place.title: ranked[place.id].breakdown.total for place in (base, evening, recent, police, resolved, visited)
    }
    assert totals["Kväll"] > totals["Bas"]
    assert ranked[evening.id].breakdown.values["evening_night"] == pytest.approx(1 / 3)
    assert totals["Färsk"] > totals["Bas"]
    assert ranked[recent.id].breakdown.values["recent_reports"] == pytest.approx(88 / 90, abs=0.02)
    assert ranked[base.id].breakdown.values["recent_reports"] == pytest.approx(60 / 90, abs=0.02)
    assert totals["Våld"] > totals["Bas"]
    assert totals["Åtgärdad"] < totals["Bas"]
    assert totals["Besökt"] < totals["Bas"]
    assert ranked[visited.id].breakdown.values["since_visit"] == pytest.approx(2 / 30, abs=0.01)


def test_dismissed_places_are_not_candidates_and_areas_filter(app, app_context):
    from tests.factories import make_area

    kept = make_place(title="Kvar")
    make_place(title="Avfärdad", status_code="dismissed", dismissed_reason="Inte otryggt")
    far = make_place(title="Långt bort", geometry={"type": "Point", "coordinates": [14.9, 63.3]})
    square = {
        "type": "Polygon",
        "coordinates": [[[14.6, 63.15], [14.7, 63.15], [14.7, 63.2], [14.6, 63.2], [14.6, 63.15]]],
    }
    area = make_area(square)
    assert set(ranking(app)) == {kept.id, far.id}
    with app.test_request_context():
        assert [r.candidate.place_id for r in service.rank(area.id)] == [kept.id]


# --- what the score counts: reports, at the time they happened --------------------------------------------------------


def test_a_police_visit_with_a_note_is_not_a_report(app, client_as, app_context):
    """Issue 11: one visit with a note moved "recent reports" 0 → 1 and the evening share 3 → 0."""
    import json
    import uuid

    from tests.factories import csrf_token

    place = make_place(title="Kvällsplats", time_of_day="evening")
    before = ranking(app)[place.id].breakdown.contributions
    assert before["recent_reports"] == 0 and before["evening_night"] == DEFAULT_WEIGHTS["evening_night"]
    police = client_as("police")
    at_lunch = datetime.now(LOCAL).replace(hour=13, minute=8, second=0, microsecond=0) - timedelta(days=1)
    body = {
        "client_uuid": str(uuid.uuid4()),
        "place_id": place.id,
        "visited_at": at_lunch.isoformat(),
        "contacts": 1,
        "notes": "Lugnt",
        "observation": "Två personer på bänken",
    }
    response = police.post(
        "/api/outreach/visits",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(police, "/outreach/visits/new")},
    )
    assert response.status_code == 201, response.get_json()
    after = ranking(app)[place.id]
    assert after.breakdown.contributions["recent_reports"] == 0  # the visit's note is not a report
    assert after.breakdown.contributions["evening_night"] == before["evening_night"]
    assert after.candidate.inputs.reports == 0
    since_visit = (datetime.now(LOCAL) - at_lunch).total_seconds() / 86400  # since the visit, not the typing
    assert after.candidate.inputs.days_since_visit == pytest.approx(since_visit, abs=0.01)


def test_a_report_typed_in_later_counts_at_the_time_it_happened(app, app_context):
    """A report of last night typed in at lunch today is an evening/night report of yesterday."""
    place = make_place(title="Sent inskriven")
    night = (datetime.now(LOCAL) - timedelta(days=1)).replace(hour=23, minute=0, second=0, microsecond=0)
    db.session.add(
        Observation(
            place_id=place.id,
            source_code="citizen_report",
            text="x",
            reviewed=True,
            observed_at=night,
            geom=from_shape(Point(*STORTORGET), srid=4326),
        )
    )
    db.session.commit()
    inputs = ranking(app)[place.id].candidate.inputs
    assert inputs.reports == 1 and inputs.evening_night_reports == 1
