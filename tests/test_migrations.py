"""The schema is made only by migrations: upgrade from empty, downgrade, and models that match."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

import os

from conftest import drop_database, fresh_database_url
from gis_app import create_app

TABLES = {"area", "category", "observation", "observation_source", "place", "place_status"}


def test_upgrade_from_empty_and_downgrade():
    name = f"gis_app_migrations_{os.getpid()}"
    url = fresh_database_url(name)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    engine = create_engine(url)
    with app.app_context():
        upgrade()
        assert TABLES <= set(inspect(engine).get_table_names())
        downgrade(revision="base")
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade()
        assert TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()
    drop_database(name)


def test_models_match_migrations(cli):
    result = cli.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
