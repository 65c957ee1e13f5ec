"""A planner imports a municipal CSV export in Chromium: upload, the rows on the preview map with the guessed
coordinate system, a column chosen by hand, the dry run, and the import; no request leaves 127.0.0.1."""

import re

import pytest
from sqlalchemy import select

from gis_app.extensions import db
from gis_app.places.import_log import PlaceImport
from gis_app.places.models import Place
from tests.factories import PASSWORD, make_user
from tests.helpers import journey_screenshot
from tests.test_import_places import sample_places, write_file

pytestmark = pytest.mark.browser


def test_a_planner_uploads_previews_maps_columns_dry_runs_and_imports(live_server, page, app_context, tmp_path):
    frame = sample_places().rename(columns={"title": "namn", "category": "kategori", "note": "anteckning"})
    frame["fritext"] = ["Nära busshållplatsen", "Längs ån", "Bakom stationen"]
    path = write_file(frame, tmp_path / "kommunens_export.csv", 3006)  # x/y in SWEREF 99 TM, as exported
    user = make_user("planner")
    page.goto(live_server + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.locator("button[type=submit].button-primary").click()
    page.wait_for_url(lambda url: "/login" not in url)

    page.locator('[data-nav="imports"]').click()
    page.set_input_files("#file", str(path))
    journey_screenshot(page, "imports", "1-upload")
    page.locator("#upload-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/imports/[A-Za-z0-9_-]{32}$"))

    page.wait_for_function("document.body.dataset.importRowsDrawn === '3'")
    assert page.locator("path.import-row").count() == 3  # a point, a line and an area, drawn by import_map.js
    assert page.locator("#crs-choice").input_value() == "EPSG:3006"  # guessed from the size of the numbers
    assert page.locator("#column_title").input_value() == "namn"
    assert page.locator("#column_category").input_value() == "kategori"
    assert page.locator("#column_note").input_value() == "anteckning"
    page.locator("#column_description").select_option("fritext")  # no guess for this one: chosen by hand
    journey_screenshot(page, "imports", "2-preview-map-and-columns")
    page.locator("#mapping-form button[type=submit]").click()

    verdict = page.locator("#dry-run-verdict")
    verdict.wait_for()
    assert verdict.get_attribute("data-passed") == "true", verdict.inner_text()
    journey_screenshot(page, "imports", "3-dry-run")
    page.locator("#import-button").click()
    page.wait_for_url(re.compile(r"/imports/\?imported=\d+$"))

    assert "Importerade 3 platser och 2 observationer från kommunens_export.csv" in page.locator(".flash").inner_text()
    assert "kommunens_export.csv" in page.locator("#recent-imports").inner_text()
    journey_screenshot(page, "imports", "4-imported")
    db.session.expire_all()
    descriptions = {place.title: place.description for place in db.session.scalars(select(Place))}
    assert descriptions["Mörk gångväg mot Jamtli"] == "Längs ån"
    assert db.session.scalar(select(PlaceImport.file_name)) == "kommunens_export.csv"
    assert page.js_errors == [] and page.external_requests == []
