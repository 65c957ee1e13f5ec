"""An inventory year, the assessment of each place in it, and the measures decided for the place."""

from sqlalchemy import (
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
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis_app.extensions import db

YEAR_STATUSES = ("open", "closed")
MEASURE_TYPES = (
    "lighting",
    "vegetation",
    "vandalism_repair",
    "camera_perimeter",
    "police_outreach",
    "owner_contact",
    "other",
)
RESPONSIBLE_PARTIES = ("municipal_unit", "police", "property_owner", "road_authority", "other")
MEASURE_STATUSES = ("proposed", "decided", "in_progress", "done", "verified", "not_feasible")
DONE_STATUSES = ("done", "verified")
OPEN_STATUSES = ("proposed", "decided", "in_progress")  # work still to do; not feasible is closed, not done
PHOTO_KINDS = ("before", "after")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class InventoryYear(db.Model):
    """One year's inventory; once closed it is read-only."""

    __tablename__ = "inventory_year"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_inventory_year_year"),
        CheckConstraint(_in("status", YEAR_STATUSES), name="ck_inventory_year_status"),
        CheckConstraint("reopened_at IS NULL OR reopen_reason IS NOT NULL", name="ck_inventory_year_reopen_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    opened_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    closed_at = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    # The last reopening by an admin (each one is in the audit trail too).
    reopened_at = mapped_column(DateTime(timezone=True))
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    reopen_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


class Assessment(db.Model):
    """A place's assessment in an inventory year: still unsafe or not, the main factor and a priority."""

    __tablename__ = "inventory_assessment"
    __table_args__ = (
        UniqueConstraint("year_id", "place_id", name="uq_inventory_assessment_year_place"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="ck_inventory_assessment_priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("inventory_year.id", ondelete="CASCADE"))
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    still_unsafe: Mapped[bool] = mapped_column(Boolean)
    main_factor: Mapped[str] = mapped_column(ForeignKey("category.code"))
    priority: Mapped[int] = mapped_column(SmallInteger, server_default="2")
    note: Mapped[str | None] = mapped_column(Text)
    assessed_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False)

    year = relationship(InventoryYear, lazy="joined")
    measures = relationship(
        "Measure",
        back_populates="assessment",
        order_by="Measure.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Measure(db.Model):
    """What is to be done about an assessed place, by whom, at what cost and when."""

    __tablename__ = "inventory_measure"
    __table_args__ = (
        CheckConstraint(_in("measure_type", MEASURE_TYPES), name="ck_inventory_measure_type"),
        CheckConstraint(_in("responsible", RESPONSIBLE_PARTIES), name="ck_inventory_measure_responsible"),
        CheckConstraint(_in("status", MEASURE_STATUSES), name="ck_inventory_measure_status"),
        CheckConstraint(
            "status <> 'not_feasible' OR not_feasible_reason IS NOT NULL", name="ck_inventory_measure_reason"
        ),
        CheckConstraint("cost_estimate_sek IS NULL OR cost_estimate_sek >= 0", name="ck_inventory_measure_cost"),
        Index("ix_inventory_measure_assessment", "assessment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("inventory_assessment.id", ondelete="CASCADE"))
    measure_type: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(30))
    responsible_name: Mapped[str | None] = mapped_column(String(200))  # the unit, the owner's name, …
    status: Mapped[str] = mapped_column(String(20), server_default="proposed")
    not_feasible_reason: Mapped[str | None] = mapped_column(Text)
    cost_estimate_sek: Mapped[int | None] = mapped_column(Integer)
    due_on = mapped_column(Date)
    done_on = mapped_column(Date)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False)

    assessment = relationship(Assessment, back_populates="measures", lazy="joined")
    photo_links = relationship(
        "MeasurePhoto", order_by="MeasurePhoto.id", cascade="all, delete-orphan", passive_deletes=True
    )

    def photos(self, kind: str) -> list["MeasurePhoto"]:
        return [link for link in self.photo_links if link.kind == kind]


class MeasurePhoto(db.Model):
    """A photo of the place before or after a measure (the photo itself lives in gis_app/photos)."""

    __tablename__ = "measure_photo"
    __table_args__ = (
        UniqueConstraint("measure_id", "photo_id", name="uq_measure_photo_measure_photo"),
        CheckConstraint("kind IN ('before', 'after')", name="ck_measure_photo_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("inventory_measure.id", ondelete="CASCADE"))
    photo_id: Mapped[int] = mapped_column(ForeignKey("photo.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(6))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
