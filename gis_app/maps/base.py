"""The one base map every page's map starts from: the app's own Leaflet, the proxied basemap, no layers yet."""

import folium
from folium.map import FitBounds

from gis_app.maps.assets import AssetUrl, use_local_map_assets

MAX_ZOOM = 19  # the deepest OpenStreetMap tiles; markercluster also needs the map to have one


def base_map(
    centre: tuple[float, float],
    zoom: int,
    asset_url: AssetUrl,
    tile_url: str = "",
    attribution: str = "",
    basemap_name: str | None = None,
    scale: bool = True,
) -> folium.Map:
    """A map centred on (lon, lat), with the basemap from `tile_url` when there is one (the app's tile proxy)."""
    m = folium.Map(
        location=[centre[1], centre[0]], zoom_start=zoom, tiles=None, control_scale=scale, width="100%", height="100%"
    )
    m.options["max_zoom"] = MAX_ZOOM  # Map(max_zoom=) only reaches a tile layer, never the map itself
    use_local_map_assets(m, asset_url)
    if tile_url:
        folium.TileLayer(
            tiles=tile_url, attr=attribution or " ", name=basemap_name, max_zoom=MAX_ZOOM, control=False
        ).add_to(m)
    return m


def centre_of(bounds) -> tuple[float, float]:
    """The (lon, lat) centre of W, S, E, N bounds."""
    west, south, east, north = bounds
    return (west + east) / 2, (south + north) / 2


def fit_at_once(m: folium.Map, bounds) -> None:
    """Open the map on W, S, E, N bounds. Animated, this first fit would swallow any setView made in its first
    quarter second (Leaflet ignores view changes during a zoom animation)."""
    west, south, east, north = bounds
    fit = FitBounds([[south, west], [north, east]])
    fit.options["animate"] = False
    m.add_child(fit)
