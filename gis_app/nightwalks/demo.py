"""Demo night walks for Östersund: an association under agreement, the police volunteers, the year's risk
weekends (valborg, school end, Storsjöyran), shifts with routes through the town centre and night reports. Every
row is marked as demo (the names say so, and `demo` is set): none of it is real. Reproducible from the seed."""

import random
from datetime import date, datetime, time, timedelta

import shapely
from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, Point
from sqlalchemy import delete, func, select

from gis_app.auth import audit
from gis_app.auth.models import Organisation
from gis_app.core.clock import local_now, local_zone
from gis_app.extensions import db
from gis_app.nightwalks import queries, service
from gis_app.nightwalks.models import NightEvent, NightGroup, NightReport, NightShift, NightSighting
from gis_app.places.models import Category, Observation

ASSOCIATION = "Nattvandrarna Östersund (demo)"
VOLUNTEERS = "Polisens volontärer Östersund (demo)"
EVENTS = (  # (title, kind, month, first day, last day)
    ("Valborg (demo)", "risk_weekend", 4, 30, 30),
    ("Skolavslutning (demo)", "risk_weekend", 6, 12, 13),
    ("Storsjöyran (demo)", "event", 7, 23, 25),
    ("Halloween och allhelgona (demo)", "risk_weekend", 10, 31, 31),
    ("Lucia (demo)", "risk_weekend", 12, 12, 13),
)
ROUTES = (  # loops through the town centre, from Stortorget
    [(14.6372, 63.1767), (14.6398, 63.1781), (14.6425, 63.1760), (14.6410, 63.1745), (14.6372, 63.1767)],
    [(14.6372, 63.1767), (14.6352, 63.1792), (14.6318, 63.1785), (14.6330, 63.1760), (14.6372, 63.1767)],
    [(14.6330, 63.1728), (14.6352, 63.1745), (14.6368, 63.1762), (14.6390, 63.1790), (14.6402, 63.1812)],
)
KINDS = ("intoxicated_people", "youth_gatherings", "litter", "vandalism", "poor_lighting")
PLACE_SEARCH_METRES = 1500
LEADERS = ("Vandringsledare A (demo)", "Vandringsledare B (demo)", "Volontär C (demo)")


def _organisation(name: str, kind: str) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, kind=kind)
        db.session.add(organisation)
        db.session.flush()
    return organisation


def _groups() -> tuple[NightGroup, NightGroup]:
    police = db.session.scalar(select(Organisation).where(Organisation.kind == "polis").order_by(Organisation.id))
    police = police or _organisation("Polisen", "polis")
    groups = []
    for name, kind, organisation in (
        (ASSOCIATION, "association", _organisation(ASSOCIATION, "other")),
        (VOLUNTEERS, "police_volunteers", police),
    ):
        group = db.session.scalar(select(NightGroup).where(NightGroup.name == name))
        if group is None:
            group = NightGroup(
                name=name,
                kind=kind,
                organisation_id=organisation.id,
                agreement_from=date(local_now().year - 1, 1, 1),
                demo=True,
            )
            db.session.add(group)
            audit.record_create(group, "nw_group")
        groups.append(group)
    return groups[0], groups[1]


def _events(year: int) -> list[NightEvent]:
    rows = [
        {
            "title": title,
            "kind": kind,
            "starts_on": date(year, month, first),
            "ends_on": date(year, month, last),
            "notes": None,
        }
        for title, kind, month, first, last in EVENTS
    ]
    service.write_events(rows, demo=True)
    return list(db.session.scalars(select(NightEvent).where(NightEvent.demo.is_(True)).order_by(NightEvent.starts_on)))


def _shift(rng: random.Random, group: NightGroup, event: NightEvent, route) -> NightShift:
    start = datetime.combine(event.starts_on, time(21, 0), local_zone())
    shift = NightShift(
        group_id=group.id,
        event_id=event.id,
        starts_at=start,
        ends_at=start + timedelta(hours=5),
        walkers=rng.randint(4, 12),
        route=from_shape(LineString(route), srid=4326),
        district_id=queries.route_district(LineString(route).wkt),
        leader=rng.choice(LEADERS),
        demo=True,
    )
    db.session.add(shift)
    audit.record_create(shift, "nw_shift")
    return shift


def _point(rng: random.Random, route, kind: str):
    """Where a kind was seen: at the nearest demo place of that kind near the route (so the report adds to what
    the map shows), else somewhere along the route."""
    near = queries.place_point_near(LineString(route).wkt, kind, PLACE_SEARCH_METRES)
    if near is not None:
        return shapely.from_wkt(near)
    a, b = rng.sample(route[:-1], 2)
    t = rng.random()
    return Point(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _report(rng: random.Random, shift: NightShift, route, labels: dict) -> int:
    report = NightReport(shift_id=shift.id, summary="Lugn kväll med många ute i centrum (demo).")
    db.session.add(report)
    audit.record_create(report, "nw_report")
    lines = 0
    for kind in rng.sample(KINDS, rng.randint(1, 3)):
        point = _point(rng, route, kind)
        item = {"kind": kind, "count": rng.randint(1, 8), "note": None, "point": point}
        observation = service.land_observation(shift, item, labels)
        sighting = NightSighting(
            report_id=report.id,
            kind=kind,
            count=item["count"],
            geom=from_shape(point, srid=4326),
            observation_id=observation.id,
        )
        db.session.add(sighting)
        audit.record_create(sighting, "nw_sighting")
        lines += 1
    return lines


def load(seed: int) -> tuple[int, int]:
    """Load the demo groups, the calendar of this year and the last, shifts and reports; return (shifts, lines)."""
    rng = random.Random(seed)
    association, volunteers = _groups()
    today = local_now().date()
    events = _events(today.year - 1) + [e for e in _events(today.year) if e.starts_on.year == today.year]
    events = sorted({e.id: e for e in events}.values(), key=lambda e: e.starts_on)
    labels = dict(db.session.execute(select(Category.code, Category.label_sv)).all())
    shifts = lines = 0
    for index, event in enumerate(events):
        groups = (association, volunteers) if event.kind == "event" else (association,)
        for number, group in enumerate(groups):
            route = ROUTES[(index + number) % len(ROUTES)]
            shift = _shift(rng, group, event, route)
            shifts += 1
            if event.ends_on < today:
                lines += _report(rng, shift, route, labels)
    db.session.commit()
    return shifts, lines


def _loaded() -> bool:
    """Real shifts exist (never touched), or the demo is loaded with its reports' observations intact."""
    real = db.session.scalar(select(func.count()).select_from(NightShift).where(NightShift.demo.is_(False)))
    landed = db.session.scalar(
        select(func.count())
        .select_from(NightSighting)
        .join(Observation, Observation.id == NightSighting.observation_id)
    )
    return bool(real or landed)


def load_if_missing(seed: int) -> str:
    """Load the demo night walks unless they (or real shifts) exist; demo shifts whose observations went with the
    places (a reloaded place demo) are loaded afresh. Return what was done, for the command's output."""
    if _loaded():
        return ""
    db.session.execute(delete(NightShift).where(NightShift.demo.is_(True)))
    shifts, lines = load(seed)
    return _(
        "Loaded demo night walks: %(shifts)d shifts and %(lines)d report lines, which are now observations.",
        shifts=shifts,
        lines=lines,
    )
