"""Swedish and English labels of the inventory's fixed vocabularies, like the reference tables' label_sv/label_en.

Kept as data (not msgids) because exports are always in Swedish, whatever the page's language.
"""

MEASURE_TYPE_LABELS = {
    "lighting": ("Belysning: laga eller komplettera", "Fix or add lighting"),
    "vegetation": ("Röjning av vegetation", "Cut vegetation"),
    "vandalism_repair": ("Laga skadegörelse / sanera klotter", "Repair vandalism / clean graffiti"),
    "camera_perimeter": ("Kamera eller skalskydd", "Camera or perimeter protection"),
    "police_outreach": ("Polisens uppsökande arbete", "Police outreach"),
    "owner_contact": ("Kontakt med fastighetsägare", "Contact the property owner"),
    "other": ("Annan åtgärd", "Other"),
}
RESPONSIBLE_LABELS = {
    "municipal_unit": ("Kommunal enhet", "Municipal unit"),
    "police": ("Polisen", "Police"),
    "property_owner": ("Fastighetsägare", "Property owner"),
    "road_authority": ("Väghållare", "Road authority"),
    "other": ("Annan", "Other"),
}
MEASURE_STATUS_LABELS = {
    "proposed": ("Föreslagen", "Proposed"),
    "decided": ("Beslutad", "Decided"),
    "in_progress": ("Pågår", "In progress"),
    "done": ("Utförd", "Done"),
    "verified": ("Verifierad", "Verified"),
    "not_feasible": ("Ej genomförbar", "Not feasible"),
}
# Map colours per measure status (and for a place that has no measure yet).
MEASURE_STATUS_COLORS = {
    "none": "#7f7f7f",
    "proposed": "#e6a100",
    "decided": "#ff7f0e",
    "in_progress": "#1f77b4",
    "done": "#2ca02c",
    "verified": "#17763a",
    "not_feasible": "#d62728",
}
YEAR_STATUS_LABELS = {"open": ("Öppen", "Open"), "closed": ("Stängd", "Closed")}


def label(labels: dict, code: str | None, locale: str = "sv") -> str:
    """The label of `code` in `locale` (sv or en); an unknown code is shown as itself."""
    if code not in labels:
        return code or ""
    swedish, english = labels[code]
    return english if locale == "en" else swedish


def options(labels: dict, locale: str) -> list[tuple[str, str]]:
    """(code, label) pairs in the table's order, for a select or a filter."""
    return [(code, label(labels, code, locale)) for code in labels]
