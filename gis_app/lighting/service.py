"""Writing lighting data: the sun back-fill, lamp outages (which become inventory measures) and gap-analysis runs."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from gis_app.auth import audit
from gis_app.core.db import get_or_404, transaction
from gis_app.core.validation import Problems, check_text
from gis_app.errors import AppError
from gis_app.extensions import db
from gis_app.inventory import queries as inventory_queries
from gis_app.inventory.models import Assessment, Measure
from gis_app.lighting import queries
from gis_app.lighting.models import DEFAULT_GAP_METRES, GapAnalysis, Lamp, LampOutage
from gis_app.places.models import Place

BACKFILL_BATCH = 100_000
DESCRIPTION_MAX = 2000
MAX_GAP_METRES = 500.0
# The lighting unit is the responsible party of every outage measure (a municipal unit, named by a setting).
DEFAULT_LIGHTING_UNIT = "Belysningsenheten"


def backfill_sun(everything: bool = False, batch: int = BACKFILL_BATCH, progress=None) -> int:
    """Set the sun altitude of observations that lack one (or of all), committing batch by batch; return the count."""
    bounds = queries.id_range()
    if bounds is None:
        return 0
    done = 0
    for low in range(bounds[0], bounds[1] + 1, batch):
        done += queries.backfill_batch(low, low + batch, everything)
        db.session.commit()
        if progress:
            progress(done)
    return done


# --- outages --------------------------------------------------------------------------------------------------------


def get_lamp(lamp_id: int) -> Lamp:
    return get_or_404(Lamp, lamp_id, _("No lamp %(id)s.", id=lamp_id))


def get_outage(outage_id: int) -> LampOutage:
    return get_or_404(LampOutage, outage_id, _("No outage %(id)s.", id=outage_id))


@dataclass
class OutageResult:
    outage: LampOutage
    measure: Measure | None
    why_no_measure: str | None


def _user_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


def lighting_unit() -> str:
    return current_app.config.get("LIGHTING_UNIT") or DEFAULT_LIGHTING_UNIT


def report_outage(lamp_id: int, description) -> OutageResult:
    """Record that a lamp is out, link it to the poor-lighting place it darkens, and add the measure to fix it."""
    problems = Problems()
    text = check_text(description, "description", DESCRIPTION_MAX, problems)
    problems.raise_any()
    lamp = get_lamp(lamp_id)
    db.session.refresh(lamp, with_for_update=True)  # two reports of the same lamp at once make one outage
    if queries.open_outage(lamp.id) is not None:
        raise AppError(
            _("Lamp %(ref)s is already reported as out.", ref=lamp.ref),
            field="description",
            status=409,
            code="Conflict",
        )
    place_id = queries.lighting_place_near(lamp.id)
    outage = LampOutage(lamp_id=lamp.id, place_id=place_id, description=text, reported_by_id=_user_id())
    with transaction():
        db.session.add(outage)
        audit.record_create(outage, "lamp_outage")
        measure, why = _outage_measure(lamp, outage, place_id)
    return OutageResult(outage, measure, why)


def _outage_measure(lamp: Lamp, outage: LampOutage, place_id: int | None) -> tuple[Measure | None, str | None]:
    """The measure of an outage, on the place's assessment in this year's open inventory (assessed if need be)."""
    if place_id is None:
        return None, _("No poor-lighting place lies within 30 m of the lamp, so no measure was added.")
    year = date.today().year
    inventory = inventory_queries.find_year(year)
    if inventory is None or inventory.is_closed:
        return None, _("The inventory %(year)d is not open, so no measure was added.", year=year)
    assessment = inventory_queries.find_assessment(inventory, place_id) or _assess(inventory, place_id)
    measure = Measure(
        assessment_id=assessment.id,
        measure_type="lighting",
        responsible="municipal_unit",
        responsible_name=lighting_unit(),
        status="decided",
        description=_measure_text(lamp, outage),
    )
    db.session.add(measure)
    db.session.flush()
    outage.measure_id = measure.id
    audit.record_create(measure, "measure")
    return measure, None


def _assess(inventory, place_id: int) -> Assessment:
    place = db.session.get(Place, place_id)
    assessment = Assessment(
        year_id=inventory.id,
        place_id=place_id,
        still_unsafe=True,
        main_factor=place.category_code,
        priority=place.priority,
        note="Bedömd automatiskt: en lampa vid platsen är släckt.",
    )
    db.session.add(assessment)
    db.session.flush()
    audit.record_create(assessment, "assessment")
    return assessment


def _measure_text(lamp: Lamp, outage: LampOutage) -> str:
    # Swedish like the remediation list it lands in, whatever the reporter's page language.
    text = f"Lampa {lamp.ref} ur funktion (felanmälan {outage.id})."
    return f"{text} {outage.description}" if outage.description else text


def mark_fixed(outage_id: int, fixed_on) -> LampOutage:
    """Close an outage on a date; its measure becomes done on the same date."""
    outage = get_outage(outage_id)
    if outage.fixed_on is not None:
        raise AppError(_("The outage is already fixed."), field="fixed_on", status=409, code="Conflict")
    if not isinstance(fixed_on, date) or fixed_on > date.today():
        raise AppError(_("Give the date the lamp was fixed (not in the future)."), field="fixed_on")
    if fixed_on < outage.reported_at.date():
        raise AppError(_("The lamp cannot be fixed before the outage was reported."), field="fixed_on")
    before = audit.snapshot(outage)
    with transaction():
        outage.fixed_on = fixed_on
        audit.record("update", "lamp_outage", outage.id, before, audit.stored(outage))
        _finish_measure(outage.measure_id, fixed_on)
    return outage


def _finish_measure(measure_id: int | None, fixed_on: date) -> None:
    measure = db.session.get(Measure, measure_id) if measure_id else None
    if measure is None or measure.status in ("done", "verified") or measure.assessment.year.is_closed:
        return
    before = audit.snapshot(measure)
    measure.status, measure.done_on = "done", fixed_on
    audit.record("update", "measure", measure.id, before, audit.stored(measure))


# --- gap analysis ---------------------------------------------------------------------------------------------------


def check_distance(raw) -> float:
    """The gap distance in metres from a form or the command line; a 4xx naming the field when wrong."""
    if raw in (None, ""):
        return DEFAULT_GAP_METRES
    try:
        value = float(str(raw).replace(",", "."))
    except ValueError:
        value = float("nan")
    if not 0 < value <= MAX_GAP_METRES:
        raise AppError(
            _("Give a distance above 0 and at most %(max)d metres.", max=int(MAX_GAP_METRES)), field="distance"
        )
    return value


def analyse_gaps(distance: float = DEFAULT_GAP_METRES) -> GapAnalysis:
    """Run the lighting-gap analysis over the whole network and keep its result as a new run."""
    with transaction():
        analysis = queries.run_gap_analysis(distance)
    return db.session.get(GapAnalysis, analysis.id)


def outages_of_place(place_id: int) -> list[LampOutage]:
    return list(
        db.session.scalars(
            select(LampOutage).where(LampOutage.place_id == place_id).order_by(LampOutage.reported_at.desc())
        )
    )
