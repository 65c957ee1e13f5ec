"""Demo police visits: evening and night visits to the highest-priority places, reproducible from the seed."""

import random
import uuid
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from gis_app.auth import audit
from gis_app.auth.models import User
from gis_app.core.clock import local_now, local_zone
from gis_app.extensions import db
from gis_app.outreach import service
from gis_app.outreach.models import FollowUpTask, OutreachVisit

DEMO_OFFICER = "polis@demo.example"  # gis_app/auth/demo.py's police login, when demo mode made it
NOTES = (
    "Lugnt, några ungdomar i samtal.",
    "Grupp med alkohol, samtal och information.",
    "Ingen på plats.",
    "Tre unga personer, kontakt tagen, föräldrar kontaktade.",
    "Berusad person hjälpt hem.",
    "Trasig belysning vid entrén noterad.",
)
FOLLOW_UPS = ("Trasig belysning vid entrén: kontakta fastighetsägaren.", "Buskage skymmer sikten mot gångvägen.")


def visit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutreachVisit))


def load(seed: int, places: int = 12) -> tuple[int, int]:
    """Log demo visits to the top `places` places over the last eight weeks; return (visits, tasks)."""
    rng = random.Random(seed)
    officer = db.session.scalar(select(User).where(User.email == DEMO_OFFICER))
    today = local_now().date()
    visits = tasks = 0
    for ranked in service.rank()[:places]:
        for _visit in range(rng.randint(1, 3)):
            day = today - timedelta(days=rng.randint(1, 56))
            at = datetime.combine(day, time(rng.choice((19, 20, 21, 22, 23)), rng.randint(0, 59)), local_zone())
            follow_up = rng.random() < 0.15
            visit = OutreachVisit(
                client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                place_id=ranked.candidate.place_id,
                officer_id=officer.id if officer else None,
                visited_at=at,
                contacts=rng.randint(0, 6),
                notes=rng.choice(NOTES),
                follow_up=follow_up,
            )
            db.session.add(visit)
            db.session.flush()
            audit.record("create", "outreach_visit", visit.id, None, audit.snapshot(visit))
            visits += 1
            if follow_up:
                task = FollowUpTask(visit_id=visit.id, place_id=visit.place_id, description=rng.choice(FOLLOW_UPS))
                db.session.add(task)
                db.session.flush()
                audit.record("create", "outreach_task", task.id, None, audit.snapshot(task))
                tasks += 1
    db.session.commit()
    return visits, tasks


def load_if_missing(seed: int) -> str:
    """Load the demo visits unless a visit exists; return what was done, for the command's output."""
    if visit_count():
        return ""
    visits, tasks = load(seed)
    return _("Loaded %(visits)d demo police visits and %(tasks)d follow-up tasks.", visits=visits, tasks=tasks)
