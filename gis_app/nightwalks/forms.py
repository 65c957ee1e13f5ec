"""Forms of the night-walk pages; group, event and kind choices come from the database, filled in by the views."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FileField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from gis_app.core.inputs import DateField, DateTimeLocalField, IntegerField

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
SIGHTING_LINES = 5  # lines on the report form; empty ones are skipped


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _int_or_none(value):
    """A posted id (a string of digits) or a chosen one (an int); anything else is no choice."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10 else None


class ShiftForm(FlaskForm):
    group_id = SelectField(_l("Group"), coerce=_int_or_none, validate_choice=False)
    event_id = SelectField(_l("Risk weekend or event"), coerce=_int_or_none, validate_choice=False)
    starts_at = DateTimeLocalField(_l("Starts"), format=DATETIME_FORMATS, validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=DATETIME_FORMATS, validators=[InputRequired()])
    walkers = IntegerField(_l("Number of walkers"), validators=[InputRequired()])
    leader = StringField(_l("Shift leader (not shown to the public)"), filters=[_strip])
    notes = TextAreaField(_l("Notes"), filters=[_strip])
    route = TextAreaField(_l("Route drawn on the map (GeoJSON)"))
    route_file = FileField(_l("…or upload the route (GeoJSON or GeoPackage)"))

    def values(self) -> dict:
        return {
            name: self[name].data
            for name in ("group_id", "event_id", "starts_at", "ends_at", "walkers", "leader", "notes", "route")
        }


class ReportForm(FlaskForm):
    summary = TextAreaField(_l("How the night went"), filters=[_strip])


class EventImportForm(FlaskForm):
    calendar = FileField(_l("Calendar file (CSV)"))


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip])
    kind = SelectField(_l("Kind"), validate_choice=False)
    organisation_id = SelectField(_l("Organisation"), coerce=_int_or_none, validate_choice=False)
    agreement_from = DateField(_l("Agreement from"), validators=[Optional()])
    agreement_until = DateField(_l("Agreement until"), validators=[Optional()])

    def values(self) -> dict:
        return {
            name: self[name].data for name in ("name", "kind", "organisation_id", "agreement_from", "agreement_until")
        }
