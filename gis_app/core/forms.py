"""Form pieces every feature shares."""

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from gis_app.core.validation import InvalidInput
from gis_app.errors import AppError

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ConfirmForm(FlaskForm):
    """Only a CSRF token: for the buttons that change one thing (close a year, revoke a token, mark a task done)."""


def page_locale() -> str:
    """The language of this page ('sv' or 'en'), for labels that come from the database."""
    return str(get_locale() or "sv")


def forms_only() -> None:
    """A blueprint's before_request for pages that take HTML forms only (Flask-WTF chokes on other bodies)."""
    if request.method == "POST" and request.mimetype not in FORM_TYPES:
        raise AppError(_("Send this as a form."), status=415, code="UnsupportedMediaType")


def form_status(form) -> int:
    """400 when the form shows errors, else 200."""
    return 400 if form.errors else 200


def show_errors(form, error: AppError) -> None:
    """Put a service's refusal next to the fields it names (or the form's first visible field)."""
    pairs = error.errors if isinstance(error, InvalidInput) else [(error.field, error.message)]
    visible = [field for field in form if field.type not in ("CSRFTokenField", "HiddenField")]
    for name, message in pairs:
        field = form._fields.get(name) or visible[0]
        field.errors = [*field.errors, message]
