"""The API as web pages (f=html, or a browser's Accept): the landing page, the collections, a collection, its items
and one item, in the page's language with a small map and paging links, as pygeoapi offers them. A page shows what
the JSON shows the same caller (the public's generalised positions and neutral titles); its features reach the
map as a <script type="application/json"> block that static/js/api_map.js draws with textContent."""

import json

import folium
from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _

from gis_app.core.choices import safe_color
from gis_app.maps.base import base_map, centre_of, fit_at_once
from gis_app.maps.embed import ScriptedMap, embed
from gis_app.tiles import proxied_tile_url

HTML = "text/html"
HTML_ENDPOINTS = frozenset({"api.landing_page", "api.collections", "api.collection", "api.items", "api.item"})
DEFAULT_COLOR = "#1f3a93"
# The properties a list of features shows, per collection (the item page shows every plain property).
COLUMNS = {
    "places": ("title", "category_label", "status_label", "district_name", "reported_on"),
    "areas": ("name", "kind", "code"),
}


def wants_html() -> bool:
    """f=html, or (without f) an Accept that prefers HTML to JSON, as a browser's does; */* gets JSON."""
    if "f" in request.args:
        return request.args["f"] == "html"
    if "Accept" not in request.headers:
        return False
    return request.accept_mimetypes.best_match(("application/json", "application/geo+json", HTML)) == HTML


def _labels() -> dict[str, str]:
    return {
        "title": _("Title"),
        "category_label": _("Category"),
        "status_label": _("Status"),
        "district_name": _("District"),
        "reported_on": _("Reported"),
        "name": _("Name"),
        "kind": _("Kind"),
        "code": _("Code"),
        "priority": _("Priority"),
        "time_of_day": _("Time of day"),
        "affected_group": _("Who feels unsafe"),
        "updated_at": _("Updated"),
    }


def _asset_url(path: str) -> str:
    return url_for("vendor.asset", filename=path)


def _positions(geometry: dict | None):
    """Every (lon, lat) of a GeoJSON geometry."""
    if not geometry:
        return
    stack = [geometry["coordinates"]]
    while stack:
        item = stack.pop()
        if item and isinstance(item[0], int | float):
            yield item[0], item[1]
        else:
            stack.extend(item)


def _bounds(features: list[dict], fallback) -> tuple[float, float, float, float]:
    points = [p for f in features for p in _positions(f["geometry"])]
    if not points:
        return tuple(fallback)
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    pad = 0.002
    return min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad


def _map(features: list[dict], fallback_bounds):
    """The small map's scaffolding and the JSON its script draws (geometry, label, link and colour per feature)."""
    bounds = _bounds(features, fallback_bounds)
    config = current_app.config
    m = base_map(
        centre_of(bounds), 12, _asset_url, proxied_tile_url(), config["TILE_ATTRIBUTION"], _("Basemap"), scale=False
    )
    fit_at_once(m, bounds)
    layer = folium.FeatureGroup(name="features").add_to(m)
    scripted = ScriptedMap(m, {"map": m.get_name(), "features": layer.get_name()}, {"features": features})
    return embed(m), scripted.config()


def _map_feature(collection_id: str, feature: dict) -> dict:
    """What the map needs of a feature: no more user text than its label."""
    properties = feature["properties"]
    label = properties.get("title") or properties.get("name") or f"{_('Feature')} {feature['id']}"
    return {
        "type": "Feature",
        "geometry": feature["geometry"],
        "properties": {
            "label": str(label),
            "href": url_for(".item", collection_id=collection_id, feature_id=feature["id"], f="html"),
            "color": safe_color(properties.get("color") or DEFAULT_COLOR),
        },
    }


def _plain(value) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _render(template: str, **context) -> str:
    return render_template(template, json_url=_json_url(), **context)


def _json_url() -> str:
    """This page as JSON: the same URL with f=json."""
    values: dict = {**(request.view_args or {}), **request.args.to_dict(), "f": "json"}
    return url_for(str(request.endpoint), **values)


# --- pages ----------------------------------------------------------------------------------------------------------


def landing_page(links: list[dict]) -> str:
    pages = {"data": url_for(".collections", f="html")}
    return _render("api/landing.html", links=links, pages=pages)


def collections_page(collections: list) -> str:
    return _render("api/collections.html", collections=collections)


def collection_page(collection, metadata: dict) -> str:
    west, south, east, north = metadata["extent"]["spatial"]["bbox"][0]
    outline = {
        "type": "Feature",
        "id": 0,
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
        },
        "properties": {"label": str(collection.label), "href": "", "color": DEFAULT_COLOR},
    }
    embedded, config = _map([outline], (west, south, east, north))
    return _render("api/collection.html", collection=collection, metadata=metadata, map=embedded, config=config)


def items_page(collection, features: list[str], meta: dict, fallback_bounds) -> str:
    parsed = [json.loads(feature) for feature in features]
    embedded, config = _map([_map_feature(collection.id, f) for f in parsed], fallback_bounds)
    labels = _labels()
    columns = [(name, labels.get(name, name)) for name in COLUMNS.get(collection.id, ())]
    rows = [
        {
            "id": feature["id"],
            "href": url_for(".item", collection_id=collection.id, feature_id=feature["id"], f="html"),
            "cells": [feature["properties"].get(name) for name, _label in columns],
        }
        for feature in parsed
    ]
    paging = {link["rel"]: link["href"] for link in meta["links"] if link["rel"] in ("next", "prev")}
    return _render(
        "api/items.html",
        collection=collection,
        columns=columns,
        rows=rows,
        meta=meta,
        paging=paging,
        map=embedded,
        config=config,
    )


def item_page(collection, feature_text: str, fallback_bounds) -> str:
    feature = json.loads(feature_text)
    embedded, config = _map([_map_feature(collection.id, feature)], fallback_bounds)
    labels = _labels()
    properties = [(labels.get(name, name), value) for name, value in feature["properties"].items() if _plain(value)]
    title = config["features"]["features"][0]["properties"]["label"]
    return _render(
        "api/item.html",
        collection=collection,
        feature=feature,
        title=title,
        properties=properties,
        map=embedded,
        config=config,
    )
