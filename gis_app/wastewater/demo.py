"""Demo wastewater monitoring for Östersund: two sampling sites with made-up catchments and a year of weekly,
made-up results for three substances. Every name says (demo); none of the figures is real."""

import random
from datetime import timedelta

from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import func, select

from gis_app.core.clock import local_now
from gis_app.extensions import db
from gis_app.wastewater import service
from gis_app.wastewater.models import SampleResult, SamplingSite

SITES = (
    (
        "GOV-DEMO",
        "Gövikens reningsverk (demo)",
        52_000,
        Polygon([(14.58, 63.15), (14.72, 63.15), (14.72, 63.22), (14.58, 63.22)]),
    ),
    (
        "BRU-DEMO",
        "Brunflo reningsverk (demo)",
        5_000,
        Polygon([(14.80, 63.06), (14.88, 63.06), (14.88, 63.10), (14.80, 63.10)]),
    ),
)
SUBSTANCES = (("Kokain (bensoylekgonin)", 180.0), ("Amfetamin", 90.0), ("Cannabis (THC-COOH)", 40.0))
UNIT = "mg/dygn/1000 inv"
WEEKS = 52


def load(seed: int) -> int:
    """Load the demo sites and a year of weekly results; return the number of results."""
    rng = random.Random(seed)
    service.upsert(
        SamplingSite,
        [
            {
                "code": code,
                "name": name,
                "population": population,
                "demo": True,
                "catchment": from_shape(MultiPolygon([polygon]), srid=4326),
            }
            for code, name, population, polygon in SITES
        ],
        "ww_site_code_key",
        ("name", "population", "catchment"),
    )
    site_ids = dict(db.session.execute(select(SamplingSite.code, SamplingSite.id)).all())
    today = local_now().date()
    start = today - timedelta(days=today.weekday() + 7 * WEEKS)
    rows = []
    for code, _name, _population, _polygon in SITES:
        for substance, level in SUBSTANCES:
            value = level * rng.uniform(0.7, 1.3)
            for week in range(WEEKS):
                value = max(0.0, value * rng.uniform(0.85, 1.18))
                first = start + timedelta(weeks=week)
                rows.append(
                    {
                        "site_id": site_ids[code],
                        "substance": substance,
                        "period_start": first,
                        "period_end": first + timedelta(days=6),
                        "value": round(value, 1),
                        "unit": UNIT,
                    }
                )
    service.upsert(SampleResult, rows, "uq_ww_result_period", ("period_end", "value", "unit"))
    return len(rows)


def load_if_missing(seed: int) -> str:
    """Load the demo wastewater data unless a sampling site exists."""
    if db.session.scalar(select(func.count()).select_from(SamplingSite)):
        return ""
    return _("Loaded %(count)d demo wastewater results for two sampling sites.", count=load(seed))
