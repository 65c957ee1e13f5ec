"""Streetlights, their outages, the path network and the lighting gaps found on it."""

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis_app.extensions import db

LAMP_STATES = ("working", "broken", "removed")
DEFAULT_GAP_METRES = 25.0
LIGHTING_PLACE_METRES = 30.0  # a poor-lighting place gets the lamps this close


class Lamp(db.Model):
    """One streetlight of the municipality's lamp register."""

    __tablename__ = "lamp"
    __table_args__ = (
        CheckConstraint("state IN ('working', 'broken', 'removed')", name="ck_lamp_state"),
        CheckConstraint("power_w IS NULL OR power_w >= 0", name="ck_lamp_power"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(50), unique=True)  # the register's own id
    lamp_type: Mapped[str | None] = mapped_column(String(100))
    power_w: Mapped[float | None] = mapped_column(Float)
    owner: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), server_default="working")
    # Where the row came from: the file's name, or a name saying it is invented demo data.
    dataset: Mapped[str] = mapped_column(String(200))
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    imported_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    outages = relationship(
        "LampOutage",
        back_populates="lamp",
        order_by="LampOutage.id.desc()",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class LampOutage(db.Model):
    """A reported outage of a lamp; linked to the poor-lighting place it darkens and the measure it became."""

    __tablename__ = "lamp_outage"
    __table_args__ = (Index("ix_lamp_outage_lamp", "lamp_id", "fixed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lamp_id: Mapped[int] = mapped_column(ForeignKey("lamp.id", ondelete="CASCADE"))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="SET NULL"), index=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_measure.id", ondelete="SET NULL"))
    description: Mapped[str | None] = mapped_column(Text)
    reported_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    fixed_on = mapped_column(Date)  # NULL while the lamp is out

    lamp = relationship(Lamp, back_populates="outages")


class PathSegment(db.Model):
    """One line of the walkway and cycle path network (any line layer, e.g. an NVDB extract)."""

    __tablename__ = "path_segment"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(100))
    dataset: Mapped[str] = mapped_column(String(200), index=True)
    geom = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=True), nullable=False)
    imported_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class GapAnalysis(db.Model):
    """One run of the lighting-gap analysis; its gaps are kept, so a year's runs can be compared."""

    __tablename__ = "gap_analysis"
    __table_args__ = (CheckConstraint("distance_m > 0", name="ck_gap_analysis_distance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False, index=True)
    distance_m: Mapped[float] = mapped_column(Float)
    segments: Mapped[int] = mapped_column(Integer)
    lamps: Mapped[int] = mapped_column(Integer)  # working lamps the run counted
    network_m: Mapped[float] = mapped_column(Float)
    gap_m: Mapped[float] = mapped_column(Float)


class LightingGap(db.Model):
    """A stretch of path farther than the run's distance from any working lamp."""

    __tablename__ = "lighting_gap"

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(ForeignKey("gap_analysis.id", ondelete="CASCADE"), index=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("path_segment.id", ondelete="SET NULL"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"))
    length_m: Mapped[float] = mapped_column(Float)
    reports_nearby: Mapped[int] = mapped_column(Integer, server_default="0")
    dark_reports_nearby: Mapped[int] = mapped_column(Integer, server_default="0")
    geom = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=True), nullable=False)
