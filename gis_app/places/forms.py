"""Forms for places and observations: they read what was typed; the service checks it (one set of rules for the
pages and the API, and every wrong field reported at once)."""

import json
import math

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from gis_app.core.inputs import db_int, load_json
from gis_app.places.service import next_statuses

PRIORITIES = ((1, _l("1 – high")), (2, _l("2 – medium")), (3, _l("3 – low")))
NOT_STATED = ("", _l("Not stated"))


def time_of_day_labels() -> dict:
    return {"day": _l("Day"), "evening": _l("Evening"), "night": _l("Night")}


def affected_group_labels() -> dict:
    return {"women": _l("Women"), "men": _l("Men"), "young_people": _l("Young people"), "everyone": _l("Everyone")}


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _int_or_raw(value):
    """An int when the value is one; otherwise the value as sent, for the service to refuse by name."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _select(label):
    """A select whose value the service checks (so a forged value gets the same message as in the API)."""
    return SelectField(label, validate_choice=False)


def _coordinate(raw: str | None) -> float | None:
    """A number as typed on a phone: a decimal comma is fine; raise ValueError for anything else."""
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return None
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


class PageForm(FlaskForm):
    """A form read from posted form fields only: Flask-WTF would also read a JSON body (and fail on `1` or `[]`),
    which no page sends."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                return request.form if _is_submitted() else None
            return formdata


class PlaceForm(PageForm):
    """A new place: what, where, when and for whom it feels unsafe."""

    title = StringField(_l("Title"))
    category = _select(_l("Category"))
    description = TextAreaField(_l("Description"))
    time_of_day = _select(_l("Time of day"))
    affected_group = _select(_l("Who feels unsafe"))
    priority = SelectField(
        _l("Priority"), coerce=_int_or_raw, choices=_choices(PRIORITIES), default=2, validate_choice=False
    )
    lon = StringField(_l("Longitude"))
    lat = StringField(_l("Latitude"))
    geojson = TextAreaField(_l("Or a line or an area as GeoJSON"))

    def __init__(self, categories, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.location_errors: list[str] = []
        self.category.choices = _choices((c.code, c.label) for c in categories)
        self.time_of_day.choices = _choices([NOT_STATED, *time_of_day_labels().items()])
        self.affected_group.choices = _choices([NOT_STATED, *affected_group_labels().items()])

    def geometry(self):
        """The GeoJSON geometry typed or clicked (None when none was given); field errors when unreadable."""
        text = (self.geojson.data or "").strip()
        if text:
            try:
                value = load_json(text)
            except ValueError:
                self.geojson.errors.append(_l("This is not GeoJSON."))
                return None
            return value.get("geometry") if isinstance(value, dict) and value.get("type") == "Feature" else value
        return self._point()

    def _point(self):
        coordinates = []
        for field in (self.lon, self.lat):
            try:
                coordinates.append(_coordinate(field.data))
            except ValueError:
                field.errors.append(_l("Not a number."))
                return None
        if coordinates == [None, None]:
            return None
        return {"type": "Point", "coordinates": coordinates}

    def place_data(self) -> dict:
        """The place as the service takes it (property names as in the API)."""
        return {
            "title": self.title.data,
            "category": self.category.data,
            "description": self.description.data,
            "time_of_day": self.time_of_day.data or None,
            "affected_group": self.affected_group.data or None,
            "priority": self.priority.data,
            "geometry": self.geometry(),
        }

    def show_errors(self, errors: list[tuple[str, str]]) -> None:
        """Put the service's field errors next to their fields."""
        unreadable = self.lon.errors or self.lat.errors or self.geojson.errors
        for name, message in errors:
            if name == "geometry":
                if not unreadable:  # the field's own error already says what is wrong with the location
                    self.location_errors.append(message)
            elif name in self._fields:
                self[name].errors.append(message)
            else:
                self.form_errors.append(f"{name}: {message}")

    def fill_location(self, geom) -> None:
        """Show a stored geometry: a point in the coordinate fields, a line or an area as GeoJSON."""
        shape = to_shape(geom)
        if shape.geom_type == "Point":
            self.lon.data, self.lat.data = repr(shape.x), repr(shape.y)
        else:
            self.geojson.data = json.dumps(mapping(shape))


class EditPlaceForm(PlaceForm):
    """A place's change, read at `version`: its status moves along the lifecycle."""

    status = _select(_l("Status"))
    dismissed_reason = TextAreaField(_l("Reason for dismissing"))
    version = HiddenField()

    def __init__(self, categories, statuses, current_status: str, *args, **kwargs):
        super().__init__(categories, *args, **kwargs)
        labels = {s.code: s.label for s in statuses}
        self.status.choices = _choices((code, labels.get(code, code)) for code in next_statuses(current_status))

    def place_data(self) -> dict:
        return {**super().place_data(), "status": self.status.data, "dismissed_reason": self.dismissed_reason.data}

    def expected_version(self) -> int:
        """The version the form was read at (a tampered value can never match)."""
        version = db_int(self.version.data, minimum=0, maximum=10**12)
        return -1 if version is None else version

    def fill(self, place) -> None:
        """Show the place as it is stored now (after a conflict too, replacing what was typed)."""
        self.title.data, self.category.data, self.description.data = place.title, place.category_code, place.description
        self.time_of_day.data, self.affected_group.data = place.time_of_day or "", place.affected_group or ""
        self.priority.data, self.status.data = place.priority, place.status_code
        self.dismissed_reason.data, self.version.data = place.dismissed_reason, str(place.version)
        self.lon.data = self.lat.data = self.geojson.data = ""
        self.fill_location(place.geom)


class ObservationForm(PageForm):
    """One report about a place; the reporter's name and contact are personal data, shown to staff only."""

    text = TextAreaField(_l("Observation"))
    source = _select(_l("Source"))
    reporter_name = StringField(_l("Reporter's name"))
    reporter_contact = StringField(_l("Reporter's phone or email"))

    def __init__(self, sources, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source.choices = _choices((s.code, s.label) for s in sources)

    def observation_data(self) -> dict:
        return {
            "text": self.text.data,
            "source": self.source.data,
            "reporter_name": self.reporter_name.data,
            "reporter_contact": self.reporter_contact.data,
        }

    def show_errors(self, errors: list[tuple[str, str]]) -> None:
        for name, message in errors:
            (self[name].errors if name in self._fields else self.form_errors).append(message)


class VersionForm(PageForm):
    """A button that acts on the version of a place the page showed (delete)."""

    version = HiddenField()

    expected_version = EditPlaceForm.expected_version
