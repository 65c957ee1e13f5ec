"""Spatial SQL for areas: GeoJSON features, the municipality's extent."""
from dataclasses import dataclass

from sqlalchemy import JSON, Text, cast, func, select

from gis_app.areas.models import Area
from gis_app.extensions import capped_count, db


@dataclass(frozen=True)
class AreaFilter:
    bbox: tuple[float, float, float, float] | None = None
    kind: list[str] | None = None


def _feature():
    return func.json_build_object(
        "type", "Feature", "id", Area.id,
        "geometry", cast(func.ST_AsGeoJSON(Area.geom, 7), JSON),
        "properties", func.json_build_object("kind", Area.kind, "code", Area.code, "name", Area.name),
    )


def _conditions(f: AreaFilter, after: int | None = None) -> list:
    conditions = [Area.id > after] if after is not None else []
    if f.bbox:
        conditions.append(Area.geom.ST_Intersects(func.ST_MakeEnvelope(*f.bbox, 4326)))
    if f.kind:
        conditions.append(Area.kind.in_(f.kind))
    return conditions


def area_features(f: AreaFilter, limit: int, offset: int, after: int | None = None) -> list[str]:
    """Return up to `limit` areas as GeoJSON text, in id order (after the keyset cursor `after`)."""
    page = select(Area.id).where(*_conditions(f, after)).order_by(Area.id).limit(limit).offset(offset).subquery()
    query = select(cast(_feature(), Text)).join(page, page.c.id == Area.id).order_by(Area.id)
    return list(db.session.scalars(query))


def area_feature(area_id: int) -> str | None:
    return db.session.scalar(select(cast(_feature(), Text)).where(Area.id == area_id))


def count_areas(f: AreaFilter, cap: int) -> int | None:
    """Count matches up to `cap` (None: more)."""
    return capped_count(select(Area.id).where(*_conditions(f)), cap)


def _extent(*conditions) -> tuple[float, float, float, float] | None:
    box = func.ST_Extent(Area.geom)
    row = db.session.execute(select(func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box))
                             .where(*conditions)).one()
    return None if row[0] is None else tuple(row)


def areas_extent() -> tuple[float, float, float, float] | None:
    """Bounding box of all areas, or None when there are none."""
    return _extent()


def municipality_extent() -> tuple[float, float, float, float] | None:
    """Bounding box of the imported municipality outline, or None."""
    return _extent(Area.kind == "municipality")
