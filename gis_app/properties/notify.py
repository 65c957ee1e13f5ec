"""E-mails to responsible parties: a measure agreed with them, and a measure past its deadline. Each is sent once
per measure and state (the notice row is claimed before sending and kept only when the server took the message), so
the daily `gis-app measure-reminders` can run any number of times."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy.dialects.postgresql import insert

from gis_app.core.clock import local_now
from gis_app.core.mail import MAIL_ERRORS, mail_configured, send_mail
from gis_app.extensions import db
from gis_app.inventory.labels import MEASURE_TYPE_LABELS as TYPE_LABELS
from gis_app.inventory.labels import label
from gis_app.properties import queries
from gis_app.properties.models import MeasureNotice, VisitMeasure


@dataclass
class ReminderResult:
    assigned: int = 0
    overdue: int = 0
    failed: int = 0


def _lines(agreed: VisitMeasure) -> list[str]:
    # Swedish, like the inventory's measures: the parties are the municipality's partners.
    measure, prop = agreed.measure, _property(agreed)
    return [
        f"Fastighet: {prop.name} ({prop.ref})",
        f"Åtgärd: {label(TYPE_LABELS, measure.measure_type, 'sv')}",
        f"Beskrivning: {measure.description or '–'}",
        f"Ansvarig: {measure.responsible_name or '–'}",
        f"Senast klar: {measure.due_on:%Y-%m-%d}" if measure.due_on else "Senast klar: –",
    ]


def _property(agreed: VisitMeasure):
    from gis_app.properties.models import SiteVisit  # noqa: PLC0415  (the visit holds the property)

    return db.session.get_one(SiteVisit, agreed.visit_id).property


def assigned_message(agreed: VisitMeasure) -> tuple[str, str]:
    """Subject and body of the e-mail saying a measure was assigned."""
    prop = _property(agreed)
    body = "\n".join(
        [
            "Hej,",
            "",
            "vid platsbesöket med fastighetsägaren kom vi överens om en åtgärd som ni ansvarar för.",
            "",
            *_lines(agreed),
            "",
            "Meddela kommunens trygghetssamordnare när åtgärden är klar.",
        ]
    )
    return f"Ny åtgärd att utföra: {prop.name}", body


def overdue_message(agreed: VisitMeasure) -> tuple[str, str]:
    """Subject and body of the reminder that a measure is past its deadline."""
    prop = _property(agreed)
    body = "\n".join(
        [
            "Hej,",
            "",
            "en åtgärd som ni ansvarar för är inte klar fast tidsfristen har gått ut.",
            "",
            *_lines(agreed),
            "",
            "Meddela kommunens trygghetssamordnare när åtgärden är klar, eller när den kan bli det.",
        ]
    )
    return f"Påminnelse: åtgärd försenad – {prop.name}", body


def _send_once(agreed: VisitMeasure, kind: str, due: date, message) -> bool | None:
    """Claim the notice, send, keep the claim only if sent. True sent, False failed, None already sent."""
    claimed = db.session.execute(
        insert(MeasureNotice)
        .values(measure_id=agreed.measure_id, kind=kind, due_on=due, recipient=agreed.responsible_email)
        .on_conflict_do_nothing(constraint="uq_property_measure_notice_state")
        .returning(MeasureNotice.id)
    ).scalar()
    if claimed is None:
        db.session.rollback()
        return None
    subject, body = message(agreed)
    try:
        send_mail(str(agreed.responsible_email), subject, body)
    except MAIL_ERRORS as error:
        db.session.rollback()
        current_app.logger.warning("e-mail about measure %s not sent: %s", agreed.measure_id, error)
        return False
    db.session.commit()
    return True


def announce(agreed: VisitMeasure) -> bool:
    """E-mail the responsible party that the measure is theirs; False when it could not be sent now (the daily
    reminder run tries again)."""
    if not agreed.responsible_email or not mail_configured():
        return False
    due = agreed.measure.due_on or local_now().date()
    return bool(_send_once(agreed, "assigned", due, assigned_message))


def send_reminders(today: date | None = None) -> ReminderResult:
    """Send what is due: assignments not e-mailed yet, and one reminder per measure per passed deadline."""
    today = today or local_now().date()
    result = ReminderResult()
    for agreed in queries.unannounced():
        sent = _send_once(agreed, "assigned", agreed.measure.due_on or today, assigned_message)
        result.assigned += sent is True
        result.failed += sent is False
    for agreed in queries.overdue_unreminded(today):
        sent = _send_once(agreed, "overdue", agreed.measure.due_on, overdue_message)
        result.overdue += sent is True
        result.failed += sent is False
    return result
