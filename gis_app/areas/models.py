from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, DateTime, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from gis_app.extensions import db

AREA_KINDS = ("municipality", "district", "zone")


class Area(db.Model):
    """A named polygon imported from a file."""

    __tablename__ = "area"
    __table_args__ = (
        UniqueConstraint("kind", "code", name="uq_area_kind_code"),
        CheckConstraint("kind IN ('municipality', 'district', 'zone')", name="ck_area_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
