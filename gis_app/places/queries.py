"""Spatial SQL for places: GeoJSON features built by PostGIS, filtered by box, time and attributes."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import force_locale, gettext
from sqlalchemy import Text, and_, case, cast, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert

from gis_app.areas.models import Area
from gis_app.core.spatial_sql import envelope, geojson_geometry
from gis_app.extensions import capped_count, db
from gis_app.places.models import LIGHT_FILTERS, Category, Observation, Place, PublicGrid, Source, Status


@dataclass(frozen=True)
class PlaceFilter:
    """What the map's filters and the API's query parameters can ask for."""

    bbox: tuple[float, float, float, float] | None = None
    datetime: tuple[date | None, date | None] | None = None
    year: int | None = None
    category: list[str] | None = None
    status: list[str] | None = None
    time_of_day: list[str] | None = None
    affected_group: list[str] | None = None
    district: list[int] | None = None
    light: list[str] | None = None  # dark, twilight, daylight: a report made in that light (gis_app/lighting)
    bbox_srid: int | None = None  # the bbox's CRS (north first); None: CRS84
    where: Any = None  # a condition on queryable_columns(audience), from an API filter (CQL2)


@dataclass(frozen=True)
class Audience:
    """Who the features are for: labels in their language; the public gets generalised, reviewed data only."""

    locale: str = "sv"
    public: bool = True
    srid: int | None = None  # the CRS geometries are sent in (EPSG, north first); None: CRS84


def _shown_geometry(audience: Audience):
    """Staff see the place itself; the public its public position (a grid cell's centre if sensitive)."""
    return Place.public_geom if audience.public else Place.geom


def _shown_district(audience: Audience):
    """The district of what the audience sees: for the public never one taken from the exact position."""
    return Place.public_district_id if audience.public else Place.district_id


def _label(model, locale: str):
    return model.label_en if locale == "en" else model.label_sv


def _last_observation(audience: Audience):
    """The newest observation of the place as a JSON object (or null); the public sees only reviewed text."""
    text = case((Observation.reviewed, Observation.text), else_=None) if audience.public else Observation.text
    return (
        select(
            func.json_build_object(
                "observed_at",
                Observation.observed_at,
                "text",
                text,
                "source",
                Observation.source_code,
                "source_label",
                _label(Source, audience.locale),
                "light_class",
                Observation.light_class,
            )
        )
        .join(Source, Source.code == Observation.source_code)
        .where(Observation.place_id == Place.id, Observation.police_only.is_(False))  # police-only: outreach pages
        .order_by(Observation.observed_at.desc(), Observation.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def neutral_title_template(locale: str) -> str:
    """The translated 'category in district' as a PostgreSQL format() string (%1$s category, %2$s district)."""
    with force_locale(locale):
        template = gettext("%(category)s in %(district)s")
    return template.replace("%", "%%").replace("%%(category)s", "%1$s").replace("%%(district)s", "%2$s")


def _title(audience: Audience):
    """The title the audience may see: the public sees 'category in district' until a planner reviews the title."""
    if not audience.public:
        return Place.title
    category = _label(Category, audience.locale)
    neutral = case(
        (Area.name.is_(None), category), else_=func.format(neutral_title_template(audience.locale), category, Area.name)
    )
    return case((Place.title_reviewed, Place.title), else_=neutral)


def _feature(audience: Audience):
    locale = audience.locale
    properties = func.json_build_object(
        "title",
        _title(audience),
        "category",
        Place.category_code,
        "category_label",
        _label(Category, locale),
        "color",
        Category.color,
        "status",
        Place.status_code,
        "status_label",
        _label(Status, locale),
        "time_of_day",
        Place.time_of_day,
        "affected_group",
        Place.affected_group,
        "priority",
        Place.priority,
        "district_id",
        _shown_district(audience),
        "district_name",
        Area.name,
        "reported_on",
        Place.reported_on,
        "updated_at",
        Place.updated_at,
        "last_observation",
        _last_observation(audience),
    )
    return func.json_build_object(
        "type",
        "Feature",
        "id",
        Place.id,
        "geometry",
        geojson_geometry(_shown_geometry(audience), audience.srid),
        "properties",
        properties,
    )


def _year_condition(year: int):
    """Reported that year, or observed that year."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    observed = exists().where(
        Observation.place_id == Place.id,
        Observation.police_only.is_(False),
        Observation.observed_at >= start,
        Observation.observed_at < end,
    )
    return or_(and_(Place.reported_on >= start, Place.reported_on < end), observed)


def _bbox_condition(bbox, audience: Audience, srid: int | None = None):
    """Filter on the geometry the audience sees (indexed), so tiny boxes cannot locate a generalised place."""
    return func.ST_Intersects(_shown_geometry(audience), envelope(bbox, srid))


def queryable_columns(audience: Audience) -> dict[str, Any]:
    """What an API filter may name, as the audience sees it: the public's geometry and district are the public ones,
    and an unreviewed title is matched by nothing, so no filter reveals more than the features show."""
    title = Place.title if not audience.public else case((Place.title_reviewed, Place.title), else_=None)
    return {
        "geometry": _shown_geometry(audience),
        "title": title,
        "category": Place.category_code,
        "status": Place.status_code,
        "time_of_day": Place.time_of_day,
        "affected_group": Place.affected_group,
        "priority": Place.priority,
        "district_id": _shown_district(audience),
        "reported_on": Place.reported_on,
        "updated_at": Place.updated_at,
    }


def _conditions(f: PlaceFilter, audience: Audience, after: int | None = None) -> list:
    conditions = [Place.id > after] if after is not None else []
    if f.bbox:
        conditions.append(_bbox_condition(f.bbox, audience, f.bbox_srid))
    if f.where is not None:
        conditions.append(f.where)
    if f.datetime:
        start, end = f.datetime
        if start:
            conditions.append(Place.reported_on >= start)
        if end:
            conditions.append(Place.reported_on <= end)
    if f.year:
        conditions.append(_year_condition(f.year))
    for values, column in (
        (f.category, Place.category_code),
        (f.status, Place.status_code),
        (f.time_of_day, Place.time_of_day),
        (f.affected_group, Place.affected_group),
        (f.district, _shown_district(audience)),
    ):
        if values:
            conditions.append(column.in_(values))
    if f.light:
        conditions.append(_light_condition(f.light))
    return conditions


def _light_condition(light: list[str]):
    """A report (not police-only) made in one of these lights: dark, twilight, daylight."""
    classes = [c for choice in light for c in LIGHT_FILTERS[choice]]
    return exists().where(
        Observation.place_id == Place.id, Observation.police_only.is_(False), Observation.light_class.in_(classes)
    )


def _ids(f: PlaceFilter, audience: Audience, after: int | None = None):
    return select(Place.id).where(*_conditions(f, audience, after))


def _features_query(audience: Audience):
    return (
        select(cast(_feature(audience), Text))
        .select_from(Place)
        .join(Category, Category.code == Place.category_code)
        .join(Status, Status.code == Place.status_code)
        .outerjoin(Area, Area.id == _shown_district(audience))
    )


def place_features(f: PlaceFilter, limit: int, offset: int, audience: Audience, after: int | None = None) -> list[str]:
    """Return up to `limit` features as GeoJSON text, in id order so pages are stable; `after` is the keyset
    cursor (the last id of the previous page), which costs the same however deep the page."""
    # Pick the page's ids first: skipped rows are then never turned into JSON.
    page = _ids(f, audience, after).order_by(Place.id).limit(limit).offset(offset).subquery()
    query = _features_query(audience).join(page, page.c.id == Place.id).order_by(Place.id)
    return list(db.session.scalars(query))


def place_feature(place_id: int, audience: Audience) -> str | None:
    """Return one place as GeoJSON text, or None."""
    return db.session.scalar(_features_query(audience).where(Place.id == place_id))


def count_places(f: PlaceFilter, cap: int, audience: Audience) -> int | None:
    """Count matches, but stop at `cap`: None means 'more than cap', so a huge box never costs a full count."""
    return capped_count(_ids(f, audience), cap)


def category_codes() -> set[str]:
    return set(db.session.scalars(select(Category.code)))


def status_codes() -> set[str]:
    return set(db.session.scalars(select(Status.code)))


def reported_interval() -> tuple[date | None, date | None]:
    """First and last report date, for the collection's temporal extent (uses the reported_on index)."""
    row = db.session.execute(select(func.min(Place.reported_on), func.max(Place.reported_on))).one()
    return row[0], row[1]


def set_public_grid(metres: int) -> bool:
    """Store the grid size of public positions (the database then moves every sensitive place); True if changed."""
    if db.session.scalar(select(PublicGrid.metres)) == metres:
        return False
    statement = insert(PublicGrid).values(one=True, metres=metres)
    db.session.execute(statement.on_conflict_do_update(index_elements=["one"], set_={"metres": metres}))
    db.session.commit()
    return True
