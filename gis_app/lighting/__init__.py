"""Darkness as data: the sun at each observation, the dark-hours year, streetlights and lighting gaps."""


def init_app(app) -> None:
    """Register the lighting pages and commands, the demo lamps and paths, and the navigation link."""
    from flask_babel import lazy_gettext as _l

    from gis_app.core.registry import add_demo_loader, add_navigation
    from gis_app.lighting import demo, models  # noqa: F401  (models known to Alembic)
    from gis_app.lighting.commands import COMMANDS
    from gis_app.lighting.views import blueprint

    app.register_blueprint(blueprint)
    for command in COMMANDS:
        app.cli.add_command(command)
    add_demo_loader(app, lambda seed: demo.load_if_missing(), order=40)
    add_navigation(app, "lighting", ("lighting.index", _l("Lighting")), order=25)
