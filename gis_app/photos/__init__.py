"""Photos from the field and of measures: decoded to check them, stored without metadata, with a thumbnail."""


def init_app(app) -> None:
    """Register the photo model and the routes that serve photos to staff."""
    from gis_app.photos import models  # noqa: F401  (known to Alembic)
    from gis_app.photos.views import blueprint

    app.register_blueprint(blueprint)
