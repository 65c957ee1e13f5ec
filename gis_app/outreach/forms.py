"""Forms of the outreach pages; choices from the database are filled in by the views."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField, TimeField, ValidationError
from wtforms.validators import UUID, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from gis_app.core.inputs import DateField, DateTimeLocalField, FloatField, IntegerField
from gis_app.outreach.service import MAX_CONTACTS, MAX_STOPS, MY_POSITION, NOTES_MAX


class PlanForm(FlaskForm):
    """Area, date, time window and start point of a shift (read from the query string: planning changes nothing)."""

    class Meta:
        csrf = False

    area = SelectField(_l("Area"), default="")
    shift_date = DateField(_l("Date"), validators=[DataRequired()])
    starts_at = TimeField(_l("From"), validators=[DataRequired()])
    ends_at = TimeField(_l("To"), validators=[DataRequired()])
    start = SelectField(_l("Start and end point"))
    # The phone's position when the start is "my position" (filled in by static/js/outreach.js).
    start_lon = FloatField(widget=HiddenInput(), validators=[Optional(), NumberRange(-180, 180)])
    start_lat = FloatField(widget=HiddenInput(), validators=[Optional(), NumberRange(-90, 90)])
    return_to_start = BooleanField(_l("Return to the start point"), default=True)
    count = IntegerField(_l("Number of places"), default=8, validators=[NumberRange(1, MAX_STOPS)])

    def validate_start(self, field) -> None:
        """'My position' needs the phone's position."""
        if field.data == MY_POSITION and (self.start_lon.data is None or self.start_lat.data is None):
            raise ValidationError(
                _l("Your position is not known: allow this page to use your location, or choose another start point.")
            )


class SavePlanForm(FlaskForm):
    """Save the plan shown: the same fields as hidden values, and a title."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    area = HiddenField()
    shift_date = HiddenField(validators=[DataRequired()])
    starts_at = HiddenField(validators=[DataRequired()])
    ends_at = HiddenField(validators=[DataRequired()])
    start = HiddenField()
    start_lon = HiddenField()
    start_lat = HiddenField()
    return_to_start = HiddenField()
    count = HiddenField()


class VisitForm(FlaskForm):
    """A visit, as an officer logs it on a phone; client_uuid makes a resent form harmless."""

    client_uuid = HiddenField(validators=[DataRequired(), UUID()])
    plan_id = HiddenField()
    place = SelectField(_l("Place"), coerce=int, validators=[InputRequired()])
    visited_at = DateTimeLocalField(_l("Time of the visit"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    contacts = IntegerField(_l("Contacts made"), default=0, validators=[InputRequired(), NumberRange(0, MAX_CONTACTS)])
    notes = TextAreaField(_l("Observations (police only)"), validators=[Optional(), Length(max=NOTES_MAX)])
    observation = TextAreaField(
        _l("Also record as an observation of the place"), validators=[Optional(), Length(max=NOTES_MAX)]
    )
    police_only = BooleanField(_l("The observation is police-only"), default=True)
    follow_up = BooleanField(_l("Follow-up needed"))
    follow_up_note = TextAreaField(
        _l("What should the municipality follow up? (planners see this)"),
        validators=[Optional(), Length(max=NOTES_MAX)],
    )
