"""SQL of the inventory: places in scope, the remediation list (streamed), the year's map and statistics."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Float, Numeric, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from gis_app.areas.models import Area
from gis_app.core import mvt_cells
from gis_app.core.inputs import DB_INT_MAX
from gis_app.extensions import db
from gis_app.inventory.labels import MEASURE_STATUS_LABELS, MEASURE_TYPE_LABELS, RESPONSIBLE_LABELS, label
from gis_app.inventory.models import DONE_STATUSES, OPEN_STATUSES, Assessment, InventoryYear, Measure, MeasurePhoto
from gis_app.places.models import Category, Place, Status

# A place is in a year's scope when it was reported that year, or is still open at its end, or was assessed in it.
OPEN_PLACE_STATUSES = ("reported", "confirmed", "measure_planned")
NO_DISTRICT = "–"
STREAM_ROWS = 2000  # rows fetched per round trip from the server-side cursor


@dataclass(frozen=True)
class RemediationFilter:
    """The remediation list's filters; an empty list means all."""

    year: int
    district: list[int] = field(default_factory=list)
    category: list[str] = field(default_factory=list)  # the assessment's main factor
    responsible: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)


# --- years ----------------------------------------------------------------------------------------------------------


def find_year(year: int) -> InventoryYear | None:
    return db.session.scalar(select(InventoryYear).where(InventoryYear.year == year))


def all_years() -> list[InventoryYear]:
    """Every inventory year, newest first."""
    return list(db.session.scalars(select(InventoryYear).order_by(InventoryYear.year.desc())))


# --- places in scope ------------------------------------------------------------------------------------------------


def _in_scope(inventory: InventoryYear):
    start, end = date(inventory.year, 1, 1), date(inventory.year, 12, 31)
    other = aliased(Assessment)  # an alias: the outer query may join Assessment itself
    assessed = exists().where(other.place_id == Place.id, other.year_id == inventory.id)
    return or_(
        Place.reported_on.between(start, end),
        and_(Place.reported_on <= end, Place.status_code.in_(OPEN_PLACE_STATUSES)),
        assessed,
    )


@dataclass(frozen=True)
class ScopeRow:
    place_id: int
    title: str
    category: str
    status: str
    district: str
    reported_on: date
    still_unsafe: bool | None
    priority: int | None
    main_factor: str | None
    measures: int


def places_in_scope(
    inventory: InventoryYear,
    locale: str,
    district: int | None = None,
    category: str | None = None,
    unassessed_only: bool = False,
) -> list[ScopeRow]:
    """The places the year's inventory covers, with their assessment (if any) and number of measures."""
    factor = aliased(Category)
    measures = (
        select(func.count(Measure.id))
        .where(Measure.assessment_id == Assessment.id)
        .correlate(Assessment)
        .scalar_subquery()
    )
    query = (
        select(
            Place.id,
            Place.title,
            _label(Category, locale),
            _label(Status, locale),
            func.coalesce(Area.name, NO_DISTRICT),
            Place.reported_on,
            Assessment.still_unsafe,
            Assessment.priority,
            _label(factor, locale),
            func.coalesce(measures, 0),
        )
        .join(Category, Category.code == Place.category_code)
        .join(Status, Status.code == Place.status_code)
        .outerjoin(Area, Area.id == Place.district_id)
        .outerjoin(Assessment, and_(Assessment.place_id == Place.id, Assessment.year_id == inventory.id))
        .outerjoin(factor, factor.code == Assessment.main_factor)
        .where(_in_scope(inventory))
        .order_by(Assessment.priority.asc().nulls_first(), Place.reported_on.desc(), Place.id)
    )
    if district:
        query = query.where(Place.district_id == district)
    if category:
        query = query.where(func.coalesce(Assessment.main_factor, Place.category_code) == category)
    if unassessed_only:
        query = query.where(Assessment.id.is_(None))
    return [ScopeRow(*row) for row in db.session.execute(query)]


def place_in_scope(inventory: InventoryYear, place_id: int) -> bool:
    if not 0 < place_id <= DB_INT_MAX:
        return False
    return db.session.scalar(select(Place.id).where(Place.id == place_id, _in_scope(inventory))) is not None


def find_assessment(inventory: InventoryYear, place_id: int) -> Assessment | None:
    return db.session.scalar(
        select(Assessment).where(Assessment.year_id == inventory.id, Assessment.place_id == place_id)
    )


def _label(model, locale: str):
    return model.label_en if locale == "en" else model.label_sv


# --- the remediation list -------------------------------------------------------------------------------------------


def _geometry(geometry_format: str, srid: int):
    geom = Place.geom if srid == 4326 else func.ST_Transform(Place.geom, srid)
    if geometry_format == "wkb":
        return func.ST_AsBinary(geom)
    if geometry_format == "geojson":
        return func.ST_AsGeoJSON(geom, 7 if srid == 4326 else 2)
    return func.ST_AsText(geom)


def _remediation_query(filters: RemediationFilter):
    factor = aliased(Category)
    query = (
        select(
            Measure.id.label("measure_id"),
            InventoryYear.year.label("year"),
            Place.id.label("place_id"),
            Place.title.label("place"),
            func.coalesce(Area.name, literal(NO_DISTRICT)).label("district"),
            Category.label_sv.label("category"),
            factor.label_sv.label("main_factor"),
            Assessment.priority.label("priority"),
            Assessment.still_unsafe.label("still_unsafe"),
            Measure.measure_type,
            Measure.description,
            Measure.responsible,
            Measure.responsible_name,
            Measure.status,
            Measure.not_feasible_reason,
            Measure.cost_estimate_sek,
            Measure.due_on,
            Measure.done_on,
        )
        .join(Assessment, Assessment.id == Measure.assessment_id)
        .join(InventoryYear, InventoryYear.id == Assessment.year_id)
        .join(Place, Place.id == Assessment.place_id)
        .join(Category, Category.code == Place.category_code)
        .join(factor, factor.code == Assessment.main_factor)
        .outerjoin(Area, Area.id == Place.district_id)
        .where(InventoryYear.year == filters.year)
    )
    if filters.district:
        query = query.where(Place.district_id.in_(filters.district))
    if filters.category:
        query = query.where(Assessment.main_factor.in_(filters.category))
    if filters.responsible:
        query = query.where(Measure.responsible.in_(filters.responsible))
    if filters.status:
        query = query.where(Measure.status.in_(filters.status))
    return query


def remediation_count(filters: RemediationFilter) -> int:
    return db.session.scalar(select(func.count()).select_from(_remediation_query(filters).subquery()))


def remediation_page(filters: RemediationFilter, limit: int, locale: str) -> list[dict]:
    """The first `limit` rows of the list, labelled for a page."""
    query = _remediation_query(filters).order_by(Assessment.priority, Place.id, Measure.id).limit(limit)
    return [_labelled(row._mapping, locale) for row in db.session.execute(query)]


def remediation_rows(filters: RemediationFilter, geometry_format: str, srid: int, locale: str = "sv") -> Iterator[dict]:
    """Every row of the list with its geometry and WGS 84 position, read through a server-side cursor."""
    point = func.ST_PointOnSurface(Place.geom)
    query = (
        _remediation_query(filters)
        .add_columns(
            _geometry(geometry_format, srid).label("geometry"),
            _degrees(func.ST_Y(point)).label("latitude"),
            _degrees(func.ST_X(point)).label("longitude"),
        )
        .order_by(Assessment.priority, Place.id, Measure.id)
    )
    result = db.session.execute(query, execution_options={"stream_results": True, "yield_per": STREAM_ROWS})
    try:
        for row in result:
            yield _labelled(row._mapping, locale)
    finally:
        result.close()


def _degrees(value):
    """A coordinate in degrees to 6 decimals (about 10 cm), as a float."""
    return cast(func.round(cast(value, Numeric), 6), Float)


def remediation_geometry_types(filters: RemediationFilter) -> set[str]:
    """The geometry types in the filtered list ('Point', 'LineString', 'Polygon')."""
    types = func.replace(func.ST_GeometryType(Place.geom), "ST_", "")
    query = _remediation_query(filters).with_only_columns(types).distinct()
    return set(db.session.scalars(query))


def _labelled(row, locale: str) -> dict:
    values = dict(row)
    values["measure_type"] = label(MEASURE_TYPE_LABELS, values["measure_type"], locale)
    values["responsible"] = label(RESPONSIBLE_LABELS, values["responsible"], locale)
    values["status_code"] = values["status"]
    values["status"] = label(MEASURE_STATUS_LABELS, values["status"], locale)
    values["still_unsafe"] = ({True: "Ja", False: "Nej"} if locale != "en" else {True: "Yes", False: "No"})[
        values["still_unsafe"]
    ]
    return values


# --- the year's map and the comparison with last year ---------------------------------------------------------------


def assessed_states(inventory: InventoryYear | None) -> dict[int, bool]:
    """place id -> still unsafe, for each place assessed in the year."""
    if inventory is None:
        return {}
    rows = db.session.execute(
        select(Assessment.place_id, Assessment.still_unsafe).where(Assessment.year_id == inventory.id)
    )
    return dict(rows.all())


def places_with_done_measures(inventories) -> set[int]:
    """Places with a measure done or verified in any of these years."""
    ids = [inventory.id for inventory in inventories if inventory is not None]
    if not ids:
        return set()
    query = (
        select(Assessment.place_id)
        .join(Measure, Measure.assessment_id == Assessment.id)
        .where(Assessment.year_id.in_(ids), Measure.status.in_(DONE_STATUSES))
        .distinct()
    )
    return set(db.session.scalars(query))


def measure_statuses(assessment_id: int) -> list[str]:
    """The statuses of an assessment's measures (as this transaction sees them)."""
    return list(db.session.scalars(select(Measure.status).where(Measure.assessment_id == assessment_id)))


# Least advanced first; a measure found not feasible counts only when it is the place's only one.
STATUS_RANK = case(
    {"proposed": 1, "decided": 2, "in_progress": 3, "done": 4, "verified": 5, "not_feasible": 6},
    value=Measure.status,
    else_=0,
)


def map_places(inventory: InventoryYear, place_ids: set[int] | None = None) -> list[dict]:
    """The places in the year's scope (or with these ids) as GeoJSON-ready dicts with their measure status.

    A place's measure status is that of its least advanced measure (work is left while any is), or none.
    """
    least = (
        select(Measure.status)
        .where(Measure.assessment_id == Assessment.id)
        .order_by(STATUS_RANK, Measure.id)
        .limit(1)
        .correlate(Assessment)
        .scalar_subquery()
    )
    query = (
        select(
            Place.id,
            Place.title,
            Place.category_code,
            Category.label_sv,
            Category.label_en,
            func.ST_AsGeoJSON(Place.geom, 6),
            Assessment.still_unsafe,
            Assessment.priority,
            least,
        )
        .join(Category, Category.code == Place.category_code)
        .outerjoin(Assessment, and_(Assessment.place_id == Place.id, Assessment.year_id == inventory.id))
    )
    query = query.where(Place.id.in_(place_ids)) if place_ids is not None else query.where(_in_scope(inventory))
    keys = (
        "id",
        "title",
        "category",
        "category_sv",
        "category_en",
        "geometry",
        "still_unsafe",
        "priority",
        "measure_status",
    )
    return [dict(zip(keys, row)) for row in db.session.execute(query.order_by(Place.id))]


@dataclass(frozen=True)
class MapFilter:
    """The year map's filters; an empty list means all."""

    category: list[str] = field(default_factory=list)  # the place's category
    status: list[str] = field(default_factory=list)  # the measure status of the map's colours, or 'none'
    district: list[int] = field(default_factory=list)
    comparison: list[str] = field(default_factory=list)  # new, still_unsafe, remediated


def _map_status():
    """The place's least advanced measure this year (its map colour), or 'none'."""
    least = (
        select(Measure.status)
        .where(Measure.assessment_id == Assessment.id)
        .order_by(STATUS_RANK, Measure.id)
        .limit(1)
        .correlate(Assessment)
        .scalar_subquery()
    )
    return func.coalesce(least, literal("none"))


def _comparison(inventory: InventoryYear, last_year: InventoryYear, previous):
    """How the place relates to last year (`previous`: its assessment then), in SQL: the rules of
    service.classify (new, still unsafe, remediated), or NULL."""
    years = [inventory.id, last_year.id]
    fixed = (
        select(Measure.id)
        .join(Assessment, Assessment.id == Measure.assessment_id)
        .where(Assessment.place_id == Place.id, Assessment.year_id.in_(years), Measure.status.in_(DONE_STATUSES))
        .exists()
    )
    unsafe_before, now = previous.still_unsafe.is_(True), Assessment.still_unsafe
    return case(
        (and_(now.is_(True), ~func.coalesce(previous.still_unsafe, False)), literal("new")),
        (and_(unsafe_before, or_(now.is_(False), and_(now.is_(None), fixed))), literal("remediated")),
        (unsafe_before, literal("still_unsafe")),
        else_=None,
    )


def _map_query(inventory: InventoryYear, f: MapFilter, columns):
    """The year map's places (the year's scope and last year's unsafe ones) with the filters; `columns(status,
    comparison)` gives what to select of Place, Assessment (this year's) and those two expressions."""
    last_year = find_year(inventory.year - 1)
    previous = aliased(Assessment, name="previous")
    status = _map_status().label("status")
    if last_year is not None:
        comparison = _comparison(inventory, last_year, previous).label("comparison")
    else:  # no year before: every unsafe place is new
        comparison = case((Assessment.still_unsafe.is_(True), literal("new")), else_=None).label("comparison")
    query = select(*columns(status, comparison)).outerjoin(
        Assessment, and_(Assessment.place_id == Place.id, Assessment.year_id == inventory.id)
    )
    scope = _in_scope(inventory)
    if last_year is not None:
        query = query.outerjoin(previous, and_(previous.place_id == Place.id, previous.year_id == last_year.id))
        scope = or_(scope, previous.still_unsafe.is_(True))
    query = query.where(scope)
    if f.category:
        query = query.where(Place.category_code.in_(f.category))
    if f.district:
        query = query.where(Place.district_id.in_(f.district))
    if f.status:
        query = query.where(status.in_(f.status))
    if f.comparison:
        query = query.where(comparison.in_(f.comparison))
    return query


def map_tile(inventory: InventoryYear, f: MapFilter, z: int, x: int, y: int) -> bytes:
    """A tile of counts per cell (layer 'cells', broken down by measure status) of the year map's places."""
    query = _map_query(inventory, f, lambda status, comparison: (Place.cell.label("cell"), status.label("key")))
    return mvt_cells.counts_tile(query.where(mvt_cells.in_tile(Place.cell, z, x, y)), z, x, y)


def map_count(inventory: InventoryYear, f: MapFilter, box: tuple[float, float, float, float] | None = None) -> int:
    """How many of the year map's places there are (whose point on surface lies in `box`, W S E N, if given)."""
    query = _map_query(inventory, f, lambda status, comparison: (Place.id,))
    if box is not None:
        query = query.where(func.ST_Intersects(func.ST_PointOnSurface(Place.geom), func.ST_MakeEnvelope(*box, 4326)))
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def map_features(
    inventory: InventoryYear, f: MapFilter, box: tuple[float, float, float, float], after: int, limit: int
) -> list[dict]:
    """The year map's places intersecting `box` (W S E N), by id after `after`, at most `limit`, for the popups."""

    def columns(status, comparison):
        return (
            Place.id,
            Place.title,
            Place.category_code,
            Category.label_sv,
            Category.label_en,
            func.ST_AsGeoJSON(Place.geom, 6).label("geometry"),
            Assessment.still_unsafe,
            Assessment.priority,
            status,
            comparison,
        )

    query = (
        _map_query(inventory, f, columns)
        .join(Category, Category.code == Place.category_code)
        .where(func.ST_Intersects(Place.geom, func.ST_MakeEnvelope(*box, 4326)), Place.id > after)
        .order_by(Place.id)
        .limit(limit)
    )
    keys = ("id", "title", "category", "category_sv", "category_en", "geometry", "still_unsafe", "priority")
    return [dict(zip((*keys, "measure_status", "comparison"), row, strict=True)) for row in db.session.execute(query)]


# --- statistics -----------------------------------------------------------------------------------------------------


def _measures_of(inventory: InventoryYear):
    return (
        select(Measure)
        .join(Assessment, Assessment.id == Measure.assessment_id)
        .where(Assessment.year_id == inventory.id)
    )


def measure_counts(inventory: InventoryYear, by: str, locale: str) -> list[tuple[str, int]]:
    """Measures of the year counted by category (main factor), district, responsible party or status."""
    base = (
        select(Measure.id, Measure.responsible, Measure.status, Assessment.main_factor, Place.district_id)
        .join(Assessment, Assessment.id == Measure.assessment_id)
        .join(Place, Place.id == Assessment.place_id)
        .where(Assessment.year_id == inventory.id)
        .subquery()
    )
    if by == "category":
        key = _label(Category, locale)
        query = select(key, func.count()).select_from(base).join(Category, Category.code == base.c.main_factor)
        query = query.group_by(key, Category.sort_order).order_by(func.count().desc(), Category.sort_order)
    elif by == "district":
        key = func.coalesce(Area.name, NO_DISTRICT)
        query = (
            select(key, func.count())
            .select_from(base)
            .outerjoin(Area, Area.id == base.c.district_id)
            .group_by(key)
            .order_by(func.count().desc(), key)
        )
    else:
        column = base.c.responsible if by == "responsible" else base.c.status
        query = select(column, func.count()).group_by(column).order_by(func.count().desc(), column)
        labels = RESPONSIBLE_LABELS if by == "responsible" else MEASURE_STATUS_LABELS
        return [(label(labels, code, locale), count) for code, count in db.session.execute(query)]
    return [tuple(row) for row in db.session.execute(query)]


def place_counts(inventory: InventoryYear, locale: str) -> dict[str, int]:
    """How many places the year covers, how many were assessed, and how many of those are still unsafe."""
    in_scope = db.session.scalar(select(func.count()).select_from(Place).where(_in_scope(inventory)))
    assessed, unsafe = db.session.execute(
        select(func.count(), func.count().filter(Assessment.still_unsafe)).where(Assessment.year_id == inventory.id)
    ).one()
    return {"in_scope": in_scope, "assessed": assessed, "still_unsafe": unsafe}


def lock_summary(inventory: InventoryYear) -> dict[str, int]:
    """What closing the year locks: its assessments, its measures (how many still open) and their photos."""
    assessments = db.session.scalar(select(func.count()).where(Assessment.year_id == inventory.id))
    measures = _measures_of(inventory).subquery()
    total, still_open = db.session.execute(
        select(func.count(), func.count().filter(measures.c.status.in_(OPEN_STATUSES)))
    ).one()
    photos = db.session.scalar(
        select(func.count()).select_from(MeasurePhoto).where(MeasurePhoto.measure_id.in_(select(measures.c.id)))
    )
    return {"assessments": assessments, "measures": total, "open_measures": still_open, "photos": photos}


def costs(inventory: InventoryYear) -> dict[str, int]:
    """Cost planned (every measure but the infeasible) and cost done (done or verified), in SEK."""
    measures = _measures_of(inventory).subquery()
    planned, done = db.session.execute(
        select(
            func.coalesce(func.sum(measures.c.cost_estimate_sek).filter(measures.c.status != "not_feasible"), 0),
            func.coalesce(func.sum(measures.c.cost_estimate_sek).filter(measures.c.status.in_(DONE_STATUSES)), 0),
        )
    ).one()
    return {"planned": int(planned), "done": int(done)}
