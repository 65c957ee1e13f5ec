"""The report to citizens: draft it from the data, approve it (municipality and police), publish it, supersede it;
the promise's indicators and hand-entered values; photos approved for publication. Every step is audited."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask import has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from gis_app.auth import audit
from gis_app.core.db import find, get_or_404, transaction
from gis_app.core.inputs import parse_date
from gis_app.core.validation import INVALID, Problems, check_text
from gis_app.errors import AppError, NotFound
from gis_app.extensions import db
from gis_app.inventory.models import MeasurePhoto
from gis_app.promise import queries
from gis_app.promise.models import APPROVER_KINDS, IndicatorValue, PromiseIndicator, PublicationPhoto, PublicReport

TITLE_MAX = 200
INTRO_MAX = 5000
NOTE_MAX = 1000
MAX_PERIOD_DAYS = 800  # a report covers half a year, or at most the two years of a promise
# Which of the report's tables each computed indicator speaks for: the table is printed under the first promise
# that has such an indicator, so the report reads promise by promise.
SECTION_OF_SOURCE = {
    "places_reported": "places",
    "places_remediated": "places",
    "measures_done": "measures",
    "lighting_measures_done": "measures",
    "vandalism_measures_done": "measures",
    "walks_held": "walks",
    "outreach_visits": "outreach",
}
SECTIONS = ("places", "measures", "walks", "outreach")
# A district with fewer police outreach visits than this is shown as "fewer than 3": a count of one or two visits
# in a small district, read against other sources, could tell when and where the police went.
SMALL_VISIT_COUNT = 3


def half_year(day: date) -> tuple[date, date]:
    """The last complete half-year before `day` (what a planner usually reports on)."""
    if day.month > 6:
        return date(day.year, 1, 1), date(day.year, 6, 30)
    return date(day.year - 1, 7, 1), date(day.year - 1, 12, 31)


def check_period(starts_on, ends_on, problems: Problems) -> tuple:
    """Two ISO dates, the second not before the first, at most MAX_PERIOD_DAYS apart."""
    parsed = []
    for name, raw in (("starts_on", starts_on), ("ends_on", ends_on)):
        try:
            parsed.append(parse_date(raw))
        except (TypeError, ValueError):
            problems.add(name, _("must be a date (YYYY-MM-DD)"))
            parsed.append(INVALID)
    first, last = parsed
    if INVALID not in parsed and not first <= last <= first + timedelta(days=MAX_PERIOD_DAYS):
        problems.add("ends_on", _("must be after the start, at most %(days)d days later", days=MAX_PERIOD_DAYS))
        return INVALID, INVALID
    return first, last


# --- the indicators and the snapshot of figures ----------------------------------------------------------------------


def _number(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def indicator_value(indicator: PromiseIndicator, starts_on: date, ends_on: date) -> dict:
    """The indicator's value over the period: computed from the data, or the latest value entered by hand."""
    if indicator.source == "manual":
        entered = queries.manual_value(indicator, starts_on, ends_on)
        return {
            "value": _number(entered.value) if entered else None,
            "note": entered.note if entered else None,
            "measured_on": entered.measured_on.isoformat() if entered else None,
        }
    return {"value": queries.COMPUTED[indicator.source](starts_on, ends_on), "note": None, "measured_on": None}


def _promise_content(promise, starts_on: date, ends_on: date, claimed: set) -> dict:
    indicators = [
        {
            "label": i.label,
            "source": i.source,
            "unit": i.unit,
            "target": _number(i.target),
            **indicator_value(i, starts_on, ends_on),
        }
        for i in promise.indicators
    ]
    sections = []
    for indicator in promise.indicators:
        section = SECTION_OF_SOURCE.get(indicator.source)
        if section and section not in claimed:
            claimed.add(section)
            sections.append(section)
    return {
        "title": promise.title,
        "description": promise.description,
        "owner": promise.owner,
        "period": promise.period.title,
        "activities": [a.description for a in promise.activities],
        "indicators": indicators,
        "sections": sections,
    }


def suppress_small_counts(rows: list[dict], threshold: int = SMALL_VISIT_COUNT) -> list[dict]:
    """Outreach rows with small counts hidden before they are stored (the published report keeps only this).

    A district with fewer than `threshold` visits loses its figures ("small"). When exactly one district is hidden,
    the next smallest is hidden too ("secondary"), so the total minus the shown rows never gives its count.
    """
    small = {index for index, row in enumerate(rows) if row["visits"] < threshold}
    if len(small) == 1 and len(rows) > 1:
        others = sorted((row["visits"], index) for index, row in enumerate(rows) if index not in small)
        secondary = {others[0][1]}
    else:
        secondary = set()
    hidden = []
    for index, row in enumerate(rows):
        reason = "small" if index in small else "secondary" if index in secondary else None
        if reason:
            row = {"district": row["district"], "visits": None, "contacts": None}
        hidden.append({**row, "suppressed": reason})
    return hidden


def build_content(starts_on: date, ends_on: date) -> dict:
    """Every figure of the report over the period, as JSON; a published report keeps exactly this."""
    claimed: set[str] = set()
    promises = [
        _promise_content(p, starts_on, ends_on, claimed)
        for period in queries.periods_overlapping(starts_on, ends_on)
        for p in period.promises
    ]
    return {
        "totals": {source: compute(starts_on, ends_on) for source, compute in queries.COMPUTED.items()},
        "promises": promises,
        "other_sections": [section for section in SECTIONS if section not in claimed],
        "places": queries.places_by_district_category(starts_on, ends_on),
        "measures": queries.measures_by_type(starts_on, ends_on),
        "walks": queries.walks_by_district(starts_on, ends_on),
        "outreach": suppress_small_counts(queries.outreach_by_district(starts_on, ends_on)),
        "photos": queries.published_photos(starts_on, ends_on),
        "map": queries.remediated_points(starts_on, ends_on),
        # Night-walk shifts per district (gis_app/nightwalks): never a group or a name; printed only when there are any.
        "night_walks": queries.night_walks_by_district(starts_on, ends_on) or None,
    }


# --- the report's life: draft, approve, publish, supersede ----------------------------------------------------------


def get_report(report_id: int) -> PublicReport:
    return get_or_404(PublicReport, report_id, _("No report %(id)s.", id=report_id))


def get_published(report_id: int) -> PublicReport:
    report = find(PublicReport, report_id)
    if report is None or not report.is_published:
        raise NotFound(_("No published report %(id)s.", id=report_id))
    return report


def _user_id():
    """The user behind this request (none outside requests, e.g. CLI commands and the demo loader)."""
    return current_user.id if has_request_context() and current_user.is_authenticated else None


def new_draft(title, starts_on, ends_on, intro=None, supersedes_id: int | None = None) -> PublicReport:
    """Draft a report over the period from the data (or a new version of a published one); audit; commit."""
    problems = Problems()
    title = check_text(title, "title", TITLE_MAX, problems, required=True)
    intro = check_text(intro, "intro", INTRO_MAX, problems)
    first, last = check_period(starts_on, ends_on, problems)
    if supersedes_id is not None:
        earlier = db.session.get(PublicReport, supersedes_id)
        if earlier is None or not earlier.is_published or earlier.superseded_by_id:
            problems.add("supersedes", _("only a published report that is not yet superseded can be replaced"))
    problems.raise_any()
    report = PublicReport(
        title=title,
        intro=intro,
        starts_on=first,
        ends_on=last,
        supersedes_id=supersedes_id,
        content=build_content(first, last),
        created_by_id=_user_id(),
    )
    with transaction():
        db.session.add(report)
        audit.record_create(report, "public_report")
    return report


def _editable(report_id: int) -> PublicReport:
    report = get_report(report_id)
    if report.is_published:
        raise AppError(
            _("A published report is never edited: draft a new version that supersedes it."),
            status=409,
            code="Conflict",
        )
    return report


def _withdraw_approvals(report: PublicReport) -> None:
    """Approvals are of what was shown: any change sends the draft back for both approvals."""
    report.status = "draft"
    report.municipality_approved_by_id = report.municipality_approved_at = None
    report.police_approved_by_id = report.police_approved_at = None


def update_draft(report_id: int, title, intro) -> PublicReport:
    """Change a draft's title and introduction (its approvals are withdrawn); audit; commit."""
    report = _editable(report_id)
    problems = Problems()
    title = check_text(title, "title", TITLE_MAX, problems, required=True)
    intro = check_text(intro, "intro", INTRO_MAX, problems)
    problems.raise_any()
    before = audit.snapshot(report)
    with transaction():
        report.title, report.intro = title, intro
        _withdraw_approvals(report)
        audit.record("update", "public_report", report.id, before, audit.stored(report))
    return report


def refresh_draft(report_id: int) -> PublicReport:
    """Draft the figures again from today's data (its approvals are withdrawn); audit; commit."""
    report = _editable(report_id)
    before = audit.snapshot(report)
    with transaction():
        report.content = build_content(report.starts_on, report.ends_on)
        report.drafted_at = func.now()
        _withdraw_approvals(report)
        audit.record("update", "public_report", report.id, before, audit.stored(report))
    return report


def approve(report_id: int, user) -> PublicReport:
    """Approve as the user's organisation (the municipality or the police), once per side; audit; commit."""
    report = _editable(report_id)
    side = APPROVER_KINDS.get(user.organisation.kind)
    if side is None:
        raise AppError(
            _("Only a user of the municipality or of the police may approve a report."), status=403, code="Forbidden"
        )
    if getattr(report, f"{side}_approved_at") is not None:
        raise AppError(_("This report is already approved for your organisation."), status=409, code="Conflict")
    before = audit.snapshot(report)
    with transaction():
        setattr(report, f"{side}_approved_by_id", user.id)
        setattr(report, f"{side}_approved_at", func.now())
        other = "police" if side == "municipality" else "municipality"
        if getattr(report, f"{other}_approved_at") is not None:
            report.status = "approved"
        audit.record("update", "public_report", report.id, before, audit.stored(report))
    return report


def publish(report_id: int) -> PublicReport:
    """Publish an approved report; the report it supersedes is marked so. Audit both; commit."""
    report = _editable(report_id)
    if report.status != "approved":
        raise AppError(
            _("A report is published only after one municipality user and one police user approved it."),
            status=409,
            code="Conflict",
        )
    before = audit.snapshot(report)
    with transaction():
        report.status = "published"
        report.published_at = func.now()
        report.published_by_id = _user_id()
        audit.record("update", "public_report", report.id, before, audit.stored(report))
        if report.supersedes_id:
            _mark_superseded(report.supersedes_id, report.id)
    return report


def _mark_superseded(earlier_id: int, later_id: int) -> None:
    earlier = db.session.get(PublicReport, earlier_id, with_for_update=True)
    if earlier.superseded_by_id is not None:
        raise AppError(_("That report was superseded already."), status=409, code="Conflict")
    before = audit.snapshot(earlier)
    earlier.superseded_by_id = later_id
    earlier.superseded_at = func.now()
    audit.record("update", "public_report", earlier.id, before, audit.stored(earlier))


def delete_draft(report_id: int) -> None:
    """Throw a draft away (a published report stays for ever); audit; commit."""
    report = _editable(report_id)
    before = audit.snapshot(report)
    with transaction():
        db.session.delete(report)
        audit.record("delete", "public_report", report_id, before, None)


# --- photos approved for publication --------------------------------------------------------------------------------


def set_photo_approval(measure_photo_id: int, approved: bool) -> None:
    """Approve a measure's photo for the public report, or withdraw it (it disappears at once); audit; commit."""
    link = db.session.get(MeasurePhoto, measure_photo_id)
    if link is None:
        raise NotFound(_("No photo %(id)s.", id=measure_photo_id))
    current = db.session.get(PublicationPhoto, measure_photo_id)
    with transaction():
        if approved and current is None:
            approval = PublicationPhoto(measure_photo_id=measure_photo_id, approved_by_id=_user_id())
            db.session.add(approval)
            audit.record("create", "publication_photo", measure_photo_id, None, audit.stored(approval))
        elif not approved and current is not None:
            audit.record("delete", "publication_photo", measure_photo_id, audit.snapshot(current), None)
            db.session.delete(current)


# --- hand-entered indicator values ----------------------------------------------------------------------------------


def get_indicator(indicator_id: int) -> PromiseIndicator:
    return get_or_404(PromiseIndicator, indicator_id, _("No indicator %(id)s.", id=indicator_id))


def _decimal(raw, problems: Problems):
    try:
        value = Decimal(str(raw).strip().replace(",", ".").replace(" ", ""))
    except (InvalidOperation, TypeError):
        value = None
    if value is None or not value.is_finite() or abs(value) >= Decimal("1e12"):
        problems.add("value", _("must be a number"))
        return INVALID
    return value.quantize(Decimal("0.01"))


def enter_value(indicator_id: int, measured_on, value, note) -> IndicatorValue:
    """Record a value of a hand-entered indicator (one per date: a second one replaces it); audit; commit."""
    indicator = get_indicator(indicator_id)
    problems = Problems()
    if indicator.source != "manual":
        problems.add("value", _("this indicator is computed from the data"))
    try:
        day = parse_date(measured_on)
    except (TypeError, ValueError):
        problems.add("measured_on", _("must be a date (YYYY-MM-DD)"))
    number = _decimal(value, problems)
    note = check_text(note, "note", NOTE_MAX, problems)
    problems.raise_any()
    entry = db.session.scalar(
        select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id, IndicatorValue.measured_on == day)
    )
    before = audit.snapshot(entry) if entry else None
    with transaction():
        if entry is None:
            entry = IndicatorValue(indicator_id=indicator.id, measured_on=day)
            db.session.add(entry)
        entry.value, entry.note, entry.entered_by_id = number, note, _user_id()
        after = audit.stored(entry)
        audit.record("update" if before else "create", "promise_indicator_value", entry.id, before, after)
    return entry
