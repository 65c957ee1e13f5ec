"""Wastewater monitoring: sampling sites (treatment plants and their catchments) and the laboratory's results per
substance and sampling period. Aggregated data only: a catchment serves thousands of people."""

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis_app.extensions import db


class SamplingSite(db.Model):
    """A treatment plant where wastewater is sampled, and the catchment that drains to it."""

    __tablename__ = "ww_site"
    __table_args__ = (CheckConstraint("population IS NULL OR population >= 0", name="ck_ww_site_population"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    population: Mapped[int | None] = mapped_column(Integer)  # people connected to the plant
    demo: Mapped[bool] = mapped_column(Boolean, server_default="false")
    catchment = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class SampleResult(db.Model):
    """One substance's result for one site and sampling period (e.g. a week's flow-proportional sample)."""

    __tablename__ = "ww_result"
    __table_args__ = (
        UniqueConstraint("site_id", "substance", "period_start", name="uq_ww_result_period"),
        CheckConstraint("period_end >= period_start", name="ck_ww_result_period"),
        CheckConstraint("value >= 0", name="ck_ww_result_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("ww_site.id", ondelete="CASCADE"))
    substance: Mapped[str] = mapped_column(String(60))
    period_start = mapped_column(Date, nullable=False)
    period_end = mapped_column(Date, nullable=False)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(30))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    site = relationship(SamplingSite, lazy="joined")
