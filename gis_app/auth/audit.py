"""The audit trail: one row per entity a write changes, in the write's own transaction."""

from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from flask import g, has_request_context
from flask_login import current_user
from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import inspect, or_, select

from gis_app.auth.models import AuditEntry
from gis_app.extensions import db

# Personal data must leave the database when the retention period ends; a copy in the audit trail would not.
PERSONAL_FIELDS = frozenset({"reporter_name", "reporter_contact"})
REDACTED = "***"
# Entities only the police and admins may see, whatever their snapshots hold (see auth/access.py POLICE).
POLICE_ENTITIES = frozenset({"police_observation", "outreach_visit", "outreach_plan", "outreach_stop"})
# Entities whose rows a place's history shows; police_observation rows only to those who may see them.
PLACE_ENTITIES = ("place", "observation", "police_observation")


def _json_value(value):
    """Make a column value JSON-friendly; geometries become GeoJSON."""
    if isinstance(value, (WKBElement, WKTElement)):
        return mapping(to_shape(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def snapshot(instance) -> dict:
    """Return the instance's column values as JSON-friendly data (personal data redacted)."""
    values = {}
    for attribute in inspect(instance).mapper.column_attrs:
        value = getattr(instance, attribute.key)
        if attribute.key in PERSONAL_FIELDS and value:
            value = REDACTED
        values[attribute.key] = _json_value(value)
    return values


def stored(instance) -> dict:
    """Write pending changes, read back what the database made of them (defaults, triggers, version), snapshot."""
    db.session.flush()
    db.session.refresh(instance)
    return snapshot(instance)


def record_create(instance, entity: str) -> AuditEntry:
    """Audit the creation of `instance`, as the database stored it."""
    after = stored(instance)  # flushes first, so the new row has its id
    return record("create", entity, instance.id, None, after)


def _actor() -> tuple[int | None, int | None]:
    """The user and the API token behind the current request (none outside requests, e.g. CLI commands)."""
    if not has_request_context() or not current_user.is_authenticated:
        return None, None
    token = g.get("api_token")
    return current_user.id, token.id if token is not None else None


def holds_police_only(value) -> bool:
    """True when a snapshot, or any snapshot nested in it, is of a police-only record."""
    if isinstance(value, dict):
        return value.get("police_only") is True or any(holds_police_only(item) for item in value.values())
    if isinstance(value, list):
        return any(holds_police_only(item) for item in value)
    return False


def is_police_only(entity: str, before: dict | None, after: dict | None) -> bool:
    """An audit row is as secret as what it records: a police entity, or a police-only record before or after."""
    return entity in POLICE_ENTITIES or holds_police_only(before) or holds_police_only(after)


def record(action: str, entity: str, entity_id: int, before: dict | None, after: dict | None) -> AuditEntry:
    """Add one audit row to the current transaction; the caller commits it with the change itself."""
    user_id, token_id = _actor()
    entry = AuditEntry(
        user_id=user_id,
        token_id=token_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        police_only=is_police_only(entity, before, after),
    )
    db.session.add(entry)
    return entry


def place_trail(place_id: int, police: bool = False) -> list[AuditEntry]:
    """Return the audit rows of a place and of its observations that the reader may see, oldest first."""
    place_id_text = str(place_id)
    observation_of_place = or_(
        AuditEntry.after["place_id"].astext == place_id_text, AuditEntry.before["place_id"].astext == place_id_text
    )
    query = (
        select(AuditEntry)
        .where(
            or_(
                (AuditEntry.entity == "place") & (AuditEntry.entity_id == place_id),
                AuditEntry.entity.in_(PLACE_ENTITIES[1:]) & observation_of_place,
            )
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    if not police:
        query = query.where(AuditEntry.police_only.is_(False))
    return list(db.session.scalars(query))


def changes(entry: AuditEntry, hidden: frozenset[str] = frozenset()) -> list[tuple[str, object, object]]:
    """Return (field, before, after) for each field an update changed, or each field a create or delete set."""
    before, after = entry.before or {}, entry.after or {}
    if entry.action == "update":
        keys = [key for key in after if before.get(key) != after.get(key)]
    else:
        keys = [key for key, value in (after or before).items() if value is not None]
    return [(key, before.get(key), after.get(key)) for key in keys if key not in hidden]
