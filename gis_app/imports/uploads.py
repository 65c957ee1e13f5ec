"""Uploaded files waiting between the browser import's steps: one folder per upload under IMPORT_UPLOAD_DIR, named
by an unguessable id, owned by the user and the login session that sent it, removed after the import or expiry.

The file never travels in the session cookie; only its folder's id goes back and forth in URLs, and a request for
another session's upload is answered as if it did not exist.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, session
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from gis_app.auth.service import SESSION_KEY
from gis_app.core.readers import DRIVERS
from gis_app.errors import AppError, NotFound

UPLOAD_TTL_SECONDS = 2 * 3600
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")
META, PROGRESS, RUNNING = "meta.json", "progress.json", "running"
CHUNK = 1024 * 1024


@dataclass
class Upload:
    """One uploaded file and what the user chose for it so far (layer, CRS, column mapping)."""

    id: str
    folder: Path
    meta: dict

    @property
    def path(self) -> Path:
        """The file, in a folder of its own, under a safe form of its name (which the reader's messages show)."""
        return self.folder / "file" / self.meta["stored_name"]

    @property
    def file_name(self) -> str:
        return self.meta["file_name"]

    @property
    def choices(self) -> dict | None:
        """The layer, CRS and mapping of the last dry run, or None before one."""
        return self.meta.get("choices")

    def save_choices(self, choices: dict | None) -> None:
        self.meta["choices"] = choices
        _write_json(self.folder / META, self.meta)


def _root() -> Path:
    root = Path(current_app.config["IMPORT_UPLOAD_DIR"])
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def _owner() -> dict:
    """The user and (a hash of) the login session's secret: another session of the same user is another owner."""
    secret = session.get(SESSION_KEY)
    session_hash = hashlib.sha256(secret.encode()).hexdigest() if isinstance(secret, str) else ""
    return {"user_id": current_user.get_id(), "session": session_hash}


def save(storage: FileStorage) -> Upload:
    """Keep an uploaded file for this session: check its name and size while copying it to a new folder."""
    sweep_expired()
    original = Path(storage.filename or "").name.strip()
    suffix = Path(original).suffix.lower()
    if not original or suffix not in DRIVERS:
        raise AppError(
            _("Choose a GeoPackage (.gpkg), GeoJSON (.geojson, .json), CSV (.csv) or zipped Shapefile (.zip) file."),
            field="file",
        )
    upload_id = secrets.token_urlsafe(24)
    folder = _root() / upload_id
    (folder / "file").mkdir(mode=0o700, parents=True)
    # ASCII without a path, and never another suffix than the one checked.
    stored_name = (Path(secure_filename(original)[:100]).stem or "upload") + suffix
    meta = {"file_name": original[:255], "stored_name": stored_name, "created": time.time()}
    upload = Upload(upload_id, folder, meta)
    try:
        _copy(storage, upload.path)
    except AppError:
        discard(upload)
        raise
    upload.meta.update(_owner())
    _write_json(folder / META, upload.meta)
    return upload


def _copy(storage: FileStorage, target: Path) -> None:
    limit = current_app.config["IMPORT_MAX_BYTES"]
    written = 0
    with open(target, "xb") as out:
        while chunk := storage.stream.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise too_large(limit)
            out.write(chunk)
    if written == 0:
        raise AppError(_("The file is empty."), field="file")


def too_large(limit: int) -> AppError:
    """The refusal of a file over IMPORT_MAX_BYTES, naming the field."""
    return AppError(
        _("The file is too large: the limit is %(size)s MB.", size=f"{limit / 1_000_000:.1f}"),
        field="file",
        status=413,
        code="PayloadTooLarge",
    )


def load(upload_id: str) -> Upload:
    """This session's upload, or NotFound (also for another session's, so nothing tells that it exists)."""
    gone = NotFound(_("No such upload: it was imported, discarded or has expired. Upload the file again."))
    if not ID_PATTERN.fullmatch(upload_id or ""):
        raise gone
    folder = _root() / upload_id
    try:
        meta = json.loads((folder / META).read_text())
    except (OSError, ValueError):
        raise gone from None
    owner = _owner()
    same_owner = meta.get("user_id") == owner["user_id"] and secrets.compare_digest(
        str(meta.get("session", "")), owner["session"]
    )
    if not same_owner or not owner["session"] or _expired(meta):
        raise gone
    return Upload(upload_id, folder, meta)


def _expired(meta: dict) -> bool:
    return time.time() - float(meta.get("created", 0)) > UPLOAD_TTL_SECONDS


def discard(upload: Upload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def sweep_expired() -> int:
    """Remove every upload older than the time limit (any user's); return how many."""
    removed = 0
    for folder in _root().iterdir():
        try:
            meta = json.loads((folder / META).read_text())
        except (OSError, ValueError):
            meta = {"created": folder.stat().st_mtime}  # a folder whose upload never finished
        if _expired(meta) and not (folder / RUNNING).exists():
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


# --- progress of a running import: a file the polling page reads (any worker: they share the folder) ---------------


def start_running(upload: Upload) -> None:
    """Mark the upload as being imported; a second import of it at the same time is refused."""
    try:
        os.close(os.open(upload.folder / RUNNING, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        raise AppError(_("This file is being imported already."), status=409, code="Conflict") from None


def stop_running(upload: Upload) -> None:
    (upload.folder / RUNNING).unlink(missing_ok=True)


def write_progress(upload: Upload, phase: str, done: int, total: int) -> None:
    _write_json(upload.folder / PROGRESS, {"phase": phase, "done": done, "total": total})


def read_progress(upload: Upload) -> dict:
    try:
        return json.loads((upload.folder / PROGRESS).read_text())
    except (OSError, ValueError):
        return {"phase": "waiting", "done": 0, "total": 0}


def _write_json(path: Path, value: dict) -> None:
    """Replace the file at once, so a reader never sees half of it."""
    partial = path.with_name(path.name + f".{secrets.token_hex(4)}.tmp")
    partial.write_text(json.dumps(value))
    os.replace(partial, path)
