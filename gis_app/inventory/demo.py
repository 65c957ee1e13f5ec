"""Demo inventory years (2024 closed, 2025 closed) over the demo places, so the year-over-year comparison shows
something; drawn with one `random.Random(seed)`, so the same places and seed always give the same rows."""

import random
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from gis_app.extensions import db
from gis_app.inventory.models import DONE_STATUSES, Assessment, InventoryYear, Measure
from gis_app.inventory.queries import _in_scope
from gis_app.places.models import Place

YEARS = (2024, 2025)
FOCUS = ("poor_lighting", "vandalism")  # the promise's focus: lighting and vandalism first
# category -> (measure type, responsible party, responsible name) choices
MEASURES_FOR = {
    "poor_lighting": [("lighting", "municipal_unit", "Gatubelysning, tekniska förvaltningen")],
    "dark_path": [
        ("lighting", "municipal_unit", "Gatubelysning, tekniska förvaltningen"),
        ("vegetation", "municipal_unit", "Park och natur"),
    ],
    "vandalism": [
        ("vandalism_repair", "municipal_unit", "Fastighetsförvaltningen"),
        ("camera_perimeter", "property_owner", "Fastighetsägaren"),
        ("owner_contact", "property_owner", "Fastighetsägaren"),
    ],
    "graffiti": [
        ("vandalism_repair", "municipal_unit", "Klottersanering"),
        ("vandalism_repair", "property_owner", "Fastighetsägaren"),
    ],
    "overgrown_vegetation": [
        ("vegetation", "municipal_unit", "Park och natur"),
        ("vegetation", "road_authority", "Trafikverket"),
    ],
    "underpass": [
        ("lighting", "road_authority", "Trafikverket"),
        ("camera_perimeter", "municipal_unit", "Säkerhetsenheten"),
    ],
    "intoxicated_people": [("police_outreach", "police", "Områdespolisen")],
    "youth_gatherings": [("police_outreach", "police", "Områdespolisen"), ("other", "municipal_unit", "Fältgruppen")],
    "drug_related": [("police_outreach", "police", "Områdespolisen")],
    "litter": [("other", "municipal_unit", "Renhållningen"), ("owner_contact", "property_owner", "Fastighetsägaren")],
    "other": [("other", "other", "Trygghetssamordnaren")],
}
STATUS_WEIGHTS = {"proposed": 8, "decided": 10, "in_progress": 14, "done": 42, "verified": 18, "not_feasible": 8}
REASONS = ("Marken ägs av annan och ägaren avböjer.", "Ryms inte i årets budget.", "Kräver bygglov; prövas nästa år.")


def year_count() -> int:
    return db.session.scalar(select(func.count()).select_from(InventoryYear))


def load(seed: int) -> tuple[int, int, int]:
    """Write the demo years in one transaction; return (years, assessments, measures)."""
    rng = random.Random(seed)
    assessments = measures = 0
    previous: dict[int, bool] = {}
    fixed: set[int] = set()
    for year in YEARS:
        inventory = InventoryYear(year=year, status="closed", closed_at=func.now())
        db.session.add(inventory)
        db.session.flush()
        places = list(
            db.session.execute(
                select(Place.id, Place.category_code, Place.priority, Place.reported_on)
                .where(_in_scope(inventory))
                .order_by(Place.id)
            )
        )
        current: dict[int, bool] = {}
        for place_id, category, priority, reported_on in places:
            if rng.random() < 0.1:
                continue  # not every place is reached every year
            unsafe = _still_unsafe(rng, previous.get(place_id), place_id in fixed)
            factor = category if rng.random() < 0.8 else rng.choice(FOCUS)
            assessment = Assessment(
                year_id=inventory.id,
                place_id=place_id,
                still_unsafe=unsafe,
                main_factor=factor,
                priority=1 if factor in FOCUS and priority > 1 and rng.random() < 0.5 else priority,
            )
            db.session.add(assessment)
            db.session.flush()
            assessments += 1
            current[place_id] = unsafe
            if unsafe:
                for measure in _measures(rng, assessment, factor, year, max(reported_on, date(year, 1, 1))):
                    db.session.add(measure)
                    measures += 1
                    if measure.status in DONE_STATUSES:
                        fixed.add(place_id)
        previous = current
    db.session.commit()
    return len(YEARS), assessments, measures


def _still_unsafe(rng: random.Random, before: bool | None, was_fixed: bool) -> bool:
    if before is None:
        return rng.random() < 0.85
    if before and was_fixed:
        return rng.random() < 0.25  # most fixed places feel safe a year later
    return rng.random() < (0.85 if before else 0.15)


def _measures(rng: random.Random, assessment: Assessment, factor: str, year: int, start: date) -> list[Measure]:
    choices = MEASURES_FOR.get(factor, MEASURES_FOR["other"])
    result = []
    for _measure in range(1 if rng.random() < 0.65 else 2):
        measure_type, responsible, name = rng.choice(choices)
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        due = min(start + timedelta(days=rng.randint(30, 200)), date(year, 12, 15))
        done = min(due + timedelta(days=rng.randint(-30, 20)), date(year, 12, 31)) if status in DONE_STATUSES else None
        result.append(
            Measure(
                assessment_id=assessment.id,
                measure_type=measure_type,
                responsible=responsible,
                responsible_name=name,
                status=status,
                not_feasible_reason=rng.choice(REASONS) if status == "not_feasible" else None,
                cost_estimate_sek=rng.choice((2, 5, 8, 12, 20, 35, 60, 120, 250)) * 1000
                if rng.random() < 0.9
                else None,
                due_on=due,
                done_on=max(done, start) if done else None,
                description=None,
            )
        )
    return result


def load_if_missing(seed: int) -> str:
    """Load the demo years unless an inventory year exists; say what was done."""
    if year_count():
        return ""
    years, assessments, measures = load(seed)
    return _(
        "Loaded %(count)d demo inventory years (%(years)s): %(assessments)d assessments, %(measures)d measures.",
        count=years,
        years=", ".join(map(str, YEARS)),
        assessments=assessments,
        measures=measures,
    )
