"""Safety-inventory GIS: the Flask application factory."""
from flask import Flask, current_app, g, has_request_context, make_response, request, session
from flask_babel import get_locale
from geoalchemy2 import alembic_helpers
from werkzeug.routing import IntegerConverter

from gis_app import resilience
from gis_app.devdb import private_url
from gis_app.errors import register_error_handlers, render_error
from gis_app.extensions import babel, csrf, db, limiter, login_manager, migrate
from gis_app.security import register_security
from gis_app.settings import load_settings

LOCALES = ("sv", "en")


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error handlers, commands."""
    app = Flask(__name__)
    app.config.update(load_settings())
    app.config.update(config or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(app.config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    app.url_map.converters["int"] = DatabaseInteger
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    resilience.install(app)
    register_security(app)
    register_commands(app)
    return app


class DatabaseInteger(IntegerConverter):
    """`<int:…>` in every route: only ids a PostgreSQL integer can hold, so a huge one is a 404, not a 500."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
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
    from gis_app.areas import models as _areas  # noqa: F401  (models must be known to Alembic)
    from gis_app.auth import models as _auth  # noqa: F401
    from gis_app.outreach import models as _outreach  # noqa: F401
    from gis_app.photos import models as _photos  # noqa: F401
    from gis_app.places import models as _places  # noqa: F401
    from gis_app.walks import models as _walks  # noqa: F401
    from gis_app.inventory import models as _inventory  # noqa: F401

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


def register_blueprints(app: Flask) -> None:
    from gis_app.admin.views import blueprint as admin
    from gis_app.api.views import blueprint as api
    from gis_app.auth.views import blueprint as auth
    from gis_app.outreach.views import api_blueprint as outreach_api
    from gis_app.outreach.views import blueprint as outreach
    from gis_app.places.views import blueprint as places
    from gis_app.inventory.views import blueprint as inventory
    from gis_app.photos.views import blueprint as photos
    from gis_app.tiles import blueprint as tiles
    from gis_app.vendor import blueprint as vendor
    from gis_app.walks.api import blueprint as walks_api
    from gis_app.walks.views import blueprint as walks

    app.register_blueprint(places)
    app.register_blueprint(auth)
    app.register_blueprint(api, url_prefix="/api")
    app.register_blueprint(vendor)
    app.register_blueprint(admin)
    app.register_blueprint(tiles)
    app.register_blueprint(inventory)
    app.register_blueprint(photos)
    app.register_blueprint(walks)
    app.register_blueprint(walks_api, url_prefix="/api/walks")
    app.register_blueprint(outreach)
    app.register_blueprint(outreach_api, url_prefix="/api/outreach")
    csrf.exempt(outreach_api)  # like the API: a token's scope, or the CSRF header for a session
    csrf.exempt(api)  # API writes check a token's scope, or the CSRF header for a browser session
    csrf.exempt(walks_api)  # likewise the field capture API


def register_commands(app: Flask) -> None:
    from gis_app.areas.commands import import_areas
    from gis_app.auth.commands import create_user
    from gis_app.maintenance.commands import backup, purge_personal_data, restore
    from gis_app.places.commands import demo_data, import_places
    from gis_app.inventory.commands import export_remediation

    for command in (import_areas, import_places, demo_data, create_user, backup, restore,
                    purge_personal_data, export_remediation):
        app.cli.add_command(command)
