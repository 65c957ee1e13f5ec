"""Remove personal data once the retention period has passed: reporters' names and contacts (observations,
citizens' reports) and night-walk leaders' names, from the rows and from the audit trail."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from gis_app.extensions import db

PERSONAL_KEYS = ("reporter_name", "reporter_contact")

PURGE_OBSERVATIONS = text("""
    UPDATE observation SET reporter_name = NULL, reporter_contact = NULL
    WHERE observed_at < now() - make_interval(months => :months)
      AND (reporter_name IS NOT NULL OR reporter_contact IS NOT NULL)
""")

# Citizens' reports held for moderation (gis_app/citizens) carry the same consented contact details.
PURGE_CITIZEN_REPORTS = text("""
    UPDATE citizen_report SET reporter_name = NULL, reporter_contact = NULL
    WHERE created_at < now() - make_interval(months => :months)
      AND (reporter_name IS NOT NULL OR reporter_contact IS NOT NULL)
""")


# A night-walk shift's leader is a person's name (gis_app/nightwalks); it goes when the night is as old.
PURGE_NIGHT_SHIFT_LEADERS = text("""
    UPDATE nw_shift SET leader = NULL
    WHERE ends_at < now() - make_interval(months => :months) AND leader IS NOT NULL
""")


def _scrubbed(column: str, keys: tuple[str, ...] = PERSONAL_KEYS) -> str:
    """SQL for a JSONB column with the personal keys' values set to null where it is an object that has them."""
    expression = column
    for key in keys:
        # create_if_missing false: a snapshot keeps its shape and gains no keys it never had.
        expression = f"jsonb_set({expression}, '{{{key}}}', 'null', false)"
    # The JSON type stores a Python None as the JSON scalar null, which jsonb_set refuses.
    return f"CASE WHEN jsonb_typeof({column}) = 'object' THEN {expression} ELSE {column} END"


def _holds_personal_data(column: str, keys: tuple[str, ...] = PERSONAL_KEYS) -> str:
    return " OR ".join(f"{column} ->> '{key}' IS NOT NULL" for key in keys)


# Rows about observations deleted since are scrubbed by their own age, as no observed_at is left to go by.
# Police-only observations are audited under their own entity name and are purged alike.
SCRUB_AUDIT = text(f"""
    UPDATE audit_log a
    SET before = {_scrubbed("before")}, after = {_scrubbed("after")}
    WHERE a.entity IN ('observation', 'police_observation')
      AND ({_holds_personal_data("before")} OR {_holds_personal_data("after")})
      AND (a.entity_id IN (SELECT id FROM observation
                           WHERE observed_at < now() - make_interval(months => :months))
           OR (a.at < now() - make_interval(months => :months)
               AND NOT EXISTS (SELECT 1 FROM observation o WHERE o.id = a.entity_id)))
""")


SCRUB_SHIFT_AUDIT = text(f"""
    UPDATE audit_log a
    SET before = {_scrubbed("before", ("leader",))}, after = {_scrubbed("after", ("leader",))}
    WHERE a.entity = 'nw_shift'
      AND ({_holds_personal_data("before", ("leader",))} OR {_holds_personal_data("after", ("leader",))})
      AND (a.entity_id IN (SELECT id FROM nw_shift WHERE ends_at < now() - make_interval(months => :months))
           OR (a.at < now() - make_interval(months => :months)
               AND NOT EXISTS (SELECT 1 FROM nw_shift s WHERE s.id = a.entity_id)))
""")


@dataclass
class PurgeResult:
    observations: int
    audit_entries: int
    cutoff: datetime
    citizen_reports: int = 0
    night_shifts: int = 0


def purge_personal_data(months: int, dry_run: bool = False) -> PurgeResult:
    """Null reporters' names and contacts observed more than `months` ago, in one transaction; count them."""
    params = {"months": months}
    try:
        cutoff = db.session.scalar(text("SELECT now() - make_interval(months => :months)"), params)
        observations = db.session.execute(PURGE_OBSERVATIONS, params).rowcount
        audit_entries = db.session.execute(SCRUB_AUDIT, params).rowcount
        citizen_reports = db.session.execute(PURGE_CITIZEN_REPORTS, params).rowcount
        night_shifts = db.session.execute(PURGE_NIGHT_SHIFT_LEADERS, params).rowcount
        audit_entries += db.session.execute(SCRUB_SHIFT_AUDIT, params).rowcount
    except BaseException:
        db.session.rollback()
        raise
    # A dry run does the same work and rolls it back, so its counts are exactly what a real run would purge.
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return PurgeResult(observations, audit_entries, cutoff, citizen_reports, night_shifts)
