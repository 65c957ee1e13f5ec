"""SQL for citizens' reports: the fuzzy address search, places near a report, the queue and the status of a report."""

import re
from dataclasses import dataclass

from geoalchemy2 import Geography
from sqlalchemy import (
    Integer,
    Numeric,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
)

from gis_app.areas.models import Area
from gis_app.citizens.models import OPEN_STATUSES, CitizenReport, GazetteerEntry
from gis_app.extensions import db
from gis_app.inventory.models import DONE_STATUSES, Assessment, Measure
from gis_app.places.models import Category, Observation, Place

SEARCH_LIMIT = 8
# Word similarity (0..1) a result needs: low enough for a typo or two in a street name, high enough to stay relevant.
SEARCH_THRESHOLD = 0.4
KIND_ORDER = {"address": 0, "place_name": 1, "district": 2, "locality": 3}
HOUSE_NUMBER = re.compile(r"\b(\d+\s?[a-zA-Z]?)\b")


@dataclass(frozen=True)
class SearchResult:
    kind: str
    label: str
    lon: float
    lat: float
    demo: bool

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "demo": self.demo,
        }


def house_number(query: str) -> str | None:
    """The house number in what was typed ('Storgatan 12b' -> '12B'), if any."""
    match = HOUSE_NUMBER.search(query)
    return match.group(1).replace(" ", "").upper() if match else None


def _entries(folded, number: str | None):
    score = func.word_similarity(folded, GazetteerEntry.search_text)
    same_number = func.upper(GazetteerEntry.house_number) == number if number else literal(False)
    return (
        select(
            GazetteerEntry.kind,
            GazetteerEntry.name.label("label"),
            GazetteerEntry.dataset,
            func.ST_X(GazetteerEntry.geom).label("lon"),
            func.ST_Y(GazetteerEntry.geom).label("lat"),
            score.label("score"),
            same_number.label("same_number"),
            func.similarity(folded, func.citizen_fold(func.coalesce(GazetteerEntry.street, GazetteerEntry.name))).label(
                "whole"
            ),
            cast(func.nullif(func.regexp_replace(GazetteerEntry.house_number, r"\D", "", "g"), ""), Integer).label(
                "number_order"
            ),
        )
        # %> is word_similarity(folded, search_text) above the threshold, answered from the trigram index.
        .where(GazetteerEntry.search_text.op("%>")(folded))
    )


def _districts(folded):
    """The municipality's districts (areas) are searchable by name too, without importing them twice."""
    score = func.word_similarity(folded, func.citizen_fold(Area.name))
    centre = func.ST_PointOnSurface(Area.geom)
    return select(
        literal("district", String).label("kind"),
        Area.name.label("label"),
        literal("areas", String).label("dataset"),
        func.ST_X(centre).label("lon"),
        func.ST_Y(centre).label("lat"),
        score.label("score"),
        literal(False).label("same_number"),
        func.similarity(folded, func.citizen_fold(Area.name)).label("whole"),
        cast(literal(None), Integer).label("number_order"),
    ).where(Area.kind == "district", score >= SEARCH_THRESHOLD)


def search_places(query: str, limit: int = SEARCH_LIMIT) -> list[SearchResult]:
    """Addresses, place names and districts matching `query`, best first, typos and missing accents forgiven."""
    db.session.execute(
        text("SELECT set_config('pg_trgm.word_similarity_threshold', :threshold, true)"),
        {"threshold": str(SEARCH_THRESHOLD)},
    )
    folded = func.citizen_fold(query)
    both = union_all(_entries(folded, house_number(query)), _districts(folded)).subquery()
    kind_order = case(KIND_ORDER, value=both.c.kind, else_=9)
    rows = db.session.execute(
        select(both)
        .order_by(
            both.c.score.desc(),
            both.c.same_number.desc(),
            both.c.whole.desc(),
            kind_order,
            both.c.number_order.nulls_first(),
            both.c.label,
        )
        .limit(limit)
    )
    return [SearchResult(row.kind, row.label, row.lon, row.lat, row.dataset.startswith("demo")) for row in rows]


def gazetteer_entry(entry_id: int) -> SearchResult | None:
    """One entry of the address register by its id (Open311's address_id)."""
    row = db.session.execute(
        select(
            GazetteerEntry.kind,
            GazetteerEntry.name,
            func.ST_X(GazetteerEntry.geom),
            func.ST_Y(GazetteerEntry.geom),
            GazetteerEntry.dataset,
        ).where(GazetteerEntry.id == entry_id)
    ).first()
    return SearchResult(row[0], row[1], row[2], row[3], row[4].startswith("demo")) if row else None


# --- the moderation queue -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NearbyPlace:
    id: int
    title: str
    category_code: str
    status_code: str
    metres: float


def _metres_between(a, b):
    return func.ST_Distance(cast(a, Geography), cast(b, Geography))


def nearby_places(report: CitizenReport, metres: float, same_category: bool) -> list[NearbyPlace]:
    """Places within `metres` of the report (of its category, or of any), nearest first."""
    point = select(CitizenReport.geom).where(CitizenReport.id == report.id).scalar_subquery()
    distance = _metres_between(Place.geom, point)
    query = (
        select(Place.id, Place.title, Place.category_code, Place.status_code, distance.label("metres"))
        .where(func.ST_DWithin(cast(Place.geom, Geography), cast(point, Geography), metres))
        .order_by(distance, Place.id)
        .limit(20)
    )
    if same_category:
        query = query.where(Place.category_code == report.category_code)
    return [NearbyPlace(*row) for row in db.session.execute(query)]


def open_reports() -> list[CitizenReport]:
    """Reports waiting for review, oldest first."""
    return list(
        db.session.scalars(
            select(CitizenReport)
            .where(CitizenReport.status.in_(OPEN_STATUSES))
            .order_by(CitizenReport.created_at, CitizenReport.id)
        )
    )


def recent_closed_reports(limit: int = 50) -> list[CitizenReport]:
    return list(
        db.session.scalars(
            select(CitizenReport)
            .where(CitizenReport.status.not_in(OPEN_STATUSES))
            .order_by(CitizenReport.reviewed_at.desc().nulls_last(), CitizenReport.id.desc())
            .limit(limit)
        )
    )


def suggestion_counts(metres: float) -> dict[int, int]:
    """For each open report, how many places of its category lie within `metres` (the queue's hint)."""
    near = and_(
        Place.category_code == CitizenReport.category_code,
        func.ST_DWithin(cast(Place.geom, Geography), cast(CitizenReport.geom, Geography), metres),
    )
    rows = db.session.execute(
        select(CitizenReport.id, func.count(Place.id))
        .join(Place, near)
        .where(CitizenReport.status.in_(OPEN_STATUSES))
        .group_by(CitizenReport.id)
    )
    return dict(rows.all())


# --- the public status of a report ----------------------------------------------------------------------------------

STAGES = ("received", "under_review", "in_inventory", "measure_planned", "done", "closed")


@dataclass(frozen=True)
class PublicStatus:
    """What the status page may show: no text, no position, no personal data."""

    reference: str
    stage: str
    received_on: object
    category_code: str
    dismiss_reason: str | None


def _measure_exists(statuses):
    return exists().where(
        Measure.assessment_id == Assessment.id,
        Assessment.place_id == CitizenReport.place_id,
        Measure.status.in_(statuses),
    )


def _stage():
    """The report's stage, read from the report, its place's status and the place's measures."""
    done = or_(Place.status_code.in_(("remediated", "verified")), _measure_exists(DONE_STATUSES))
    planned = or_(Place.status_code == "measure_planned", _measure_exists(("decided", "in_progress")))
    return case(
        (CitizenReport.status == "dismissed", "closed"),
        (CitizenReport.status.in_(OPEN_STATUSES), CitizenReport.status),
        (Place.status_code == "dismissed", "closed"),
        (done, "done"),
        (planned, "measure_planned"),
        else_="in_inventory",
    )


def public_status(reference: str) -> PublicStatus | None:
    """The status of the report with this reference, or None."""
    row = db.session.execute(
        select(
            CitizenReport.reference,
            _stage(),
            func.date(CitizenReport.created_at),
            CitizenReport.category_code,
            CitizenReport.dismiss_reason,
        )
        .outerjoin(Place, Place.id == CitizenReport.place_id)
        .where(CitizenReport.reference == reference)
    ).first()
    return PublicStatus(*row) if row else None


def category_choices(locale: str) -> list[tuple[str, str]]:
    label = Category.label_en if locale == "en" else Category.label_sv
    return [
        tuple(row)
        for row in db.session.execute(select(Category.code, label).order_by(Category.sort_order, Category.code))
    ]


# --- Open311 GeoReport v2: what the public may see of reports -------------------------------------------------------

OPEN311_LIMIT = 1000  # the spec's default: at most 1000 requests in one answer


@dataclass(frozen=True)
class PublicRequest:
    """A report as GET requests shows it: no personal data, no unreviewed text, a generalised position."""

    reference: str
    stage: str
    category_code: str
    dismiss_reason: str | None
    requested_at: object
    updated_at: object
    description: str | None
    lon: float | None
    lat: float | None


def _grid_cell_centre(geom):
    """The centre of the public grid cell (SWEREF 99 TM) around a point: how every unreviewed report is shown."""
    metres = literal_column("coalesce((SELECT metres FROM public_grid), 250)")
    snapped = func.ST_SnapToGrid(func.ST_Transform(geom, 3006), metres / 2.0, metres / 2.0, metres, metres)
    return func.ST_Transform(snapped, 4326)


def _public_point():
    """Merged or created reports: their place's public position; open ones: a grid cell; dismissed ones: none."""
    return case(
        (CitizenReport.status == "dismissed", None),
        (Place.id.is_not(None), func.ST_PointOnSurface(Place.public_geom)),
        else_=_grid_cell_centre(CitizenReport.geom),
    )


def public_requests(
    references=(), codes=(), starts=None, ends=None, stages=None, limit: int = OPEN311_LIMIT
) -> list[PublicRequest]:
    """Reports for Open311's GET requests, newest first, filtered by reference, category, date and stage."""
    point = _public_point().label("point")
    inner = (
        select(
            CitizenReport.reference,
            _stage().label("stage"),
            CitizenReport.category_code,
            CitizenReport.dismiss_reason,
            CitizenReport.created_at,
            CitizenReport.updated_at,
            # The citizen's words only once a planner published them as a reviewed observation.
            case((Observation.reviewed, Observation.text), else_=None).label("description"),
            point,
        )
        .outerjoin(Place, Place.id == CitizenReport.place_id)
        .outerjoin(Observation, Observation.id == CitizenReport.observation_id)
    )
    if references:
        inner = inner.where(CitizenReport.reference.in_(list(references)))
    if codes:
        inner = inner.where(CitizenReport.category_code.in_(list(codes)))
    if starts is not None:
        inner = inner.where(CitizenReport.created_at >= starts)
    if ends is not None:
        inner = inner.where(CitizenReport.created_at <= ends)
    rows = inner.subquery()
    query = select(
        *[column for column in rows.c if column.name != "point"],
        func.round(cast(func.ST_X(rows.c.point), Numeric), 5),
        func.round(cast(func.ST_Y(rows.c.point), Numeric), 5),
    )
    if stages is not None:
        query = query.where(rows.c.stage.in_(list(stages)))
    query = query.order_by(rows.c.created_at.desc(), rows.c.reference).limit(limit)
    return [PublicRequest(*row[:7], *(_float(value) for value in row[7:])) for row in db.session.execute(query)]


def _float(value) -> float | None:
    return float(value) if value is not None else None
