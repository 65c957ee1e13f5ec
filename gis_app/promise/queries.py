"""SQL for the report to citizens and the promise's computed indicators: counts over a period, per public district.

Every place is counted by its public district (`place.public_district_id`) and drawn at its public position, so the
report never narrows a place below what the public map shows; police visits are only ever counted per district.
"""

from datetime import date

from sqlalchemy import Date, Numeric, and_, cast, distinct, func, literal, select

from gis_app.areas.models import Area
from gis_app.citizens.models import CitizenReport
from gis_app.core.clock import local_zone_name
from gis_app.extensions import db
from gis_app.inventory.models import DONE_STATUSES, Assessment, Measure, MeasurePhoto
from gis_app.nightwalks import queries as nightwalks
from gis_app.outreach.models import OutreachVisit
from gis_app.places.models import Place
from gis_app.promise.models import IndicatorValue, PromiseIndicator, PromisePeriod, PublicationPhoto, PublicReport
from gis_app.walks.models import Finding, Walk

# Positions on the report's map are rounded to 4 decimals (about 10 m), on top of the public grid.
MAP_DECIMALS = 4


def _local_date(column):
    return cast(func.timezone(local_zone_name(), column), Date)


def _between(column, starts_on: date, ends_on: date):
    return column.between(starts_on, ends_on)


# --- what happened in a period ---------------------------------------------------------------------------------------


def _done_measures(starts_on: date, ends_on: date):
    """Measures done (or verified) with a done date in the period."""
    return (
        select(Measure.id, Measure.measure_type, Measure.cost_estimate_sek, Assessment.place_id)
        .join(Assessment, Assessment.id == Measure.assessment_id)
        .where(Measure.status.in_(DONE_STATUSES), _between(Measure.done_on, starts_on, ends_on))
    )


def places_reported(starts_on: date, ends_on: date) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Place).where(_between(Place.reported_on, starts_on, ends_on))
    )


def places_remediated(starts_on: date, ends_on: date) -> int:
    """Places with at least one measure done in the period."""
    done = _done_measures(starts_on, ends_on).subquery()
    return db.session.scalar(select(func.count(distinct(done.c.place_id))))


def measures_done(starts_on: date, ends_on: date, measure_type: str | None = None) -> int:
    done = _done_measures(starts_on, ends_on)
    if measure_type:
        done = done.where(Measure.measure_type == measure_type)
    return db.session.scalar(select(func.count()).select_from(done.subquery()))


def _held_walks(starts_on: date, ends_on: date):
    return select(Walk).where(_between(_local_date(Walk.starts_at), starts_on, ends_on), Walk.starts_at <= func.now())


def walks_held(starts_on: date, ends_on: date) -> int:
    """Safety walks that took place in the period (planned walks still ahead are not counted)."""
    return db.session.scalar(select(func.count()).select_from(_held_walks(starts_on, ends_on).subquery()))


def outreach_visits(starts_on: date, ends_on: date) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(OutreachVisit)
        .where(_between(_local_date(OutreachVisit.visited_at), starts_on, ends_on))
    )


def citizen_reports(starts_on: date, ends_on: date) -> int:
    """How many citizens' reports arrived (a count only: nothing of their content)."""
    return db.session.scalar(
        select(func.count())
        .select_from(CitizenReport)
        .where(_between(_local_date(CitizenReport.created_at), starts_on, ends_on))
    )


COMPUTED = {
    "places_reported": places_reported,
    "places_remediated": places_remediated,
    "measures_done": measures_done,
    "lighting_measures_done": lambda s, e: measures_done(s, e, "lighting"),
    "vandalism_measures_done": lambda s, e: measures_done(s, e, "vandalism_repair"),
    "walks_held": walks_held,
    "outreach_visits": outreach_visits,
    "citizen_reports": citizen_reports,
}


# --- the report's tables ---------------------------------------------------------------------------------------------


def _district_names() -> dict[int, str]:
    return dict(db.session.execute(select(Area.id, Area.name).where(Area.kind == "district")).all())


def places_by_district_category(starts_on: date, ends_on: date) -> list[dict]:
    """Places reported and places remediated in the period, per public district and category."""
    reported = db.session.execute(
        select(Place.public_district_id, Place.category_code, func.count())
        .where(_between(Place.reported_on, starts_on, ends_on))
        .group_by(Place.public_district_id, Place.category_code)
    ).all()
    done = _done_measures(starts_on, ends_on).subquery()
    remediated = db.session.execute(
        select(Place.public_district_id, Place.category_code, func.count(distinct(Place.id)))
        .join(done, done.c.place_id == Place.id)
        .group_by(Place.public_district_id, Place.category_code)
    ).all()
    names = _district_names()
    rows: dict[tuple, dict] = {}
    for key, column in ((reported, "reported"), (remediated, "remediated")):
        for district_id, category, count in key:
            row = rows.setdefault(
                (district_id, category),
                {"district": names.get(district_id), "category": category, "reported": 0, "remediated": 0},
            )
            row[column] = count
    return sorted(rows.values(), key=lambda r: (r["district"] is None, r["district"] or "", r["category"]))


def measures_by_type(starts_on: date, ends_on: date) -> list[dict]:
    """Measures done in the period per type, with their summed cost (SEK) where a cost was given."""
    done = _done_measures(starts_on, ends_on).subquery()
    rows = db.session.execute(
        select(done.c.measure_type, func.count(), func.coalesce(func.sum(done.c.cost_estimate_sek), 0))
        .group_by(done.c.measure_type)
        .order_by(func.count().desc(), done.c.measure_type)
    )
    return [{"type": kind, "count": count, "cost_sek": int(cost)} for kind, count, cost in rows]


def walks_by_district(starts_on: date, ends_on: date) -> list[dict]:
    """Safety walks held in the period per district, with their findings."""
    held = _held_walks(starts_on, ends_on).subquery()
    findings = select(Finding.walk_id, func.count().label("n")).group_by(Finding.walk_id).subquery()
    rows = db.session.execute(
        select(Area.name, func.count(held.c.id), func.coalesce(func.sum(findings.c.n), 0))
        .select_from(held)
        .outerjoin(Area, Area.id == held.c.district_id)
        .outerjoin(findings, findings.c.walk_id == held.c.id)
        .group_by(Area.name)
        .order_by(Area.name.nulls_last())
    )
    return [{"district": name, "walks": walks, "findings": int(found)} for name, walks, found in rows]


def outreach_by_district(starts_on: date, ends_on: date) -> list[dict]:
    """Police outreach visits in the period per public district: never a time, a place or an officer."""
    rows = db.session.execute(
        select(Area.name, func.count(OutreachVisit.id), func.coalesce(func.sum(OutreachVisit.contacts), 0))
        .select_from(OutreachVisit)
        .join(Place, Place.id == OutreachVisit.place_id)
        .outerjoin(Area, Area.id == Place.public_district_id)
        .where(_between(_local_date(OutreachVisit.visited_at), starts_on, ends_on))
        .group_by(Area.name)
        .order_by(Area.name.nulls_last())
    )
    return [{"district": name, "visits": visits, "contacts": int(contacts)} for name, visits, contacts in rows]


def night_walks_by_district(starts_on: date, ends_on: date) -> list[dict]:
    """Night-walk shifts in the period per district, with walkers and sightings (gis_app/nightwalks)."""
    return nightwalks.walks_by_district(starts_on, ends_on)


def _photo_rows(starts_on: date, ends_on: date, approved_only: bool):
    done = _done_measures(starts_on, ends_on).subquery()
    query = (
        select(
            MeasurePhoto.id,
            MeasurePhoto.photo_id,
            MeasurePhoto.kind,
            MeasurePhoto.measure_id,
            done.c.measure_type,
            Area.name,
            Measure.done_on,
            (PublicationPhoto.measure_photo_id.is_not(None)).label("approved"),
        )
        .join(done, done.c.id == MeasurePhoto.measure_id)
        .join(Measure, Measure.id == MeasurePhoto.measure_id)
        .join(Place, Place.id == done.c.place_id)
        .outerjoin(Area, Area.id == Place.public_district_id)
        .outerjoin(PublicationPhoto, PublicationPhoto.measure_photo_id == MeasurePhoto.id)
        .order_by(MeasurePhoto.measure_id, MeasurePhoto.kind.desc(), MeasurePhoto.id)
    )
    if approved_only:
        query = query.where(PublicationPhoto.measure_photo_id.is_not(None))
    keys = ("measure_photo_id", "photo_id", "kind", "measure_id", "measure_type", "district", "done_on", "approved")
    return [dict(zip(keys, row, strict=True)) for row in db.session.execute(query)]


def published_photos(starts_on: date, ends_on: date) -> list[dict]:
    """Before/after photos of measures done in the period that a planner approved for publication."""
    return [{**row, "done_on": row["done_on"].isoformat()} for row in _photo_rows(starts_on, ends_on, True)]


def photo_candidates(starts_on: date, ends_on: date) -> list[dict]:
    """Every photo of a measure done in the period, approved or not (the planner's approval page)."""
    return _photo_rows(starts_on, ends_on, False)


def remediated_points(starts_on: date, ends_on: date) -> list[list]:
    """The public positions (rounded) of places remediated in the period, with their category."""
    done = _done_measures(starts_on, ends_on).subquery()
    point = func.ST_PointOnSurface(Place.public_geom)
    lon, lat = (
        func.round(cast(func.ST_X(point), Numeric()), MAP_DECIMALS),
        func.round(cast(func.ST_Y(point), Numeric()), MAP_DECIMALS),
    )
    rows = db.session.execute(
        select(lon, lat, Place.category_code)
        .distinct()
        .select_from(Place)
        .where(Place.id.in_(select(done.c.place_id)))
        .order_by(lon, lat, Place.category_code)
    )
    return [[float(x), float(y), category] for x, y, category in rows]


def is_photo_published(photo_id: int) -> bool:
    """Whether a photo is in a published report and still approved (withdrawing the approval hides it at once)."""
    listed = select(PublicReport.id).where(
        PublicReport.status == "published",
        PublicReport.content["photos"].contains(func.jsonb_build_array(func.jsonb_build_object("photo_id", photo_id))),
    )
    approved = (
        select(MeasurePhoto.id)
        .join(PublicationPhoto, PublicationPhoto.measure_photo_id == MeasurePhoto.id)
        .where(MeasurePhoto.photo_id == photo_id)
    )
    return bool(db.session.scalar(select(literal(True)).where(and_(listed.exists(), approved.exists()))))


# --- promises --------------------------------------------------------------------------------------------------------


def periods_overlapping(starts_on: date, ends_on: date) -> list[PromisePeriod]:
    return list(
        db.session.scalars(
            select(PromisePeriod)
            .where(PromisePeriod.starts_on <= ends_on, PromisePeriod.ends_on >= starts_on)
            .order_by(PromisePeriod.starts_on, PromisePeriod.id)
        )
    )


def all_periods() -> list[PromisePeriod]:
    return list(db.session.scalars(select(PromisePeriod).order_by(PromisePeriod.starts_on.desc())))


def manual_value(indicator: PromiseIndicator, starts_on: date, ends_on: date) -> IndicatorValue | None:
    """The latest hand-entered value measured within the period."""
    return db.session.scalar(
        select(IndicatorValue)
        .where(IndicatorValue.indicator_id == indicator.id, _between(IndicatorValue.measured_on, starts_on, ends_on))
        .order_by(IndicatorValue.measured_on.desc())
        .limit(1)
    )


# --- reports ---------------------------------------------------------------------------------------------------------


def published_reports() -> list[PublicReport]:
    """The archive: every published report, newest first (superseded ones too, marked as such)."""
    return list(
        db.session.scalars(
            select(PublicReport)
            .where(PublicReport.status == "published")
            .order_by(PublicReport.published_at.desc(), PublicReport.id.desc())
        )
    )


def unpublished_reports() -> list[PublicReport]:
    return list(
        db.session.scalars(
            select(PublicReport)
            .where(PublicReport.status != "published")
            .order_by(PublicReport.created_at.desc(), PublicReport.id.desc())
        )
    )
