"""Night walks (nattvandring) and police volunteers: the groups that walk under a partnership agreement, the
calendar of risk weekends and events, the shifts with their route and walkers, and the report after each night."""

from datetime import date

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis_app.extensions import db

# Police volunteers are modelled as a group of their own run by the police: kind 'police_volunteers', linked to
# the police's organisation, so police accounts plan their shifts as an association account plans its own.
GROUP_KINDS = ("association", "police_volunteers")
EVENT_KINDS = ("risk_weekend", "event")
# What a night report counts, by kind: the place categories its observations land in.
SIGHTING_KINDS = (
    "intoxicated_people",
    "youth_gatherings",
    "vandalism",
    "graffiti",
    "litter",
    "poor_lighting",
    "drug_related",
    "other",
)
SOURCE_CODE = "night_walk"  # the observation source of night reports (migration 0020)
WALKERS_MAX, SIGHTING_COUNT_MAX = 200, 1000


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class NightGroup(db.Model):
    """An association that walks at night under a partnership agreement, or the police's volunteers."""

    __tablename__ = "nw_group"
    __table_args__ = (
        CheckConstraint(_in("kind", GROUP_KINDS), name="ck_nw_group_kind"),
        CheckConstraint("agreement_until IS NULL OR agreement_until >= agreement_from", name="ck_nw_group_agreement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The accounts of this organisation (role 'association', or the police for volunteers) plan and report.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    agreement_from = mapped_column(Date, nullable=False)
    agreement_until = mapped_column(Date)
    demo: Mapped[bool] = mapped_column(Boolean, server_default="false")
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class NightEvent(db.Model):
    """A risk weekend or an event on the night-walk calendar (valborg, school end, Storsjöyran)."""

    __tablename__ = "nw_event"
    __table_args__ = (
        CheckConstraint(_in("kind", EVENT_KINDS), name="ck_nw_event_kind"),
        CheckConstraint("ends_on >= starts_on", name="ck_nw_event_dates"),
        UniqueConstraint("title", "starts_on", name="uq_nw_event_title_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    ends_on = mapped_column(Date, nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)
    demo: Mapped[bool] = mapped_column(Boolean, server_default="false")
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class NightShift(db.Model):
    """One group's night out: when, how many walk, and the route they walk."""

    __tablename__ = "nw_shift"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ck_nw_shift_times"),
        CheckConstraint(f"walkers BETWEEN 1 AND {WALKERS_MAX}", name="ck_nw_shift_walkers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("nw_group.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("nw_event.id", ondelete="SET NULL"), index=True)
    starts_at = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    ends_at = mapped_column(DateTime(timezone=True), nullable=False)
    walkers: Mapped[int] = mapped_column(SmallInteger)
    route = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=True), nullable=False)
    # The district the route lies in (most of it), for the public calendar and the report to citizens.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"))
    leader: Mapped[str | None] = mapped_column(String(200))  # a name: never shown to the public
    notes: Mapped[str | None] = mapped_column(Text)
    demo: Mapped[bool] = mapped_column(Boolean, server_default="false")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    group = relationship(NightGroup, lazy="joined")
    event = relationship(NightEvent, lazy="joined")
    report = relationship("NightReport", uselist=False, back_populates="shift")


class NightReport(db.Model):
    """The short report after a night: what was seen, where, counted by kind (one report per shift)."""

    __tablename__ = "nw_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("nw_shift.id", ondelete="CASCADE"), unique=True)
    summary: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    shift = relationship(NightShift, back_populates="report")
    sightings = relationship(
        "NightSighting", order_by="NightSighting.id", cascade="all, delete-orphan", passive_deletes=True
    )


class NightSighting(db.Model):
    """One line of a night report: how many of a kind were seen at a point; it lands as an observation."""

    __tablename__ = "nw_sighting"
    __table_args__ = (
        CheckConstraint(_in("kind", SIGHTING_KINDS), name="ck_nw_sighting_kind"),
        CheckConstraint(f"count BETWEEN 1 AND {SIGHTING_COUNT_MAX}", name="ck_nw_sighting_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("nw_report.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(SmallInteger)
    note: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id", ondelete="SET NULL"))
