"""The QGIS project: its layers point at this server's OGC API (opened here with GDAL) and are styled with the
map legend's category colours."""

import xml.etree.ElementTree as ET

import pyogrio
from shapely.geometry import box

from gis_app.places import reference
from tests.factories import make_area, make_place

GEOMETRIES = {"places_points": "Point", "places_lines": "LineString", "places_polygons": "Polygon"}


def parse(text: str) -> dict:
    pairs = [part.split("=", 1) for part in text.split(" ")]
    return {key: value.strip("'") for key, value in pairs}


def test_the_project_is_wired_to_the_api_in_sweref(client, app_context):
    response = client.get("/api/qgis-project")
    assert response.status_code == 200 and response.mimetype == "application/x-qgis-project"
    assert response.headers["Content-Disposition"].endswith('.qgs"')
    root = ET.fromstring(response.data)
    assert root.tag == "qgis" and root.findtext("projectCrs/spatialrefsys/authid") == "EPSG:3006"
    layers = {layer.findtext("id"): layer for layer in root.iter("maplayer")}
    assert set(layers) == {*GEOMETRIES, "areas"}
    for layer_id, layer in layers.items():
        source = parse(layer.findtext("datasource"))
        assert layer.findtext("provider") == "OAPIF" and layer.findtext("srs/spatialrefsys/authid") == "EPSG:3006"
        assert source["url"] == "http://localhost/api" and source["srsname"] == "EPSG:3006"
        assert source["typename"] == ("areas" if layer_id == "areas" else "places")
        assert source.get("geometryTypeFilter") == GEOMETRIES.get(layer_id)
    assert [n.get("id") for n in root.find("layer-tree-group")] == list(layers)
    assert "Otrygga platser" in layers["places_points"].findtext("layername")  # Swedish by default


def test_categories_have_the_map_legend_colours(client, app_context):
    legend = {c.code: (c.label, c.color) for c in reference.categories("sv")}
    root = ET.fromstring(client.get("/api/qgis-project").data)
    points = next(layer for layer in root.iter("maplayer") if layer.findtext("id") == "places_points")
    renderer = points.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "category"
    colours = {}
    for category in renderer.iter("category"):
        symbol = renderer.find(f"symbols/symbol[@name='{category.get('symbol')}']")
        rgba = symbol.find("layer/Option/Option[@name='color']").get("value")
        red, green, blue, _alpha = (int(v) for v in rgba.split(","))
        colours[category.get("value")] = (category.get("label"), f"#{red:02x}{green:02x}{blue:02x}")
    assert colours == {code: (label, color.lower()) for code, (label, color) in legend.items()}


def test_gdal_opens_each_layer_from_its_datasource(live_server, app_context):
    for i in range(3):
        make_place({"type": "Point", "coordinates": [14.63 + i * 0.001, 63.17]}, title=f"Plats {i}")
    make_place(box(14.65, 63.18, 14.655, 63.183).__geo_interface__, title="Park", category_code="vandalism")
    make_area(box(14.62, 63.16, 14.66, 63.19), code="C", name="Centrum")
    import urllib.request

    with urllib.request.urlopen(f"{live_server}/api/qgis-project") as response:
        root = ET.fromstring(response.read())
    counts = {}
    for layer in root.iter("maplayer"):
        source = parse(layer.findtext("datasource"))
        assert source["url"] == f"{live_server}/api"
        frame = pyogrio.read_dataframe("OAPIF:" + source["url"], layer=source["typename"])
        wanted = source.get("geometryTypeFilter")
        counts[layer.findtext("id")] = int((frame.geom_type == wanted).sum()) if wanted else len(frame)
    assert counts == {"places_points": 3, "places_lines": 0, "places_polygons": 1, "areas": 1}
