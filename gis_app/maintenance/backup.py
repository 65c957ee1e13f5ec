"""Back up the app's database with pg_dump and restore it with pg_restore (the PostgreSQL 15 client tools)."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL

from gis_app.errors import AppError

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# SQLAlchemy URL attribute -> libpq keyword; the password travels separately, in PGPASSWORD.
LIBPQ_KEYWORDS = {"host": "host", "port": "port", "username": "user", "database": "dbname"}
# A restore that waits on a lock held by a running app should fail with a reason, not hang.
RESTORE_LOCK_TIMEOUT = "30s"
# PostGIS caches its types' ids in each session; after a restore recreated them, an older session's spatial
# queries fail ("no spatial operator found"). End those sessions: their pools reconnect (pool_pre_ping).
END_OTHER_SESSIONS = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
APP_TABLE = "alembic_version"  # every migrated database of this app has it


@dataclass
class Connection:
    """How the client tools reach the database: a libpq connection string and their environment."""

    conninfo: str
    env: dict
    database: str
    host: str


def pg_tool(name: str) -> str:
    """Return the path of a PostgreSQL client program: Debian's version 15 if installed, else PATH's."""
    if (PG_BIN / name).exists():
        return str(PG_BIN / name)
    found = shutil.which(name)
    if found is None:
        raise AppError(f"{name} was not found: install postgresql-client-15.")
    return found


def connection(url: URL) -> Connection:
    """Translate the app's SQLAlchemy URL for libpq, keeping the password off the command line."""
    params = {key: ",".join(value) if isinstance(value, tuple) else value for key, value in url.query.items()}
    params |= {keyword: str(getattr(url, attr)) for attr, keyword in LIBPQ_KEYWORDS.items() if getattr(url, attr)}
    password = url.password or params.pop("password", None)
    params.pop("password", None)
    env = os.environ | ({"PGPASSWORD": str(password)} if password else {})
    return Connection(make_conninfo(**params), env, params.get("dbname", ""), params.get("host", "localhost"))


def _run(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise AppError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")
    return result


def backup(url: URL, target: Path) -> int:
    """Write a pg_dump custom-format archive of the database to `target`; return its size in bytes."""
    conn = connection(url)
    partial = target.with_name(target.name + ".partial")
    # The dump holds personal data: create it readable by its owner only, before pg_dump writes into it.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        _run([pg_tool("pg_dump"), "--format=custom", f"--file={partial}", f"--dbname={conn.conninfo}"], conn.env)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    # Renamed only when complete, so FILE is never a half-written backup.
    os.replace(partial, target)
    return target.stat().st_size


def check_archive(source: Path) -> int:
    """Refuse anything but a pg_dump custom archive of this app; return how many entries it lists."""
    if not source.is_file():
        raise AppError(f"No backup file at {source}. Nothing was restored.")
    listing = subprocess.run([pg_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True)
    if listing.returncode != 0 or "Format: CUSTOM" not in listing.stdout:
        reason = listing.stderr.strip() or "not in custom format"
        raise AppError(f"{source} is not a pg_dump custom archive ({reason}). Nothing was restored.")
    entries = [line for line in listing.stdout.splitlines() if line and not line.startswith(";")]
    if not any(f" TABLE public {APP_TABLE} " in line for line in entries):
        raise AppError(f"{source} is not a backup of this application's database. Nothing was restored.")
    return len(entries)


def restore(url: URL, source: Path) -> int:
    """Replace the database's contents with the archive's, all or nothing; return the entries restored."""
    entries = check_archive(source)
    conn = connection(url)
    env = conn.env | {"PGOPTIONS": f"-c lock_timeout={RESTORE_LOCK_TIMEOUT}"}
    _run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={conn.conninfo}",
            str(source),
        ],
        env,
    )
    _run(
        [
            pg_tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--no-align",
            "--tuples-only",
            f"--dbname={conn.conninfo}",
            "--command",
            END_OTHER_SESSIONS,
        ],
        conn.env,
    )
    return entries
