"""The citizen promise as data (periods, promises, activities, indicators, hand-entered values) and the
twice-yearly report to citizens with its approvals, and the photos approved for publication."""

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis_app.extensions import db

OWNERS = ("municipality", "police", "both")
# Indicators computed from the data (gis_app/promise/queries.py INDICATORS), or entered by hand ("manual").
INDICATOR_SOURCES = (
    "places_reported",
    "places_remediated",
    "measures_done",
    "lighting_measures_done",
    "vandalism_measures_done",
    "walks_held",
    "outreach_visits",
    "citizen_reports",
    "manual",
)
# draft -> approved (by one municipality user and one police user) -> published; a published report is never
# edited (a trigger refuses it), only superseded by a later one.
REPORT_STATUSES = ("draft", "approved", "published")
APPROVER_KINDS = {"kommun": "municipality", "polis": "police"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PromisePeriod(db.Model):
    """One signed citizen promise (medborgarlöfte) and the years it covers."""

    __tablename__ = "promise_period"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ck_promise_period_dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    starts_on = mapped_column(Date, nullable=False)
    ends_on = mapped_column(Date, nullable=False)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    promises = relationship(
        "Promise",
        order_by="Promise.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        back_populates="period",
    )


class Promise(db.Model):
    """One commitment of the period, and who owns it."""

    __tablename__ = "promise"
    __table_args__ = (
        CheckConstraint(_in("owner", OWNERS), name="ck_promise_owner"),
        UniqueConstraint("period_id", "position", name="uq_promise_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("promise_period.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(12))

    period = relationship(PromisePeriod, back_populates="promises")
    activities = relationship(
        "PromiseActivity", order_by="PromiseActivity.position", cascade="all, delete-orphan", passive_deletes=True
    )
    indicators = relationship(
        "PromiseIndicator",
        order_by="PromiseIndicator.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        back_populates="promise",
    )


class PromiseActivity(db.Model):
    """What is done to keep a promise."""

    __tablename__ = "promise_activity"
    __table_args__ = (Index("ix_promise_activity_promise", "promise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    description: Mapped[str] = mapped_column(Text)


class PromiseIndicator(db.Model):
    """A figure that shows progress on a promise: computed from the data, or entered by hand."""

    __tablename__ = "promise_indicator"
    __table_args__ = (
        CheckConstraint(_in("source", INDICATOR_SOURCES), name="ck_promise_indicator_source"),
        CheckConstraint("target IS NULL OR target >= 0", name="ck_promise_indicator_target"),
        Index("ix_promise_indicator_promise", "promise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(ForeignKey("promise.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    label: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str | None] = mapped_column(String(40))
    target = mapped_column(Numeric(14, 2))

    promise = relationship(Promise, back_populates="indicators")
    values = relationship(
        "IndicatorValue", order_by="IndicatorValue.measured_on", cascade="all, delete-orphan", passive_deletes=True
    )


class IndicatorValue(db.Model):
    """A hand-entered value of an indicator the data cannot show (a survey result, a certification)."""

    __tablename__ = "promise_indicator_value"
    __table_args__ = (UniqueConstraint("indicator_id", "measured_on", name="uq_promise_indicator_value_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("promise_indicator.id", ondelete="CASCADE"))
    measured_on = mapped_column(Date, nullable=False)
    value = mapped_column(Numeric(14, 2), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class PublicReport(db.Model):
    """A report to citizens ("Det här har vi gjort") over a period; its figures are a snapshot (`content`)."""

    __tablename__ = "public_report"
    __table_args__ = (
        CheckConstraint(_in("status", REPORT_STATUSES), name="ck_public_report_status"),
        CheckConstraint("ends_on >= starts_on", name="ck_public_report_dates"),
        CheckConstraint(
            "status = 'draft' OR (municipality_approved_at IS NOT NULL AND police_approved_at IS NOT NULL)",
            name="ck_public_report_approved",
        ),
        CheckConstraint("status <> 'published' OR published_at IS NOT NULL", name="ck_public_report_published"),
        Index("ix_public_report_status", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on = mapped_column(Date, nullable=False)
    ends_on = mapped_column(Date, nullable=False)
    intro: Mapped[str | None] = mapped_column(Text)
    content = mapped_column(JSONB, nullable=False, server_default="{}")
    status: Mapped[str] = mapped_column(String(12), server_default="draft")
    drafted_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    municipality_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    municipality_approved_at = mapped_column(DateTime(timezone=True))
    police_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    police_approved_at = mapped_column(DateTime(timezone=True))
    published_at = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("public_report.id", ondelete="RESTRICT"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("public_report.id", ondelete="RESTRICT"))
    superseded_at = mapped_column(DateTime(timezone=True))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    municipality_approver = relationship("User", foreign_keys=[municipality_approved_by_id])
    police_approver = relationship("User", foreign_keys=[police_approved_by_id])

    @property
    def is_published(self) -> bool:
        return self.status == "published"


class PublicationPhoto(db.Model):
    """A before/after photo of a measure that a planner approved for the public report: without a row here, a
    photo is never published."""

    __tablename__ = "publication_photo"

    measure_photo_id: Mapped[int] = mapped_column(ForeignKey("measure_photo.id", ondelete="CASCADE"), primary_key=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    approved_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
