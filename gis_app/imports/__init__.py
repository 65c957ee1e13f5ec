"""Import places in the browser (planners and admins): the same engine as `gis-app import-places`."""


def init_app(app) -> None:
    """Register the import pages and their navigation link."""
    from flask_babel import lazy_gettext as _l

    from gis_app.core.registry import add_navigation
    from gis_app.imports.views import blueprint

    app.register_blueprint(blueprint)
    add_navigation(app, "imports", ("imports.upload", _l("Import")), order=48)
