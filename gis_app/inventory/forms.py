"""Forms of the inventory pages; choices that come from the database are filled in by the views."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from gis_app.core.inputs import DateField, IntegerField
from gis_app.inventory.labels import MEASURE_STATUS_LABELS, MEASURE_TYPE_LABELS, RESPONSIBLE_LABELS, options
from gis_app.inventory.service import COST_MAX, FIRST_YEAR, LAST_YEAR, NAME_MAX, NOTE_MAX, REASON_MAX


def choices(pairs) -> list[SelectChoice]:
    """Options for a select from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class OpenYearForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(FIRST_YEAR, LAST_YEAR)])


class AssessmentForm(FlaskForm):
    still_unsafe = RadioField(
        _l("Still unsafe?"),
        choices=choices([("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[InputRequired(message=_l("Choose yes or no."))],
    )
    main_factor = SelectField(_l("Main factor"), validators=[InputRequired()])
    priority = SelectField(
        _l("Priority"),
        coerce=int,
        validators=[InputRequired()],
        choices=choices([(1, _l("1 – high")), (2, _l("2 – medium")), (3, _l("3 – low"))]),
    )
    note = TextAreaField(_l("Note"), filters=[_strip], validators=[Optional(), Length(max=NOTE_MAX)])

    def values(self) -> dict:
        return {
            "still_unsafe": self.still_unsafe.data == "yes",
            "main_factor": self.main_factor.data,
            "priority": self.priority.data,
            "note": self.note.data,
        }


class MeasureForm(FlaskForm):
    measure_type = SelectField(_l("Measure"), validators=[InputRequired()])
    description = TextAreaField(_l("Description"), filters=[_strip], validators=[Optional(), Length(max=NOTE_MAX)])
    responsible = SelectField(_l("Responsible party"), validators=[InputRequired()])
    responsible_name = StringField(
        _l("Responsible unit or name"), filters=[_strip], validators=[Optional(), Length(max=NAME_MAX)]
    )
    status = SelectField(_l("Status"), validators=[InputRequired()])
    not_feasible_reason = TextAreaField(
        _l("Reason (when not feasible)"), filters=[_strip], validators=[Optional(), Length(max=NOTE_MAX)]
    )
    cost_estimate_sek = IntegerField(_l("Cost estimate (SEK)"), validators=[Optional(), NumberRange(0, COST_MAX)])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    done_on = DateField(_l("Done date"), validators=[Optional()])
    before_photos = MultipleFileField(_l("Photos before"))
    after_photos = MultipleFileField(_l("Photos after"))

    def fill_choices(self, locale: str) -> "MeasureForm":
        self.measure_type.choices = choices(options(MEASURE_TYPE_LABELS, locale))
        self.responsible.choices = choices(options(RESPONSIBLE_LABELS, locale))
        self.status.choices = choices(options(MEASURE_STATUS_LABELS, locale))
        return self

    def values(self) -> dict:
        names = (
            "measure_type",
            "description",
            "responsible",
            "responsible_name",
            "status",
            "not_feasible_reason",
            "cost_estimate_sek",
            "due_on",
            "done_on",
        )
        return {name: self[name].data for name in names}

    def photos(self) -> list[tuple[str, object]]:
        """(kind, upload) for each file chosen (a browser sends an empty part when none is)."""
        return [
            (kind, upload)
            for kind in ("before", "after")
            for upload in self[f"{kind}_photos"].data or ()
            if getattr(upload, "filename", "")
        ]


class ReopenForm(FlaskForm):
    """An admin reopens a closed year, saying why (the reason goes into the audit trail)."""

    reason = TextAreaField(
        _l("Why must the closed year change?"),
        filters=[_strip],
        validators=[InputRequired(message=_l("Say why the closed year must change.")), Length(max=REASON_MAX)],
    )
