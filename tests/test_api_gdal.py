"""The API read by a real client: GDAL's OGC API – Features (OAPIF) driver."""

import subprocess

import pyogrio
from shapely.geometry import box

from tests.factories import make_area, make_place


def test_gdal_reads_every_page_of_places_and_areas(live_server, app_context):
    created = [
        make_place({"type": "Point", "coordinates": [14.63 + i * 0.001, 63.17]}, title=f"Plats {i}").id
        for i in range(10)
    ]
    make_place(box(14.65, 63.18, 14.655, 63.183).__geo_interface__, title="Park", category_code="vandalism")
    make_area(box(14.62, 63.16, 14.66, 63.19), code="C", name="Centrum")
    source = f"OAPIF:{live_server}/api"

    layers = {name for name, _ in pyogrio.list_layers(source)}
    assert layers == {"places", "areas"}
    places = pyogrio.read_dataframe(source, layer="places", PAGE_SIZE=4)  # GDAL must follow the next links
    assert len(places) == 11
    assert sorted(places.geometry.geom_type.unique()) == ["Point", "Polygon"]
    assert set(places["title"]) == {f"Plats {i}" for i in range(10)} | {"Park"}
    assert places.crs.to_string() == "OGC:CRS84"  # Part 2: the collection names its storage CRS, lon/lat
    # The next links are keyset cursors: page 3 starts after the 8th place.
    pages = [line for line in live_server.access_log.read_text().splitlines() if "/places/items?limit=4&" in line]
    assert any(line.split(" HTTP/")[0].endswith(f"&cursor={created[7]}") for line in pages)
    areas = pyogrio.read_dataframe(source, layer="areas")
    assert list(areas["name"]) == ["Centrum"]


def test_gdal_bbox_filter_is_done_by_the_server(live_server, app_context, tmp_path):
    make_place({"type": "Point", "coordinates": [14.6372, 63.1767]}, title="Centrum")
    make_place({"type": "Point", "coordinates": [14.8536, 63.3225]}, title="Lit")
    out = tmp_path / "lit.gpkg"
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "GPKG",
            str(out),
            f"OAPIF:{live_server}/api",
            "places",
            "-spat",
            "14.8",
            "63.3",
            "14.9",
            "63.4",
        ],
        check=True,
        capture_output=True,
    )
    assert list(pyogrio.read_dataframe(out)["title"]) == ["Lit"]
