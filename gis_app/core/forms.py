"""Form pieces every feature shares."""

from flask_babel import get_locale
from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """Only a CSRF token: for the buttons that change one thing (close a year, revoke a token, mark a task done)."""


def page_locale() -> str:
    """The language of this page ('sv' or 'en'), for labels that come from the database."""
    return str(get_locale() or "sv")
