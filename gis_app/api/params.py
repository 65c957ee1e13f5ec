"""Query parameters of the API: parsed from the request and described in the OpenAPI document by one definition."""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from gis_app.api import crs
from gis_app.core.inputs import DB_INT_MAX
from gis_app.errors import AppError

# Parameters any API request may carry: output format and label language.
GENERAL_PARAMS = {"f", "lang"}
FORMATS = ("json", "geojson")
LANGUAGES = ("sv", "en")
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,30}")
NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


class NotAcceptable(AppError):
    status = 406
    code = "NotAcceptable"


@dataclass(frozen=True)
class Param:
    """One query parameter: its name, how to parse it and its OpenAPI description."""

    name: str
    description: str
    parse: Callable[[str], Any]
    schema: dict | Callable[[], dict] = field(default_factory=lambda: {"type": "string", "minLength": 1})
    explode: bool = True

    def openapi_schema(self) -> dict:
        """The JSON Schema of the value (looked up now when it lists codes from the database)."""
        return self.schema() if callable(self.schema) else self.schema


def parse_query(params: tuple[Param, ...], args, html: bool = False) -> dict:
    """Return the parsed values; a 400 naming the parameter for anything unknown or malformed (f=html only where
    the route has a web page)."""
    known = {p.name for p in params} | GENERAL_PARAMS
    for name in args:
        if name not in known:
            raise AppError(f"Unknown query parameter '{name}'.", field=name)
    if not (html and args.get("f") == "html"):
        _check_format(args.get("f"))
    if args.get("lang") not in (None, *LANGUAGES):
        raise AppError("lang must be sv or en.", field="lang")
    values = {}
    for param in params:
        raw = args.get(param.name)
        if raw is None:
            continue
        try:
            values[param.name] = param.parse(raw)
        except ValueError as error:
            raise AppError(f"Invalid value for '{param.name}': {error}", field=param.name) from None
    return values


def _check_format(value: str | None) -> None:
    if value not in (None, *FORMATS):
        raise NotAcceptable("f must be json or geojson.", field="f")


def whole_number(raw: str) -> int:
    """Digits with an optional minus: no spaces, signs, underscores or other scripts' digits, which int() takes."""
    if not WHOLE_NUMBER.fullmatch(raw):
        raise ValueError("expected a whole number")
    return int(raw)


def integer(minimum: int, maximum: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = whole_number(raw)
        if not minimum <= value <= maximum:
            raise ValueError(f"expected a number from {minimum} to {maximum}")
        return value

    return parse


LIMIT_MAXIMUM = 10_000  # what the document allows; anything up to it is served, capped at the page maximum


def page_size(maximum: int) -> Callable[[str], int]:
    """A number from 1 to LIMIT_MAXIMUM; one above the page maximum is served as the maximum, as OGC API says."""
    parse_positive = integer(1, LIMIT_MAXIMUM)
    return lambda raw: min(parse_positive(raw), maximum)


def code_list(allowed: Callable[[], set[str]]) -> Callable[[str], list[str]]:
    """A comma-separated list of codes, each one of `allowed()` (looked up only when the parameter is given)."""

    def parse(raw: str) -> list[str]:
        codes = raw.split(",")
        if not raw or "" in codes:
            raise ValueError("expected one or more codes separated by commas")
        unknown = sorted(set(codes) - set(allowed()))
        if unknown:
            raise ValueError(f"unknown code(s): {', '.join(unknown)}")
        return codes

    return parse


def codes_schema(allowed: Callable[[], Any]) -> Callable[[], dict]:
    """The schema of a comma-separated code list (form style, not exploded): an array of the known codes."""
    return lambda: {"type": "array", "minItems": 1, "items": {"type": "string", "enum": sorted(allowed())}}


IDS_SCHEMA = {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX}}


def id_list(raw: str) -> list[int]:
    try:
        ids = [whole_number(v) for v in raw.split(",")]
    except ValueError:
        raise ValueError("expected whole numbers separated by commas") from None
    if not ids or any(not 0 < i <= DB_INT_MAX for i in ids):
        raise ValueError("expected positive ids")
    return ids


def bbox(raw: str) -> tuple[float, float, float, float]:
    """Four numbers, lower corner then upper corner, in bbox-crs's axis order (a 3D box's heights are ignored)."""
    parts = raw.split(",")
    if not all(NUMBER.fullmatch(v) for v in parts) or len(parts) not in (4, 6):
        raise ValueError("expected 4 numbers: west,south,east,north (in CRS84)")
    numbers = [float(v) for v in parts]
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if not all(math.isfinite(n) for n in numbers):
        raise ValueError("expected 4 finite numbers")
    if numbers[1] > numbers[3]:
        raise ValueError("the lower corner's second coordinate is above the upper corner's")
    if numbers[0] > numbers[2]:
        raise ValueError("boxes crossing the antimeridian are not supported")
    return numbers[0], numbers[1], numbers[2], numbers[3]


def check_crs84_box(box: tuple[float, float, float, float]) -> None:
    """A CRS84 box must lie on the globe."""
    west, south, east, north = box
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
        raise AppError(
            "Invalid value for 'bbox': coordinates must be longitude -180..180 and latitude -90..90.", field="bbox"
        )


def crs_uri(raw: str) -> int | None:
    return crs.srid(raw)


def filter_lang(raw: str) -> str:
    if raw not in FILTER_LANGS:
        raise ValueError("expected cql2-text or cql2-json")
    return raw


def filter_text(raw: str) -> str:
    if not raw.strip():
        raise ValueError("expected a CQL2 expression")
    return raw


def _instant(raw: str) -> date | None:
    if raw in ("", ".."):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"'{raw}' is not an RFC 3339 date or date-time") from None


def datetime_interval(raw: str) -> tuple[date | None, date | None]:
    """An instant or an interval start/end, either end open with '..'."""
    if "/" not in raw:
        instant = _instant(raw)
        if instant is None:
            raise ValueError("an instant cannot be open")
        return instant, instant
    start, end = raw.split("/", 1)
    start_date, end_date = _instant(start), _instant(end)
    if start_date and end_date and start_date > end_date:
        raise ValueError("the start is after the end")
    return start_date, end_date


# cql-text is the draft's name for cql2-text: GDAL's OAPIF driver (to 3.12 at least) sends filters only with it.
FILTER_LANGS = ("cql2-text", "cql2-json", "cql-text")
_CRS_SCHEMA = {"type": "string", "format": "uri", "enum": list(crs.SUPPORTED)}
BBOX = Param(
    "bbox",
    "Only features that intersect this box: west,south,east,north in CRS84 (lon/lat), or the "
    "lower and upper corner in bbox-crs's axis order.",
    bbox,
    {
        "type": "array",
        "items": {"type": "number"},
        "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
    },
    explode=False,
)
BBOX_CRS = Param("bbox-crs", "The CRS of bbox (default CRS84).", crs_uri, _CRS_SCHEMA)
CRS = Param(
    "crs",
    "The CRS of the geometries sent (default CRS84); the axis order is the CRS's own: EPSG:4326 "
    "latitude first, SWEREF 99 northing first.",
    crs_uri,
    _CRS_SCHEMA,
)
FILTER = Param(
    "filter",
    "A CQL2 filter on the collection's queryables (see its /queryables).",
    filter_text,
    {"type": "string", "minLength": 1},
)
FILTER_LANG = Param(
    "filter-lang",
    "cql2-text (default) or cql2-json; cql-text is read as cql2-text.",
    filter_lang,
    {"type": "string", "enum": list(FILTER_LANGS), "default": "cql2-text"},
)
FILTER_CRS = Param("filter-crs", "The CRS of the geometries in filter (default CRS84).", crs_uri, _CRS_SCHEMA)
DATETIME = Param(
    "datetime",
    "Date the place was reported: an instant, or an interval with '..' for an open end (RFC 3339 dates or date-times).",
    datetime_interval,
    {
        "type": "string",
        "minLength": 1,
        "pattern": r"^(\d{4}-\d{2}-\d{2}(T\S+)?|\.\.|)(/(\d{4}-\d{2}-\d{2}(T\S+)?|\.\.|))?$",
    },
)
OFFSET = Param(
    "offset",
    "Number of features to skip (paging; the `next` links use `cursor`, which costs the same on every page).",
    integer(0, 10**9),
    {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0},
)
CURSOR = Param(
    "cursor",
    "Keyset paging: only features whose id comes after this one. The `next` links carry it.",
    integer(0, DB_INT_MAX),
    {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX},
)


def limit_param(default: int, maximum: int, public_maximum: int) -> Param:
    """`limit`: served as at most `maximum` (at most `public_maximum` without a staff login or token)."""
    description = (
        f"Number of features per page. Larger values are served as {public_maximum} without a staff "
        f"login or API token, and as {maximum} with one."
    )
    return Param(
        "limit",
        description,
        page_size(maximum),
        {"type": "integer", "minimum": 1, "maximum": LIMIT_MAXIMUM, "default": default},
    )
