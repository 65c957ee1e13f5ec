"""Demo property protection in central Östersund: two owner organisations, three exposed properties with protection,
cameras, incidents over three years and a site visit with an agreed measure. Every name says "(demo)" and
`property.demo` is set: none of it is real."""

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from shapely.geometry import Point, Polygon
from sqlalchemy import func, select

from gis_app.auth import audit
from gis_app.auth.models import Organisation
from gis_app.core.clock import local_now, local_zone
from gis_app.extensions import db
from gis_app.inventory.models import Assessment, InventoryYear, Measure
from gis_app.places.models import Place
from gis_app.properties import queries
from gis_app.properties.models import Camera, Incident, Property, Protection, SiteVisit, VisitMeasure

OWNERS = ("Storsjöbygdens Fastigheter AB (demo)", "Frösö Handel AB (demo)")
PROPERTIES = (  # (ref, name, address, kind, owner index, outline)
    (
        "DEMO Näktergalen 4",
        "Skolbyggnad Näktergalen (demo)",
        "Prästgatan 60 (demo)",
        "building",
        0,
        [(14.6430, 63.1786), (14.6446, 63.1786), (14.6446, 63.1793), (14.6430, 63.1793)],
    ),
    (
        "DEMO Odenslund 1:12",
        "Parkeringstomt Odenslund (demo)",
        "Odenslundsvägen 2 (demo)",
        "plot",
        0,
        [(14.6470, 63.1745), (14.6492, 63.1745), (14.6492, 63.1753), (14.6470, 63.1753)],
    ),
    (
        "DEMO Mercurius 9",
        "Butikslokal Storgatan (demo)",
        "Storgatan 28 (demo)",
        "building",
        1,
        [(14.6356, 63.1770), (14.6366, 63.1770), (14.6366, 63.1775), (14.6356, 63.1775)],
    ),
)
PROTECTIONS = (  # (property index, kind, description)
    (0, "perimeter", "Staket runt skolgården, grind låst nattetid (demo)."),
    (0, "lighting", "Fasadbelysning med rörelsevakt på baksidan (demo)."),
    (0, "locks", "Inbrottsskyddade lås klass 3 på alla ytterdörrar (demo)."),
    (1, "lighting", "Två stolpar släckta sedan i höstas (demo)."),
    (2, "alarm", "Larm kopplat till vaktbolag (demo)."),
)
CAMERAS = (  # (property index, name, permit, lon, lat, direction, angle, metres)
    (0, "Kamera skolgård (demo)", "IMY-DEMO-2024-17", 14.6444, 63.1787, 225, 80, 45),
    (2, "Kamera entré Storgatan (demo)", None, 14.6361, 63.1770, 180, 70, 25),
)
INCIDENTS = (  # (property index, kind, days ago, description)
    (0, "vandalism", 700, "Klotter på gavelväggen (demo)."),
    (0, "break_in", 420, "Inbrott i förråd, dörren uppbruten (demo)."),
    (0, "vandalism", 300, "Krossad ruta mot skolgården (demo)."),
    (0, "vandalism", 40, "Klotter på baksidan (demo)."),
    (1, "vandalism", 200, "Sönderslagen belysningsstolpe (demo)."),
    (1, "other", 90, "Bilinbrott på parkeringen (demo)."),
    (2, "break_in", 150, "Inbrottsförsök genom bakdörren (demo)."),
)


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Property).where(Property.demo.is_(True))) or 0


def _owner(name: str) -> Organisation:
    owner = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if owner is None:
        owner = Organisation(name=name, kind="other")
        db.session.add(owner)
        db.session.flush()
    return owner


def _properties() -> list[Property]:
    created = []
    for ref, name, address, kind, owner, outline in PROPERTIES:
        polygon = Polygon(outline)
        prop = Property(
            ref=ref,
            name=name,
            address=address,
            kind=kind,
            owner_id=_owner(OWNERS[owner]).id,
            place_id=queries.nearest_place_id(polygon.wkt),
            demo=True,
            geom=from_shape(polygon, srid=4326),
        )
        db.session.add(prop)
        audit.record_create(prop, "property")
        created.append(prop)
    return created


def _security(properties: list[Property]) -> None:
    for index, kind, description in PROTECTIONS:
        db.session.add(Protection(property_id=properties[index].id, kind=kind, description=description))
    for index, name, permit, lon, lat, direction, angle, metres in CAMERAS:
        view = queries.camera_view_wkt(lon, lat, direction, angle, metres)
        db.session.add(
            Camera(
                property_id=properties[index].id,
                name=name,
                permit_ref=permit,
                permit_until=date(local_now().year + 1, 6, 30) if permit else None,
                geom=from_shape(Point(lon, lat), srid=4326),
                view=f"SRID=4326;{view}",
            )
        )


def _incidents(properties: list[Property]) -> None:
    now = local_now()
    for index, kind, days, description in INCIDENTS:
        when = datetime.combine((now - timedelta(days=days)).date(), time(2, 30), tzinfo=local_zone())
        db.session.add(Incident(property_id=properties[index].id, kind=kind, occurred_at=when, description=description))


def _latest_inventory() -> InventoryYear | None:
    return db.session.scalar(select(InventoryYear).order_by(InventoryYear.year.desc()).limit(1))


def _nearest_place_id(prop: Property) -> int | None:
    """The demo measure needs a place: the property's own, else the nearest demo place (any distance)."""
    if prop.place_id is not None:
        return prop.place_id
    return db.session.scalar(select(Place.id).order_by(func.ST_Distance(Place.geom, prop.geom), Place.id).limit(1))


def _visit(prop: Property) -> SiteVisit:
    visited = local_now().date() - timedelta(days=60)
    visit = SiteVisit(
        property_id=prop.id,
        visited_on=visited,
        participants="Trygghetssamordnare (demo), fastighetsförvaltare Storsjöbygdens Fastigheter (demo), "
        "kommunpolis (demo)",
        findings="Baksidan mot skolgården är mörk och skymd av buskage; klotter och en krossad ruta sedan i fjol "
        "(demo).",
    )
    db.session.add(visit)
    db.session.flush()
    inventory, place_id = _latest_inventory(), _nearest_place_id(prop)
    if inventory is None or place_id is None:
        return visit  # without an inventory the demo visit has no agreed measure
    assessment = db.session.scalar(
        select(Assessment).where(Assessment.year_id == inventory.id, Assessment.place_id == place_id)
    )
    if assessment is None:
        place = db.session.get_one(Place, place_id)
        assessment = Assessment(
            year_id=inventory.id, place_id=place_id, still_unsafe=True, main_factor=place.category_code, priority=2
        )
        db.session.add(assessment)
        db.session.flush()
    for measure_type, description, days in (
        ("vegetation", "Röj buskaget längs baksidan (demo).", -20),
        ("camera_perimeter", "Sätt upp en andra kamera mot cykelstället (demo).", 30),
    ):
        measure = Measure(
            assessment_id=assessment.id,
            measure_type=measure_type,
            description=description,
            responsible="property_owner",
            responsible_name="Storsjöbygdens Fastigheter AB (demo)",
            status="decided",
            due_on=local_now().date() + timedelta(days=days),
        )
        db.session.add(measure)
        db.session.flush()
        db.session.add(
            VisitMeasure(visit_id=visit.id, measure_id=measure.id, responsible_email="forvaltare@demo.example")
        )
    return visit


def load(seed: int = 2380) -> int:
    """Write the demo properties and everything about them in one transaction; return how many properties."""
    properties = _properties()
    _security(properties)
    _incidents(properties)
    _visit(properties[0])
    db.session.commit()
    return len(properties)


def load_if_missing(seed: int) -> str:
    """Load the demo properties unless there are some; say what was done."""
    if count():
        return ""
    loaded = load(seed)
    return _("Loaded %(count)d demo properties with protection, cameras, incidents and a site visit.", count=loaded)
