"""All configuration comes from the environment, typed and checked at start-up. Each variable is in README.md."""

import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHECKOUT_ID = hashlib.sha1(str(PROJECT_DIR).encode()).hexdigest()[:10]
# Östersund municipality (kommun 2380), W S E N in EPSG:4326: used when no municipality area is imported.
OSTERSUND_BOUNDS = "14.26,62.89,15.56,63.60"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
LOCALES = ("sv", "en")
# The value earlier versions signed sessions with: never accepted again.
KNOWN_WEAK_KEYS = frozenset({"dev-only-change-me"})


class SettingsError(ValueError):
    """A variable holds a value the app cannot use; the message names the variable."""


def integer(text: str) -> int:
    """A whole number, zero or more."""
    value = int(text)
    if value < 0:
        raise ValueError("must not be negative")
    return value


def positive_number(text: str) -> float:
    """A number above zero."""
    value = float(text)
    if not value > 0 or value == float("inf"):
        raise ValueError("must be a number above zero")
    return value


def flag(text: str) -> bool:
    """true/false, yes/no, on/off, 1/0."""
    lowered = text.strip().lower()
    if lowered not in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
        raise ValueError("must be true or false")
    return lowered in ("1", "true", "yes", "on")


def bounds(text: str) -> tuple[float, float, float, float]:
    """W,S,E,N in degrees."""
    west, south, east, north = (float(v) for v in text.split(","))
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError("must be W,S,E,N with W < E and S < N")
    return west, south, east, north


def time_zone(text: str) -> str:
    """An IANA time zone name such as Europe/Stockholm."""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError("is not a known time zone") from error
    return text


def locale(text: str) -> str:
    """One of the UI languages."""
    if text not in LOCALES:
        raise ValueError(f"must be one of {', '.join(LOCALES)}")
    return text


def text(value: str) -> str:
    """Any text."""
    return value


def optional_text(value: str) -> str | None:
    """Text, or None when empty."""
    return value or None


@dataclass(frozen=True)
class Setting:
    """One configuration key, the variable it comes from, how to read it and its default."""

    key: str
    variable: str
    parse: Callable[[str], object]
    default: str | Callable[[Mapping[str, str]], str]


def _default_pgdata(env: Mapping[str, str]) -> str:
    """A folder per checkout under the temp dir, which the postgres user can always reach."""
    return os.path.join(tempfile.gettempdir(), f"gis-app-pg-{CHECKOUT_ID}")


def _default_pg_port(env: Mapping[str, str]) -> str:
    """A port per checkout, so two checkouts' private instances do not collide."""
    return str(54000 + int(CHECKOUT_ID, 16) % 1000)


def _default_tile_cache(env: Mapping[str, str]) -> str:
    return os.path.join(tempfile.gettempdir(), f"gis-app-tiles-{CHECKOUT_ID}")


def _default_import_dir(env: Mapping[str, str]) -> str:
    return os.path.join(tempfile.gettempdir(), f"gis-app-imports-{CHECKOUT_ID}")


def _default_secret_key_file(env: Mapping[str, str]) -> str:
    """Beside the private database, where `make run` keeps the key it generated."""
    return os.path.join(env.get("GIS_APP_PGDATA") or _default_pgdata(env), "secret_key")


SETTINGS = (
    Setting("SECRET_KEY", "SECRET_KEY", text, ""),
    Setting("SECRET_KEY_FILE", "GIS_APP_SECRET_KEY_FILE", text, _default_secret_key_file),
    Setting("DATABASE_URL", "DATABASE_URL", optional_text, ""),
    Setting("PGDATA_DIR", "GIS_APP_PGDATA", text, _default_pgdata),
    Setting("PG_PORT", "GIS_APP_PG_PORT", integer, _default_pg_port),
    Setting("PG_DATABASE", "GIS_APP_PG_DATABASE", text, "gis_app"),
    Setting("AREA_BOUNDS", "GIS_APP_BOUNDS", bounds, OSTERSUND_BOUNDS),
    Setting("TILE_URL", "GIS_APP_TILE_URL", text, OSM_TILES),
    Setting("TILE_ATTRIBUTION", "GIS_APP_TILE_ATTRIBUTION", text, OSM_ATTRIBUTION),
    Setting("TILE_CACHE_DIR", "GIS_APP_TILE_CACHE_DIR", text, _default_tile_cache),
    Setting("TILE_USER_AGENT", "GIS_APP_TILE_USER_AGENT", text, "gis-app safety inventory (municipal GIS)"),
    Setting("BABEL_DEFAULT_LOCALE", "GIS_APP_DEFAULT_LOCALE", locale, "sv"),
    Setting("BABEL_DEFAULT_TIMEZONE", "GIS_APP_TIMEZONE", time_zone, "Europe/Stockholm"),
    Setting("VENDOR_DIR", "GIS_APP_VENDOR_DIR", text, str(PROJECT_DIR / "node_modules")),
    Setting("API_DEFAULT_LIMIT", "GIS_APP_API_DEFAULT_LIMIT", integer, "100"),
    Setting("API_MAX_LIMIT", "GIS_APP_API_MAX_LIMIT", integer, "10000"),
    Setting("PUBLIC_GRID_METRES", "GIS_APP_PUBLIC_GRID_METRES", integer, "250"),
    Setting("API_COUNT_CAP", "GIS_APP_API_COUNT_CAP", integer, "10000"),
    Setting("IMPORT_MAX_FEATURES", "GIS_APP_IMPORT_MAX_FEATURES", integer, "100000"),
    Setting("IMPORT_MAX_BYTES", "GIS_APP_IMPORT_MAX_BYTES", integer, str(100 * 1024 * 1024)),
    Setting("IMPORT_UPLOAD_DIR", "GIS_APP_IMPORT_UPLOAD_DIR", text, _default_import_dir),
    Setting("PERSONAL_DATA_RETENTION_MONTHS", "GIS_APP_PERSONAL_DATA_RETENTION_MONTHS", integer, "24"),
    Setting("SESSION_COOKIE_SECURE", "GIS_APP_SECURE_COOKIES", flag, "false"),
    Setting("LOGIN_MAX_FAILURES", "GIS_APP_LOGIN_MAX_FAILURES", integer, "5"),
    Setting("LOGIN_LOCKOUT_MINUTES", "GIS_APP_LOGIN_LOCKOUT_MINUTES", integer, "15"),
    Setting("LOGIN_RATE_LIMIT", "GIS_APP_LOGIN_RATE_LIMIT", text, "10 per minute"),
    Setting("RATELIMIT_STORAGE_URI", "GIS_APP_RATELIMIT_STORAGE_URI", text, "database://"),
    Setting("DEMO_MODE", "GIS_APP_DEMO_MODE", flag, "false"),
    Setting("PHOTO_MAX_BYTES", "GIS_APP_PHOTO_MAX_BYTES", integer, str(15 * 1000 * 1000)),
    Setting("PHOTO_MAX_PIXELS", "GIS_APP_PHOTO_MAX_PIXELS", integer, str(50 * 1000 * 1000)),
    Setting("PHOTO_MAX_DECODED_BYTES", "GIS_APP_PHOTO_MAX_DECODED_BYTES", integer, str(96 * 1024 * 1024)),
    Setting("WALK_ACCURACY_THRESHOLD_M", "GIS_APP_WALK_ACCURACY_THRESHOLD_M", positive_number, "30"),
    Setting("WALK_NEARBY_METRES", "GIS_APP_WALK_NEARBY_METRES", positive_number, "25"),
    Setting("WALK_SPEED_KMH", "GIS_APP_WALK_SPEED_KMH", positive_number, "4"),
    Setting("WALK_MAX_PHOTOS", "GIS_APP_WALK_MAX_PHOTOS", integer, "4"),
    Setting("MAX_CONTENT_LENGTH", "GIS_APP_MAX_UPLOAD_BYTES", integer, str(20 * 1024 * 1024)),
    # Police outreach: priority weights (see gis_app/outreach/scoring.py), windows, speeds and start points
    Setting(
        "OUTREACH_WEIGHTS",
        "GIS_APP_OUTREACH_WEIGHTS",
        text,
        "recent_reports=1,evening_night=3,police_category=3,unresolved=2,since_visit=3",
    ),
    Setting("OUTREACH_WINDOW_DAYS", "GIS_APP_OUTREACH_WINDOW_DAYS", integer, "90"),
    Setting("OUTREACH_VISIT_CAP_DAYS", "GIS_APP_OUTREACH_VISIT_CAP_DAYS", integer, "30"),
    Setting("OUTREACH_WALK_KMH", "GIS_APP_OUTREACH_WALK_KMH", positive_number, "5"),
    Setting("OUTREACH_CAR_KMH", "GIS_APP_OUTREACH_CAR_KMH", positive_number, "30"),
    Setting("OUTREACH_STOP_MINUTES", "GIS_APP_OUTREACH_STOP_MINUTES", integer, "10"),
    Setting("OUTREACH_START_POINTS", "GIS_APP_OUTREACH_START_POINTS", text, "Polisstationen=14.6390,63.1785"),
    # What one client may cost: rate limits (shared by all workers), public page and query budgets, tile
    # fetching, and the database pool (sized for gunicorn's threads per worker).
    Setting("API_PUBLIC_MAX_LIMIT", "GIS_APP_API_PUBLIC_MAX_LIMIT", integer, "1000"),
    Setting("PUBLIC_STATEMENT_TIMEOUT_MS", "GIS_APP_PUBLIC_STATEMENT_TIMEOUT_MS", integer, "5000"),
    Setting("API_RATE_LIMIT", "GIS_APP_API_RATE_LIMIT", text, "120 per minute"),
    Setting("LOGIN_ACCOUNT_RATE_LIMIT", "GIS_APP_LOGIN_ACCOUNT_RATE_LIMIT", text, "20 per hour"),
    Setting("TILE_RATE_LIMIT", "GIS_APP_TILE_RATE_LIMIT", text, "600 per minute"),
    Setting("TILE_FETCH_RATE_LIMIT", "GIS_APP_TILE_FETCH_RATE_LIMIT", text, "120 per minute"),
    Setting("TILE_FETCH_TOTAL_RATE_LIMIT", "GIS_APP_TILE_FETCH_TOTAL_RATE_LIMIT", text, "600 per minute"),
    Setting("TILE_TIMEOUT_SECONDS", "GIS_APP_TILE_TIMEOUT_SECONDS", positive_number, "3"),
    Setting("TILE_MAX_CONCURRENT_FETCHES", "GIS_APP_TILE_MAX_CONCURRENT_FETCHES", integer, "2"),
    Setting("TILE_MIN_ZOOM", "GIS_APP_TILE_MIN_ZOOM", integer, "0"),
    Setting("TILE_MAX_ZOOM", "GIS_APP_TILE_MAX_ZOOM", integer, "19"),
    Setting("TILE_CACHE_MAX_BYTES", "GIS_APP_TILE_CACHE_MAX_BYTES", integer, str(256 * 1024 * 1024)),
    Setting("MVT_POINT_ZOOM", "GIS_APP_MVT_POINT_ZOOM", integer, "16"),
    Setting("MVT_MAX_AGE", "GIS_APP_MVT_MAX_AGE", integer, "60"),
    Setting("DB_POOL_SIZE", "GIS_APP_DB_POOL_SIZE", integer, "4"),
    Setting("DB_MAX_OVERFLOW", "GIS_APP_DB_MAX_OVERFLOW", integer, "4"),
    Setting("DB_POOL_TIMEOUT", "GIS_APP_DB_POOL_TIMEOUT", positive_number, "10"),
    Setting("DB_SESSION_OPTIONS", "GIS_APP_DB_SESSION_OPTIONS", text, "-c jit=off -c work_mem=16MB"),
    # Citizens' reports: limits per address, the proof-of-work's size, photos, and the queue's suggestion radius
    Setting("CITIZEN_REPORT_RATE_LIMIT", "GIS_APP_CITIZEN_REPORT_RATE_LIMIT", text, "5 per hour;20 per day"),
    Setting("CITIZEN_SEARCH_RATE_LIMIT", "GIS_APP_CITIZEN_SEARCH_RATE_LIMIT", text, "120 per minute"),
    Setting("CITIZEN_POW_MAX_NUMBER", "GIS_APP_CITIZEN_POW_MAX_NUMBER", integer, "50000"),
    Setting("CITIZEN_MAX_PHOTOS", "GIS_APP_CITIZEN_MAX_PHOTOS", integer, "3"),
    Setting("CITIZEN_SUGGEST_METRES", "GIS_APP_CITIZEN_SUGGEST_METRES", positive_number, "25"),
    # Lighting: the unit named as responsible on measures made from lamp outages
    Setting("LIGHTING_UNIT", "GIS_APP_LIGHTING_UNIT", text, "Belysningsenheten"),
    # E-mail to responsible parties (measures assigned and overdue); no host: no e-mail is sent
    Setting("SMTP_HOST", "GIS_APP_SMTP_HOST", text, ""),
    Setting("SMTP_PORT", "GIS_APP_SMTP_PORT", integer, "25"),
    Setting("SMTP_USERNAME", "GIS_APP_SMTP_USERNAME", text, ""),
    Setting("SMTP_PASSWORD", "GIS_APP_SMTP_PASSWORD", text, ""),
    Setting("SMTP_STARTTLS", "GIS_APP_SMTP_STARTTLS", flag, "false"),
    Setting("SMTP_TIMEOUT_SECONDS", "GIS_APP_SMTP_TIMEOUT_SECONDS", positive_number, "10"),
    Setting("MAIL_FROM", "GIS_APP_MAIL_FROM", text, "gis-app@localhost"),
)

# Fixed, not configurable: cookies are never readable by scripts nor sent cross-site.
FIXED = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
}


def _read(setting: Setting, env: Mapping[str, str]) -> object:
    raw = env.get(setting.variable)
    if raw is None:
        raw = setting.default(env) if callable(setting.default) else setting.default
    try:
        return setting.parse(raw)
    except ValueError as error:
        raise SettingsError(f"{setting.variable}={raw!r}: {error}") from None


def load_settings(env: Mapping[str, str] = os.environ) -> dict:
    """Return the Flask configuration read from environment variables; a bad value raises SettingsError."""
    config = {setting.key: _read(setting, env) for setting in SETTINGS}
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    config["SECRET_KEY"] = config["SECRET_KEY"] or _key_from_file(config["SECRET_KEY_FILE"])
    return {**config, **FIXED}


def _key_from_file(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def check_secret_key(config: Mapping) -> None:
    """Refuse to run with no key or a published one: anyone could forge a session. Demo mode too."""
    key = config.get("SECRET_KEY") or ""
    if not key or key in KNOWN_WEAK_KEYS:
        raise SettingsError(
            "SECRET_KEY is not set (or is a published value): set SECRET_KEY, or put a random key in "
            f"{config.get('SECRET_KEY_FILE')} (`make run` generates one)"
        )


def write_secret_key(path: str) -> None:
    """Create a random key file readable by its owner only, once; an existing file is kept."""
    target = Path(path)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as key_file:
        key_file.write(os.urandom(32).hex())
