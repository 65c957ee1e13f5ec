"""Outreach plans and their ordered stops, police visits, and the follow-up tasks visits create for planners."""

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis_app.auth.models import User
from gis_app.extensions import db
from gis_app.places.models import Place

TASK_STATUSES = ("open", "done")


class OutreachPlan(db.Model):
    """A saved shift plan: where and when, the start and end point, and the ordered stops."""

    __tablename__ = "outreach_plan"
    __table_args__ = (CheckConstraint("total_metres >= 0", name="ck_outreach_plan_metres"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"))
    shift_date = mapped_column(Date, nullable=False)
    starts_at = mapped_column(Time, nullable=False)
    ends_at = mapped_column(Time, nullable=False)
    start_name: Mapped[str] = mapped_column(String(100))
    start_geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    # None: the route ends at its last stop instead of returning.
    end_geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    total_metres: Mapped[float] = mapped_column(Float)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    stops = relationship(
        "OutreachStop",
        back_populates="plan",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="OutreachStop.position",
    )
    created_by = relationship(User)


class OutreachStop(db.Model):
    """One place of a plan, at its position in the route, with the score it had when planned."""

    __tablename__ = "outreach_stop"
    __table_args__ = (
        UniqueConstraint("plan_id", "position", name="uq_outreach_stop_position"),
        UniqueConstraint("plan_id", "place_id", name="uq_outreach_stop_place"),
        CheckConstraint("position >= 1", name="ck_outreach_stop_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("outreach_plan.id", ondelete="CASCADE"))
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    score: Mapped[float] = mapped_column(Float)

    plan = relationship(OutreachPlan, back_populates="stops")
    place = relationship(Place)


class OutreachVisit(db.Model):
    """A police visit to a place; `client_uuid` makes a phone's retries of the same visit harmless."""

    __tablename__ = "outreach_visit"
    __table_args__ = (
        CheckConstraint("contacts BETWEEN 0 AND 10000", name="ck_outreach_visit_contacts"),
        Index("ix_outreach_visit_place_time", "place_id", "visited_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid = mapped_column(Uuid, nullable=False, unique=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_plan.id", ondelete="SET NULL"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    visited_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    contacts: Mapped[int] = mapped_column(Integer, server_default="0")
    notes: Mapped[str | None] = mapped_column(Text)  # officers' notes: police and admins only
    follow_up: Mapped[bool] = mapped_column(Boolean, server_default="false")
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id", ondelete="SET NULL"))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    place = relationship(Place)
    officer = relationship(User)


class FollowUpTask(db.Model):
    """Something a visit found that the municipality should act on; planners see and close these."""

    __tablename__ = "outreach_task"
    __table_args__ = (CheckConstraint("status IN ('open', 'done')", name="ck_outreach_task_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("outreach_visit.id", ondelete="CASCADE"), unique=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)  # written for the planners; the visit's notes stay police-only
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    done_at = mapped_column(DateTime(timezone=True))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    place = relationship(Place)
    done_by = relationship(User, foreign_keys=[done_by_id])
