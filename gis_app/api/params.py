"""Query parameters of the API: parsed from the request and described in the OpenAPI document by one definition."""
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from gis_app.core.inputs import DB_INT_MAX
from gis_app.errors import AppError

# Parameters any API request may carry: output format and label language.
GENERAL_PARAMS = {"f", "lang"}


@dataclass(frozen=True)
class Param:
    """One query parameter: its name, how to parse it and its OpenAPI description."""

    name: str
    description: str
    parse: Callable[[str], Any]
    schema: dict = field(default_factory=lambda: {"type": "string"})
    explode: bool = True


def parse_query(params: tuple[Param, ...], args) -> dict:
    """Return the parsed values; a 400 naming the parameter for anything unknown or malformed."""
    known = {p.name for p in params} | GENERAL_PARAMS
    for name in args:
        if name not in known:
            raise AppError(f"Unknown query parameter '{name}'.", field=name)
    _check_format(args.get("f"))
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
    if value not in (None, "json", "geojson"):
        raise AppError("Only f=json is offered.", field="f")


def integer(minimum: int, maximum: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError("expected a whole number") from None
        if not minimum <= value <= maximum:
            raise ValueError(f"expected a number from {minimum} to {maximum}")
        return value

    return parse


def page_size(maximum: int) -> Callable[[str], int]:
    """A positive number; a larger one than the cap is served as the cap, as OGC API allows."""
    parse_positive = integer(1, 10**9)
    return lambda raw: min(parse_positive(raw), maximum)


def code_list(allowed: Callable[[], set[str]]) -> Callable[[str], list[str]]:
    """A comma-separated list of codes, each one of `allowed()` (looked up only when the parameter is given)."""
    def parse(raw: str) -> list[str]:
        codes = [c.strip() for c in raw.split(",") if c.strip()]
        if not codes:
            raise ValueError("expected one or more codes separated by commas")
        unknown = sorted(set(codes) - allowed())
        if unknown:
            raise ValueError(f"unknown code(s): {', '.join(unknown)}")
        return codes

    return parse


def id_list(raw: str) -> list[int]:
    try:
        ids = [int(v) for v in raw.split(",")]
    except ValueError:
        raise ValueError("expected whole numbers separated by commas") from None
    if not ids or any(not 0 < i <= DB_INT_MAX for i in ids):
        raise ValueError("expected positive ids")
    return ids


def bbox(raw: str) -> tuple[float, float, float, float]:
    """W,S,E,N in CRS84 (a 6-number 3D box is accepted and its heights ignored)."""
    try:
        numbers = [float(v) for v in raw.split(",")]
    except ValueError:
        raise ValueError("expected 4 numbers: west,south,east,north") from None
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise ValueError("expected 4 numbers: west,south,east,north")
    west, south, east, north = numbers
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise ValueError("coordinates must be longitude -180..180 and latitude -90..90 with south <= north")
    if west > east:
        raise ValueError("boxes crossing the antimeridian are not supported")
    return west, south, east, north


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


BBOX = Param("bbox", "Only features that intersect this box: west,south,east,north in CRS84 (lon/lat).", bbox,
             {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 6}, explode=False)
DATETIME = Param("datetime", "Date the place was reported: an instant, or an interval with '..' for an open end.",
                 datetime_interval)
OFFSET = Param("offset", "Number of features to skip (paging; the `next` links use `cursor`, which costs the same "
               "on every page).", integer(0, 10**9), {"type": "integer", "minimum": 0, "default": 0})
CURSOR = Param("cursor", "Keyset paging: only features whose id comes after this one. The `next` links carry it.",
               integer(0, DB_INT_MAX), {"type": "integer", "minimum": 0})


def limit_param(default: int, maximum: int, public_maximum: int) -> Param:
    """`limit`: served as at most `maximum` (at most `public_maximum` without a staff login or token)."""
    description = (f"Number of features per page. Larger values are served as {public_maximum} without a staff "
                   f"login or API token, and as {maximum} with one.")
    return Param("limit", description, page_size(maximum),
                 {"type": "integer", "minimum": 1, "maximum": max(maximum, public_maximum), "default": default})
