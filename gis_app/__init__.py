"""Safety-inventory GIS: the Flask application factory."""
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale
from geoalchemy2 import alembic_helpers

from gis_app.devdb import private_url
from gis_app.errors import register_error_handlers
from gis_app.extensions import babel, csrf, db, limiter, login_manager, migrate
from gis_app.settings import load_settings

LOCALES = ("sv", "en")


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error handlers, commands."""
    app = Flask(__name__)
    app.config.update(load_settings())
    app.config.update(config or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(app.config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def _database_url(config: dict) -> str:
    url = config.get("SQLALCHEMY_DATABASE_URI") or config["DATABASE_URL"]
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    return private_url(config["PGDATA_DIR"], config["PG_PORT"], config["PG_DATABASE"])


def select_locale() -> str:
    """?lang= switches and is remembered in the session; otherwise (and outside requests) the default locale."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    requested = request.args.get("lang")
    if requested in LOCALES:
        session["lang"] = requested
    chosen = session.get("lang")
    return chosen if chosen in LOCALES else current_app.config["BABEL_DEFAULT_LOCALE"]


def register_extensions(app: Flask) -> None:
    from gis_app.areas import models as _areas  # noqa: F401  (models must be known to Alembic)
    from gis_app.auth import models as _auth  # noqa: F401
    from gis_app.places import models as _places  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"),
                     include_object=alembic_helpers.include_object,
                     process_revision_directives=alembic_helpers.writer,
                     render_item=alembic_helpers.render_item)
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(lambda: {"current_locale": str(get_locale())})
    csrf.init_app(app)
    limiter.init_app(app)
    register_login(app)


def register_login(app: Flask) -> None:
    from gis_app.auth.access import enforce_access
    from gis_app.auth.models import User
    from gis_app.auth.service import user_from_token

    login_manager.init_app(app)
    login_manager.user_loader(lambda user_id: db.session.get(User, int(user_id)) if user_id.isdigit() else None)
    login_manager.request_loader(lambda req: user_from_token(req.headers.get("Authorization")))
    app.before_request(_forget_earlier_caller)
    app.before_request(enforce_access)


def _forget_earlier_caller() -> None:
    """Never let a request inherit the user or token of an earlier one that shared its app context (tests do)."""
    g.pop("_login_user", None)
    g.pop("api_token", None)


def register_blueprints(app: Flask) -> None:
    from gis_app.api.views import blueprint as api
    from gis_app.auth.views import blueprint as auth
    from gis_app.places.views import blueprint as places
    from gis_app.vendor import blueprint as vendor

    app.register_blueprint(places)
    app.register_blueprint(auth)
    app.register_blueprint(api, url_prefix="/api")
    app.register_blueprint(vendor)
    csrf.exempt(api)  # API writes check a token's scope, or the CSRF header for a browser session


def register_commands(app: Flask) -> None:
    from gis_app.areas.commands import import_areas
    from gis_app.auth.commands import create_user
    from gis_app.places.commands import demo_data, import_places

    for command in (import_areas, import_places, demo_data, create_user):
        app.cli.add_command(command)
