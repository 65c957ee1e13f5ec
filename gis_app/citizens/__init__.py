"""Citizens: report an unsafe place without an account, its moderation, and what the public may see."""


def init_app(app) -> None:
    """Register the report form, status and text pages, the moderation queue, Open311 and the address commands."""
    from flask_babel import lazy_gettext as _l

    from gis_app.citizens import models  # noqa: F401  (known to Alembic)
    from gis_app.citizens.commands import demo_addresses, import_addresses
    from gis_app.citizens.open311 import blueprint as open311
    from gis_app.citizens.views import blueprint
    from gis_app.core.registry import add_navigation
    from gis_app.extensions import csrf

    app.register_blueprint(blueprint)
    app.register_blueprint(open311)
    csrf.exempt(open311)  # Open311 clients send an api_key, not a page's CSRF token
    app.cli.add_command(import_addresses)
    app.cli.add_command(demo_addresses)
    add_navigation(app, "citizen-queue", ("citizens.queue", _l("Citizens' reports")), order=35)
