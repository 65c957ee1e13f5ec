"""Forms of the lighting pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from gis_app.lighting.models import DEFAULT_GAP_METRES
from gis_app.lighting.service import DESCRIPTION_MAX, MAX_GAP_METRES


class OutageForm(FlaskForm):
    description = TextAreaField(_l("What is wrong"), validators=[Optional(), Length(max=DESCRIPTION_MAX)])


class FixedForm(FlaskForm):
    fixed_on = DateField(_l("Fixed on"), validators=[InputRequired()])


class AnalyseForm(FlaskForm):
    distance = FloatField(
        _l("Distance from a working lamp (m)"),
        default=DEFAULT_GAP_METRES,
        validators=[InputRequired(), NumberRange(min=0.1, max=MAX_GAP_METRES)],
    )
