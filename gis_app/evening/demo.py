"""Demo evening economy for Östersund's town centre: a Purple Flag zone, premises, taxi ranks, night buses,
toilets, lit routes, joint inspections, trainings and a self-assessment. Every row is marked as demo (the names
say so, and `demo` is set where the table has it): none of it is real. Reproducible from the seed."""

import random
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from sqlalchemy import func, select

from gis_app.areas.models import Area
from gis_app.auth import audit
from gis_app.core.clock import local_now, local_zone
from gis_app.evening import service
from gis_app.evening.labels import suggested_evidence
from gis_app.evening.models import CHECK_ITEMS, THEMES, EveningFeature, Inspection, Premises, Training
from gis_app.extensions import db

ZONE_CODE = "purple-flag-demo"
ZONE_NAME = "Östersunds centrum – Purple Flag-zon (demo)"
ZONE = Polygon([(14.6275, 63.1712), (14.6505, 63.1712), (14.6525, 63.1832), (14.6290, 63.1842)])
PREMISES = (  # (name, address, opening hours, opens, closes, lon, lat)
    ("Demo: Krogen vid Stortorget", "Stortorget 1 (demo)", "ons–lör 17–02", "17:00", "02:00", 14.6375, 63.1769),
    ("Demo: Puben på Prästgatan", "Prästgatan 20 (demo)", "dagligen 16–01", "16:00", "01:00", 14.6398, 63.1781),
    ("Demo: Nattklubb Storsjön", "Storgatan 35 (demo)", "fre–lör 22–03", "22:00", "03:00", 14.6352, 63.1792),
    ("Demo: Bistro Rådhuset", "Rådhusgatan 40 (demo)", "tis–lör 11–23", "11:00", "23:00", 14.6418, 63.1757),
    ("Demo: Vinbaren Gamla stan", "Hamngatan 8 (demo)", "ons–lör 16–00", "16:00", "00:00", 14.6330, 63.1760),
    ("Demo: Restaurang Jamtli", "Kyrkgatan 55 (demo)", "dagligen 11–22", "11:00", "22:00", 14.6450, 63.1800),
    ("Demo: Ölhallen", "Biblioteksgatan 12 (demo)", "tors–lör 15–01", "15:00", "01:00", 14.6425, 63.1738),
    ("Demo: Hotellbaren", "Prästgatan 70 (demo)", "dagligen 17–00", "17:00", "00:00", 14.6440, 63.1772),
    ("Demo: Karaokebaren", "Storgatan 12 (demo)", "fre–lör 20–02", "20:00", "02:00", 14.6345, 63.1748),
    ("Demo: Sportbaren", "Thoméegränd 3 (demo)", "dagligen 15–00", "15:00", "00:00", 14.6390, 63.1803),
)
FEATURES = (  # (kind, name, hours, state, coordinates)
    ("taxi_rank", "Taxi Stortorget (demo)", "dygnet runt", None, [(14.6368, 63.1762)]),
    ("taxi_rank", "Taxi Resecentrum (demo)", "dygnet runt", None, [(14.6330, 63.1728)]),
    ("taxi_rank", "Taxi Prästgatan norr (demo)", "fre–lör 22–04", None, [(14.6402, 63.1812)]),
    ("night_bus_stop", "Nattbuss Gågatan (demo)", "fre–lör 00:30–03:30", None, [(14.6385, 63.1775)]),
    ("night_bus_stop", "Nattbuss Busstorget (demo)", "fre–lör 00:30–03:30", None, [(14.6410, 63.1745)]),
    ("toilet", "Offentlig toalett Stortorget (demo)", "06–02", None, [(14.6380, 63.1765)]),
    ("toilet", "Offentlig toalett Badhusparken (demo)", "08–22", None, [(14.6318, 63.1785)]),
    (
        "lit_route",
        "Belyst stråk Resecentrum–Stortorget (demo)",
        None,
        "working",
        [(14.6330, 63.1728), (14.6352, 63.1745), (14.6368, 63.1762)],
    ),
    (
        "lit_route",
        "Belyst stråk Stortorget–Prästgatan norr (demo)",
        None,
        "partly",
        [(14.6368, 63.1762), (14.6390, 63.1790), (14.6402, 63.1812)],
    ),
    (
        "lit_route",
        "Belyst stråk Badhusparken (demo)",
        None,
        "broken",
        [(14.6300, 63.1770), (14.6318, 63.1785), (14.6340, 63.1800)],
    ),
)
MUNICIPALITY_STAFF = ("Alkoholhandläggare A (demo)", "Alkoholhandläggare B (demo)")
POLICE_STAFF = ("Områdespolis C (demo)", "Områdespolis D (demo)")
FOLLOW_UPS = (
    "Ny tillsyn inom sex veckor: personalen ska gå utbildningen (demo).",
    "Skriftlig redogörelse för ordningsvakter vid entrén (demo).",
)
NARRATIVES = {
    "wellbeing": "Gemensam krogtillsyn varje månad och utbildning i ansvarsfull alkoholservering (demo).",
    "movement": "Taxi och nattbuss från centrum fredag och lördag natt; belysningen längs stråken följs upp (demo).",
    "appeal": "Ett varierat utbud av restauranger, barer och en nattklubb i centrum (demo).",
    "place": "Otrygga platser i zonen inventeras varje år och åtgärdas (demo).",
    "policy_envelope": "Medborgarlöftet mellan kommunen och polisen, EST-samverkan och trygghetsvandringar (demo).",
}


def premises_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Premises)) or 0


def _zone() -> Area:
    """The first zone, or the demo zone around Stortorget (created when there is none)."""
    zone = db.session.scalar(select(Area).where(Area.kind == "zone").order_by(Area.id))
    if zone is None:
        zone = Area(kind="zone", code=ZONE_CODE, name=ZONE_NAME, geom=from_shape(MultiPolygon([ZONE]), srid=4326))
        db.session.add(zone)
        db.session.flush()
    return zone


def _premises() -> list[Premises]:
    rows = [
        {
            "licence_ref": f"DEMO-{number:03d}",
            "name": name,
            "address": address,
            "opening_hours": hours,
            "opens_at": time.fromisoformat(opens),
            "closes_at": time.fromisoformat(closes),
            "capacity": None,
            "geom": from_shape(Point(lon, lat), srid=4326),
        }
        for number, (name, address, hours, opens, closes, lon, lat) in enumerate(PREMISES, 1)
    ]
    service.write_premises(rows, demo=True)
    return list(db.session.scalars(select(Premises).where(Premises.demo.is_(True)).order_by(Premises.id)))


def _features() -> None:
    for kind, name, hours, state, coordinates in FEATURES:
        geom = LineString(coordinates) if kind == "lit_route" else Point(coordinates[0])
        feature = EveningFeature(
            kind=kind, name=name, hours=hours, state=state, demo=True, geom=from_shape(geom, srid=4326)
        )
        db.session.add(feature)
        audit.record_create(feature, "evening_feature")


def _inspections(rng: random.Random, premises: list[Premises]) -> int:
    today, count = local_now().date(), 0
    for premise in premises:
        for _inspection in range(rng.randint(0, 3)):
            day = today - timedelta(days=rng.randint(1, 420))
            at = datetime.combine(day, time(rng.choice((21, 22, 23, 0, 1)), rng.choice((0, 15, 30, 45))), local_zone())
            outcome = rng.choices(("no_remarks", "remarks", "serious"), weights=(6, 3, 1))[0]
            checks = {
                item: ("remark" if outcome != "no_remarks" and rng.random() < 0.4 else "ok") for item in CHECK_ITEMS
            }
            follow_up = rng.choice(FOLLOW_UPS) if outcome != "no_remarks" else None
            inspection = Inspection(
                premises_id=premise.id,
                inspected_at=at,
                outcome=outcome,
                follow_up=follow_up,
                municipality_staff=rng.choice(MUNICIPALITY_STAFF),
                police_staff=rng.choice(POLICE_STAFF),
                notes="Demoanteckning.",
                **checks,
                follow_up_due=day + timedelta(days=42) if follow_up else None,
            )
            db.session.add(inspection)
            audit.record_create(inspection, "evening_inspection")
            count += 1
    return count


def _trainings(rng: random.Random, premises: list[Premises]) -> None:
    this_year = local_now().year
    for held_on in (date(this_year - 1, 10, 14), date(this_year, 3, 11)):
        training = Training(
            held_on=min(held_on, local_now().date()),
            title="Ansvarsfull alkoholservering (demo)",
            trainer="Länsstyrelsen och polisen (demo)",
        )
        db.session.add(training)
        audit.record_create(training, "evening_training")
        for premise in rng.sample(premises, 4):
            db.session.commit()
            service.record_attendance(
                training.id,
                {"premises_id": premise.id, "attendees": rng.randint(1, 6), "names": "Personal vid stället (demo)"},
            )


def load(seed: int) -> tuple[int, int]:
    """Load the demo evening economy; return (premises, inspections)."""
    rng = random.Random(seed)
    zone = _zone()
    premises = _premises()
    _features()
    inspections = _inspections(rng, premises)
    db.session.commit()
    _trainings(rng, premises)
    service.save_assessment(
        zone.id,
        local_now().year,
        {
            theme: {"rating": "partly", "narrative": NARRATIVES[theme], "evidence": suggested_evidence(theme)}
            for theme in THEMES
        },
    )
    return len(premises), inspections


def load_if_missing(seed: int) -> str:
    """Load the demo evening economy unless premises exist; return what was done, for the command's output."""
    if premises_count():
        return ""
    premises, inspections = load(seed)
    return _(
        "Loaded a demo Purple Flag zone with %(premises)d premises and %(inspections)d joint inspections.",
        premises=premises,
        inspections=inspections,
    )
