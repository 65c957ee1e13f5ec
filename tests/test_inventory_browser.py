"""In Chromium: the export shows its progress and saves the file; the year's map draws, escapes and stays local."""

from datetime import date

import pytest

from gis_app.inventory import service
from tests.factories import PASSWORD, make_place, make_user

XSS_TITLE = '<img src=x onerror="window.__xss=1">Mörk gränd'


@pytest.fixture
def planner_with_year(app_context):
    planner = make_user("planner")
    for year in (2024, 2025):
        service.open_year(year)
    old = make_place(reported_on=date(2024, 3, 1), title="Gammal mörk väg")
    new = make_place({"type": "Point", "coordinates": [14.65, 63.18]}, reported_on=date(2025, 3, 1), title=XSS_TITLE)
    service.save_assessment(2024, old.id, {"still_unsafe": True, "main_factor": "poor_lighting", "priority": 1})
    service.create_measure(
        2024,
        old.id,
        {"measure_type": "lighting", "responsible": "municipal_unit", "status": "done", "done_on": date(2024, 8, 1)},
    )
    service.save_assessment(2025, new.id, {"still_unsafe": True, "main_factor": "vandalism", "priority": 2})
    service.create_measure(
        2025,
        new.id,
        {
            "measure_type": "vandalism_repair",
            "responsible": "property_owner",
            "status": "decided",
            "cost_estimate_sek": 12000,
        },
    )
    return planner


def _log_in(page, live_server, user):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-nav=inventory]")


@pytest.mark.browser
def test_export_streams_with_progress_and_saves_the_file(live_server, page, planner_with_year, tmp_path):
    _log_in(page, live_server, planner_with_year)
    page.goto(f"{live_server}/inventory/2025/remediation")
    page.select_option("#export-form select[name=format]", "xlsx")
    with page.expect_download() as download_info:
        page.click("#export-form button[type=submit]")
    download = download_info.value
    assert download.suggested_filename.startswith("atgardslista-2025-") and download.suggested_filename.endswith(
        ".xlsx"
    )
    page.wait_for_selector("#export-progress[data-state=done]")
    assert int(page.get_attribute("#export-progress", "data-bytes")) > 1000
    assert download.suggested_filename in page.text_content("#export-progress")
    path = tmp_path / "list.xlsx"
    download.save_as(path)
    import openpyxl

    assert openpyxl.load_workbook(path).active.max_row == 2
    assert page.js_errors == [] and page.external_requests == []


@pytest.mark.browser
def test_year_map_draws_layers_and_counts_locally(live_server, page, planner_with_year):
    _log_in(page, live_server, planner_with_year)
    page.goto(f"{live_server}/inventory/2025/map")
    page.wait_for_selector("#map-status[data-state=ready]")  # zoomed out: counts per cell from the tiles
    assert page.get_attribute("#map-status", "data-feature-count") == "2"
    assert page.text_content("#comparison-counts tr[data-kind=new] td").strip() == "1"
    assert page.text_content("#comparison-counts tr[data-kind=remediated] td").strip() == "1"
    assert page.locator(".leaflet-control-layers-overlays label").count() == 7  # the statuses
    page.goto(f"{live_server}/inventory/2025/map?lat=63.18&lon=14.65&zoom=17")  # zoomed in: the places themselves
    page.wait_for_selector(".leaflet-overlay-pane path.inventory-place")
    paths = page.locator(".leaflet-overlay-pane path.inventory-place")
    for index in range(paths.count()):  # open every tooltip: the hostile title must stay text
        paths.nth(index).dispatch_event("mouseover")
    page.wait_for_selector(".leaflet-tooltip")
    assert "<img" in page.text_content(".leaflet-tooltip-pane")
    paths.first.click()
    assert "<img" in page.text_content(".leaflet-popup-content .place-popup-title")
    assert page.evaluate("() => window.__xss") is None
    assert page.js_errors == [] and page.external_requests == []


@pytest.mark.browser
def test_year_map_fills_points_with_the_status_colour_and_folds_layers_on_a_phone(
    live_server, chromium, planner_with_year
):
    from gis_app.inventory.labels import MEASURE_STATUS_COLORS
    from tests.helpers import guarded_page

    context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = guarded_page(context)
    try:
        _log_in(page, live_server, planner_with_year)
        page.goto(f"{live_server}/inventory/2025/map?lat=63.18&lon=14.65&zoom=16")
        page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive")
        markers = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
        fills = {markers.nth(i).get_attribute("fill") for i in range(markers.count())}
        opacities = {markers.nth(i).get_attribute("fill-opacity") for i in range(markers.count())}
        # Both places are points: a disc in the colour of the status of their measures, not a hollow ring.
        assert MEASURE_STATUS_COLORS["decided"] in fills and "none" not in fills, fills
        assert all(float(opacity) >= 0.7 for opacity in opacities), opacities

        control = page.locator(".leaflet-control-layers")
        assert "leaflet-control-layers-expanded" not in control.get_attribute("class")
        assert not page.locator(".leaflet-control-layers-overlays").is_visible()
        page.locator(".leaflet-control-layers-toggle").tap()  # a tap unfolds it
        page.wait_for_selector(".leaflet-control-layers-overlays", state="visible")
        assert page.js_errors == [] and page.external_requests == []
    finally:
        context.close()


@pytest.mark.browser
def test_year_map_keeps_the_layer_list_open_on_a_wide_screen(live_server, page, planner_with_year):
    page.set_viewport_size({"width": 1280, "height": 800})
    _log_in(page, live_server, planner_with_year)
    page.goto(f"{live_server}/inventory/2025/map")
    page.wait_for_selector(".leaflet-control-layers-overlays", state="visible")
    assert page.js_errors == []


@pytest.mark.browser
def test_closing_asks_first_and_an_admin_reopens_with_a_reason(live_server, page, planner_with_year):
    _log_in(page, live_server, planner_with_year)
    page.goto(f"{live_server}/inventory/2025")
    page.click("[data-close-year]")
    page.wait_for_selector("#locked-items")  # a question, naming what will be locked; nothing closed yet
    assert page.get_attribute("[data-year-status]", "data-year-status") == "open"
    assert page.text_content("[data-locked=assessments]").strip().startswith("1 ")
    assert page.text_content("[data-locked=measures]").strip().startswith("1 ")
    page.click("[data-confirm-close]")
    page.wait_for_selector("[data-year-status=closed]")

    admin = make_user("admin")
    page.context.clear_cookies()
    _log_in(page, live_server, admin)
    page.goto(f"{live_server}/inventory/2025")
    page.click(".reopen-year summary")
    page.click("#reopen-form button[type=submit]")  # no reason: refused next to the field
    page.wait_for_selector("[data-field=reason] .field-error")
    page.fill("#reopen-form textarea[name=reason]", "En åtgärd registrerades på fel plats.")
    page.click("#reopen-form button[type=submit]")
    page.wait_for_selector("[data-year-status=open]")
    assert "fel plats" in page.text_content("#reopened-note")
    assert page.js_errors == [] and page.external_requests == []


@pytest.fixture
def many_districts(planner_with_year):
    """37 districts, as Östersund's DeSO areas, the two places in two of them."""
    from gis_app.extensions import db
    from gis_app.places.models import Place
    from tests.factories import make_area

    areas = [
        make_area(
            {
                "type": "Polygon",
                "coordinates": [
                    [[14 + i * 0.01, 63], [14.01 + i * 0.01, 63], [14.01 + i * 0.01, 63.01], [14 + i * 0.01, 63]]
                ],
            },
            code=f"D{i:02d}",
            name=f"Område {i:02d}",
        )
        for i in range(37)
    ]
    places = db.session.scalars(db.select(Place).order_by(Place.id)).all()
    for place, area in zip(places, areas[:2], strict=True):
        place.district_id = area.id
    db.session.commit()
    return areas


@pytest.mark.browser
def test_remediation_filters_are_compact_and_the_export_is_on_the_first_screen(
    live_server, page, planner_with_year, many_districts
):
    page.set_viewport_size({"width": 1280, "height": 800})
    _log_in(page, live_server, planner_with_year)
    page.goto(f"{live_server}/inventory/2025/remediation")
    box = page.locator("#export-form button[type=submit]").bounding_box()
    assert box["y"] + box["height"] <= 800, box  # 37 districts no longer push the export 2,400 px down

    district = page.locator("[data-multi-select=district]")
    assert not district.locator("input[type=checkbox]").first.is_visible()  # folded until asked for
    district.locator("summary").click()
    page.fill("[data-multi-select=district] input[type=search]", "01")  # type to narrow 37 names down
    assert district.locator("label.filter-option:visible").count() == 1
    district.locator("label.filter-option:visible input").check()
    page.fill("[data-multi-select=district] input[type=search]", "")
    district.locator(f"input[value='{many_districts[0].id}']").check()
    assert "2" in district.locator("summary").text_content()  # the summary counts the chosen
    page.keyboard.press("Escape")
    assert not district.locator("input[type=checkbox]").first.is_visible()
    box = page.locator("#export-form button[type=submit]").bounding_box()
    assert box["y"] + box["height"] <= 800  # an open list lies over the page; it does not push it down
    page.click("#remediation-filters button[type=submit]")
    page.wait_for_url("**district=*")
    assert page.locator("#remediation-table tbody tr[data-measure-id]").count() == 1  # the 2025 measure
    assert page.locator("[data-multi-select=district] input:checked").count() == 2
    assert page.js_errors == [] and page.external_requests == []
