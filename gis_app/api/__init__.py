"""Machine interfaces: OGC API – Features, Part 1 Core (GeoJSON)."""


def init_app(app) -> None:
    """Register the API under /api and the places' vector tiles."""
    from gis_app.api.activity_tiles import blueprint as activity_tiles
    from gis_app.api.vectortiles import blueprint as vector_tiles
    from gis_app.api.views import blueprint
    from gis_app.extensions import csrf

    app.register_blueprint(blueprint, url_prefix="/api")
    app.register_blueprint(vector_tiles)  # /tiles/places/{z}/{x}/{y}.mvt
    app.register_blueprint(activity_tiles)  # /tiles/inventory/<year>/… and /tiles/outreach/… (staff maps)
    csrf.exempt(blueprint)  # writes check a token's scope, or the CSRF header for a browser session
