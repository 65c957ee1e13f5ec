"""The project's private PostGIS instance, used whenever DATABASE_URL is unset; started by the CLI and tests."""

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root, so root runs it as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(_as_postgres(args), check=True, capture_output=True, text=True, **kwargs)


def _chown_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def _initdb(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    _chown_to_postgres(data.parent)
    _chown_to_postgres(data)
    _run([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])


def _is_running(data: Path) -> bool:
    return (
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "status", "-D", str(data)]), capture_output=True
        ).returncode
        == 0
    )


def _start(data: Path, socket_dir: Path, port: int) -> None:
    options = f"-k {socket_dir} -p {port} -c listen_addresses=127.0.0.1 -c fsync=on"
    _run(
        [
            str(PG_BIN / "pg_ctl"),
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(data),
            "-l",
            str(data.parent / "postgres.log"),
            "-o",
            options,
        ]
    )


def _psql(socket_dir: Path, port: int, database: str, sql: str) -> str:
    out = _run(
        [str(PG_BIN / "psql"), "-h", str(socket_dir), "-p", str(port), "-U", "postgres", "-d", database, "-tAc", sql]
    )
    return out.stdout.strip()


def ensure_database(socket_dir: Path, port: int, database: str) -> None:
    """Create the database with PostGIS if it does not exist yet."""
    exists = _psql(socket_dir, port, "postgres", f"SELECT 1 FROM pg_database WHERE datname = '{database}'")
    if not exists:
        _psql(socket_dir, port, "postgres", f'CREATE DATABASE "{database}"')
    _psql(socket_dir, port, database, "CREATE EXTENSION IF NOT EXISTS postgis")


def private_url(pgdata: str, port: int, database: str) -> str:
    """The SQLAlchemy URL of a database on the private instance (starts nothing)."""
    return f"postgresql+psycopg://postgres@/{database}?host={Path(pgdata) / 'run'}&port={port}"


def start_private_instance(pgdata: str, port: int, database: str) -> str:
    """Create and start the private instance if needed, make sure the database exists, and return its URL."""
    root = Path(pgdata)
    data, socket_dir = root / "data", root / "run"
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # several workers or test processes may start at once
        if not (data / "PG_VERSION").exists():
            _initdb(data)
        if not _is_running(data):
            socket_dir.mkdir(exist_ok=True)
            _chown_to_postgres(socket_dir)
            _start(data, socket_dir, port)
        ensure_database(socket_dir, port, database)
    return private_url(pgdata, port, database)
