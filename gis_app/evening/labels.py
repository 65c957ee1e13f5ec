"""Swedish and English labels of the evening economy's fixed vocabularies (data, as inventory/labels.py: exports
are in Swedish whatever the page's language), and the evidence indicators a Purple Flag theme can cite."""

FEATURE_KIND_LABELS = {
    "taxi_rank": ("Taxihållplats", "Taxi rank"),
    "night_bus_stop": ("Nattbusshållplats", "Night bus stop"),
    "toilet": ("Offentlig toalett", "Public toilet"),
    "lit_route": ("Belyst stråk", "Lit route"),
}
FEATURE_KIND_COLORS = {"taxi_rank": "#f2c500", "night_bus_stop": "#1f77b4", "toilet": "#17becf", "lit_route": "#2ca02c"}
LIT_STATE_LABELS = {
    "working": ("Fungerar", "Working"),
    "partly": ("Delvis trasig", "Partly broken"),
    "broken": ("Släckt / trasig", "Dark / broken"),
}
LIT_STATE_COLORS = {"working": "#2ca02c", "partly": "#ff7f0e", "broken": "#d62728"}
CHECK_ITEM_LABELS = {
    "over_serving": ("Överservering", "Over-serving"),
    "age_checks": ("Ålderskontroll", "Age checks"),
    "order_security": ("Ordning och säkerhet", "Order and security"),
    "staff_trained": ("Personal utbildad (Ansvarsfull alkoholservering)", "Staff trained (responsible serving)"),
    "crowding": ("Trängsel", "Crowding"),
}
CHECK_RESULT_LABELS = {
    "ok": ("Utan anmärkning", "OK"),
    "remark": ("Anmärkning", "Remark"),
    "not_checked": ("Ej kontrollerat", "Not checked"),
}
OUTCOME_LABELS = {
    "no_remarks": ("Utan anmärkning", "No remarks"),
    "remarks": ("Med anmärkning", "With remarks"),
    "serious": ("Allvarliga brister – ärende till tillståndsenheten", "Serious – case for the licensing unit"),
}
OUTCOME_COLORS = {"none": "#7f7f7f", "no_remarks": "#2ca02c", "remarks": "#ff7f0e", "serious": "#d62728"}
THEME_LABELS = {
    "wellbeing": ("Välbefinnande", "Wellbeing"),
    "movement": ("Rörelse", "Movement"),
    "appeal": ("Utbud och attraktivitet", "Appeal"),
    "place": ("Plats", "Place"),
    "policy_envelope": ("Styrning och samverkan", "Policy envelope"),
}
RATING_LABELS = {
    "not_met": ("Uppfylls inte ännu", "Not yet met"),
    "partly": ("Uppfylls delvis", "Partly met"),
    "met": ("Uppfylls", "Met"),
}
# Evidence indicators: (Swedish, English, the theme it suggests itself for). Figures from evening/queries.py.
EVIDENCE = {
    "inspections_held": ("Gemensamma krogtillsyner", "Joint inspections held", "wellbeing"),
    "premises_inspected": ("Serveringsställen med tillsyn", "Premises inspected", "wellbeing"),
    "serious_outcomes": ("Tillsyner med allvarliga brister", "Inspections with serious findings", "wellbeing"),
    "trainings_held": ("Utbildningar i ansvarsfull alkoholservering", "Responsible serving trainings", "wellbeing"),
    "staff_trained": ("Utbildad personal (deltagare)", "Staff trained (attendees)", "wellbeing"),
    "outreach_visits": ("Polisens uppsökande besök", "Police outreach visits", "wellbeing"),
    "taxi_ranks": ("Taxihållplatser", "Taxi ranks", "movement"),
    "night_bus_stops": ("Nattbusshållplatser", "Night bus stops", "movement"),
    "lit_routes": ("Belysta stråk", "Lit routes", "movement"),
    "lit_routes_broken": ("Belysta stråk med fel", "Lit routes with faults", "movement"),
    "licensed_premises": ("Serveringsställen med tillstånd", "Licensed premises", "appeal"),
    "premises_open_late": ("Serveringsställen öppna efter 22", "Premises open after 22:00", "appeal"),
    "toilets": ("Offentliga toaletter", "Public toilets", "place"),
    "unsafe_places": ("Otrygga platser i zonen", "Unsafe places in the zone", "place"),
    "places_remediated": ("Åtgärdade otrygga platser", "Unsafe places remediated", "place"),
    "walks_held": ("Trygghetsvandringar", "Safety walks held", "policy_envelope"),
}


def label(labels: dict, code: str | None, locale: str = "sv") -> str:
    """The label of `code` in `locale` (sv or en); an unknown code is shown as itself."""
    if code not in labels:
        return code or ""
    return labels[code][1] if locale == "en" else labels[code][0]


def options(labels: dict, locale: str) -> list[tuple[str, str]]:
    """(code, label) pairs in the table's order."""
    return [(code, label(labels, code, locale)) for code in labels]


def suggested_evidence(theme: str) -> list[str]:
    """The indicators a theme cites unless the assessor chooses otherwise."""
    return [code for code, (_sv, _en, suggested) in EVIDENCE.items() if suggested == theme]
