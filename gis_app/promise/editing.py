"""Editing the citizen promise: periods, promises with their activities, and indicators. Planners edit everything;
the police edit promises the police own (alone or with the municipality). Every change is audited."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select

from gis_app.auth import audit
from gis_app.core.db import get_or_404, transaction
from gis_app.core.inputs import parse_date
from gis_app.core.validation import INVALID, Problems, check_code, check_text
from gis_app.errors import AppError
from gis_app.extensions import db
from gis_app.promise.models import (
    INDICATOR_SOURCES,
    OWNERS,
    IndicatorValue,
    Promise,
    PromiseActivity,
    PromiseIndicator,
    PromisePeriod,
)

PERIOD_TITLE_MAX = 200
PROMISE_TITLE_MAX = 300
DESCRIPTION_MAX = 5000
ACTIVITY_MAX = 1000
MAX_ACTIVITIES = 30
LABEL_MAX = 300
UNIT_MAX = 40
MAX_PERIOD_YEARS = 10
EDITORS = ("planner", "admin")
# Promises the police may edit: their own, and those they share with the municipality.
POLICE_OWNERS = ("police", "both")


def may_edit(owner: str, user) -> bool:
    """Planners and admins edit every promise; the police only promises they own or share."""
    return user.role in EDITORS or (user.role == "police" and owner in POLICE_OWNERS)


def _require_edit(promise: Promise, user) -> None:
    if not may_edit(promise.owner, user):
        raise AppError(
            _("The police edit only promises the police own or share."), field="owner", status=403, code="Forbidden"
        )


# --- periods --------------------------------------------------------------------------------------------------------


def get_period(period_id: int) -> PromisePeriod:
    return get_or_404(PromisePeriod, period_id, _("No promise period %(id)s.", id=period_id))


def _period_values(title, starts_on, ends_on, period_id: int | None) -> dict:
    problems = Problems()
    title = check_text(title, "title", PERIOD_TITLE_MAX, problems, required=True)
    days = {}
    for name, raw in (("starts_on", starts_on), ("ends_on", ends_on)):
        try:
            days[name] = parse_date(raw)
        except (TypeError, ValueError):
            problems.add(name, _("must be a date (YYYY-MM-DD)"))
    if len(days) == 2 and not days["starts_on"] <= days["ends_on"] <= days["starts_on"] + timedelta(
        days=366 * MAX_PERIOD_YEARS
    ):
        problems.add("ends_on", _("must be after the start, at most %(years)d years later", years=MAX_PERIOD_YEARS))
    if title not in (None, INVALID):
        same = select(PromisePeriod.id).where(PromisePeriod.title == title, PromisePeriod.id != (period_id or 0))
        if db.session.scalar(same):
            problems.add("title", _("another period has this title"))
    problems.raise_any()
    return {"title": title, **days}


def create_period(title, starts_on, ends_on) -> PromisePeriod:
    """A new promise period (a signed citizen promise and the years it covers); audit; commit."""
    period = PromisePeriod(**_period_values(title, starts_on, ends_on, None))
    with transaction():
        db.session.add(period)
        audit.record_create(period, "promise_period")
    return period


def update_period(period_id: int, title, starts_on, ends_on) -> PromisePeriod:
    """Change a period's title and dates; audit; commit."""
    period = get_period(period_id)
    values = _period_values(title, starts_on, ends_on, period.id)
    before = audit.snapshot(period)
    with transaction():
        for key, value in values.items():
            setattr(period, key, value)
        audit.record("update", "promise_period", period.id, before, audit.stored(period))
    return period


# --- promises and their activities ----------------------------------------------------------------------------------


def get_promise(promise_id: int) -> Promise:
    return get_or_404(Promise, promise_id, _("No promise %(id)s.", id=promise_id))


def _activity_lines(text, problems: Problems) -> list[str]:
    """One activity per line; empty lines are skipped."""
    checked = check_text(text, "activities", ACTIVITY_MAX * MAX_ACTIVITIES, problems)
    if checked in (None, INVALID):
        return []
    lines = [line.strip() for line in checked.splitlines() if line.strip()]
    if len(lines) > MAX_ACTIVITIES:
        problems.add("activities", _("at most %(count)d activities", count=MAX_ACTIVITIES))
    if any(len(line) > ACTIVITY_MAX for line in lines):
        problems.add("activities", _("each activity at most %(max)d characters", max=ACTIVITY_MAX))
    return lines


def _promise_values(user, title, description, owner, activities) -> tuple[dict, list[str]]:
    problems = Problems()
    values = {
        "title": check_text(title, "title", PROMISE_TITLE_MAX, problems, required=True),
        "description": check_text(description, "description", DESCRIPTION_MAX, problems),
        "owner": check_code(owner, "owner", OWNERS, problems),
    }
    if values["owner"] is not INVALID and not may_edit(values["owner"], user):
        problems.add("owner", _("the police may only make promises the police own or share"))
    lines = _activity_lines(activities, problems)
    problems.raise_any()
    return values, lines


def _set_activities(promise: Promise, lines: list[str]) -> None:
    """Make the promise's activities these lines, in order: changed ones updated, extra ones removed; audited."""
    current = list(promise.activities)
    for position, text in enumerate(lines, start=1):
        if position <= len(current):
            activity = current[position - 1]
            if activity.description != text:
                before = audit.snapshot(activity)
                activity.description = text
                audit.record("update", "promise_activity", activity.id, before, audit.stored(activity))
        else:
            activity = PromiseActivity(promise_id=promise.id, position=position, description=text)
            db.session.add(activity)
            audit.record_create(activity, "promise_activity")
    for activity in current[len(lines) :]:
        audit.record("delete", "promise_activity", activity.id, audit.snapshot(activity), None)
        db.session.delete(activity)


def create_promise(period_id: int, user, title, description, owner, activities) -> Promise:
    """A new promise at the end of the period's list, with its activities; audit; commit."""
    period = get_period(period_id)
    values, lines = _promise_values(user, title, description, owner, activities)
    last = db.session.scalar(select(func.max(Promise.position)).where(Promise.period_id == period.id)) or 0
    promise = Promise(period_id=period.id, position=last + 1, **values)
    with transaction():
        db.session.add(promise)
        audit.record_create(promise, "promise")
        _set_activities(promise, lines)
    return promise


def update_promise(promise_id: int, user, title, description, owner, activities) -> Promise:
    """Change a promise's text, owner and activities; audit; commit."""
    promise = get_promise(promise_id)
    _require_edit(promise, user)
    values, lines = _promise_values(user, title, description, owner, activities)
    before = audit.snapshot(promise)
    with transaction():
        for key, value in values.items():
            setattr(promise, key, value)
        audit.record("update", "promise", promise.id, before, audit.stored(promise))
        _set_activities(promise, lines)
    db.session.expire(promise, ["activities"])
    return promise


def delete_promise(promise_id: int, user) -> int:
    """Remove a promise with its activities, indicators and values (published reports keep their copy); audit."""
    promise = get_promise(promise_id)
    _require_edit(promise, user)
    period_id = promise.period_id
    with transaction():
        for indicator in promise.indicators:
            audit.record("delete", "promise_indicator", indicator.id, audit.snapshot(indicator), None)
        for activity in promise.activities:
            audit.record("delete", "promise_activity", activity.id, audit.snapshot(activity), None)
        audit.record("delete", "promise", promise.id, audit.snapshot(promise), None)
        db.session.delete(promise)
    return period_id


# --- indicators -----------------------------------------------------------------------------------------------------


def _target(raw, problems: Problems):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ".").replace(" ", ""))
    except (InvalidOperation, TypeError):
        value = None
    if value is None or not value.is_finite() or not 0 <= value < Decimal("1e12"):
        problems.add("target", _("must be a number, 0 or more"))
        return INVALID
    return value.quantize(Decimal("0.01"))


def _indicator_values(label, source, unit, target, indicator: PromiseIndicator | None = None) -> dict:
    problems = Problems()
    values = {
        "label": check_text(label, "label", LABEL_MAX, problems, required=True),
        "source": check_code(source, "source", INDICATOR_SOURCES, problems),
        "unit": check_text(unit, "unit", UNIT_MAX, problems),
        "target": _target(target, problems),
    }
    if indicator is not None and indicator.source == "manual" and values["source"] not in ("manual", INVALID):
        entered = select(IndicatorValue.id).where(IndicatorValue.indicator_id == indicator.id).limit(1)
        if db.session.scalar(entered):
            problems.add("source", _("values were entered by hand for this indicator: add a new indicator instead"))
    problems.raise_any()
    return values


def get_indicator(indicator_id: int) -> PromiseIndicator:
    return get_or_404(PromiseIndicator, indicator_id, _("No indicator %(id)s.", id=indicator_id))


def add_indicator(promise_id: int, user, label, source, unit, target) -> PromiseIndicator:
    """A new indicator at the end of the promise's list: computed from the data, or entered by hand; audit."""
    promise = get_promise(promise_id)
    _require_edit(promise, user)
    values = _indicator_values(label, source, unit, target)
    last = db.session.scalar(
        select(func.max(PromiseIndicator.position)).where(PromiseIndicator.promise_id == promise.id)
    )
    indicator = PromiseIndicator(promise_id=promise.id, position=(last or 0) + 1, **values)
    with transaction():
        db.session.add(indicator)
        audit.record_create(indicator, "promise_indicator")
    return indicator


def update_indicator(indicator_id: int, user, label, source, unit, target) -> PromiseIndicator:
    """Change an indicator's label, source, unit or target; audit; commit."""
    indicator = get_indicator(indicator_id)
    _require_edit(indicator.promise, user)
    values = _indicator_values(label, source, unit, target, indicator)
    before = audit.snapshot(indicator)
    with transaction():
        for key, value in values.items():
            setattr(indicator, key, value)
        audit.record("update", "promise_indicator", indicator.id, before, audit.stored(indicator))
    return indicator


def delete_indicator(indicator_id: int, user) -> int:
    """Remove an indicator and its hand-entered values; audit; commit. Returns its promise's id."""
    indicator = get_indicator(indicator_id)
    _require_edit(indicator.promise, user)
    promise_id = indicator.promise_id
    with transaction():
        for value in indicator.values:
            audit.record("delete", "promise_indicator_value", value.id, audit.snapshot(value), None)
        audit.record("delete", "promise_indicator", indicator.id, audit.snapshot(indicator), None)
        db.session.delete(indicator)
    return promise_id
