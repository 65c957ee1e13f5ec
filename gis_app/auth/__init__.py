"""Users, organisations, roles, API tokens and the audit trail."""


def init_app(app) -> None:
    """Register the login pages, the create-user command and `can()` for templates."""
    from gis_app.auth import models  # noqa: F401  (known to Alembic)
    from gis_app.auth.access import can, visible_navigation
    from gis_app.auth.commands import create_user
    from gis_app.auth.views import blueprint

    app.register_blueprint(blueprint)
    app.cli.add_command(create_user)
    app.jinja_env.globals.update(can=can, visible_navigation=visible_navigation)
