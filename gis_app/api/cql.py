"""OGC API – Features, Part 3: CQL2 filters (text and JSON) turned into SQL over the columns the collection's
audience may see, so a filter can never ask about more than the features show.

Parsing and validation are cql2's (the CQL2 1.0 grammar and JSON Schema, maintained as cql2-rs); what is here only
walks the standard CQL2 JSON tree it returns. pygeofilter 0.4 was tried first: its cql2-text grammar is an older
draft (no T_INTERSECTS(a, b) function form, no date INTERVALs or '..', no S_DWITHIN).
"""

import math
from datetime import date, datetime
from typing import Any, NamedTuple

import cql2
import numpy
import shapely
from sqlalchemy import String, and_, bindparam, false, func, literal, not_, or_, true
from sqlalchemy.types import Boolean, Date, DateTime, Float

from gis_app.api import crs
from gis_app.core.spatial_sql import in_stored_crs
from gis_app.errors import AppError

MAX_FILTER_LENGTH = 8_000  # characters: far more than a hand-written filter; keeps parsing cheap
MAX_DEPTH = 40  # nested operations
MAX_POSITIONS = 1_000  # in the filter's geometries
MAX_DISTANCE = 100_000  # metres, for S_DWITHIN
SPATIAL = {
    "s_intersects": func.ST_Intersects,
    "s_disjoint": func.ST_Disjoint,
    "s_contains": func.ST_Contains,
    "s_within": func.ST_Within,
    "s_touches": func.ST_Touches,
    "s_crosses": func.ST_Crosses,
    "s_overlaps": func.ST_Overlaps,
    "s_equals": func.ST_Equals,
}
COMPARISONS = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
TEMPORAL = ("t_intersects", "t_disjoint", "t_before", "t_after", "t_equals")
# Kinds that compare with each other.
FAMILIES = {
    "string": "text",
    "integer": "number",
    "number": "number",
    "boolean": "boolean",
    "date": "time",
    "timestamp": "time",
}


class InvalidFilter(AppError):
    """A filter that cannot be parsed, names what is not queryable, or compares unlike things: 400, field filter."""

    def __init__(self, message: str):
        super().__init__(f"Invalid filter: {message}", field="filter")


class Typed(NamedTuple):
    sql: Any
    kind: str  # string, integer, number, boolean, date, timestamp, geometry, interval, null


def kind_of(schema: dict) -> str:
    """The kind of a queryable from its JSON Schema."""
    if schema.get("format", "").startswith("geometry"):
        return "geometry"
    if schema.get("format") in ("date", "date-time"):
        return "date" if schema["format"] == "date" else "timestamp"
    return schema.get("type", "string")


def parse(raw: str, lang: str = "cql2-text") -> dict:
    """The filter as standard CQL2 JSON; InvalidFilter for anything the CQL2 grammar or schema refuses."""
    if len(raw) > MAX_FILTER_LENGTH:
        raise InvalidFilter(f"longer than {MAX_FILTER_LENGTH} characters")
    try:
        expression = cql2.parse_json(raw) if lang == "cql2-json" else cql2.parse_text(raw)
        expression.validate()
        return expression.to_json()
    except (cql2.ParseError, cql2.ValidationError, ValueError) as error:
        raise InvalidFilter(_first_line(error)) from None


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " ".join(lines)[:300] or type(error).__name__


def to_sql(tree: dict, columns: dict[str, Any], schemas: dict[str, dict], srid: int | None = None):
    """The filter as an SQL condition over `columns` (name → column as the audience sees it); geometries in the
    filter are in EPSG:srid (north first), or CRS84 when srid is None."""
    result = _ToSql(columns, schemas, srid).walk(tree, 0)
    if result.kind != "boolean":
        raise InvalidFilter("the filter must be a condition")
    return result.sql


class _ToSql:
    """Standard CQL2 JSON to SQLAlchemy, checking every name and the kind of every comparison."""

    def __init__(self, columns: dict[str, Any], schemas: dict[str, dict], srid: int | None):
        self.columns, self.schemas, self.srid = columns, schemas, srid

    def walk(self, node, depth: int) -> Typed:
        if depth > MAX_DEPTH:
            raise InvalidFilter(f"nested more than {MAX_DEPTH} deep")
        if isinstance(node, dict) and "op" in node:
            return self.operation(str(node["op"]).lower(), node.get("args") or [], depth + 1)
        return self.value(node)

    # --- values ---

    def value(self, node) -> Typed:
        if node is None:
            return Typed(None, "null")
        if isinstance(node, bool):
            return Typed(literal(node, Boolean), "boolean")
        if isinstance(node, (int, float)):
            if not math.isfinite(node):
                raise InvalidFilter("numbers must be finite")
            return Typed(literal(node, Float), "integer" if float(node).is_integer() else "number")
        if isinstance(node, str):
            return Typed(literal(node, String), "string")
        if isinstance(node, dict):
            return self._object(node)
        raise InvalidFilter("an array can only follow IN")

    def _object(self, node: dict) -> Typed:
        if "property" in node:
            name = node["property"]
            if name not in self.columns or name not in self.schemas:
                raise InvalidFilter(f"'{name}' is not queryable; see the collection's queryables")
            return Typed(self.columns[name], kind_of(self.schemas[name]))
        if "date" in node:
            return Typed(literal(self._time(node["date"]), Date), "date")
        if "timestamp" in node:
            return Typed(literal(self._time(node["timestamp"]), DateTime(timezone=True)), "timestamp")
        if "interval" in node:
            return Typed([None if end == ".." else self._time(end) for end in node["interval"]], "interval")
        if "bbox" in node:
            box = node["bbox"]
            box = box if len(box) == 4 else [box[0], box[1], box[3], box[4]]
            return Typed(self._geometry(shapely.geometry.box(*box).__geo_interface__), "geometry")
        if "type" in node:
            return Typed(self._geometry(node), "geometry")
        raise InvalidFilter("unknown value")

    @staticmethod
    def _time(text: str):
        try:
            return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidFilter(f"'{text}' is not a date or timestamp") from None

    def _geometry(self, geojson: dict):
        try:
            shape = shapely.geometry.shape(geojson)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, shapely.errors.ShapelyError) as error:
            raise InvalidFilter(f"not a geometry: {_first_line(error)}") from None
        coordinates = shapely.get_coordinates(shape)
        if shape.is_empty or len(coordinates) > MAX_POSITIONS or not bool(numpy.isfinite(coordinates).all()):
            raise InvalidFilter(f"a geometry must be non-empty and finite, with at most {MAX_POSITIONS} positions")
        if not all(crs.inside(first, second, self.srid) for first, second in coordinates):
            raise InvalidFilter("a geometry lies outside where its CRS (filter-crs, default CRS84) is defined")
        return in_stored_crs(func.ST_GeomFromText(bindparam(None, shape.wkt, String)), self.srid)

    # --- operations ---

    def operation(self, op: str, args: list, depth: int) -> Typed:
        if op in ("and", "or"):
            parts = [self._expect(self.walk(arg, depth), "boolean").sql for arg in args]
            return Typed((and_ if op == "and" else or_)(*parts), "boolean")
        if op == "not":
            return Typed(not_(self._expect(self.walk(args[0], depth), "boolean").sql), "boolean")
        if op in ("casei", "accenti"):
            return Typed(func.lower(self._expect(self.walk(args[0], depth), "string").sql), "string")
        if op == "in":
            return self._in(self.walk(args[0], depth), args[1], depth)
        operands = [self.walk(arg, depth) for arg in args]
        if op in COMPARISONS:
            return Typed(COMPARISONS[op](*self._comparable(*operands)), "boolean")
        if op == "isnull":
            return Typed(operands[0].sql.is_(None), "boolean")
        if op == "like":
            subject, pattern = operands
            self._expect(subject, "string")
            self._expect(pattern, "string")
            return Typed(subject.sql.like(pattern.sql, escape="\\"), "boolean")  # CQL2's wildcards are SQL's
        if op == "between":
            subject, low, high = operands
            self._comparable(subject, low)
            self._comparable(subject, high)
            return Typed(subject.sql.between(low.sql, high.sql), "boolean")
        if op in SPATIAL:
            first, second = (self._expect(operand, "geometry") for operand in operands)
            return Typed(SPATIAL[op](first.sql, second.sql), "boolean")
        if op == "s_dwithin":
            return self._dwithin(operands)
        if op in TEMPORAL:
            return self._temporal(op, *operands)
        raise InvalidFilter(f"the operation {op.upper()} is not offered")

    def _in(self, subject: Typed, options, depth: int) -> Typed:
        if not isinstance(options, list) or not options:
            raise InvalidFilter("IN needs a list of values")
        values = [self._comparable(subject, self.walk(option, depth))[1] for option in options]
        return Typed(subject.sql.in_(values), "boolean")

    def _dwithin(self, operands: list[Typed]) -> Typed:
        """S_DWITHIN(a, b, metres): measured on the globe, whatever the CRS of the filter."""
        if len(operands) != 3 or operands[2].kind not in ("integer", "number"):
            raise InvalidFilter("S_DWITHIN takes two geometries and a distance in metres")
        first, second = (self._expect(operand, "geometry") for operand in operands[:2])
        distance = operands[2].sql.value
        if not 0 <= distance <= MAX_DISTANCE:
            raise InvalidFilter(f"S_DWITHIN's distance must be 0 to {MAX_DISTANCE} metres")
        return Typed(func.ST_DWithin(func.geography(first.sql), func.geography(second.sql), distance), "boolean")

    def _temporal(self, op: str, subject: Typed, other: Typed) -> Typed:
        if FAMILIES.get(subject.kind) != "time":
            raise InvalidFilter(f"{op.upper()} needs a date or time property first")
        if other.kind == "interval":
            start, end = other.sql
        elif FAMILIES.get(other.kind) == "time":
            start = end = other.sql
        else:
            raise InvalidFilter(f"{op.upper()} compares with a DATE, a TIMESTAMP or an INTERVAL")
        column = subject.sql
        after_start = column >= start if start is not None else true()
        before_end = column <= end if end is not None else true()
        conditions = {
            "t_intersects": and_(column.isnot(None), after_start, before_end),
            "t_disjoint": and_(column.isnot(None), not_(and_(after_start, before_end))),
            "t_before": column < start if start is not None else false(),
            "t_after": column > end if end is not None else false(),
            "t_equals": and_(column == start, column == end) if None not in (start, end) else false(),
        }
        return Typed(conditions[op], "boolean")

    # --- checks ---

    @staticmethod
    def _expect(operand: Typed, kind: str) -> Typed:
        if operand.kind != kind:
            raise InvalidFilter(f"expected a {kind} here, got a {operand.kind}")
        return operand

    @staticmethod
    def _comparable(a: Typed, b: Typed) -> tuple[Any, Any]:
        family = FAMILIES.get(a.kind)
        if family is None or family != FAMILIES.get(b.kind):
            raise InvalidFilter(f"cannot compare a {a.kind} with a {b.kind}")
        return a.sql, b.sql
