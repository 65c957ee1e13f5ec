"""What the evening pages export: the yearly inspection summary (any registered format) and the Purple Flag
self-assessment as a document (the page, the PDF) and as spreadsheet rows."""

from gis_app.evening import queries, service
from gis_app.evening.labels import EVIDENCE, OUTCOME_LABELS, RATING_LABELS, THEME_LABELS, label, suggested_evidence
from gis_app.evening.models import THEMES
from gis_app.exports import ExportColumn, Exporter, ExportOptions
from gis_app.walks.protocol import render_pdf  # noqa: F401  (one WeasyPrint set-up: data: URLs only)

SUMMARY_COLUMNS = [
    ExportColumn("licence_ref", "Tillstånd", width=14),
    ExportColumn("name", "Serveringsställe", width=30),
    ExportColumn("address", "Adress", width=28),
    ExportColumn("inspections", "Tillsyner", "int", 10),
    *(ExportColumn(code, OUTCOME_LABELS[code][0], "int", 12) for code in OUTCOME_LABELS),
    ExportColumn("last_inspected", "Senaste tillsyn", "date", 14),
    ExportColumn("open_follow_ups", "Öppna uppföljningar", "int", 12),
    ExportColumn("trained", "Utbildad personal", "int", 12),
    ExportColumn("demo", "Demodata", width=8),
]
ASSESSMENT_COLUMNS = [
    ExportColumn("theme", "Tema", width=24),
    ExportColumn("rating", "Bedömning", width=18),
    ExportColumn("narrative", "Beskrivning", width=60),
    ExportColumn("evidence", "Underlag", width=40),
    ExportColumn("value", "Värde", "int", 10),
    ExportColumn("details", "Detaljer", width=60),
]


# --- the yearly inspection summary ----------------------------------------------------------------------------------


def summary_totals(rows: list[dict]) -> dict:
    """Totals over the premises: how many were inspected, inspections by outcome, staff trained."""
    return {
        "premises": len(rows),
        "inspected": sum(1 for r in rows if r["inspections"]),
        "inspections": sum(r["inspections"] for r in rows),
        **{code: sum(r[code] for r in rows) for code in OUTCOME_LABELS},
        "trained": sum(r["trained"] for r in rows),
    }


def _srid(exporter: Exporter, crs: str) -> int:
    return exporter.srid(ExportOptions(srid=int(crs) if crs.isascii() and crs.isdigit() else None))


def summary_export(exporter: Exporter, year: int, crs: str = "") -> tuple[list[dict], list, ExportOptions]:
    """The summary's rows with each premises' point, the columns and the options, for the exporter."""
    srid = _srid(exporter, crs)
    options = ExportOptions(srid=srid, layer=f"krogtillsyn_{year}")
    geometries = queries.summary_geometries(srid, exporter.geometry_format)
    spreadsheet = exporter.name in ("csv", "xlsx")
    rows = []
    for row in queries.yearly_summary(year):
        values = {column.key: row.get(column.key) for column in SUMMARY_COLUMNS}
        values["last_inspected"] = row["last_inspected"].date() if row["last_inspected"] else None
        values["demo"] = "ja" if row["demo"] else "nej"
        if spreadsheet:
            values = dict(values)  # the CSV and XLSX writers quote formula starts
        values["geometry"] = geometries.get(row["id"])
        rows.append(values)
    return rows, SUMMARY_COLUMNS, options


# --- the self-assessment --------------------------------------------------------------------------------------------


def _details(zone_id: int, year: int) -> dict[str, list[str]]:
    """Lines that name what a figure counts, where staff may see them (never inspections or outreach notes)."""
    return {
        "places_remediated": [
            f"{r['done_on']:%Y-%m-%d} {r['title']}" for r in queries.remediated_places(zone_id, year)
        ],
        "walks_held": [f"{r['starts_at']:%Y-%m-%d} {r['title']}" for r in queries.walks_held(zone_id, year)],
    }


def assessment_document(zone, year: int, locale: str) -> dict:
    """Every theme with its rating, narrative and evidence (each figure with its value and details)."""
    assessment = service.find_assessment(zone.id, year)
    entries = {entry.theme: entry for entry in assessment.entries} if assessment else {}
    figures, details = queries.evidence_counts(zone.id, year), _details(zone.id, year)
    themes = []
    for theme in THEMES:
        entry = entries.get(theme)
        chosen = list(entry.evidence) if entry else suggested_evidence(theme)
        themes.append(
            {
                "code": theme,
                "label": label(THEME_LABELS, theme, locale),
                "rating": entry.rating if entry else None,
                "rating_label": label(RATING_LABELS, entry.rating, locale) if entry and entry.rating else "",
                "narrative": entry.narrative if entry else None,
                "chosen": chosen,
                "evidence": [
                    {
                        "code": code,
                        "label": label(EVIDENCE, code, locale),
                        "value": figures[code],
                        "details": details.get(code, []),
                    }
                    for code in chosen
                ],
            }
        )
    return {
        "themes": themes,
        "figures": figures,
        "details": details,
        "saved": assessment is not None,
        "updated_at": assessment.updated_at if assessment else None,
    }


def assessment_rows(zone, year: int) -> tuple[list[dict], list, ExportOptions]:
    """The self-assessment as spreadsheet rows (in Swedish): a row per theme and cited figure."""
    rows = []
    for theme in assessment_document(zone, year, "sv")["themes"]:
        base = {"theme": theme["label"], "rating": theme["rating_label"], "narrative": theme["narrative"]}
        for item in theme["evidence"] or [{"label": None, "value": None, "details": []}]:
            row = {**base, "evidence": item["label"], "value": item["value"], "details": "; ".join(item["details"])}
            rows.append(dict(row))
    options = ExportOptions(layer=f"Purple Flag {year}", geometry_header="")
    return rows, ASSESSMENT_COLUMNS, options
