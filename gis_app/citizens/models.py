"""Citizens' reports held for moderation, and the address register the report form searches."""

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis_app.extensions import db

GAZETTEER_KINDS = ("address", "place_name", "locality", "district")
# received -> under_review (a planner opened it) -> merged (into a place) | created (a new place) | dismissed
REPORT_STATUSES = ("received", "under_review", "merged", "created", "dismissed")
OPEN_STATUSES = ("received", "under_review")
CHANNELS = ("web", "open311")
# Fixed reasons, so the public status page can say why without showing anything a planner typed.
DISMISS_REASONS = ("duplicate", "outside_area", "not_a_place", "relationship_violence", "emergency", "other")


class GazetteerEntry(db.Model):
    """An address or a named place the report form's search finds (imported by the municipality)."""

    __tablename__ = "gazetteer_entry"
    __table_args__ = (
        CheckConstraint("kind IN ('address', 'place_name', 'locality', 'district')", name="ck_gazetteer_entry_kind"),
        Index(
            "ix_gazetteer_entry_search",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))  # what the search shows: "Storgatan 12, Östersund"
    street: Mapped[str | None] = mapped_column(String(200))
    house_number: Mapped[str | None] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(10))
    locality: Mapped[str | None] = mapped_column(String(100))
    # citizen_fold() of the words people type: lower case, no accents; trigram-indexed.
    search_text: Mapped[str] = mapped_column(Text)
    dataset: Mapped[str] = mapped_column(String(60), index=True)  # "demo-…" for demo data, shown as such
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class CitizenReport(db.Model):
    """A citizen's report, held apart from places and observations until a planner has reviewed it.

    No public page, API, tile or feed reads this table: that is what keeps unreviewed text private.
    """

    __tablename__ = "citizen_report"
    __table_args__ = (
        CheckConstraint(
            "status IN ('received', 'under_review', 'merged', 'created', 'dismissed')", name="ck_citizen_report_status"
        ),
        CheckConstraint("channel IN ('web', 'open311')", name="ck_citizen_report_channel"),
        CheckConstraint(
            "time_of_day IS NULL OR time_of_day IN ('day', 'evening', 'night')", name="ck_citizen_report_time_of_day"
        ),
        CheckConstraint("status <> 'dismissed' OR dismiss_reason IS NOT NULL", name="ck_citizen_report_dismiss_reason"),
        CheckConstraint(
            "contact_consent OR (reporter_name IS NULL AND reporter_contact IS NULL)", name="ck_citizen_report_consent"
        ),
        Index("ix_citizen_report_status", "status", "created_at"),
        Index("ix_citizen_report_place_id", "place_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)  # random, so status pages cannot be walked
    channel: Mapped[str] = mapped_column(String(10), server_default="web")
    category_code: Mapped[str] = mapped_column(ForeignKey("category.code"))
    text: Mapped[str] = mapped_column(Text)
    time_of_day: Mapped[str | None] = mapped_column(String(10))
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    address_label: Mapped[str | None] = mapped_column(String(300))
    # Personal data, given only with consent: staff only, removed by purge-personal-data.
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_contact: Mapped[str | None] = mapped_column(String(200))
    contact_consent: Mapped[bool] = mapped_column(Boolean, server_default="false")
    status: Mapped[str] = mapped_column(String(20), server_default="received")
    dismiss_reason: Mapped[str | None] = mapped_column(String(30))
    dismiss_note: Mapped[str | None] = mapped_column(Text)  # staff only
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id", ondelete="SET NULL"))
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id", ondelete="SET NULL"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    reviewed_at = mapped_column(DateTime(timezone=True))
    opened_at = mapped_column(DateTime(timezone=True))
    # The proof-of-work challenge this report solved: each solution is good for one report only.
    pow_nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False)

    category = relationship("Category", lazy="joined")
    place = relationship("Place")
    photo_links = relationship("CitizenReportPhoto", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CitizenReportPhoto(db.Model):
    """A photo sent with a report (stored without EXIF by gis_app/photos); staff only."""

    __tablename__ = "citizen_report_photo"

    report_id: Mapped[int] = mapped_column(ForeignKey("citizen_report.id", ondelete="CASCADE"), primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photo.id", ondelete="CASCADE"), primary_key=True)
