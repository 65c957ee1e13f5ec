"""Forms of the evening pages; the premises choices come from the database and are filled in by the views."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from gis_app.evening.labels import CHECK_ITEM_LABELS, CHECK_RESULT_LABELS, OUTCOME_LABELS, label, options
from gis_app.evening.models import CHECK_ITEMS
from gis_app.evening.service import ATTENDEES_MAX, NAME_MAX, TEXT_MAX

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class InspectionForm(FlaskForm):
    inspected_at = DateTimeLocalField(_l("Date and time"), format=DATETIME_FORMATS, validators=[InputRequired()])
    municipality_staff = StringField(
        _l("Taking part from the municipality"),
        filters=[_strip],
        validators=[InputRequired(), Length(max=NAME_MAX * 2)],
    )
    police_staff = StringField(
        _l("Taking part from the police"), filters=[_strip], validators=[InputRequired(), Length(max=NAME_MAX * 2)]
    )
    over_serving = RadioField(validators=[InputRequired()])
    age_checks = RadioField(validators=[InputRequired()])
    order_security = RadioField(validators=[InputRequired()])
    staff_trained = RadioField(validators=[InputRequired()])
    crowding = RadioField(validators=[InputRequired()])
    outcome = SelectField(_l("Outcome"), validators=[InputRequired()])
    notes = TextAreaField(_l("Notes"), filters=[_strip], validators=[Optional(), Length(max=TEXT_MAX)])
    follow_up = TextAreaField(_l("Follow-up"), filters=[_strip], validators=[Optional(), Length(max=TEXT_MAX)])
    follow_up_due = DateField(_l("Follow up by"), validators=[Optional()])

    def fill_choices(self, locale: str) -> "InspectionForm":
        for item in CHECK_ITEMS:
            self[item].choices = options(CHECK_RESULT_LABELS, locale)
            self[item].label.text = label(CHECK_ITEM_LABELS, item, locale)
        self.outcome.choices = [("", "–"), *options(OUTCOME_LABELS, locale)]
        return self

    def values(self) -> dict:
        names = (
            "inspected_at",
            "municipality_staff",
            "police_staff",
            *CHECK_ITEMS,
            "outcome",
            "notes",
            "follow_up",
            "follow_up_due",
        )
        return {name: self[name].data for name in names}


class FollowUpForm(FlaskForm):
    follow_up_done_on = DateField(_l("Followed up on"), validators=[InputRequired()])


class TrainingForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    title = StringField(_l("Title"), filters=[_strip], validators=[InputRequired(), Length(max=NAME_MAX)])
    trainer = StringField(_l("Trainer"), filters=[_strip], validators=[Optional(), Length(max=NAME_MAX)])
    notes = TextAreaField(_l("Notes"), filters=[_strip], validators=[Optional(), Length(max=TEXT_MAX)])

    def values(self) -> dict:
        return {name: self[name].data for name in ("held_on", "title", "trainer", "notes")}


class AttendanceForm(FlaskForm):
    premises_id = SelectField(_l("Premises"), coerce=int, validators=[InputRequired()])
    attendees = IntegerField(_l("Attendees"), validators=[InputRequired(), NumberRange(1, ATTENDEES_MAX)])
    names = TextAreaField(_l("Names"), filters=[_strip], validators=[Optional(), Length(max=TEXT_MAX)])

    def values(self) -> dict:
        return {name: self[name].data for name in ("premises_id", "attendees", "names")}
