"""The evening economy: licensed premises, joint inspections, serving trainings, the Purple Flag layers and the
self-assessment per Purple Flag theme."""

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis_app.extensions import db

FEATURE_KINDS = ("taxi_rank", "night_bus_stop", "toilet", "lit_route")
LIT_STATES = ("working", "partly", "broken")
CHECK_ITEMS = ("over_serving", "age_checks", "order_security", "staff_trained", "crowding")
CHECK_RESULTS = ("ok", "remark", "not_checked")
OUTCOMES = ("no_remarks", "remarks", "serious")
THEMES = ("wellbeing", "movement", "appeal", "place", "policy_envelope")
RATINGS = ("not_met", "partly", "met")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Premises(db.Model):
    """A licensed premises from the municipality's register of serving licences (upserted on the licence id)."""

    __tablename__ = "evening_premises"
    __table_args__ = (CheckConstraint("capacity IS NULL OR capacity >= 0", name="ck_evening_premises_capacity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_ref: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))
    opening_hours: Mapped[str | None] = mapped_column(String(200))  # as the register writes it
    # Serving hours; closes_at <= opens_at means serving goes on past midnight.
    opens_at = mapped_column(Time)
    closes_at = mapped_column(Time)
    capacity: Mapped[int | None] = mapped_column(Integer)
    demo: Mapped[bool] = mapped_column(Boolean, server_default="false")
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False)


class EveningFeature(db.Model):
    """A Purple Flag layer feature: a taxi rank, a night bus stop, a public toilet, or a lit route and its state."""

    __tablename__ = "evening_feature"
    __table_args__ = (
        CheckConstraint(_in("kind", FEATURE_KINDS), name="ck_evening_feature_kind"),
        CheckConstraint(f"state IS NULL OR {_in('state', LIT_STATES)}", name="ck_evening_feature_state"),
        CheckConstraint(
            "(kind = 'lit_route') = (GeometryType(geom) = 'LINESTRING')", name="ck_evening_feature_geom_type"
        ),
        CheckConstraint("GeometryType(geom) IN ('POINT', 'LINESTRING')", name="ck_evening_feature_geom"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    hours: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str | None] = mapped_column(String(10))  # lit routes: working, partly or broken
    demo: Mapped[bool] = mapped_column(Boolean, server_default="false")
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Inspection(db.Model):
    """A joint inspection (krogtillsyn) of a premises by the municipality and the police together."""

    __tablename__ = "evening_inspection"
    __table_args__ = (
        *(CheckConstraint(_in(item, CHECK_RESULTS), name=f"ck_evening_inspection_{item}") for item in CHECK_ITEMS),
        CheckConstraint(_in("outcome", OUTCOMES), name="ck_evening_inspection_outcome"),
        Index("ix_evening_inspection_premises_time", "premises_id", "inspected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("evening_premises.id", ondelete="CASCADE"))
    inspected_at = mapped_column(DateTime(timezone=True), nullable=False)
    municipality_staff: Mapped[str] = mapped_column(Text)  # who took part from the municipality
    police_staff: Mapped[str] = mapped_column(Text)  # and from the police
    over_serving: Mapped[str] = mapped_column(String(12))
    age_checks: Mapped[str] = mapped_column(String(12))
    order_security: Mapped[str] = mapped_column(String(12))
    staff_trained: Mapped[str] = mapped_column(String(12))
    crowding: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(12))
    notes: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    follow_up_due = mapped_column(Date)
    follow_up_done_on = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    premises = relationship(Premises, lazy="joined")


class Training(db.Model):
    """A training session in responsible serving (ansvarsfull alkoholservering)."""

    __tablename__ = "evening_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on = mapped_column(Date, nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    attendance = relationship(
        "TrainingAttendance",
        order_by="TrainingAttendance.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        back_populates="training",
    )


class TrainingAttendance(db.Model):
    """Who attended a training from one premises: how many, and their names."""

    __tablename__ = "evening_training_attendance"
    __table_args__ = (
        UniqueConstraint("training_id", "premises_id", name="uq_evening_attendance_premises"),
        CheckConstraint("attendees BETWEEN 1 AND 500", name="ck_evening_attendance_attendees"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("evening_training.id", ondelete="CASCADE"))
    premises_id: Mapped[int] = mapped_column(ForeignKey("evening_premises.id", ondelete="CASCADE"), index=True)
    attendees: Mapped[int] = mapped_column(SmallInteger)
    names: Mapped[str | None] = mapped_column(Text)

    training = relationship(Training, back_populates="attendance")
    premises = relationship(Premises, lazy="joined")


class SelfAssessment(db.Model):
    """A zone's Purple Flag self-assessment for one year."""

    __tablename__ = "pf_self_assessment"
    __table_args__ = (
        UniqueConstraint("zone_id", "year", name="uq_pf_self_assessment_zone_year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_pf_self_assessment_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False)

    entries = relationship("ThemeEntry", order_by="ThemeEntry.id", cascade="all, delete-orphan", passive_deletes=True)


class ThemeEntry(db.Model):
    """One Purple Flag theme of a self-assessment: the rating, the narrative and the evidence it links."""

    __tablename__ = "pf_theme_entry"
    __table_args__ = (
        UniqueConstraint("assessment_id", "theme", name="uq_pf_theme_entry_theme"),
        CheckConstraint(_in("theme", THEMES), name="ck_pf_theme_entry_theme"),
        CheckConstraint(f"rating IS NULL OR {_in('rating', RATINGS)}", name="ck_pf_theme_entry_rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("pf_self_assessment.id", ondelete="CASCADE"))
    theme: Mapped[str] = mapped_column(String(20))
    rating: Mapped[str | None] = mapped_column(String(10))
    narrative: Mapped[str | None] = mapped_column(Text)
    # Codes of the evidence indicators (evening/evidence.py) this theme cites; their figures come from the data.
    evidence: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
