from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis_app.extensions import db

TIMES_OF_DAY = ("day", "evening", "night")
AFFECTED_GROUPS = ("women", "men", "young_people", "everyone")
PLACE_GEOMETRY_TYPES = ("POINT", "LINESTRING", "POLYGON")
# daylight / civil twilight / nautical twilight / dark at the usual sun altitudes (gis_app/lighting/sun.py)
LIGHT_CLASSES = ("daylight", "civil_twilight", "nautical_twilight", "dark")
# The API and map filter's coarser choice: "dark" is after civil twilight ends, when streetlights are needed.
LIGHT_FILTERS = {"daylight": ("daylight",), "twilight": ("civil_twilight",), "dark": ("nautical_twilight", "dark")}
LIGHT_CLASS_SQL = (
    "CASE WHEN sun_altitude IS NULL THEN NULL WHEN sun_altitude >= -0.833 THEN 'daylight' "
    "WHEN sun_altitude >= -6 THEN 'civil_twilight' WHEN sun_altitude >= -12 THEN 'nautical_twilight' "
    "ELSE 'dark' END"
)


class ReferenceMixin:
    """Reference data a municipality can extend: a stable code with a Swedish and an English label."""

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_sv: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(SmallInteger, default=100, server_default="100")

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_sv


class Category(ReferenceMixin, db.Model):
    __tablename__ = "category"
    color: Mapped[str] = mapped_column(String(7), default="#666666", server_default="#666666")
    # Places in sensitive categories are shown to the public only as a grid cell, never exactly.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class Source(ReferenceMixin, db.Model):
    __tablename__ = "observation_source"


class Status(ReferenceMixin, db.Model):
    __tablename__ = "place_status"


class Place(db.Model):
    """An unsafe place: a point, a line (a dark path) or a polygon (a park)."""

    __tablename__ = "place"
    __table_args__ = (
        CheckConstraint("GeometryType(geom) IN ('POINT', 'LINESTRING', 'POLYGON')", name="ck_place_geom_type"),
        CheckConstraint("ST_IsValid(geom)", name="ck_place_geom_valid"),
        CheckConstraint(
            "time_of_day IS NULL OR time_of_day IN ('day', 'evening', 'night')", name="ck_place_time_of_day"
        ),
        CheckConstraint(
            "affected_group IS NULL OR affected_group IN ('women', 'men', 'young_people', 'everyone')",
            name="ck_place_affected_group",
        ),
        CheckConstraint("priority BETWEEN 1 AND 3", name="ck_place_priority"),
        CheckConstraint("status_code <> 'dismissed' OR dismissed_reason IS NOT NULL", name="ck_place_dismissed_reason"),
        Index("ix_place_category_status", "category_code", "status_code"),
        Index("ix_place_cell_category", "cell", "category_code"),
        Index("ix_place_public_cell_category", "public_cell", "category_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # A title from unreviewed text (a field worker's, or a walk note's) is not public until a planner reviews it.
    title_reviewed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    description: Mapped[str | None] = mapped_column(Text)
    category_code: Mapped[str] = mapped_column(ForeignKey("category.code"))
    status_code: Mapped[str] = mapped_column(
        ForeignKey("place_status.code"), default="reported", server_default="reported"
    )
    dismissed_reason: Mapped[str | None] = mapped_column(Text)
    time_of_day: Mapped[str | None] = mapped_column(String(10))
    affected_group: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"), index=True)
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False)
    # What the public sees, kept by the database (trigger place_public_position, migration 0008): the centre of
    # the place's grid cell for sensitive categories, else geom; and the district of that, never of geom.
    public_geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False)
    public_district_id: Mapped[int | None] = mapped_column(ForeignKey("area.id", ondelete="SET NULL"), index=True)
    # The zoom-20 Web Mercator tile of geom and of public_geom as a Morton number (migration 0015), so a vector
    # tile's places are one index range and its counts come from the index alone (gis_app/places/tiles.py).
    cell = mapped_column(BigInteger, Computed("mercator_cell(geom)", persisted=True), nullable=False)
    public_cell = mapped_column(BigInteger, Computed("mercator_cell(public_geom)", persisted=True), nullable=False)
    reported_on = mapped_column(Date, server_default=func.current_date(), nullable=False, index=True)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")

    category = relationship(Category, lazy="joined")
    status = relationship(Status, lazy="joined")
    observations = relationship(
        "Observation",
        back_populates="place",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Observation.observed_at",
    )

    __mapper_args__ = {"version_id_col": version}


class Observation(db.Model):
    """One report about a place, from any source, with its own point and time."""

    __tablename__ = "observation"
    __table_args__ = (Index("ix_observation_place_time", "place_id", "observed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"))
    source_code: Mapped[str] = mapped_column(ForeignKey("observation_source.code"))
    observed_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False, index=True)
    text: Mapped[str | None] = mapped_column(Text)
    # Free text reaches the public only once staff have reviewed it.
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # Personal data: visible to staff only, removed by purge-personal-data after the retention period.
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    reporter_contact: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    # Police-only observations are shown only to the police and admins (added with police outreach, 0005).
    police_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    created_at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    # The sun at the observation's place and time, set by a database trigger on every write (migration 0010).
    sun_altitude: Mapped[float | None] = mapped_column(Float)
    light_class: Mapped[str | None] = mapped_column(String(20), Computed(LIGHT_CLASS_SQL, persisted=True))

    place = relationship(Place, back_populates="observations")
    source = relationship(Source, lazy="joined")


class PublicGrid(db.Model):
    """The one row holding the grid cell size (metres) of public positions; changing it moves them all."""

    __tablename__ = "public_grid"
    __table_args__ = (
        CheckConstraint("one", name="ck_public_grid_one_row"),
        CheckConstraint("metres BETWEEN 10 AND 100000", name="ck_public_grid_metres"),
    )

    one: Mapped[bool] = mapped_column(Boolean, primary_key=True, server_default="true")
    metres: Mapped[int] = mapped_column(Integer)


class PlaceCellCount(db.Model):
    """Places per Web Mercator cell (zooms 12–17), audience and category, kept by triggers (migration 0022)."""

    __tablename__ = "place_cell_count"

    public: Mapped[bool] = mapped_column(Boolean, primary_key=True)  # counted at public_cell, else at cell
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # the cell's zoom
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # the Morton number at that zoom
    category_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
