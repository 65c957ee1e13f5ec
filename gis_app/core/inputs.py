"""Shared checks on what users send, so no form field, query argument or JSON text reaches Python's date
arithmetic, PostgreSQL's integer columns or a recursive parser outside what they can hold.

Three classes of input made 500s before: dates outside any sensible range (year 1 or 9999 overflow date
arithmetic and time zone shifts), integers beyond a PostgreSQL integer, and deeply nested JSON. The form fields
and helpers here refuse each as a field error instead; forms and views use them rather than WTForms' own.
"""

import json
import math
from datetime import date, datetime

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import fields

from gis_app.errors import AppError

MIN_YEAR, MAX_YEAR = 1900, 2200  # every date this product deals with, with room; far from datetime's limits
DB_INT_MAX = 2**31 - 1  # a PostgreSQL integer
JSON_TYPES = frozenset({"application/json", "application/geo+json"})
JSON_MAX_DEPTH = 32  # GeoJSON needs 4 levels; anything near Python's recursion limit is an attack


def date_in_range(value: date | datetime | None) -> bool:
    """True for None or a date (or time) whose year lies in MIN_YEAR..MAX_YEAR."""
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 date and time ('Z' allowed) in the sane year range; ValueError otherwise."""
    parsed = datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    if not date_in_range(parsed):
        raise ValueError(text)
    return parsed


def parse_date(text: str) -> date:
    """An ISO 8601 date in the sane year range; ValueError otherwise."""
    parsed = date.fromisoformat(str(text).strip())
    if not date_in_range(parsed):
        raise ValueError(text)
    return parsed


def db_int(raw, minimum: int = 1, maximum: int = DB_INT_MAX) -> int | None:
    """The whole number (ASCII digits, optional minus) a query or form value spells within bounds, else None."""
    text = str(raw).strip() if raw is not None else ""
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def db_ints(values, minimum: int = 1, maximum: int = DB_INT_MAX) -> list[int]:
    """The values that are whole numbers within bounds (a list filter keeps only what it can use)."""
    return [number for number in (db_int(v, minimum, maximum) for v in values) if number is not None]


def load_json(text: str | bytes, max_depth: int = JSON_MAX_DEPTH):
    """Parse JSON nested at most max_depth arrays and objects deep; ValueError otherwise."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if _depth(value) > max_depth:
        raise ValueError("nested too deeply")
    return value


def _depth(value) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (iterative: the value may be deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def json_body(media_types=JSON_TYPES):
    """The request body parsed as JSON (depth-limited), after checking its media type; size is capped by
    MAX_CONTENT_LENGTH."""
    if request.mimetype not in media_types:
        raise AppError(
            _("Send the body as %(types)s.", types=" or ".join(sorted(media_types))),
            field="Content-Type",
            status=415,
            code="UnsupportedMediaType",
        )
    try:
        return load_json(request.get_data(cache=False))
    except ValueError:
        raise AppError(_("The body is not valid JSON."), field="body") from None


# --- form fields: WTForms' own, with the range a database and datetime can take -----------------------------------

OUT_OF_RANGE_DATE = _l("Give a date between the years %(min)d and %(max)d.", min=MIN_YEAR, max=MAX_YEAR)


class DateField(fields.DateField):
    """A date in the year range MIN_YEAR..MAX_YEAR."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if not date_in_range(self.data):
            self.data = None
            raise ValueError(OUT_OF_RANGE_DATE)


class DateTimeLocalField(fields.DateTimeLocalField):
    """A local date and time in the year range MIN_YEAR..MAX_YEAR."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if not date_in_range(self.data):
            self.data = None
            raise ValueError(OUT_OF_RANGE_DATE)


class IntegerField(fields.IntegerField):
    """A whole number a PostgreSQL integer column can hold."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not -DB_INT_MAX <= self.data <= DB_INT_MAX:
            self.data = None
            raise ValueError(_l("Too large a number."))


class FloatField(fields.FloatField):
    """A finite number (NaN passes every NumberRange, and infinity is no coordinate)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError(_l("Not a valid number."))
