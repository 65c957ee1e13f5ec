"""Police outreach: priorities, shift plans with ordered routes, the visit log and follow-up tasks."""


def init_app(app) -> None:
    """Register the outreach pages and API, the demo visits and the navigation link."""
    from flask_babel import lazy_gettext as _l

    from gis_app.core.registry import add_demo_loader, add_navigation
    from gis_app.extensions import csrf
    from gis_app.outreach import demo, models  # noqa: F401  (models known to Alembic)
    from gis_app.outreach.views import api_blueprint, blueprint

    app.register_blueprint(blueprint)
    app.register_blueprint(api_blueprint, url_prefix="/api/outreach")
    csrf.exempt(api_blueprint)  # a token's scope, or the CSRF header for a session
    add_demo_loader(app, demo.load_if_missing, order=30)
    add_navigation(
        app,
        "outreach",
        ("outreach.priorities", _l("Police outreach")),
        ("outreach.tasks", _l("Outreach follow-ups")),
        order=30,
    )
