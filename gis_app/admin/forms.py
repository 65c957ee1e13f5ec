"""Forms of the administration pages; choices that come from the database are filled in by the views."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from gis_app.auth.models import ORGANISATION_KINDS, ROLES, TOKEN_SCOPES

MIN_PASSWORD_LENGTH = 10
# Deliberately simple (no extra dependency): one @, no spaces, a dot in the domain. Delivery is the real test.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")

# One label per value of the model's tuples (a value without a label fails at import).
ROLE_LABELS = {
    "field_staff": _l("Field staff"),
    "planner": _l("Planner"),
    "police": _l("Police"),
    "admin": _l("Administrator"),
    "security": _l("Security coordinator"),
    "property_owner": _l("Property owner"),
    "association": _l("Association (night walks, volunteers)"),
}
KIND_LABELS = {"kommun": _l("Municipality"), "polis": _l("Police"), "other": _l("Other organisation")}
SCOPE_LABELS = {
    "read": _l("Read"),
    "write:places": _l("Write places"),
    "write:observations": _l("Write observations"),
    "write:reports": _l("Send citizens' reports (Open311)"),
}


def choices(pairs) -> list[SelectChoice]:
    """Options for a select from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _clean_email(value: str | None) -> str | None:
    return value.strip().lower() if value else value


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


def _email_field() -> EmailField:
    return EmailField(
        _l("Email"),
        filters=[_clean_email],
        validators=[DataRequired(), Length(max=254), Regexp(EMAIL_PATTERN, message=_l("Not a valid email address."))],
    )


def _role_field() -> SelectField:
    return SelectField(
        _l("Role"), choices=choices((role, ROLE_LABELS[role]) for role in ROLES), validators=[DataRequired()]
    )


def _organisation_field() -> SelectField:
    return SelectField(_l("Organisation"), coerce=int, validators=[DataRequired()])


def _at_least_one(form, field) -> None:
    # Not DataRequired: its "required" flag would make the browser demand every checkbox.
    if not field.data:
        raise ValidationError(_l("Choose at least one scope."))


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NewUserForm(FlaskForm):
    email = _email_field()
    role = _role_field()
    organisation = _organisation_field()
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )


class EditUserForm(FlaskForm):
    role = _role_field()
    organisation = _organisation_field()
    active = BooleanField(_l("Active (may log in)"))
    unlock = BooleanField(_l("Unlock (clear failed logins)"))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=choices((kind, KIND_LABELS[kind]) for kind in ORGANISATION_KINDS),
        validators=[DataRequired()],
    )


class TokenForm(FlaskForm):
    user = SelectField(_l("Owner"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Name"), filters=[_strip], validators=[DataRequired(), Length(max=100)])
    scopes = MultiCheckboxField(
        _l("Scopes"),
        validators=[_at_least_one],
        choices=choices((scope, SCOPE_LABELS[scope]) for scope in TOKEN_SCOPES),
    )
