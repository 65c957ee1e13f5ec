"""Sending e-mail through the configured SMTP server (GIS_APP_SMTP_*): plain text, one recipient at a time."""

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

# What a failed delivery raises: the caller keeps the notice unsent so the next run tries again.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def mail_configured() -> bool:
    """Whether an SMTP host is set (without one nothing is sent)."""
    return bool(current_app.config.get("SMTP_HOST"))


def _header(text: str) -> str:
    # A line break in a header would start a header of the sender's choosing.
    return " ".join(str(text).split())


def build_message(recipient: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message from MAIL_FROM to the recipient."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = _header(recipient)
    message["Subject"] = _header(subject)
    message["Message-ID"] = make_msgid(domain="gis-app")
    message.set_content(body)
    return message


def send_mail(recipient: str, subject: str, body: str) -> None:
    """Deliver one message; raises one of MAIL_ERRORS when the server cannot be reached or refuses it."""
    config = current_app.config
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT_SECONDS"]) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(build_message(recipient, subject, body))
