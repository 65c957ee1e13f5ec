"""Import an address register and place names (CSV or GeoPackage) for the report form's search; all rows or none."""

from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from sqlalchemy import delete, insert, text

from gis_app.citizens.models import GAZETTEER_KINDS, GazetteerEntry
from gis_app.core.readers import BadGeometry, RowError, read_source, rejected_rows
from gis_app.extensions import db

# Attribute names, first match wins: English, then Swedish (Lantmäteriet's and municipal registers' own words).
COLUMNS = {
    "kind": ("kind", "typ"),
    "name": ("name", "namn", "ortnamn"),
    "street": ("street", "gata", "gatunamn", "adressomrade", "adressområde"),
    "house_number": ("number", "house_number", "nummer", "husnummer", "adressplatsnummer"),
    "postcode": ("postcode", "postnummer", "postnr"),
    "locality": ("locality", "ort", "postort", "kommundel"),
}
MAXIMUM = {"name": 200, "street": 200, "house_number": 20, "postcode": 10, "locality": 100}
SEARCH_TEXT = text("""
    UPDATE gazetteer_entry
    SET search_text = citizen_fold(concat_ws(' ', coalesce(street, name), house_number, postcode, locality))
    WHERE dataset = :dataset
""")


@dataclass(frozen=True)
class GazetteerImport:
    rows: int
    replaced: int


def _value(row, column: str) -> str | None:
    for name in COLUMNS[column]:
        value = row.get(name)
        if value is not None and str(value).strip() and str(value).lower() != "nan":
            text_value = str(value).strip()
            return (
                text_value[:-2] if column in ("house_number", "postcode") and text_value.endswith(".0") else text_value
            )
    return None


def _label(values: dict) -> str:
    """What the search shows: 'Storgatan 12, Östersund' or 'Stortorget, Östersund'."""
    head = (
        " ".join(v for v in (values["street"], values["house_number"]) if v)
        if values["kind"] == "address"
        else values["name"]
    )
    return f"{head}, {values['locality']}" if values["locality"] and values["locality"] != head else head


def _row_values(source, index: int, row, errors: list[RowError]) -> dict | None:
    values = {column: _value(row, column) for column in COLUMNS}
    # Without a kind column: a row with a name and no street is a place name, anything else an address.
    inferred = "place_name" if values["name"] and not values["street"] else "address"
    values["kind"] = (values["kind"] or inferred).lower()
    problems = []
    if values["kind"] not in GAZETTEER_KINDS:
        problems.append(
            (
                "kind",
                _(
                    "unknown value '%(value)s': use one of %(choices)s",
                    value=values["kind"],
                    choices=", ".join(GAZETTEER_KINDS),
                ),
            )
        )
    if values["kind"] == "address" and not values["street"]:
        problems.append(("street", _("required")))
    if values["kind"] != "address" and not values["name"]:
        problems.append(("name", _("required")))
    for column, maximum in MAXIMUM.items():
        if values[column] and len(values[column]) > maximum:
            problems.append((column, _("longer than %(max)d characters", max=maximum)))
    geometry = source.geometries[index]
    if geometry is None:
        problems.append(("geometry", _("required")))
    elif isinstance(geometry, BadGeometry):
        problems.extend(geometry.problems)
    elif geometry.geom_type != "Point":
        geometry = geometry.representative_point()  # a place name drawn as an area: search goes to its middle
    for field, reason in problems:
        errors.append(source.error(index, field, reason))
    if problems:
        return None
    values["name"] = _label(values)
    values["geom"] = from_shape(geometry, srid=4326)
    return values


def import_gazetteer(
    path: Path | str, dataset: str, *, crs: str | None = None, layer: str | None = None
) -> GazetteerImport:
    """Replace the entries of `dataset` with the file's rows (addresses and place names); refuse a file with errors."""
    source = read_source(path, layer=layer, crs=crs, allow_csv=True)
    source.attributes.columns = [str(c).lower() for c in source.attributes.columns]
    errors: list[RowError] = []
    rows = [_row_values(source, index, row, errors) for index, row in enumerate(source.attributes.to_dict("records"))]
    if errors:
        raise rejected_rows(errors, len(source), source.crs)
    try:
        replaced = db.session.execute(delete(GazetteerEntry).where(GazetteerEntry.dataset == dataset)).rowcount
        db.session.execute(insert(GazetteerEntry), [{**row, "dataset": dataset, "search_text": ""} for row in rows])
        db.session.execute(SEARCH_TEXT, {"dataset": dataset})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return GazetteerImport(len(rows), replaced)
