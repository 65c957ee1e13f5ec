"""The citizen promise as data and the twice-yearly report to citizens ("Det här har vi gjort")."""


def init_app(app) -> None:
    """Register the promise models, the report pages (public archive, PDF, Atom feed; staff drafts), the demo
    promise and the navigation link."""
    from flask_babel import lazy_gettext as _l

    from gis_app.core.registry import add_demo_loader, add_navigation
    from gis_app.promise import demo, models  # noqa: F401  (models known to Alembic)
    from gis_app.promise.views import blueprint

    app.register_blueprint(blueprint)
    add_demo_loader(app, demo.load_if_missing, order=60)
    add_navigation(app, "public-reports", ("promise.drafts", _l("Reports to citizens")), order=45)
