"""SQL for wastewater monitoring: the sites, each site's series per substance, and the half-year report figures."""

from datetime import date

from sqlalchemy import func, select

from gis_app.extensions import db
from gis_app.wastewater.models import SampleResult, SamplingSite


def sites() -> list[SamplingSite]:
    return list(db.session.scalars(select(SamplingSite).order_by(SamplingSite.name, SamplingSite.id)))


def substances() -> list[str]:
    return list(db.session.scalars(select(SampleResult.substance).distinct().order_by(SampleResult.substance)))


def series(site_ids: list[int], substance: str) -> dict[int, list[tuple[date, float, str]]]:
    """Per site: (period start, value, unit) of the substance, oldest first."""
    query = (
        select(SampleResult.site_id, SampleResult.period_start, SampleResult.value, SampleResult.unit)
        .where(SampleResult.site_id.in_(site_ids), SampleResult.substance == substance)
        .order_by(SampleResult.site_id, SampleResult.period_start)
    )
    found: dict[int, list] = {site_id: [] for site_id in site_ids}
    for site_id, start, value, unit in db.session.execute(query):
        found[site_id].append((start, value, unit))
    return found


def report_figures(first: date, after: date) -> list[dict]:
    """Per site and substance: the mean of the periods that start in [first, after), the mean of the same length
    just before, and the number of periods; what the twice-yearly citizen report prints."""
    length = after - first
    before_first = first - length

    def mean_between(start, end):
        return func.avg(SampleResult.value).filter(SampleResult.period_start >= start, SampleResult.period_start < end)

    query = (
        select(
            SamplingSite.name,
            SampleResult.substance,
            func.min(SampleResult.unit).label("unit"),
            mean_between(first, after).label("mean"),
            mean_between(before_first, first).label("previous"),
            func.count().filter(SampleResult.period_start >= first, SampleResult.period_start < after).label("periods"),
        )
        .join(SamplingSite, SamplingSite.id == SampleResult.site_id)
        .where(SampleResult.period_start >= before_first, SampleResult.period_start < after)
        .group_by(SamplingSite.name, SampleResult.substance)
        .order_by(SamplingSite.name, SampleResult.substance)
    )
    return [row._asdict() for row in db.session.execute(query)]


def result_rows(site_ids: list[int] | None = None) -> list[dict]:
    """Every result with its site's code and name, for an export."""
    query = (
        select(
            SamplingSite.code.label("site"),
            SamplingSite.name.label("site_name"),
            SampleResult.substance,
            SampleResult.period_start,
            SampleResult.period_end,
            SampleResult.value,
            SampleResult.unit,
        )
        .join(SamplingSite, SamplingSite.id == SampleResult.site_id)
        .order_by(SamplingSite.code, SampleResult.substance, SampleResult.period_start)
    )
    if site_ids:
        query = query.where(SampleResult.site_id.in_(site_ids))
    return [row._asdict() for row in db.session.execute(query)]


def catchments_geojson() -> list[dict]:
    """The sites' catchments as GeoJSON features (no user text besides the site's name and code)."""
    import json

    rows = db.session.execute(
        select(
            SamplingSite.id,
            SamplingSite.code,
            SamplingSite.name,
            SamplingSite.population,
            func.ST_AsGeoJSON(SamplingSite.catchment, 6),
        ).order_by(SamplingSite.id)
    )
    return [
        {
            "type": "Feature",
            "id": site_id,
            "geometry": json.loads(geometry),
            "properties": {"code": code, "name": name, "population": population},
        }
        for site_id, code, name, population, geometry in rows
    ]
