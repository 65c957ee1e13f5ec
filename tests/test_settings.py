"""Settings are typed and fail fast, the session key is never a published one, and every variable is documented."""

import os
import stat
from pathlib import Path

import pytest

from gis_app import create_app
from gis_app.settings import SETTINGS, SettingsError, load_settings, write_secret_key

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize(
    "variable, value",
    [
        ("GIS_APP_API_MAX_LIMIT", "lots"),
        ("GIS_APP_PG_PORT", "-1"),
        ("GIS_APP_TIMEZONE", "Europe/Östersund"),
        ("GIS_APP_DEFAULT_LOCALE", "de"),
        ("GIS_APP_BOUNDS", "15,63,14,62"),
        ("GIS_APP_DEMO_MODE", "maybe"),
        ("GIS_APP_WALK_SPEED_KMH", "0"),
        ("GIS_APP_WALK_SPEED_KMH", "nan"),
    ],
)
def test_a_bad_value_names_the_variable(variable, value):
    with pytest.raises(SettingsError, match=variable):
        load_settings({variable: value})


def test_defaults_are_typed():
    settings = load_settings({})
    assert settings["API_MAX_LIMIT"] == 10000 and settings["DEMO_MODE"] is False
    assert settings["AREA_BOUNDS"] == (14.26, 62.89, 15.56, 63.60)
    assert settings["REMEMBER_COOKIE_SECURE"] is settings["SESSION_COOKIE_SECURE"] is False


def test_every_variable_is_documented_in_the_readme():
    readme = README.read_text()
    missing = [s.variable for s in SETTINGS if f"`{s.variable}`" not in readme]
    assert not missing, f"not in README.md: {missing}"


@pytest.mark.parametrize("key", ["", "dev-only-change-me"])
def test_the_app_refuses_to_start_without_a_real_key(key, tmp_path):
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": key, "SECRET_KEY_FILE": str(tmp_path / "none"), "DEMO_MODE": True})


def test_the_generated_key_is_private_random_and_reused(tmp_path):
    path = tmp_path / "pg" / "secret_key"
    write_secret_key(str(path))
    first = path.read_text()
    write_secret_key(str(path))

    assert path.read_text() == first and len(first) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_settings({"GIS_APP_SECRET_KEY_FILE": str(path)})["SECRET_KEY"] == first
    other = tmp_path / "other"
    write_secret_key(str(other))
    assert other.read_text() != first


def test_building_the_app_starts_no_database(tmp_path):
    """create_app() has no side effects: an unused private-instance folder stays untouched."""
    pgdata = tmp_path / "pg"
    create_app({"SECRET_KEY": "test", "PGDATA_DIR": str(pgdata)})
    assert not pgdata.exists()
