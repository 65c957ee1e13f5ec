"""Reference data that pages need for their filters, legends and maps (never the places themselves)."""

from sqlalchemy import select, text

from gis_app.areas.models import Area
from gis_app.areas.queries import municipality_extent
from gis_app.core.choices import Choice, safe_color
from gis_app.extensions import db
from gis_app.places.models import Category, Status


def categories(locale: str) -> list[Choice]:
    """Return the categories in display order, labelled in `locale`."""
    rows = db.session.scalars(select(Category).order_by(Category.sort_order, Category.code))
    return [Choice(c.code, c.label(locale), safe_color(c.color)) for c in rows]  # colours go into style attributes


def sensitive_categories() -> list[str]:
    """Return the codes of the categories the public sees only at their grid cell."""
    return list(db.session.scalars(select(Category.code).where(Category.sensitive).order_by(Category.code)))


def statuses(locale: str) -> list[Choice]:
    """Return the place statuses in workflow order, labelled in `locale`."""
    rows = db.session.scalars(select(Status).order_by(Status.sort_order, Status.code))
    return [Choice(s.code, s.label(locale)) for s in rows]


def districts() -> list[Choice]:
    """Return the districts by name (the code is the area id the API filters on)."""
    rows = db.session.execute(select(Area.id, Area.name).where(Area.kind == "district").order_by(Area.name, Area.id))
    return [Choice(str(area_id), name) for area_id, name in rows]


# One index probe per year that has data (a skip scan), not a read of every place and observation: the map page
# asks this on every load.
YEARS = """
WITH RECURSIVE reported(year) AS (
    SELECT extract(year FROM min(reported_on))::int FROM place
    UNION ALL
    SELECT (SELECT extract(year FROM min(reported_on))::int FROM place WHERE reported_on >= make_date(year + 1, 1, 1))
    FROM reported WHERE year IS NOT NULL
), observed(year) AS (
    SELECT extract(year FROM min(observed_at))::int FROM observation
    UNION ALL
    SELECT (SELECT extract(year FROM min(observed_at))::int FROM observation
            WHERE observed_at >= make_timestamptz(year + 1, 1, 1, 0, 0, 0))
    FROM observed WHERE year IS NOT NULL
)
SELECT year FROM reported WHERE year IS NOT NULL UNION SELECT year FROM observed WHERE year IS NOT NULL
"""


def years() -> list[int]:
    """Return the years with a report or an observation, newest first (what the API's year filter matches)."""
    return sorted(db.session.scalars(text(YEARS)), reverse=True)


def map_bounds(fallback: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """Return the municipality's extent (W, S, E, N), or `fallback` when no outline is imported."""
    return municipality_extent() or tuple(fallback)
