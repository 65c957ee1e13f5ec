"""Swedish and English labels of the property vocabularies (data, like the inventory's: exports are Swedish)."""

from gis_app.inventory.labels import label, options  # noqa: F401  (one way to read a label table)

PROPERTY_KIND_LABELS = {"building": ("Byggnad", "Building"), "plot": ("Tomt", "Plot")}
PROTECTION_LABELS = {
    "perimeter": ("Skalskydd", "Perimeter"),
    "locks": ("Lås", "Locks"),
    "lighting": ("Belysning", "Lighting"),
    "alarm": ("Larm", "Alarm"),
}
INCIDENT_LABELS = {
    "break_in": ("Inbrott", "Break-in"),
    "vandalism": ("Skadegörelse", "Vandalism"),
    "fire": ("Brand", "Fire"),
    "other": ("Annat", "Other"),
}
