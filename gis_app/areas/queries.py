"""Spatial SQL for areas: GeoJSON features, the municipality's extent."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, func, select

from gis_app.areas.models import Area
from gis_app.core.spatial_sql import envelope, geojson_geometry
from gis_app.extensions import capped_count, db


@dataclass(frozen=True)
class AreaFilter:
    bbox: tuple[float, float, float, float] | None = None
    kind: list[str] | None = None
    bbox_srid: int | None = None  # the bbox's CRS (north first); None: CRS84
    where: Any = None  # a condition on QUERYABLE_COLUMNS, from an API filter (CQL2)


QUERYABLE_COLUMNS = {"geometry": Area.geom, "kind": Area.kind, "code": Area.code, "name": Area.name}


def _feature(srid: int | None = None):
    return func.json_build_object(
        "type",
        "Feature",
        "id",
        Area.id,
        "geometry",
        geojson_geometry(Area.geom, srid),
        "properties",
        func.json_build_object("kind", Area.kind, "code", Area.code, "name", Area.name),
    )


def _conditions(f: AreaFilter, after: int | None = None) -> list:
    conditions = [Area.id > after] if after is not None else []
    if f.bbox:
        conditions.append(Area.geom.ST_Intersects(envelope(f.bbox, f.bbox_srid)))
    if f.where is not None:
        conditions.append(f.where)
    if f.kind:
        conditions.append(Area.kind.in_(f.kind))
    return conditions


def area_features(
    f: AreaFilter, limit: int, offset: int, after: int | None = None, srid: int | None = None
) -> list[str]:
    """Return up to `limit` areas as GeoJSON text (in EPSG:srid, or CRS84), in id order (after the cursor)."""
    page = select(Area.id).where(*_conditions(f, after)).order_by(Area.id).limit(limit).offset(offset).subquery()
    query = select(cast(_feature(srid), Text)).join(page, page.c.id == Area.id).order_by(Area.id)
    return list(db.session.scalars(query))


def area_feature(area_id: int, srid: int | None = None) -> str | None:
    return db.session.scalar(select(cast(_feature(srid), Text)).where(Area.id == area_id))


def count_areas(f: AreaFilter, cap: int) -> int | None:
    """Count matches up to `cap` (None: more)."""
    return capped_count(select(Area.id).where(*_conditions(f)), cap)


def _extent(*conditions) -> tuple[float, float, float, float] | None:
    box = func.ST_Extent(Area.geom)
    row = db.session.execute(
        select(func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box)).where(*conditions)
    ).one()
    return None if row[0] is None else tuple(row)


def areas_extent() -> tuple[float, float, float, float] | None:
    """Bounding box of all areas, or None when there are none."""
    return _extent()


def municipality_extent() -> tuple[float, float, float, float] | None:
    """Bounding box of the imported municipality outline, or None."""
    return _extent(Area.kind == "municipality")
