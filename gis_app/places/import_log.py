"""The log of place imports: one row per file imported (by the command or in the browser), audited with it."""

from sqlalchemy import DateTime, Integer, String, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gis_app.auth.audit import record, snapshot
from gis_app.auth.models import AuditEntry
from gis_app.extensions import db

ENTITY = "place_import"


class PlaceImport(db.Model):  # type: ignore[name-defined]  # db.Model is built at run time
    """One file imported as places: what was read (file, layer, CRS, column mapping) and what it made."""

    __tablename__ = "place_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    file_name: Mapped[str] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(20))
    layer: Mapped[str | None] = mapped_column(String(255))
    crs: Mapped[str] = mapped_column(String(100))
    column_mapping = mapped_column(JSONB, nullable=False)  # place field -> the file's column
    rows: Mapped[int] = mapped_column(Integer)
    places: Mapped[int] = mapped_column(Integer)
    observations: Mapped[int] = mapped_column(Integer)


def log_import(**values) -> PlaceImport:
    """Add the import's log row and its audit row to the current transaction (the caller commits both)."""
    entry = PlaceImport(**values)
    db.session.add(entry)
    db.session.flush()
    db.session.refresh(entry)  # the database's timestamp, for the audit snapshot
    record("create", ENTITY, entry.id, None, snapshot(entry))
    return entry


def recent_imports(limit: int = 20) -> list[tuple[PlaceImport, AuditEntry | None]]:
    """The latest imports, newest first, each with its audit row (who imported it)."""
    query = (
        select(PlaceImport, AuditEntry)
        .outerjoin(AuditEntry, (AuditEntry.entity == ENTITY) & (AuditEntry.entity_id == PlaceImport.id))
        .order_by(PlaceImport.id.desc())
        .limit(limit)
    )
    return [(entry, audit) for entry, audit in db.session.execute(query)]
