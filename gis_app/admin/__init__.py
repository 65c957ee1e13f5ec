"""Administration: users, organisations and API tokens (admins only)."""


def init_app(app) -> None:
    """Register the administration pages and their navigation link."""
    from flask_babel import lazy_gettext as _l

    from gis_app.admin.views import blueprint
    from gis_app.core.registry import add_navigation

    app.register_blueprint(blueprint)
    add_navigation(app, "admin", ("admin.users", _l("Administration")), order=50)
