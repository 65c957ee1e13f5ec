"""A QGIS project (.qgs) wired to this server's OGC API: the places (one layer per geometry type, styled by category
in the map legend's colours) and the areas, in SWEREF 99 TM (EPSG:3006)."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from flask import Response, request, url_for
from flask_babel import gettext as _
from pyproj import CRS, Transformer

from gis_app.api.params import parse_query
from gis_app.api.views import blueprint
from gis_app.core.choices import safe_color
from gis_app.core.forms import page_locale
from gis_app.places import reference
from gis_app.tiles import offered_box

QGS_MEDIA_TYPE = "application/x-qgis-project"
PROJECT_EPSG = 3006
FILENAME = "trygghetskartan.qgs"
QGIS_VERSION = "3.34.0-Prizren"  # the long-term release the file is written for; newer ones read it too


@dataclass(frozen=True)
class ProjectLayer:
    id: str
    name: str
    collection: str
    wkb_type: str  # QGIS's geometry type name
    geometry: str  # QGIS's geometry class: Point, Line or Polygon
    symbol: str  # marker, line or fill


def datasource(collection: str, geometry_filter: str | None = None) -> str:
    """The data source string QGIS's OAPIF provider writes: key='value' pairs, the API's landing page as url."""
    api = url_for("api.landing_page", _external=True).rstrip("/")
    keys = {
        "pagingEnabled": "true",
        "preferCoordinatesForWfsT11": "false",
        "restrictToRequestBBOX": "1",
        "srsname": f"EPSG:{PROJECT_EPSG}",
        "typename": collection,
        "url": api,
    }
    if geometry_filter:
        keys["geometryTypeFilter"] = geometry_filter
    return " ".join(f"{key}='{value}'" for key, value in sorted(keys.items()))


def _spatial_reference(parent: ET.Element) -> None:
    crs = CRS.from_epsg(PROJECT_EPSG)
    srs = ET.SubElement(parent, "spatialrefsys", nativeFormat="Wkt")
    for tag, text in (
        ("wkt", crs.to_wkt()),
        ("proj4", "+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs"),
        ("srid", str(PROJECT_EPSG)),
        ("authid", f"EPSG:{PROJECT_EPSG}"),
        ("description", crs.name),
        ("projectionacronym", "utm"),
        ("ellipsoidacronym", "EPSG:7019"),
        ("geographicflag", "false"),
    ):
        ET.SubElement(srs, tag).text = text


def _rgba(color: str) -> str:
    color = safe_color(color).lstrip("#")
    return ",".join(str(int(color[i : i + 2], 16)) for i in (0, 2, 4)) + ",255"


def _symbol(parent: ET.Element, name: str, kind: str, color: str) -> None:
    """One QGIS symbol: a filled circle, a line or a half-transparent fill, in the category's colour."""
    symbol = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    layer_class = {"marker": "SimpleMarker", "line": "SimpleLine", "fill": "SimpleFill"}[kind]
    layer = ET.SubElement(symbol, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"})
    options = ET.SubElement(layer, "Option", type="Map")
    values = {
        "marker": {"name": "circle", "color": _rgba(color), "outline_color": "255,255,255,255", "size": "3"},
        "line": {"line_color": _rgba(color), "line_width": "0.8"},
        "fill": {"color": _rgba(color)[:-3] + "96", "outline_color": _rgba(color), "outline_width": "0.5"},
    }[kind]
    for key, value in values.items():
        ET.SubElement(options, "Option", type="QString", name=key, value=value)


def _category_renderer(parent: ET.Element, kind: str, categories) -> None:
    renderer = ET.SubElement(parent, "renderer-v2", type="categorizedSymbol", attr="category", symbollevels="0")
    listed = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for index, category in enumerate(categories):
        ET.SubElement(listed, "category", value=category.code, label=category.label, symbol=str(index), render="true")
        _symbol(symbols, str(index), kind, category.color)


def _outline_renderer(parent: ET.Element) -> None:
    renderer = ET.SubElement(parent, "renderer-v2", type="singleSymbol", symbollevels="0")
    symbols = ET.SubElement(renderer, "symbols")
    symbol = ET.SubElement(symbols, "symbol", type="fill", name="0", alpha="1", clip_to_extent="1", force_rhr="0")
    layer = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
    options = ET.SubElement(layer, "Option", type="Map")
    for key, value in (("style", "no"), ("outline_color", "59,59,59,255"), ("outline_width", "0.6")):
        ET.SubElement(options, "Option", type="QString", name=key, value=value)


def _map_layer(parent: ET.Element, layer: ProjectLayer, source: str, categories) -> None:
    element = ET.SubElement(
        parent, "maplayer", type="vector", geometry=layer.geometry, wkbType=layer.wkb_type, readOnly="1"
    )
    ET.SubElement(element, "id").text = layer.id
    ET.SubElement(element, "datasource").text = source
    ET.SubElement(element, "layername").text = layer.name
    _spatial_reference(ET.SubElement(element, "srs"))
    ET.SubElement(element, "provider", encoding="").text = "OAPIF"
    if layer.collection == "places":
        _category_renderer(element, layer.symbol, categories)
    else:
        _outline_renderer(element)


def _extent(parent: ET.Element) -> None:
    """The municipality in EPSG:3006, where the map opens."""
    west, south, east, north = offered_box()
    to_sweref = Transformer.from_crs(4326, PROJECT_EPSG, always_xy=True)
    xmin, ymin, xmax, ymax = to_sweref.transform_bounds(west, south, east, north)
    extent = ET.SubElement(parent, "extent")
    for tag, value in (("xmin", xmin), ("ymin", ymin), ("xmax", xmax), ("ymax", ymax)):
        ET.SubElement(extent, tag).text = f"{value:.1f}"


def project_layers() -> list[ProjectLayer]:
    """The layers, top first: places as points, lines and polygons (a QGIS layer has one geometry type), areas."""
    return [
        ProjectLayer("places_points", _("Unsafe places (points)"), "places", "Point", "Point", "marker"),
        ProjectLayer("places_lines", _("Unsafe places (lines)"), "places", "LineString", "Line", "line"),
        ProjectLayer("places_polygons", _("Unsafe places (areas)"), "places", "Polygon", "Polygon", "fill"),
        ProjectLayer("areas", _("Districts and zones"), "areas", "MultiPolygon", "Polygon", "fill"),
    ]


def qgis_project_xml(categories) -> bytes:
    """The .qgs document: project CRS, layer tree, map canvas and the layers with their styles."""
    title = _("Safety map")
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    ET.SubElement(root, "title").text = title
    _spatial_reference(ET.SubElement(root, "projectCrs"))
    layers = project_layers()
    filters = {"Point": "Point", "LineString": "LineString", "Polygon": "Polygon"}
    tree = ET.SubElement(root, "layer-tree-group")
    for layer in layers:
        ET.SubElement(
            tree, "layer-tree-layer", id=layer.id, name=layer.name, providerKey="OAPIF", checked="Qt::Checked"
        )
    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas")
    ET.SubElement(canvas, "units").text = "meters"
    _extent(canvas)
    _spatial_reference(ET.SubElement(canvas, "destinationsrs"))
    project_layers_element = ET.SubElement(root, "projectlayers")
    for layer in layers:
        geometry_filter = filters.get(layer.wkb_type) if layer.collection == "places" else None
        _map_layer(project_layers_element, layer, datasource(layer.collection, geometry_filter), categories)
    order = ET.SubElement(root, "layerorder")
    for layer in layers:
        ET.SubElement(order, "layer", id=layer.id)
    ET.indent(root)
    doctype = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
    return (doctype + ET.tostring(root, encoding="unicode")).encode()


@blueprint.get("/qgis-project")
def qgis_project():
    """A QGIS project with the places (by category, in the map's colours) and the areas from this API."""
    parse_query((), request.args)
    body = qgis_project_xml(reference.categories(page_locale()))
    response = Response(body, mimetype=QGS_MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
    return response
