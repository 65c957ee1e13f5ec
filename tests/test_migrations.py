"""The schema is made only by migrations: upgrade from empty, downgrade, and models that match."""

import os
import subprocess
import sys
from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from gis_app import create_app
from tests.helpers import drop_database, fresh_database_url

TABLES = {"area", "category", "observation", "observation_source", "place", "place_status"}


def test_upgrade_from_empty_and_downgrade():
    name = f"gis_app_migrations_{os.getpid()}"
    url = fresh_database_url(name)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
    engine = create_engine(url)
    with app.app_context():
        upgrade()
        assert set(inspect(engine).get_table_names()) >= TABLES
        downgrade(revision="base")
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade()
        assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()
    drop_database(name)


def test_models_match_migrations(cli):
    result = cli.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def _database_without_postgis(name: str, owner: str) -> str:
    from tests.helpers import admin_engine

    drop_database(name)
    engine = admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP ROLE IF EXISTS "{owner}"'))
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN NOSUPERUSER'))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{owner}"'))
    url = engine.url
    engine.dispose()
    return f"postgresql://{owner}@/{name}?host={url.query['host']}&port={url.query['port']}"


def _upgrade(database_url: str) -> subprocess.CompletedProcess:
    env = os.environ | {"DATABASE_URL": database_url, "SECRET_KEY": "test"}
    return subprocess.run(
        [str(Path(sys.executable).parent / "gis-app"), "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_external_database_without_postgis_gets_one_clear_line():
    name = f"gis_app_no_postgis_{os.getpid()}"
    url = _database_without_postgis(name, "gis_app_plain_role")

    refused = _upgrade(url)
    created = _upgrade(url.replace("gis_app_plain_role@", "postgres@"))

    drop_database(name)
    assert refused.returncode == 1
    assert "CREATE EXTENSION postgis" in refused.stderr and "Traceback" not in refused.stderr
    assert created.returncode == 0, created.stderr
