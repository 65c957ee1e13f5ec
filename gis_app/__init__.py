"""Safety-inventory GIS: the Flask application factory."""

from importlib import import_module

from flask import Flask, current_app, g, has_request_context, make_response, request, session
from flask_babel import get_locale
from geoalchemy2 import alembic_helpers
from werkzeug.routing import IntegerConverter

from gis_app import ratelimits, resilience
from gis_app.core.inputs import DB_INT_MAX
from gis_app.database import engine_options
from gis_app.devdb import private_url
from gis_app.errors import register_error_handlers, render_error
from gis_app.extensions import babel, csrf, db, limiter, login_manager, migrate
from gis_app.security import register_security
from gis_app.settings import LOCALES, check_secret_key, load_settings

# Feature packages, lowest layer first; each has init_app(app).
FEATURES = (
    "areas",
    "auth",
    "photos",
    "places",
    "inventory",
    "walks",
    "outreach",
    "lighting",
    "citizens",
    "promise",
    "evening",
    "wastewater",
    "properties",
    "nightwalks",
    "api",
    "admin",
    "imports",
    "maintenance",
)


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error handlers, commands."""
    app = Flask(__name__)
    app.config.update(load_settings())
    app.config.update(config or {})
    check_secret_key(app.config)
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(app.config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config))
    app.url_map.converters["int"] = DatabaseInteger
    register_extensions(app)
    register_features(app)
    register_error_handlers(app)
    resilience.install(app)
    register_security(app)
    return app


class DatabaseInteger(IntegerConverter):
    """`<int:…>` in every route: only ids a PostgreSQL integer can hold, so a huge one is a 404, not a 500."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


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
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(app.root_path + "/../migrations"),
        include_object=alembic_helpers.include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
    )
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(lambda: {"current_locale": str(get_locale())})
    csrf.init_app(app)
    limiter.init_app(app)  # storage `database://` is registered by importing gis_app.ratelimits (above)
    ratelimits.install(app)
    register_login(app)


def register_login(app: Flask) -> None:
    from gis_app.auth.access import enforce_access
    from gis_app.auth.service import InvalidToken, refuse_invalid_token, session_user, user_from_token

    login_manager.init_app(app)
    login_manager.user_loader(session_user)  # only while the session's server-side row lasts and the user is active
    login_manager.request_loader(user_from_token)
    app.before_request(_forget_earlier_caller)
    app.before_request(lambda: refuse_invalid_token(request))
    app.before_request(enforce_access)
    app.register_error_handler(InvalidToken, _invalid_token)


def _invalid_token(error):
    body, status = render_error(error.status, error.code, error.message)
    response = make_response(body, status)
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def _forget_earlier_caller() -> None:
    """Never let a request inherit the user or token of an earlier one that shared its app context (tests do)."""
    g.pop("_login_user", None)
    g.pop("api_token", None)
    g.pop("bearer_token", None)
    g.pop("csrf_token", None)  # Flask-WTF caches the session's CSRF token here: another client's session
    g.pop("_flask_babel", None)  # Flask-Babel caches the locale here: another request's ?lang=


def register_features(app: Flask) -> None:
    """Each feature registers its models, pages, commands, navigation and demo loaders (see core.registry)."""
    from gis_app import tiles, vendor

    for feature in FEATURES:
        import_module(f"gis_app.{feature}").init_app(app)
    app.register_blueprint(vendor.blueprint)
    app.register_blueprint(tiles.blueprint)
