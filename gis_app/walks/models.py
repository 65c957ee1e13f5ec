"""A safety walk, the places it visits in order, and the findings recorded on it."""

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis_app.extensions import db

ORGANISER_KINDS = ("municipality", "police", "property_owner", "association")
# The nine Safetipin audit parameters, each scored 0–3.
SAFETIPIN_PARAMETERS = (
    "lighting",
    "openness",
    "visibility",
    "people",
    "security",
    "walk_path",
    "public_transport",
    "gender_diversity",
    "feeling",
)
RESPONSIBLE_PARTIES = ("municipal_unit", "police", "property_owner", "road_authority", "other")


class Walk(db.Model):
    """A planned safety walk: when and where it starts, who organises it, and its route."""

    __tablename__ = "walk"
    __table_args__ = (
        CheckConstraint(
            "expected_participants IS NULL OR expected_participants >= 0", name="ck_walk_expected_participants"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    meeting_place: Mapped[str] = mapped_column(String(200))
    meeting_point = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"))
    area_name: Mapped[str | None] = mapped_column(String(200))
    organiser_kinds: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")
    organisers: Mapped[str | None] = mapped_column(Text)
    expected_participants: Mapped[int | None] = mapped_column(Integer)
    # A route drawn or edited by the planner; without one the route is the straight legs between the stops.
    route = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=False))
    follows_walk_id: Mapped[int | None] = mapped_column(ForeignKey("walk.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    # A cancelled walk is kept and marked, so its plan and history stay readable.
    cancelled_at = mapped_column(DateTime(timezone=True))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    stops = relationship(
        "WalkStop",
        order_by="WalkStop.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        back_populates="walk",
    )
    follows = relationship("Walk", remote_side=[id])
    district = relationship("Area")


class WalkStop(db.Model):
    """A place the walk visits, at its position in the walking order."""

    __tablename__ = "walk_stop"
    __table_args__ = (UniqueConstraint("walk_id", "place_id", name="uq_walk_stop_place"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("walk.id", ondelete="CASCADE"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)

    walk = relationship(Walk, back_populates="stops")
    place = relationship("Place", lazy="joined")


class Finding(db.Model):
    """What was found at a point on a walk: an observation of a (new or existing) place, plus the walk's data."""

    __tablename__ = "walk_finding"
    __table_args__ = (
        CheckConstraint("accuracy_m IS NULL OR accuracy_m >= 0", name="ck_walk_finding_accuracy"),
        CheckConstraint("priority IS NULL OR priority BETWEEN 1 AND 3", name="ck_walk_finding_priority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("walk.id", ondelete="CASCADE"), index=True)
    # Made on the phone, so a sync retried after a lost answer never records the finding twice.
    client_uuid = mapped_column(UUID(as_uuid=True), nullable=False, unique=True)
    # An unsafe finding is an observation of a new or an existing place; a safe place has neither.
    # Deleting the place later keeps the finding (the protocol is a record of the walk).
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id", ondelete="SET NULL"), unique=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="SET NULL"), index=True)
    new_place: Mapped[bool] = mapped_column(Boolean, server_default="false")
    category_code: Mapped[str | None] = mapped_column(ForeignKey("category.code"))
    note: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    # The GPS fix was worse than the threshold (or missing): the position needs checking.
    flagged: Mapped[bool] = mapped_column(Boolean, server_default="false")
    pin_moved: Mapped[bool] = mapped_column(Boolean, server_default="false")
    safe_place: Mapped[bool] = mapped_column(Boolean, server_default="false")
    scores: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    proposed_measure: Mapped[str | None] = mapped_column(Text)
    responsible: Mapped[str | None] = mapped_column(String(40))
    priority: Mapped[int | None] = mapped_column(SmallInteger)
    recorded_at = mapped_column(DateTime(timezone=True), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)

    walk = relationship(Walk)
    observation = relationship("Observation", lazy="joined")
    place = relationship("Place", lazy="joined")
    photos = relationship(
        "FindingPhoto", order_by="FindingPhoto.photo_id", cascade="all, delete-orphan", passive_deletes=True
    )


class FindingPhoto(db.Model):
    """A photo taken for a finding."""

    __tablename__ = "walk_finding_photo"

    finding_id: Mapped[int] = mapped_column(ForeignKey("walk_finding.id", ondelete="CASCADE"), primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photo.id", ondelete="CASCADE"), primary_key=True)
