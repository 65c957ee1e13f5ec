"""Import unsafe places (CSV, GeoJSON, GeoPackage, zipped Shapefile) all or nothing, and write place rows in bulk.

One path for the `gis-app import-places` command and the browser import (gis_app/imports): read the file, map its
columns to the place fields, check every row (a dry run stops here and reports), then write every place in one
transaction with an audited log row of the import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import shapely
from flask import current_app
from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from gis_app.areas.importer import municipality_outline
from gis_app.core.db import transaction
from gis_app.core.geometry import validity_problem
from gis_app.core.readers import (
    DRIVERS,
    WKT_COLUMN,
    X_COLUMNS,
    Y_COLUMNS,
    BadGeometry,
    ImportRejected,
    RowError,
    SourceFile,
    crs_name,
    database_refused,
    is_blank,
    read_source,
    rejected_rows,
)
from gis_app.extensions import db
from gis_app.places.import_log import log_import
from gis_app.places.models import AFFECTED_GROUPS, TIMES_OF_DAY, Category, Observation, Place, Source, Status

REQUIRED_COLUMNS = ("title", "category")
GEOMETRY_COLUMNS = (*X_COLUMNS, *Y_COLUMNS, WKT_COLUMN)
PLACE_GEOMETRY_TYPES = ("Point", "LineString", "Polygon")
TITLE_MAX = 200
DEFAULT_SOURCE = "municipal_staff"
WRITE_BATCH = 1000  # places per INSERT: progress is reported after each
CHECK_REPORT_EVERY = 500  # rows checked between progress reports

# (phase, done, total): "checking" rows, then "writing" places; a browser import shows it as a progress bar.
Progress = Callable[[str, int, int], None]


class FieldInvalid(ValueError):
    """A field value that cannot be stored; the message says why."""


@dataclass
class NewPlace:
    """A validated place ready to write: column values, a shapely geometry and its observations."""

    values: dict
    geom: object
    observations: list[dict] = field(default_factory=list)  # source_code, text, observed_at, geom (shapely)


@dataclass
class PlaceImportResult:
    places: int
    observations: int
    ignored_columns: list[str]
    import_id: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # place field -> the file's column


# --- reference data -------------------------------------------------------------------------------------------------


@dataclass
class Vocabulary:
    """Codes a field accepts, matched case-insensitively on the code or its Swedish or English label."""

    codes: dict[str, str]

    @classmethod
    def load(cls, model) -> Vocabulary:
        codes = {}
        for row in db.session.scalars(select(model).order_by(model.sort_order, model.code)):
            for key in (row.label_en, row.label_sv, row.code):  # the code wins if a label collides with one
                codes[key.strip().lower()] = row.code
        return cls(codes)

    def code(self, value: str) -> str | None:
        return self.codes.get(value.strip().lower())


@dataclass
class Rules:
    """What a row is checked against: the vocabularies and the area places must lie in."""

    categories: Vocabulary
    statuses: Vocabulary
    sources: Vocabulary
    inside: Callable[[Any], bool]  # geometry -> bool
    outside_reason: str
    today: date
    now: datetime


def load_rules() -> Rules:
    """Read the vocabularies, the municipality (or the configured bounds) and the database clock."""
    outline = municipality_outline()
    if outline is not None:
        area, reason = outline, _("outside the municipality")
    else:
        bounds = current_app.config["AREA_BOUNDS"]
        area = shapely.box(*bounds)
        reason = _("outside the area bounds (%(bounds)s)", bounds=", ".join(f"{v:g}" for v in bounds))
    shapely.prepare(area)
    today, now = db.session.execute(select(func.current_date(), func.now())).one()
    return Rules(
        Vocabulary.load(Category),
        Vocabulary.load(Status),
        Vocabulary.load(Source),
        lambda geom: area.covers(geom),
        reason,
        today,
        now,
    )


# --- field parsers: each returns the value to store or raises FieldInvalid -------------------------------------------


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_title(value, rules: Rules) -> str:
    title = _text(value)
    if len(title) > TITLE_MAX:
        raise FieldInvalid(_("longer than %(max)d characters", max=TITLE_MAX))
    return title


def _vocabulary_parser(attribute: str, unknown):
    def parse(value, rules: Rules) -> str:
        code = getattr(rules, attribute).code(_text(value))
        if code is None:
            raise FieldInvalid(unknown(_text(value)))
        return code

    return parse


def _choice_parser(choices: tuple[str, ...]):
    def parse(value, rules: Rules) -> str:
        choice = _text(value).lower()
        if choice not in choices:
            raise FieldInvalid(
                _("'%(value)s' is not one of %(choices)s", value=_text(value), choices=", ".join(choices))
            )
        return choice

    return parse


def parse_priority(value, rules: Rules) -> int:
    try:
        number = float(_text(value))
    except ValueError:
        number = None
    if number not in (1, 2, 3):
        raise FieldInvalid(_("'%(value)s' is not 1, 2 or 3", value=_text(value)))
    return int(number)


def parse_date(value, rules: Rules) -> date:
    if isinstance(value, datetime):  # also pandas.Timestamp, which GDAL gives for GeoJSON/GPKG dates
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value)[:10])
    except ValueError as exc:
        raise FieldInvalid(_("'%(value)s' is not a date (YYYY-MM-DD)", value=_text(value))) from exc


def parse_text(value, rules: Rules) -> str:
    return _text(value)


parse_category = _vocabulary_parser("categories", lambda value: _("unknown category '%(value)s'", value=value))
parse_status = _vocabulary_parser("statuses", lambda value: _("unknown status '%(value)s'", value=value))
parse_source = _vocabulary_parser("sources", lambda value: _("unknown source '%(value)s'", value=value))

FIELDS = {
    # column: (parser, column in `place` or None when it feeds the observation)
    "title": (parse_title, "title"),
    "category": (parse_category, "category_code"),
    "description": (parse_text, "description"),
    "status": (parse_status, "status_code"),
    "dismissed_reason": (parse_text, "dismissed_reason"),
    "time_of_day": (_choice_parser(TIMES_OF_DAY), "time_of_day"),
    "affected_group": (_choice_parser(AFFECTED_GROUPS), "affected_group"),
    "priority": (parse_priority, "priority"),
    "reported_on": (parse_date, "reported_on"),
    "note": (parse_text, None),
    "source": (parse_source, None),
}


# --- column mapping: which column of the file feeds which place field ----------------------------------------------

SHAPEFILE_NAME_LENGTH = 10  # a Shapefile's column names are cut to this (dismissed_reason -> dismissed_)
# Column names (lower case, as read) that usually mean a field, tried when no column has the field's own name.
COLUMN_SYNONYMS = {
    "title": ("titel", "namn", "name", "rubrik", "benämning"),
    "category": ("kategori", "typ", "type"),
    "description": ("beskrivning", "desc"),
    "status": ("tillstånd",),
    "dismissed_reason": ("orsak", "skäl"),
    "time_of_day": ("tid_på_dygnet", "tidpunkt", "tid"),
    "affected_group": ("målgrupp", "grupp"),
    "priority": ("prioritet", "prio"),
    "reported_on": ("datum", "rapporterad", "date", "reported"),
    "note": ("anteckning", "notering", "kommentar", "comment"),
    "source": ("källa",),
}


def guess_mapping(columns: Iterable[str]) -> dict[str, str]:
    """Each field's column: the one named like the field, else its name cut to a Shapefile's 10 characters, else a
    usual synonym, each only if no other field has taken it."""
    columns = [column for column in columns if column not in GEOMETRY_COLUMNS]
    mapping = {name: name for name in FIELDS if name in columns}
    for name, synonyms in COLUMN_SYNONYMS.items():
        taken = set(mapping.values())
        candidates = (name[:SHAPEFILE_NAME_LENGTH], *synonyms)
        choice = next((column for column in candidates if column in columns and column not in taken), None)
        if name not in mapping and choice:
            mapping[name] = choice
    return {name: mapping[name] for name in FIELDS if name in mapping}


def map_columns(source: SourceFile, mapping: dict[str, str]) -> SourceFile:
    """The file's rows with the mapped columns renamed to the place fields (and only those)."""
    unknown = [name for name in mapping if name not in FIELDS]
    if unknown:
        raise ImportRejected(
            _("Unknown place field: %(fields)s (known: %(known)s).", fields=", ".join(unknown), known=", ".join(FIELDS))
        )
    absent = [column for column in mapping.values() if column not in source.attributes.columns]
    if absent:
        raise ImportRejected(
            _(
                "No column %(columns)s in the file (it has: %(fields)s).",
                columns=", ".join(absent),
                fields=", ".join(source.attributes.columns),
            )
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in mapping]
    if missing:
        raise ImportRejected(
            _(
                "Missing column: %(columns)s (the file has: %(fields)s).",
                columns=", ".join(missing),
                fields=", ".join(source.attributes.columns),
            )
        )
    frame = source.attributes
    mapped = frame[list(mapping.values())].set_axis(list(mapping), axis=1)
    return replace(source, attributes=mapped)


def read_columns(path: Path | str, *, crs: str | None = None, layer: str | None = None) -> list[str]:
    """The file's columns as the import reads them (lower case)."""
    return list(read_source(path, layer=layer, crs=crs, allow_csv=True).attributes.columns)


def ignored_columns(columns: Iterable[str], mapping: dict[str, str]) -> list[str]:
    """The file's columns no field takes (the geometry columns of a CSV file are used, not ignored)."""
    used = set(mapping.values()) | set(GEOMETRY_COLUMNS)
    return [column for column in columns if column not in used]


# --- rows -----------------------------------------------------------------------------------------------------------


def place_geometry(geom, rules: Rules):
    """Return the geometry to store (a one-part Multi* becomes its part) or raise FieldInvalid."""
    if geom is None or geom.is_empty:
        raise FieldInvalid(_("missing geometry"))
    if geom.geom_type.startswith("Multi") and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if geom.geom_type not in PLACE_GEOMETRY_TYPES:
        raise FieldInvalid(
            _(
                "geometry type %(type)s is not allowed: use %(allowed)s",
                type=geom.geom_type,
                allowed=", ".join(PLACE_GEOMETRY_TYPES),
            )
        )
    problem = validity_problem(geom)
    if problem:
        raise FieldInvalid(problem)
    if not rules.inside(geom):
        raise FieldInvalid(rules.outside_reason)
    return geom


def check_row(record: dict, geom, rules: Rules) -> tuple[dict, dict, object, list[tuple[str, str]]]:
    """Parse one row; return (place values, observation values, geometry, [(field, reason)])."""
    values, extra, problems = {}, {}, []
    for column, (parse, target) in FIELDS.items():
        raw = record.get(column)
        if is_blank(raw):
            if column in REQUIRED_COLUMNS:
                problems.append((column, _("required")))
            continue
        try:
            (values if target else extra)[target or column] = parse(raw, rules)
        except FieldInvalid as exc:
            problems.append((column, str(exc)))
    problems.extend(_cross_field_problems(values))
    if isinstance(geom, BadGeometry):
        return values, extra, None, problems + list(geom.problems)
    try:
        geom = place_geometry(geom, rules)
    except FieldInvalid as exc:
        problems.append(("geometry", str(exc)))
    return values, extra, geom, problems


def _cross_field_problems(values: dict) -> list[tuple[str, str]]:
    if values.get("status_code") == "dismissed" and not values.get("dismissed_reason"):
        return [("dismissed_reason", _("required when the status is dismissed"))]
    return []


def new_place(values: dict, extra: dict, geom, rules: Rules) -> NewPlace:
    """Fill the defaults and the observation a `note` asks for."""
    observed_at = values.get("reported_on", rules.now)
    # Every row carries every column so the rows go to the database as one batch.
    values = {
        "status_code": "reported",
        "priority": 2,
        "reported_on": rules.today,
        "description": None,
        "dismissed_reason": None,
        "time_of_day": None,
        "affected_group": None,
        **values,
    }
    place = NewPlace(values, geom)
    if extra.get("note"):
        place.observations.append(
            {
                "source_code": extra.get("source", DEFAULT_SOURCE),
                "text": extra["note"],
                "observed_at": observed_at,
                "geom": geom.representative_point(),
            }
        )
    return place


def check_rows(source: SourceFile, rules: Rules, progress: Progress | None = None) -> tuple[list, list[RowError]]:
    """Check every row: the places to write and the errors of every bad row (nothing is raised)."""
    errors, places, total = [], [], len(source)
    for index, (record, geom) in enumerate(zip(source.attributes.to_dict("records"), source.geometries)):
        values, extra, geom, problems = check_row(record, geom, rules)
        errors.extend(source.error(index, name, reason) for name, reason in problems)
        if not problems:
            places.append(new_place(values, extra, geom, rules))
        if progress and (index + 1) % CHECK_REPORT_EVERY == 0:
            progress("checking", index + 1, total)
    if progress:
        progress("checking", total, total)
    return places, errors


# --- dry run and import ---------------------------------------------------------------------------------------------


@dataclass
class DryRun:
    """What an import of the file would do: the places it would write, or every row it would refuse and why."""

    source: SourceFile  # the rows with the mapped fields as columns
    mapping: dict[str, str]
    places: list[NewPlace]
    errors: list[RowError]
    ignored_columns: list[str]

    @property
    def rows(self) -> int:
        return len(self.source)

    @property
    def rejected_rows(self) -> int:
        return len({error.row for error in self.errors})

    def rejection(self) -> ImportRejected:
        return rejected_rows(self.errors, self.rows, self.source.crs)


def dry_run(
    path: Path | str,
    *,
    crs: str | None = None,
    layer: str | None = None,
    mapping: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> DryRun:
    """Read the file, map its columns (guessed when `mapping` is None) and check every row; write nothing."""
    source = read_source(path, layer=layer, crs=crs, allow_csv=True)
    columns = list(source.attributes.columns)
    mapping = guess_mapping(columns) if mapping is None else mapping
    mapped = map_columns(source, mapping)
    places, errors = check_rows(mapped, load_rules(), progress)
    return DryRun(mapped, mapping, places, errors, ignored_columns(columns, mapping))


def import_places(
    path: Path | str,
    *,
    crs: str | None = None,
    layer: str | None = None,
    mapping: dict[str, str] | None = None,
    file_name: str | None = None,
    progress: Progress | None = None,
) -> PlaceImportResult:
    """Import every row of a file as a place, or nothing if any row is bad; log and audit the import."""
    path = Path(path)
    run = dry_run(path, crs=crs, layer=layer, mapping=mapping, progress=progress)
    if run.errors:
        raise run.rejection()
    with _refusal_as_rejection(), transaction(passthrough=(SQLAlchemyError,)):
        ids, observations = _write(run.places, progress)
        entry = log_import(
            file_name=(file_name or path.name)[:255],
            file_format=DRIVERS[path.suffix.lower()],
            layer=layer,
            crs=crs_name(run.source.crs),
            column_mapping=run.mapping,
            rows=run.rows,
            places=len(ids),
            observations=observations,
        )
    return PlaceImportResult(len(ids), observations, run.ignored_columns, entry.id, run.mapping)


@contextmanager
def _refusal_as_rejection():
    """The database's refusal of an import (the checks should have caught it) as an ImportRejected."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise database_refused(exc) from exc


def write_places(places: list[NewPlace]) -> tuple[int, int]:
    """Insert places and their observations in bulk, in one transaction; commit or change nothing."""
    with _refusal_as_rejection(), transaction(passthrough=(SQLAlchemyError,)):
        ids, observations = _write(places)
    return len(ids), observations


def _write(places: list[NewPlace], progress: Progress | None = None) -> tuple[list[int], int]:
    """Insert the places in batches (reporting progress after each) and their observations; commit nothing."""
    ids: list[int] = []
    for start in range(0, len(places), WRITE_BATCH):
        batch = places[start : start + WRITE_BATCH]
        batch_ids = _insert_places(batch)
        observations = _observation_rows(batch, batch_ids)
        if observations:
            db.session.execute(insert(Observation), observations)
        ids.extend(batch_ids)
        if progress:
            progress("writing", len(ids), len(places))
    count = sum(len(place.observations) for place in places)
    return ids, count


def _insert_places(places: list[NewPlace]) -> list[int]:
    if not places:
        return []
    # An administrator imports the municipality's own list (or the demo data): its titles are public at once.
    rows = [{**place.values, "geom": from_shape(place.geom, srid=4326), "title_reviewed": True} for place in places]
    # district_id is left to the database trigger; ids come back in input order for the observations.
    return list(db.session.scalars(insert(Place).returning(Place.id, sort_by_parameter_order=True), rows))


def _observation_rows(places: list[NewPlace], ids: list[int]) -> list[dict]:
    return [
        {**observation, "place_id": place_id, "geom": from_shape(observation["geom"], srid=4326)}
        for place, place_id in zip(places, ids)
        for observation in place.observations
    ]
