"""All configuration comes from the environment, with defaults. Each setting is listed in README.md."""
import hashlib
import os
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Östersund municipality (kommun 2380), W S E N in EPSG:4326: used when no municipality area is imported.
OSTERSUND_BOUNDS = "14.26,62.89,15.56,63.60"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'


CHECKOUT_ID = hashlib.sha1(str(PROJECT_DIR).encode()).hexdigest()[:10]


def _default_pgdata() -> str:
    """A folder per checkout under the temp dir, which the postgres user can always reach."""
    return os.path.join(tempfile.gettempdir(), f"gis-app-pg-{CHECKOUT_ID}")


def _default_pg_port() -> str:
    """A port per checkout, so two checkouts' private instances do not collide."""
    return str(54000 + int(CHECKOUT_ID, 16) % 1000)


def _bounds(text: str) -> tuple[float, float, float, float]:
    west, south, east, north = (float(v) for v in text.split(","))
    return west, south, east, north


def _flag(text: str) -> bool:
    return text.strip().lower() in ("1", "true", "yes", "on")


def load_settings(env=os.environ) -> dict:
    """Return the Flask configuration read from environment variables."""
    return {
        "SECRET_KEY": env.get("SECRET_KEY", "dev-only-change-me"),
        "DATABASE_URL": env.get("DATABASE_URL") or None,
        "PGDATA_DIR": env.get("GIS_APP_PGDATA", _default_pgdata()),
        "PG_PORT": int(env.get("GIS_APP_PG_PORT", _default_pg_port())),
        "PG_DATABASE": env.get("GIS_APP_PG_DATABASE", "gis_app"),
        "AREA_BOUNDS": _bounds(env.get("GIS_APP_BOUNDS", OSTERSUND_BOUNDS)),
        "TILE_URL": env.get("GIS_APP_TILE_URL", OSM_TILES),
        "TILE_ATTRIBUTION": env.get("GIS_APP_TILE_ATTRIBUTION", OSM_ATTRIBUTION),
        "TILE_CACHE_DIR": env.get("GIS_APP_TILE_CACHE_DIR",
                                  os.path.join(tempfile.gettempdir(), f"gis-app-tiles-{CHECKOUT_ID}")),
        "TILE_USER_AGENT": env.get("GIS_APP_TILE_USER_AGENT", "gis-app safety inventory (municipal GIS)"),
        "BABEL_DEFAULT_LOCALE": env.get("GIS_APP_DEFAULT_LOCALE", "sv"),
        "BABEL_DEFAULT_TIMEZONE": env.get("GIS_APP_TIMEZONE", "Europe/Stockholm"),
        "VENDOR_DIR": env.get("GIS_APP_VENDOR_DIR", str(PROJECT_DIR / "node_modules")),
        "API_DEFAULT_LIMIT": int(env.get("GIS_APP_API_DEFAULT_LIMIT", "100")),
        "API_MAX_LIMIT": int(env.get("GIS_APP_API_MAX_LIMIT", "10000")),
        "PUBLIC_GRID_METRES": int(env.get("GIS_APP_PUBLIC_GRID_METRES", "250")),
        "API_COUNT_CAP": int(env.get("GIS_APP_API_COUNT_CAP", "10000")),
        "IMPORT_MAX_FEATURES": int(env.get("GIS_APP_IMPORT_MAX_FEATURES", "100000")),
        "IMPORT_MAX_BYTES": int(env.get("GIS_APP_IMPORT_MAX_BYTES", str(100 * 1024 * 1024))),
        "PERSONAL_DATA_RETENTION_MONTHS": int(env.get("GIS_APP_PERSONAL_DATA_RETENTION_MONTHS", "24")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env.get("GIS_APP_SECURE_COOKIES", "false")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag(env.get("GIS_APP_SECURE_COOKIES", "false")),
        "LOGIN_MAX_FAILURES": int(env.get("GIS_APP_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCKOUT_MINUTES": int(env.get("GIS_APP_LOGIN_LOCKOUT_MINUTES", "15")),
        "LOGIN_RATE_LIMIT": env.get("GIS_APP_LOGIN_RATE_LIMIT", "10 per minute"),
        "RATELIMIT_STORAGE_URI": env.get("GIS_APP_RATELIMIT_STORAGE_URI", "memory://"),
        "DEMO_MODE": _flag(env.get("GIS_APP_DEMO_MODE", "false")),
        "PHOTO_MAX_BYTES": int(env.get("GIS_APP_PHOTO_MAX_BYTES", str(15 * 1000 * 1000))),
        "PHOTO_MAX_PIXELS": int(env.get("GIS_APP_PHOTO_MAX_PIXELS", str(50 * 1000 * 1000))),
        "PHOTO_MAX_DECODED_BYTES": int(env.get("GIS_APP_PHOTO_MAX_DECODED_BYTES", str(96 * 1024 * 1024))),
        "WALK_ACCURACY_THRESHOLD_M": float(env.get("GIS_APP_WALK_ACCURACY_THRESHOLD_M", "30")),
        "WALK_NEARBY_METRES": float(env.get("GIS_APP_WALK_NEARBY_METRES", "25")),
        "WALK_SPEED_KMH": float(env.get("GIS_APP_WALK_SPEED_KMH", "4")),
        "WALK_MAX_PHOTOS": int(env.get("GIS_APP_WALK_MAX_PHOTOS", "4")),
        "MAX_CONTENT_LENGTH": int(env.get("GIS_APP_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))),
        # Police outreach: priority weights (see gis_app/outreach/scoring.py), windows, speeds and start points
        "OUTREACH_WEIGHTS": env.get("GIS_APP_OUTREACH_WEIGHTS", "recent_reports=1,evening_night=3,"
                                    "police_category=3,unresolved=2,since_visit=3"),
        "OUTREACH_WINDOW_DAYS": int(env.get("GIS_APP_OUTREACH_WINDOW_DAYS", "90")),
        "OUTREACH_VISIT_CAP_DAYS": int(env.get("GIS_APP_OUTREACH_VISIT_CAP_DAYS", "30")),
        "OUTREACH_WALK_KMH": float(env.get("GIS_APP_OUTREACH_WALK_KMH", "5")),
        "OUTREACH_CAR_KMH": float(env.get("GIS_APP_OUTREACH_CAR_KMH", "30")),
        "OUTREACH_STOP_MINUTES": int(env.get("GIS_APP_OUTREACH_STOP_MINUTES", "10")),
        "OUTREACH_START_POINTS": env.get("GIS_APP_OUTREACH_START_POINTS", "Polisstationen=14.6390,63.1785"),
    }
