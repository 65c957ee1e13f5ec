"""The import's forms: the upload, and the column mapping (one select per place field)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField
from wtforms.validators import InputRequired

from gis_app.places.importer import FIELDS, REQUIRED_COLUMNS

# How each place field (and each other field a row error can name) is called on the pages.
FIELD_LABELS = {
    "title": _l("Title"),
    "category": _l("Category"),
    "description": _l("Description"),
    "status": _l("Status"),
    "dismissed_reason": _l("Reason for dismissing"),
    "time_of_day": _l("Time of day"),
    "affected_group": _l("Who feels unsafe"),
    "priority": _l("Priority"),
    "reported_on": _l("Reported on"),
    "note": _l("Observation"),
    "source": _l("Source"),
    "geometry": _l("Geometry"),
}
NOT_IMPORTED = ""


class UploadForm(FlaskForm):
    file = FileField(_l("File"), validators=[InputRequired(_l("Choose a file."))])


def mapping_field(name: str) -> str:
    return f"column_{name}"


class MappingForm(FlaskForm):
    """Which column feeds each place field (the layer and CRS come along as plain values the view checks)."""

    def set_columns(self, columns: list[str]) -> None:
        """Offer the file's columns as the choices."""
        for name in FIELDS:
            self[mapping_field(name)].choices = [(NOT_IMPORTED, _l("– not imported –"))] + [
                (column, column) for column in columns
            ]

    def mapping(self) -> dict[str, str]:
        """field -> column for each field given a column."""
        return {name: self[mapping_field(name)].data for name in FIELDS if self[mapping_field(name)].data}


for _name in FIELDS:
    _validators = [InputRequired(_l("Choose the column for this field."))] if _name in REQUIRED_COLUMNS else []
    setattr(MappingForm, mapping_field(_name), SelectField(FIELD_LABELS[_name], validators=_validators))
