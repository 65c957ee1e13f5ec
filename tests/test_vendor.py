"""/vendor/ serves only the node_modules files pages use, and every file a page names is among them."""

import re
from pathlib import Path

from gis_app import vendor
from gis_app.maps import assets

ROOT = Path(__file__).resolve().parents[1]


def _referenced() -> set[str]:
    """Files the code names for vendor.asset: template literals, walks' VENDOR_FILES, the maps' asset constants."""
    found = set()
    for path in (ROOT / "gis_app").rglob("*"):
        if path.suffix in (".html", ".py", ".js") and path.is_file():
            found |= set(re.findall(r"""vendor\.asset['"], filename=['"]([^'"]+)""", path.read_text("utf-8")))
    from gis_app.walks.views import VENDOR_FILES

    constants = {value for name, value in vars(assets).items() if name.isupper() and isinstance(value, str)}
    return found | set(VENDOR_FILES) | constants


def _css_images() -> set[str]:
    """Images the allowed style sheets name with url(...)."""
    images = set()
    for name in vendor.ALLOWED:
        if name.endswith(".css"):
            text = (ROOT / "node_modules" / name).read_text("utf-8")
            for url in re.findall(r"url\(['\"]?([^'\")#]+)['\"]?\)", text):
                images.add(str(Path(name).parent / url))
    return images


def test_every_file_a_page_names_is_served(client):
    referenced = _referenced() | _css_images()
    assert referenced <= vendor.ALLOWED, sorted(referenced - vendor.ALLOWED)
    for name in sorted(vendor.ALLOWED):
        assert client.get(f"/vendor/{name}").status_code == 200, name


def test_the_rest_of_node_modules_is_not_served(client):
    for name in (
        "leaflet/package.json",
        "jquery/src/core.js",
        ".package-lock.json",
        "leaflet/dist/leaflet-src.js",
        "leaflet/dist/../package.json",
        "folium/../leaflet/package.json",
    ):
        response = client.get(f"/vendor/{name}")
        assert response.status_code == 404, name
