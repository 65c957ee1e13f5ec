"""Demo logins, one per role, for a demonstration installation (GIS_APP_DEMO_MODE only; never in production).

The logins are fixed, so whoever runs `make run` can try every role at once; `gis-app demo-data` prints them
when it creates them.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from gis_app.auth import audit
from gis_app.auth.models import Organisation, User
from gis_app.auth.service import find_user, user_snapshot
from gis_app.extensions import db

DEMO_PASSWORD = "trygghet-demo"
# (email, role, organisation): police belong to the police, staff to the municipality, and the outside accounts to
# the demo property owner and night-walk association (the same names as gis_app/properties and nightwalks demos).
DEMO_OWNER = "Storsjöbygdens Fastigheter AB (demo)"
DEMO_ASSOCIATION = "Nattvandrarna Östersund (demo)"
DEMO_USERS = (
    ("falt@demo.example", "field_staff", "Kommunen"),
    ("planerare@demo.example", "planner", "Kommunen"),
    ("polis@demo.example", "police", "Polisen"),
    ("admin@demo.example", "admin", "Kommunen"),
    ("sakerhet@demo.example", "security", "Kommunen"),
    ("agare@demo.example", "property_owner", DEMO_OWNER),
    ("nattvandrare@demo.example", "association", DEMO_ASSOCIATION),
)
ORGANISATION_KINDS = {"Kommunen": "kommun", "Polisen": "polis", DEMO_OWNER: "other", DEMO_ASSOCIATION: "other"}


def _organisation(name: str) -> Organisation:
    """The organisation of that name, created if missing (the migration normally made it)."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(name=name, kind=ORGANISATION_KINDS[name])
        db.session.add(organisation)
        db.session.flush()
    return organisation


def create_demo_users() -> list[str]:
    """Create the demo users that do not exist yet (an existing one is left as it is); return the new emails."""
    created = []
    for email, role, organisation in DEMO_USERS:
        if find_user(email):
            continue
        user = User(
            email=email, role=role, organisation_id=_organisation(organisation).id, active=True, failed_logins=0
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
        audit.record("create", "user", user.id, None, user_snapshot(user))
        created.append(email)
    db.session.commit()
    return created


def load() -> str:
    """Create the missing demo users and say what was done."""
    created = create_demo_users()
    if not created:
        return _("The demo users exist already.")
    return _(
        "Created the demo users %(emails)s with the password %(password)s.",
        emails=", ".join(created),
        password=DEMO_PASSWORD,
    )
