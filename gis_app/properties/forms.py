"""Forms of the property pages; choices come from the label tables and the database, filled in by the views."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from gis_app.inventory.labels import MEASURE_STATUS_LABELS, MEASURE_TYPE_LABELS, RESPONSIBLE_LABELS
from gis_app.properties.labels import INCIDENT_LABELS, PROPERTY_KIND_LABELS, PROTECTION_LABELS, options
from gis_app.properties.service import EMAIL_MAX, NAME_MAX, PERMIT_MAX, REF_MAX, REPORT_MAX, TEXT_MAX

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
GEOJSON_MAX = 200_000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _values(form, names) -> dict:
    return {name: form[name].data for name in names}


class PropertyForm(FlaskForm):
    ref = StringField(_l("Property designation"), filters=[_strip], validators=[InputRequired(), Length(max=REF_MAX)])
    name = StringField(_l("Name"), filters=[_strip], validators=[InputRequired(), Length(max=NAME_MAX)])
    address = StringField(_l("Address"), filters=[_strip], validators=[Optional(), Length(max=NAME_MAX)])
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    owner_id = SelectField(_l("Owner"), validators=[Optional()])
    geometry = TextAreaField(
        _l("Outline (GeoJSON polygon, WGS 84)"), validators=[InputRequired(), Length(max=GEOJSON_MAX)]
    )

    def fill_choices(self, locale: str, owners) -> "PropertyForm":
        self.kind.choices = options(PROPERTY_KIND_LABELS, locale)
        self.owner_id.choices = [("", "–"), *((str(oid), name) for oid, name in owners)]
        return self

    def values(self) -> dict:
        return _values(self, ("ref", "name", "address", "kind", "owner_id", "geometry"))


class ProtectionForm(FlaskForm):
    kind = SelectField(_l("Protection"), validators=[InputRequired()])
    description = TextAreaField(_l("Description"), filters=[_strip], validators=[InputRequired(), Length(max=TEXT_MAX)])
    checked_on = DateField(_l("Checked on"), validators=[Optional()])

    def fill_choices(self, locale: str) -> "ProtectionForm":
        self.kind.choices = options(PROTECTION_LABELS, locale)
        return self

    def values(self) -> dict:
        return _values(self, ("kind", "description", "checked_on"))


class CameraForm(FlaskForm):
    name = StringField(_l("Camera"), filters=[_strip], validators=[InputRequired(), Length(max=NAME_MAX)])
    lon = DecimalField(_l("Longitude"), places=None, validators=[InputRequired()])
    lat = DecimalField(_l("Latitude"), places=None, validators=[InputRequired()])
    direction = DecimalField(_l("Direction (degrees from north)"), places=None, validators=[Optional()])
    angle = DecimalField(_l("Field of view (degrees)"), places=None, validators=[Optional()])
    range_metres = DecimalField(_l("Range (metres)"), places=None, validators=[Optional()])
    view = TextAreaField(_l("Or the view drawn as a GeoJSON polygon"), validators=[Optional(), Length(max=GEOJSON_MAX)])
    permit_ref = StringField(_l("Camera permit"), filters=[_strip], validators=[Optional(), Length(max=PERMIT_MAX)])
    permit_until = DateField(_l("Permit valid until"), validators=[Optional()])

    def values(self) -> dict:
        names = ("name", "lon", "lat", "direction", "angle", "range_metres", "view", "permit_ref", "permit_until")
        return {name: float(v) if isinstance(v, Decimal) else v for name, v in _values(self, names).items()}


class IncidentForm(FlaskForm):
    kind = SelectField(_l("Incident"), validators=[InputRequired()])
    occurred_at = DateTimeLocalField(_l("When"), format=DATETIME_FORMATS, validators=[InputRequired()])
    description = TextAreaField(_l("Description"), filters=[_strip], validators=[Optional(), Length(max=TEXT_MAX)])
    police_report = StringField(
        _l("Police report number"), filters=[_strip], validators=[Optional(), Length(max=REPORT_MAX)]
    )

    def fill_choices(self, locale: str) -> "IncidentForm":
        self.kind.choices = options(INCIDENT_LABELS, locale)
        return self

    def values(self) -> dict:
        return _values(self, ("kind", "occurred_at", "description", "police_report"))


class VisitForm(FlaskForm):
    visited_on = DateField(_l("Date of the visit"), validators=[InputRequired()])
    participants = TextAreaField(
        _l("Who took part"), filters=[_strip], validators=[InputRequired(), Length(max=TEXT_MAX)]
    )
    findings = TextAreaField(_l("What was found"), filters=[_strip], validators=[InputRequired(), Length(max=TEXT_MAX)])

    def values(self) -> dict:
        return _values(self, ("visited_on", "participants", "findings"))


class AgreedMeasureForm(FlaskForm):
    measure_type = SelectField(_l("Measure"), validators=[InputRequired()])
    description = TextAreaField(
        _l("What is to be done"), filters=[_strip], validators=[InputRequired(), Length(max=TEXT_MAX)]
    )
    responsible = SelectField(_l("Responsible party"), validators=[InputRequired()])
    responsible_name = StringField(
        _l("Responsible (name)"), filters=[_strip], validators=[Optional(), Length(max=NAME_MAX)]
    )
    responsible_email = StringField(
        _l("Responsible party's e-mail"), filters=[_strip], validators=[Optional(), Length(max=EMAIL_MAX)]
    )
    due_on = DateField(_l("Deadline"), validators=[InputRequired()])

    def fill_choices(self, locale: str) -> "AgreedMeasureForm":
        self.measure_type.choices = options(MEASURE_TYPE_LABELS, locale)
        self.responsible.choices = options(RESPONSIBLE_LABELS, locale)
        return self

    def values(self) -> dict:
        names = ("measure_type", "description", "responsible", "responsible_name", "responsible_email", "due_on")
        return _values(self, names)


class FollowUpForm(FlaskForm):
    status = SelectField(_l("Status"), validators=[InputRequired()])
    done_on = DateField(_l("Done on"), validators=[Optional()])
    follow_up = TextAreaField(_l("Follow-up"), filters=[_strip], validators=[Optional(), Length(max=TEXT_MAX)])

    def fill_choices(self, locale: str) -> "FollowUpForm":
        self.status.choices = options(MEASURE_STATUS_LABELS, locale)
        return self

    def values(self) -> dict:
        return _values(self, ("status", "done_on", "follow_up"))
