"""Safety walks (trygghetsvandringar): planning, the route, field capture (offline too) and the protocol."""


def init_app(app) -> None:
    """Register the walk pages, the field capture API and the navigation link."""
    from flask_babel import lazy_gettext as _l

    from gis_app.core.registry import add_navigation
    from gis_app.extensions import csrf
    from gis_app.walks import models  # noqa: F401  (known to Alembic)
    from gis_app.walks.api import blueprint as api
    from gis_app.walks.views import blueprint

    app.register_blueprint(blueprint)
    app.register_blueprint(api, url_prefix="/api/walks")
    csrf.exempt(api)  # a token's scope, or the CSRF header for a session
    add_navigation(app, "walks", ("walks.index", _l("Safety walks")), order=20)
