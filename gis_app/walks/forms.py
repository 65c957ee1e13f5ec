"""The walk planning form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from gis_app.core.inputs import DateTimeLocalField, FloatField, IntegerField
from gis_app.walks.models import ORGANISER_KINDS


def organiser_choices():
    labels = {
        "municipality": _l("Municipality"),
        "police": _l("Police"),
        "property_owner": _l("Property owners"),
        "association": _l("Associations"),
    }
    return [(kind, labels[kind]) for kind in ORGANISER_KINDS]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class WalkForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    meeting_place = StringField(_l("Meeting point"), validators=[DataRequired(), Length(max=200)])
    meeting_lat = FloatField(_l("Meeting point latitude"), validators=[DataRequired(), NumberRange(-90, 90)])
    meeting_lon = FloatField(_l("Meeting point longitude"), validators=[DataRequired(), NumberRange(-180, 180)])
    district_id = SelectField(_l("District"), coerce=lambda v: int(v) if v else None, validators=[Optional()])
    area_name = StringField(_l("Part of town or street (free text)"), validators=[Optional(), Length(max=200)])
    organiser_kinds = MultiCheckboxField(_l("Organisers"), choices=organiser_choices)
    organisers = TextAreaField(_l("Organisations taking part"), validators=[Optional(), Length(max=2000)])
    expected_participants = IntegerField(_l("Expected participants"), validators=[Optional(), NumberRange(0, 10000)])
