"""Citizens' reports: check and store one (held for review), and the planner's three ways to close it."""

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from gis_app.auth import audit
from gis_app.citizens.models import DISMISS_REASONS, CitizenReport, CitizenReportPhoto
from gis_app.core.db import transaction
from gis_app.core.validation import INVALID, Problems, check_code, check_text
from gis_app.errors import AppError, NotFound
from gis_app.extensions import db
from gis_app.photos.service import save_photo
from gis_app.places import service as places
from gis_app.places.importer import load_rules
from gis_app.places.models import TIMES_OF_DAY, Observation, Place
from gis_app.places.queries import category_codes

TEXT_MAX = 2000
ADDRESS_MAX = 300
CONTACT_MAX = 200
NOTE_MAX = 2000
# No 0/O or 1/I/L: a reference is read aloud on the phone and typed from paper.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass
class ReportInput:
    """What a citizen (or an Open311 client) sent, before it is checked."""

    category: object = None
    text: object = None
    time_of_day: object = None
    lon: object = None
    lat: object = None
    address_label: object = None
    name: object = None
    contact: object = None
    consent: bool = False


def new_reference() -> str:
    """A random reference such as K7QF-M3XP (40 bits), so nobody can walk through other people's reports."""
    letters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def normalise_reference(value: str) -> str:
    """Accept a reference typed in lower case, with spaces or without its dash."""
    letters = "".join(ch for ch in (value or "").upper() if ch.isalnum())[:8]
    return f"{letters[:4]}-{letters[4:]}" if len(letters) == 8 else letters


def _coordinate(value, name: str, low: float, high: float, problems: Problems):
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        problems.add(name, _("choose the place on the map or search for an address"))
        return INVALID
    if not low <= number <= high:
        problems.add(name, _("must be between %(low)s and %(high)s", low=low, high=high))
        return INVALID
    return number


def _point(given: ReportInput, problems: Problems):
    lon = _coordinate(given.lon, "lon", -180, 180, problems)
    lat = _coordinate(given.lat, "lat", -90, 90, problems)
    if lon is INVALID or lat is INVALID:
        return INVALID
    point = Point(lon, lat)
    rules = load_rules()
    if not rules.inside(point):
        problems.add("lon", rules.outside_reason)
        return INVALID
    return point


def report_values(given: ReportInput) -> dict:
    """Check every field; return the report's column values, or raise InvalidInput naming each wrong field."""
    problems = Problems()
    values = {
        "category_code": check_code(given.category, "category", category_codes(), problems),
        "text": check_text(given.text, "text", TEXT_MAX, problems, required=True),
        "time_of_day": check_code(given.time_of_day, "time_of_day", TIMES_OF_DAY, problems, required=False),
        "address_label": check_text(given.address_label, "address", ADDRESS_MAX, problems),
        "reporter_name": check_text(given.name, "name", CONTACT_MAX, problems),
        "reporter_contact": check_text(given.contact, "contact", CONTACT_MAX, problems),
        "geom": _point(given, problems),
    }
    wants_contact = values["reporter_name"] not in (None, INVALID) or values["reporter_contact"] not in (None, INVALID)
    if wants_contact and not given.consent:
        problems.add("consent", _("tick the box to agree that we store your contact details, or leave them empty"))
    problems.raise_any()
    values["contact_consent"] = wants_contact
    values["geom"] = from_shape(values["geom"], srid=4326)
    return values


def _check_photo_count(photos: list) -> None:
    limit = current_app.config["CITIZEN_MAX_PHOTOS"]
    if len(photos) > limit:
        raise AppError(_("At most %(count)d photos.", count=limit), field="photos", status=400)


def submit_report(
    given: ReportInput, photos=(), channel: str = "web", pow_nonce: str | None = None, token_id: int | None = None
) -> CitizenReport:
    """Store a report for review (never shown to the public as it is); audit it; commit."""
    photos = [photo for photo in photos if photo and getattr(photo, "filename", True)]
    _check_photo_count(photos)
    values = report_values(given)
    if pow_nonce and db.session.scalar(select(CitizenReport.id).where(CitizenReport.pow_nonce == pow_nonce)):
        raise AppError(_("This check was used already: confirm again."), field="altcha", status=400)
    report = CitizenReport(reference=new_reference(), channel=channel, pow_nonce=pow_nonce, token_id=token_id, **values)
    with transaction():
        db.session.add(report)
        db.session.flush()
        for photo in photos:
            stored = save_photo(photo.stream if hasattr(photo, "stream") else photo, field="photos")
            db.session.merge(CitizenReportPhoto(report_id=report.id, photo_id=stored.id))
        audit.record_create(report, "citizen_report")
    return report


# --- moderation -----------------------------------------------------------------------------------------------------


def get_report(report_id: int) -> CitizenReport:
    report = db.session.get(CitizenReport, report_id)
    if report is None:
        raise NotFound(_("No report %(id)s.", id=report_id))
    return report


def find_by_reference(reference: str) -> CitizenReport | None:
    return db.session.scalar(select(CitizenReport).where(CitizenReport.reference == normalise_reference(reference)))


def mark_opened(report: CitizenReport) -> None:
    """The first time a planner opens a report, its citizen sees 'under review'."""
    if report.status != "received":
        return
    before = audit.snapshot(report)
    with transaction():
        report.status = "under_review"
        report.opened_at = func.now()
        audit.record("update", "citizen_report", report.id, before, audit.stored(report))


def _open_report(report_id: int) -> CitizenReport:
    report = get_report(report_id)
    if not report.is_open:
        raise AppError(_("This report has been handled already."), status=409, code="Conflict")
    return report


def _observation(report: CitizenReport, place: Place, publish_text: bool) -> Observation:
    """The report's text as an observation of the place; its text is public only if the planner said so."""
    observation = Observation(
        place_id=place.id,
        source_code="citizen_report",
        text=report.text,
        reviewed=publish_text,
        observed_at=report.created_at,
        geom=report.geom,
        reporter_name=report.reporter_name,
        reporter_contact=report.reporter_contact,
        created_by_id=current_user.id if current_user.is_authenticated else None,
    )
    db.session.add(observation)
    return observation


def _close(report: CitizenReport, status: str, before: dict, **values) -> None:
    for key, value in values.items():
        setattr(report, key, value)
    report.status = status
    report.reviewed_at = func.now()
    report.reviewed_by_id = current_user.id if current_user.is_authenticated else None
    audit.record("update", "citizen_report", report.id, before, audit.stored(report))


def merge_into_place(report_id: int, place_id: int, publish_text: bool) -> CitizenReport:
    """Add the report to an existing place as an observation; audit both; commit."""
    report = _open_report(report_id)
    place = places.get_place(place_id)
    before = audit.snapshot(report)
    with transaction():
        observation = _observation(report, place, publish_text)
        audit.record_create(observation, "observation")
        _close(report, "merged", before, place_id=place.id, observation_id=observation.id)
    return report


def create_place_from(report_id: int, title, publish_text: bool) -> CitizenReport:
    """Make a new place at the report's position, with the report as its first observation; audit; commit."""
    report = _open_report(report_id)
    problems = Problems()
    checked = check_text(title, "title", places.TITLE_MAX, problems, required=True)
    problems.raise_any()
    before = audit.snapshot(report)
    place = Place(
        title=checked,
        category_code=report.category_code,
        time_of_day=report.time_of_day,
        geom=from_shape(to_shape(report.geom), srid=4326),
    )
    with transaction():
        db.session.add(place)
        audit.record_create(place, "place")
        observation = _observation(report, place, publish_text)
        audit.record_create(observation, "observation")
        _close(report, "created", before, place_id=place.id, observation_id=observation.id)
    return report


def dismiss(report_id: int, reason, note) -> CitizenReport:
    """Close a report without a place, with one of the fixed reasons (shown to the citizen) and a staff note."""
    report = _open_report(report_id)
    problems = Problems()
    reason = check_code(reason, "reason", DISMISS_REASONS, problems)
    note = check_text(note, "note", NOTE_MAX, problems)
    problems.raise_any()
    before = audit.snapshot(report)
    with transaction():
        _close(report, "dismissed", before, dismiss_reason=reason, dismiss_note=note)
    return report
