"""Reading properties: lists per owner, map features, camera views, the export's geometries and the measures due
for an e-mail. All spatial SQL of the feature lives here."""

from datetime import date

from sqlalchemy import and_, exists, func, literal, select, text

from gis_app.auth.models import Organisation
from gis_app.extensions import db
from gis_app.inventory.models import OPEN_STATUSES, Measure
from gis_app.places.models import Place
from gis_app.properties.models import (
    Camera,
    Incident,
    MeasureNotice,
    Property,
    Protection,
    SiteVisit,
    VisitMeasure,
)

PLACE_LINK_METRES = 50  # a property is the inventory place inside it or this close to it
VIEW_STEPS = 12  # points on a camera view's arc


def _owned(query, owner_id: int | None):
    """Only the owner's properties when an owner is given (an owner's account)."""
    return query.where(Property.owner_id == owner_id) if owner_id is not None else query


def nearest_place_id(geom_wkt: str) -> int | None:
    """The inventory place inside the polygon or nearest to it within PLACE_LINK_METRES, if any."""
    polygon = func.ST_GeomFromText(geom_wkt, 4326)
    distance = func.ST_Distance(func.Geography(Place.geom), func.Geography(polygon))
    return db.session.scalar(
        select(Place.id)
        .where(func.ST_DWithin(func.Geography(Place.geom), func.Geography(polygon), PLACE_LINK_METRES))
        .order_by(distance, Place.id)
        .limit(1)
    )


def camera_view_wkt(lon: float, lat: float, direction: float, angle: float, metres: float) -> str:
    """The sector a camera at (lon, lat) sees: `angle` degrees wide around `direction`, `metres` deep."""
    sql = text(
        """
        WITH camera AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS g)
        SELECT ST_AsText(ST_MakePolygon(ST_MakeLine(ARRAY[
            (SELECT g::geometry FROM camera)]
            || ARRAY(SELECT ST_Project(camera.g, :metres, radians(:start + :step * i))::geometry
                     FROM camera, generate_series(0, :steps) AS i ORDER BY i)
            || ARRAY[(SELECT g::geometry FROM camera)])))
        """
    )
    return db.session.scalar(
        sql,
        {
            "lon": lon,
            "lat": lat,
            "metres": metres,
            "start": direction - angle / 2,
            "step": angle / VIEW_STEPS,
            "steps": VIEW_STEPS,
        },
    )


def _counts():
    incidents = select(func.count()).select_from(Incident).where(Incident.property_id == Property.id).scalar_subquery()
    visits = select(func.count()).select_from(SiteVisit).where(SiteVisit.property_id == Property.id).scalar_subquery()
    open_measures = (
        select(func.count())
        .select_from(VisitMeasure)
        .join(SiteVisit, SiteVisit.id == VisitMeasure.visit_id)
        .join(Measure, Measure.id == VisitMeasure.measure_id)
        .where(SiteVisit.property_id == Property.id, Measure.status.in_(OPEN_STATUSES))
        .scalar_subquery()
    )
    last_incident = select(func.max(Incident.occurred_at)).where(Incident.property_id == Property.id)
    return (
        incidents.label("incidents"),
        visits.label("visits"),
        open_measures.label("open_measures"),
        last_incident.scalar_subquery().label("last_incident"),
    )


def property_rows(owner_id: int | None = None) -> list[dict]:
    """Every property (or the owner's) with its owner's name and its counts, for the list and the export."""
    query = (
        select(
            Property.id,
            Property.ref,
            Property.name,
            Property.address,
            Property.kind,
            Property.demo,
            Property.owner_id,
            func.coalesce(Organisation.name, literal("")).label("owner"),
            *_counts(),
        )
        .outerjoin(Organisation, Organisation.id == Property.owner_id)
        .order_by(Property.name, Property.id)
    )
    return [dict(row._mapping) for row in db.session.execute(_owned(query, owner_id))]


def security_counts(property_ids: list[int]) -> dict[int, dict]:
    """Protections and cameras per property (security staff only)."""
    counts: dict[int, dict] = {pid: {"protections": 0, "cameras": 0} for pid in property_ids}
    for model, key in ((Protection, "protections"), (Camera, "cameras")):
        rows = db.session.execute(
            select(model.property_id, func.count())
            .where(model.property_id.in_(property_ids))
            .group_by(model.property_id)
        )
        for pid, count in rows:
            counts[pid][key] = count
    return counts


def property_features(owner_id: int | None = None, property_id: int | None = None) -> list[dict]:
    """Properties as map rows: id, name, ref, kind, address, demo and the polygon as GeoJSON text."""
    query = select(
        Property.id,
        Property.name,
        Property.ref,
        Property.kind,
        Property.address,
        Property.demo,
        func.ST_AsGeoJSON(Property.geom, 6).label("geometry"),
    ).order_by(Property.id)
    if property_id is not None:
        query = query.where(Property.id == property_id)
    return [dict(row._mapping) for row in db.session.execute(_owned(query, owner_id))]


def camera_features(property_ids: list[int]) -> list[dict]:
    """Cameras of the properties: the position and the view as GeoJSON text (security staff only)."""
    query = (
        select(
            Camera.id,
            Camera.property_id,
            Camera.name,
            Camera.permit_ref,
            Camera.permit_until,
            func.ST_AsGeoJSON(Camera.geom, 6).label("geometry"),
            func.ST_AsGeoJSON(Camera.view, 6).label("view"),
        )
        .where(Camera.property_id.in_(property_ids))
        .order_by(Camera.id)
    )
    return [dict(row._mapping) for row in db.session.execute(query)]


def export_geometries(srid: int, geometry_format: str, owner_id: int | None = None) -> dict[int, object]:
    """Each property's polygon in `srid`, as WKT, GeoJSON text or WKB, as an exporter wants it."""
    writers = {"wkt": func.ST_AsText, "geojson": func.ST_AsGeoJSON, "wkb": func.ST_AsBinary}
    value = writers[geometry_format](func.ST_Transform(Property.geom, srid))
    rows = db.session.execute(_owned(select(Property.id, value), owner_id))
    return {pid: bytes(v) if isinstance(v, memoryview) else v for pid, v in rows}


def point_on(property_id: int) -> tuple[float, float]:
    """A point on the property (lon, lat): where its camera form starts."""
    point = func.ST_PointOnSurface(Property.geom)
    return db.session.execute(select(func.ST_X(point), func.ST_Y(point)).where(Property.id == property_id)).one()


def visits(property_id: int) -> list[SiteVisit]:
    return list(
        db.session.scalars(
            select(SiteVisit)
            .where(SiteVisit.property_id == property_id)
            .order_by(SiteVisit.visited_on.desc(), SiteVisit.id.desc())
        )
    )


def incidents(property_id: int) -> list[Incident]:
    return list(
        db.session.scalars(
            select(Incident).where(Incident.property_id == property_id).order_by(Incident.occurred_at.desc())
        )
    )


def protections(property_id: int) -> list[Protection]:
    return list(db.session.scalars(select(Protection).where(Protection.property_id == property_id)))


def incidents_by_year(property_id: int) -> list[tuple[int, str, int]]:
    """(year, kind, count) of a property's incidents: the trend over time."""
    year = func.extract("year", Incident.occurred_at).cast(db.Integer)
    rows = db.session.execute(
        select(year, Incident.kind, func.count())
        .where(Incident.property_id == property_id)
        .group_by(year, Incident.kind)
        .order_by(year, Incident.kind)
    )
    return [tuple(row) for row in rows]


def property_measures(property_id: int) -> list[VisitMeasure]:
    """The measures agreed at the property's visits, the earliest deadline first."""
    return list(
        db.session.scalars(
            select(VisitMeasure)
            .join(SiteVisit, SiteVisit.id == VisitMeasure.visit_id)
            .join(Measure, Measure.id == VisitMeasure.measure_id)
            .where(SiteVisit.property_id == property_id)
            .order_by(Measure.due_on, VisitMeasure.id)
        )
    )


def _noticed(kind: str, due=None):
    condition = and_(MeasureNotice.measure_id == VisitMeasure.measure_id, MeasureNotice.kind == kind)
    if due is not None:
        condition = and_(condition, MeasureNotice.due_on == due)
    return exists().where(condition)


def unannounced() -> list[VisitMeasure]:
    """Agreed measures with an e-mail address whose assignment has not been e-mailed yet."""
    return list(
        db.session.scalars(
            select(VisitMeasure)
            .where(VisitMeasure.responsible_email.is_not(None), ~_noticed("assigned"))
            .order_by(VisitMeasure.id)
        )
    )


def overdue_unreminded(today: date) -> list[VisitMeasure]:
    """Open agreed measures past their deadline whose responsible party has not been reminded of that deadline."""
    return list(
        db.session.scalars(
            select(VisitMeasure)
            .join(Measure, Measure.id == VisitMeasure.measure_id)
            .where(
                VisitMeasure.responsible_email.is_not(None),
                Measure.status.in_(OPEN_STATUSES),
                Measure.due_on < today,
                ~_noticed("overdue", Measure.due_on),
            )
            .order_by(Measure.due_on, VisitMeasure.id)
        )
    )
