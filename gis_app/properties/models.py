"""Exposed properties: their owner, protection, cameras (with the view they cover), incidents, and the EST site visits
with the owner whose agreed measures are inventory measures (gis_app/inventory), with the e-mails sent about them."""

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis_app.extensions import db

PROPERTY_KINDS = ("building", "plot")
PROTECTION_KINDS = ("perimeter", "locks", "lighting", "alarm")
INCIDENT_KINDS = ("break_in", "vandalism", "fire", "other")
NOTICE_KINDS = ("assigned", "overdue")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Property(db.Model):
    """A building or plot the municipality counts among its most exposed, linked to its owner's organisation."""

    __tablename__ = "property"
    __table_args__ = (
        CheckConstraint(_in("kind", PROPERTY_KINDS), name="ck_property_kind"),
        CheckConstraint("GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')", name="ck_property_geom"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(60), unique=True)  # the property designation, e.g. "Stadsdelen 1:2"
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    # The inventory place the property is (its agreed measures are that place's measures).
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="SET NULL"), index=True)
    demo: Mapped[bool] = mapped_column(Boolean, server_default="false")
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False)

    owner = relationship("Organisation", lazy="joined")


class Protection(db.Model):
    """A protection of a property: perimeter, locks, lighting or alarm (security staff only)."""

    __tablename__ = "property_protection"
    __table_args__ = (CheckConstraint(_in("kind", PROTECTION_KINDS), name="ck_property_protection_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(Text)
    checked_on = mapped_column(Date)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Camera(db.Model):
    """A surveillance camera: its position, the area its view covers and its permit (security staff only)."""

    __tablename__ = "property_camera"
    __table_args__ = (
        CheckConstraint("GeometryType(geom) = 'POINT'", name="ck_property_camera_geom"),
        CheckConstraint("GeometryType(view) = 'POLYGON'", name="ck_property_camera_view"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    permit_ref: Mapped[str | None] = mapped_column(String(100))  # the camera surveillance permit, when one is needed
    permit_until = mapped_column(Date)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    view = mapped_column(Geometry("POLYGON", srid=4326, spatial_index=False), nullable=False)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Incident(db.Model):
    """A break-in, vandalism or other incident at a property."""

    __tablename__ = "property_incident"
    __table_args__ = (
        CheckConstraint(_in("kind", INCIDENT_KINDS), name="ck_property_incident_kind"),
        Index("ix_property_incident_property_time", "property_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    occurred_at = mapped_column(DateTime(timezone=True), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    police_report: Mapped[str | None] = mapped_column(String(50))  # the police report number, if reported
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class SiteVisit(db.Model):
    """An EST site visit with the property owner: who took part and what was found."""

    __tablename__ = "property_site_visit"
    __table_args__ = (Index("ix_property_site_visit_property_date", "property_id", "visited_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id", ondelete="CASCADE"))
    visited_on = mapped_column(Date, nullable=False)
    participants: Mapped[str] = mapped_column(Text)
    findings: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    property = relationship(Property, lazy="joined")
    agreed = relationship(
        "VisitMeasure", order_by="VisitMeasure.id", cascade="all, delete-orphan", passive_deletes=True
    )


class VisitMeasure(db.Model):
    """A measure agreed at a site visit: an inventory measure, the responsible party's e-mail and the follow-up."""

    __tablename__ = "property_visit_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("property_site_visit.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("inventory_measure.id", ondelete="CASCADE"), unique=True)
    responsible_email: Mapped[str | None] = mapped_column(String(254))
    follow_up: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    measure = relationship("Measure", lazy="joined")


class MeasureNotice(db.Model):
    """An e-mail sent about a measure: once when assigned, once per overdue due date (what makes reminders
    idempotent)."""

    __tablename__ = "property_measure_notice"
    __table_args__ = (
        UniqueConstraint("measure_id", "kind", "due_on", name="uq_property_measure_notice_state"),
        CheckConstraint(_in("kind", NOTICE_KINDS), name="ck_property_measure_notice_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("inventory_measure.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    # The deadline the notice was about: a measure moved to a new deadline and overdue again is reminded again.
    due_on = mapped_column(Date, nullable=False)
    recipient: Mapped[str] = mapped_column(String(254))
    sent_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
