"""E-mails to responsible parties, received by a local aiosmtpd server: a measure agreed at a site visit, and the
daily `gis-app measure-reminders` (once per measure and passed deadline, however often it runs)."""

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from gis_app.core.clock import local_now
from gis_app.extensions import db
from gis_app.inventory import service as inventory_service
from gis_app.properties import service
from gis_app.properties.models import MeasureNotice
from tests.factories import csrf_token, make_place, make_user
from tests.helpers import free_port
from tests.test_properties import log_in, make_owner, open_this_year, register

RESPONSIBLE = "forvaltare@example.se"


class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(app):
    """A local SMTP server the app is configured to use for this test."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "MAIL_FROM")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="trygghet@ostersund.example")
    yield inbox
    app.config.update(saved)
    controller.stop()


@pytest.fixture
def visit(app_context):
    make_place(title="Mörk skolgård")
    open_this_year()
    prop = register(make_owner())
    return service.create_visit(
        prop.id, {"visited_on": local_now().date(), "participants": "Ägaren", "findings": "Mörkt"}
    )


def _agree(visit, due_in_days: int):
    return service.agree_measure(
        visit.id,
        {
            "measure_type": "vegetation",
            "description": "Röj buskaget vid entrén",
            "responsible": "property_owner",
            "responsible_name": "Storsjö Fastigheter AB",
            "responsible_email": RESPONSIBLE,
            "due_on": local_now().date() + timedelta(days=due_in_days),
        },
    )


def _notices() -> int:
    return db.session.scalar(select(func.count()).select_from(MeasureNotice))


def test_the_responsible_party_gets_an_email_when_a_measure_is_agreed(app, smtp, visit):
    security = log_in(app, make_user("security"))
    url = f"/properties/visits/{visit.id}"
    due = (local_now().date() + timedelta(days=14)).isoformat()
    response = security.post(
        f"{url}/measures",
        data={
            "csrf_token": csrf_token(security, url),
            "measure_type": "lighting",
            "description": "Belysning vid cykelstället",
            "responsible": "property_owner",
            "responsible_name": "Storsjö Fastigheter AB",
            "responsible_email": RESPONSIBLE,
            "due_on": due,
        },
    )
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == [RESPONSIBLE] and message["To"] == RESPONSIBLE
    assert message["From"] == "trygghet@ostersund.example"
    assert message["Subject"] == "Ny åtgärd att utföra: Skolan vid torget"
    body = message.get_content()
    assert "Belysning vid cykelstället" in body and f"Senast klar: {due}" in body and "Stadsdelen 1:2" in body
    assert _notices() == 1


def test_reminders_are_sent_once_per_measure_and_passed_deadline(app, cli, smtp, visit):
    late = _agree(visit, -2)  # agreed through the service: not announced yet
    _agree(visit, 10)  # not due yet
    result = cli.invoke(args=["measure-reminders"])
    assert result.exit_code == 0, result.output
    assert "Skickade 2 e-brev om nya åtgärder och 1 påminnelser" in result.output
    subjects = [message["Subject"] for _, message in smtp.messages]
    assert subjects.count("Påminnelse: åtgärd försenad – Skolan vid torget") == 1
    assert cli.invoke(args=["measure-reminders"]).exit_code == 0  # run again the same day: nothing new
    assert len(smtp.messages) == 3
    # A new deadline that passes too is reminded once more; a done measure never again.
    measure = late.measure
    fields = {name: getattr(measure, name) for name in inventory_service.MEASURE_FIELDS}
    inventory_service.update_measure(measure.id, {**fields, "due_on": local_now().date() - timedelta(days=1)})
    assert cli.invoke(args=["measure-reminders"]).exit_code == 0
    assert len(smtp.messages) == 4
    service.follow_up(late.id, {"status": "done", "done_on": local_now().date()})
    later = (local_now().date() + timedelta(days=11)).isoformat()  # the other measure is overdue by then
    assert (
        "0 e-brev om nya åtgärder och 1 påminnelser" in cli.invoke(args=["measure-reminders", "--today", later]).output
    )
    assert cli.invoke(args=["measure-reminders", "--today", later]).exit_code == 0
    assert len(smtp.messages) == 5


def test_a_server_that_cannot_be_reached_leaves_the_email_for_the_next_run(app, cli, smtp, visit):
    port = app.config["SMTP_PORT"]
    app.config["SMTP_PORT"] = free_port()  # nobody listens there
    security = log_in(app, make_user("security"))
    url = f"/properties/visits/{visit.id}"
    response = security.post(
        f"{url}/measures",
        data={
            "csrf_token": csrf_token(security, url),
            "measure_type": "lighting",
            "description": "Ljus",
            "responsible": "property_owner",
            "responsible_email": RESPONSIBLE,
            "due_on": (local_now().date() + timedelta(days=5)).isoformat(),
        },
        follow_redirects=True,
    )
    assert response.status_code == 200 and "daglig" in response.get_data(as_text=True)
    assert _notices() == 0
    failed = cli.invoke(args=["measure-reminders"])
    assert failed.exit_code == 1 and "nästa körning" in failed.output
    app.config["SMTP_PORT"] = port
    assert cli.invoke(args=["measure-reminders"]).exit_code == 0
    assert len(smtp.messages) == 1 and _notices() == 1


def test_reminders_need_a_mail_server_and_a_real_date(app, cli, app_context):
    result = cli.invoke(args=["measure-reminders"])
    assert result.exit_code == 1 and "GIS_APP_SMTP_HOST" in result.output
    app.config["SMTP_HOST"] = "127.0.0.1"
    try:
        result = cli.invoke(args=["measure-reminders", "--today", "2026-02-30"])
    finally:
        app.config["SMTP_HOST"] = ""
    assert result.exit_code == 2 and "--today" in result.output
