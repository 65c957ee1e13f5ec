"""Spatial SQL of lighting: the sun back-fill, darkness per month, lamps near places, and the lighting-gap analysis."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Float, Numeric, and_, cast, func, select, text

from gis_app.areas.models import Area
from gis_app.extensions import db
from gis_app.lighting.models import LIGHTING_PLACE_METRES, GapAnalysis, Lamp, LampOutage, LightingGap, PathSegment
from gis_app.lighting.sun import DARK_CLASSES
from gis_app.places.models import Observation, Place

METRIC_SRID = 3006  # SWEREF 99 TM: metres across Sweden
LIGHTING_CATEGORY = "poor_lighting"
NEAR_REPORT_METRES = 50.0  # an observation this close to a gap counts as a report near it
MIN_GAP_METRES = 1.0  # shorter leftovers between two lamps' circles are rounding, not gaps
NO_DISTRICT = "–"


def _near(geom, other, metres: float):
    """Within `metres` (on the spheroid); the bounding-box test first lets the spatial index work."""
    return and_(
        geom.op("&&")(func.ST_Expand(other, metres / 30_000.0)),  # ≥ metres in longitude up to ~74° N
        func.ST_DWithin(func.geography(geom), func.geography(other), metres),
    )


# --- the sun at each observation ------------------------------------------------------------------------------------

BACKFILL = text("""
    UPDATE observation SET sun_altitude = sun_altitude(ST_X(geom), ST_Y(geom), observed_at)
    WHERE id >= :low AND id < :high AND (:everything OR sun_altitude IS NULL)
""")


def id_range() -> tuple[int, int] | None:
    """The smallest and largest observation id, or None when there are none."""
    low, high = db.session.execute(select(func.min(Observation.id), func.max(Observation.id))).one()
    return None if low is None else (low, high)


def backfill_batch(low: int, high: int, everything: bool) -> int:
    """Set the sun altitude of observations with ids in [low, high) (only missing ones unless `everything`)."""
    return db.session.execute(BACKFILL, {"low": low, "high": high, "everything": everything}).rowcount


def missing_sun_count() -> int:
    return db.session.scalar(select(func.count()).where(Observation.sun_altitude.is_(None)))


# --- darkness per month ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCount:
    month: int
    reports: int
    in_darkness: int
    unknown: int  # no sun altitude yet (before the back-fill)

    @property
    def dark_share(self) -> float | None:
        known = self.reports - self.unknown
        return self.in_darkness / known if known else None


def reports_by_month(year: int, zone: ZoneInfo) -> list[MonthCount]:
    """Observations of a (local) year per month: all, in darkness, and without a sun altitude; police-only left out."""
    local = func.timezone(str(zone), Observation.observed_at)
    month = func.extract("month", local).label("month")
    start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    query = (
        select(
            month,
            func.count(),
            func.count().filter(Observation.light_class.in_(DARK_CLASSES)),
            func.count().filter(Observation.sun_altitude.is_(None)),
        )
        .where(Observation.police_only.is_(False), Observation.observed_at >= start, Observation.observed_at < end)
        .group_by(month)
    )
    found = {int(row[0]): row for row in db.session.execute(query)}
    return [
        MonthCount(m, *(int(v) for v in found[m][1:])) if m in found else MonthCount(m, 0, 0, 0) for m in range(1, 13)
    ]


def observation_years() -> list[int]:
    """Years with observations, newest first."""
    year = func.extract("year", Observation.observed_at)
    return [int(y) for y in db.session.scalars(select(year).distinct().order_by(year.desc()))]


# --- lamps and lighting places --------------------------------------------------------------------------------------


def lighting_place_near(lamp_id: int) -> int | None:
    """The nearest poor-lighting place within 30 m of the lamp, or None."""
    lamp_geom = select(Lamp.geom).where(Lamp.id == lamp_id).scalar_subquery()
    query = (
        select(Place.id)
        .where(Place.category_code == LIGHTING_CATEGORY, _near(Place.geom, lamp_geom, LIGHTING_PLACE_METRES))
        .order_by(func.ST_Distance(func.geography(Place.geom), func.geography(lamp_geom)), Place.id)
        .limit(1)
    )
    return db.session.scalar(query)


def lamps_near_place(place_id: int, metres: float) -> list[tuple[Lamp, float, bool]]:
    """Lamps within `metres` of the place: (lamp, distance in metres, has an open outage), nearest first."""
    place_geom = select(Place.geom).where(Place.id == place_id).scalar_subquery()
    distance = func.ST_Distance(func.geography(Lamp.geom), func.geography(place_geom))
    query = (
        select(Lamp, distance, _open_outage(Lamp.id))
        .where(_near(Lamp.geom, place_geom, metres))
        .order_by(distance, Lamp.id)
    )
    return [(lamp, float(d), bool(out)) for lamp, d, out in db.session.execute(query)]


def _open_outage(lamp_id):
    return (
        select(func.count(LampOutage.id))
        .where(LampOutage.lamp_id == lamp_id, LampOutage.fixed_on.is_(None))
        .scalar_subquery()
        > 0
    )


def open_outage(lamp_id: int) -> LampOutage | None:
    return db.session.scalar(select(LampOutage).where(LampOutage.lamp_id == lamp_id, LampOutage.fixed_on.is_(None)))


def lamp_features(bbox: tuple[float, float, float, float] | None = None, limit: int = 20_000) -> list[dict]:
    """Lamps as GeoJSON-ready dicts (register fields only; no personal data)."""
    query = select(
        Lamp.id,
        Lamp.ref,
        Lamp.lamp_type,
        Lamp.power_w,
        Lamp.owner,
        Lamp.state,
        Lamp.dataset,
        func.ST_X(Lamp.geom),
        func.ST_Y(Lamp.geom),
        _open_outage(Lamp.id),
    )
    if bbox:
        query = query.where(Lamp.geom.op("&&")(func.ST_MakeEnvelope(*bbox, 4326)))
    rows = db.session.execute(query.order_by(Lamp.id).limit(limit))
    return [
        {
            "type": "Feature",
            "id": r[0],
            "geometry": {"type": "Point", "coordinates": [r[7], r[8]]},
            "properties": {
                "ref": r[1],
                "lamp_type": r[2],
                "power_w": r[3],
                "owner": r[4],
                "state": r[5],
                "dataset": r[6],
                "out": bool(r[9]),
            },
        }
        for r in rows
    ]


def lamp_summary() -> dict[str, int]:
    """Lamps per state, and how many are out (an open outage)."""
    counts = dict(db.session.execute(select(Lamp.state, func.count()).group_by(Lamp.state)).all())
    out = db.session.scalar(select(func.count(func.distinct(LampOutage.lamp_id))).where(LampOutage.fixed_on.is_(None)))
    return {**{state: int(counts.get(state, 0)) for state in ("working", "broken", "removed")}, "out": int(out)}


def datasets(model) -> list[tuple[str, int]]:
    """The datasets (files, or the demo) of lamps or paths, with their row counts."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(model.dataset, func.count()).group_by(model.dataset).order_by(model.dataset)
        )
    ]


def places_unsafe_at_night(place_ids: list[int]) -> list[tuple[int, str]]:
    """Of these places, those reported unsafe in the evening or at night, or with a report made in darkness."""
    if not place_ids:
        return []
    dark_report = (
        select(Observation.id)
        .where(Observation.place_id == Place.id, Observation.light_class.in_(DARK_CLASSES))
        .exists()
    )
    query = (
        select(Place.id, Place.title)
        .where(Place.id.in_(place_ids))
        .where(Place.time_of_day.in_(("evening", "night")) | dark_report)
        .order_by(Place.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def open_outages() -> list[LampOutage]:
    return list(
        db.session.scalars(
            select(LampOutage)
            .where(LampOutage.fixed_on.is_(None))
            .order_by(LampOutage.reported_at.desc(), LampOutage.id.desc())
        )
    )


# --- the lighting-gap analysis --------------------------------------------------------------------------------------

# Working lamps and the network in metres, in temporary tables with their own spatial indexes.
LIT_POINTS = text(f"""
    CREATE TEMP TABLE lit_point ON COMMIT DROP AS
    SELECT ST_Transform(l.geom, {METRIC_SRID}) AS geom
    FROM lamp l
    WHERE l.state = 'working'
      AND NOT EXISTS (SELECT 1 FROM lamp_outage o WHERE o.lamp_id = l.id AND o.fixed_on IS NULL)
""")
SEGMENTS = text(f"""
    CREATE TEMP TABLE metric_segment ON COMMIT DROP AS
    SELECT id, ST_Transform(geom, {METRIC_SRID}) AS geom FROM path_segment
""")
# A segment minus the circles of the lamps near it (one buffer of all of them: GEOS unions them as it goes).
GAPS = text("""
    INSERT INTO lighting_gap (analysis_id, segment_id, length_m, geom)
    SELECT :analysis, s.id, ST_Length(part.geom), ST_Transform(part.geom, 4326)
    FROM metric_segment s
    CROSS JOIN LATERAL (
        SELECT COALESCE(ST_Difference(s.geom, ST_Buffer(ST_Collect(lit.geom), :distance, 8)), s.geom) AS rest
        FROM lit_point lit WHERE ST_DWithin(lit.geom, s.geom, :distance)
    ) unlit
    CROSS JOIN LATERAL ST_Dump(ST_LineMerge(unlit.rest)) part
    WHERE GeometryType(part.geom) = 'LINESTRING' AND ST_Length(part.geom) >= :min_length
""")
GAP_DISTRICTS = text("""
    UPDATE lighting_gap g SET district_id = (
        SELECT a.id FROM area a
        WHERE a.kind = 'district' AND ST_Intersects(a.geom, ST_LineInterpolatePoint(g.geom, 0.5))
        ORDER BY a.id LIMIT 1)
    WHERE g.analysis_id = :analysis
""")
GAP_REPORTS = text("""
    UPDATE lighting_gap g SET reports_nearby = c.reports, dark_reports_nearby = c.dark
    FROM (
        SELECT g2.id, count(o.id) AS reports, count(o.id) FILTER (WHERE o.light_class = ANY(:dark)) AS dark
        FROM lighting_gap g2
        JOIN observation o ON o.geom && ST_Expand(g2.geom, :near / 30000.0)
             AND ST_DWithin(o.geom::geography, g2.geom::geography, :near) AND NOT o.police_only
        WHERE g2.analysis_id = :analysis
        GROUP BY g2.id
    ) c
    WHERE g.id = c.id
""")
RUN_TOTALS = text("""
    UPDATE gap_analysis SET
        segments = (SELECT count(*) FROM path_segment),
        lamps = (SELECT count(*) FROM lit_point),
        network_m = COALESCE((SELECT sum(ST_Length(geom)) FROM metric_segment), 0),
        gap_m = COALESCE((SELECT sum(length_m) FROM lighting_gap WHERE analysis_id = :analysis), 0)
    WHERE id = :analysis
""")


def run_gap_analysis(distance: float) -> GapAnalysis:
    """Find every stretch of path farther than `distance` metres from a working lamp; store it as a new run."""
    for table, create in (("lit_point", LIT_POINTS), ("metric_segment", SEGMENTS)):
        db.session.execute(create)
        db.session.execute(text(f"CREATE INDEX ON {table} USING gist (geom)"))
        db.session.execute(text(f"ANALYZE {table}"))
    analysis = GapAnalysis(distance_m=distance, segments=0, lamps=0, network_m=0, gap_m=0)
    db.session.add(analysis)
    db.session.flush()
    values = {"analysis": analysis.id}
    db.session.execute(GAPS, {**values, "distance": distance, "min_length": MIN_GAP_METRES})
    db.session.execute(GAP_DISTRICTS, values)
    db.session.execute(GAP_REPORTS, {**values, "near": NEAR_REPORT_METRES, "dark": list(DARK_CLASSES)})
    db.session.execute(RUN_TOTALS, values)
    return analysis


def latest_analysis(before: datetime | None = None) -> GapAnalysis | None:
    query = select(GapAnalysis)
    if before is not None:
        query = query.where(GapAnalysis.run_at < before)
    return db.session.scalar(query.order_by(GapAnalysis.run_at.desc(), GapAnalysis.id.desc()).limit(1))


def first_analysis(since: datetime) -> GapAnalysis | None:
    return db.session.scalar(
        select(GapAnalysis).where(GapAnalysis.run_at >= since).order_by(GapAnalysis.run_at, GapAnalysis.id).limit(1)
    )


@dataclass(frozen=True)
class GapFilter:
    analysis_id: int
    district: int | None = None
    order: str = "length"  # or "reports"


def _gaps_query(f: GapFilter):
    district = func.coalesce(Area.name, NO_DISTRICT).label("district")
    query = (
        select(
            LightingGap.id.label("gap_id"),
            district,
            PathSegment.name.label("path"),
            PathSegment.kind.label("kind"),
            cast(func.round(cast(LightingGap.length_m, Numeric), 1), Float).label("length_m"),
            LightingGap.reports_nearby,
            LightingGap.dark_reports_nearby,
        )
        .outerjoin(Area, Area.id == LightingGap.district_id)
        .outerjoin(PathSegment, PathSegment.id == LightingGap.segment_id)
        .where(LightingGap.analysis_id == f.analysis_id)
    )
    if f.district:
        query = query.where(LightingGap.district_id == f.district)
    if f.order == "reports":
        return query.order_by(LightingGap.reports_nearby.desc(), LightingGap.length_m.desc(), LightingGap.id)
    return query.order_by(LightingGap.length_m.desc(), LightingGap.reports_nearby.desc(), LightingGap.id)


def gap_page(f: GapFilter, limit: int) -> list[dict]:
    return [dict(row._mapping) for row in db.session.execute(_gaps_query(f).limit(limit))]


def gap_count(f: GapFilter) -> int:
    return db.session.scalar(select(func.count()).select_from(_gaps_query(f).order_by(None).subquery()))


def gap_rows(f: GapFilter, geometry_format: str, srid: int) -> Iterator[dict]:
    """Every gap with its geometry in the export's format and system, streamed."""
    geom = LightingGap.geom if srid == 4326 else func.ST_Transform(LightingGap.geom, srid)
    shown = {"wkb": func.ST_AsBinary(geom), "geojson": func.ST_AsGeoJSON(geom, 7 if srid == 4326 else 2)}.get(
        geometry_format, func.ST_AsText(geom)
    )
    result = db.session.execute(
        _gaps_query(f).add_columns(shown.label("geometry")),
        execution_options={"stream_results": True, "yield_per": 2000},
    )
    try:
        for row in result:
            yield dict(row._mapping)
    finally:
        result.close()


def gap_features(analysis_id: int, bbox=None, limit: int = 20_000) -> list[dict]:
    query = select(
        LightingGap.id,
        LightingGap.length_m,
        LightingGap.reports_nearby,
        LightingGap.dark_reports_nearby,
        cast(func.ST_AsGeoJSON(LightingGap.geom, 6), JSON),
    ).where(LightingGap.analysis_id == analysis_id)
    if bbox:
        query = query.where(LightingGap.geom.op("&&")(func.ST_MakeEnvelope(*bbox, 4326)))
    return [
        {
            "type": "Feature",
            "id": r[0],
            "geometry": r[4],
            "properties": {"length_m": round(r[1], 1), "reports_nearby": r[2], "dark_reports_nearby": r[3]},
        }
        for r in db.session.execute(query.order_by(LightingGap.id).limit(limit))
    ]


def gaps_by_district(analysis_id: int) -> list[tuple[str, int, float, int]]:
    """(district, gaps, metres, reports nearby) per district, most unlit metres first."""
    district = func.coalesce(Area.name, NO_DISTRICT)
    query = (
        select(district, func.count(), func.sum(LightingGap.length_m), func.sum(LightingGap.reports_nearby))
        .outerjoin(Area, Area.id == LightingGap.district_id)
        .where(LightingGap.analysis_id == analysis_id)
        .group_by(district)
        .order_by(func.sum(LightingGap.length_m).desc())
    )
    return [(name, int(n), float(m), int(r)) for name, n, m, r in db.session.execute(query)]


CLOSED_GAPS = text("""
    SELECT count(*), COALESCE(sum(old.length_m), 0) FROM lighting_gap old
    WHERE old.analysis_id = :before AND NOT EXISTS (
        SELECT 1 FROM lighting_gap new
        WHERE new.analysis_id = :after AND new.geom && ST_Expand(old.geom, 0.0001)
          AND ST_DWithin(new.geom::geography, old.geom::geography, 0.5))
""")


@dataclass(frozen=True)
class GapsClosed:
    """What the runs of a year say: gaps of the first run that were gone by the last, and unlit metres."""

    first: GapAnalysis
    last: GapAnalysis
    closed: int
    closed_m: float


def gaps_closed(year: int, zone: ZoneInfo) -> GapsClosed | None:
    """Compare the run in force at the year's start (or its first run) with its last run; None without two runs."""
    start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    first = latest_analysis(before=start) or first_analysis(start)
    last = latest_analysis(before=end)
    if first is None or last is None or first.id == last.id or last.run_at < start:
        return None
    closed, metres = db.session.execute(CLOSED_GAPS, {"before": first.id, "after": last.id}).one()
    return GapsClosed(first, last, int(closed), float(metres))


def district_choices() -> list[tuple[int, str]]:
    return [
        tuple(r)
        for r in db.session.execute(
            select(Area.id, Area.name).where(Area.kind == "district").order_by(Area.name, Area.id)
        )
    ]
