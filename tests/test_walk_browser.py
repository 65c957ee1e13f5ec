"""The phone capture page in Chromium: 360×740, emulated GPS, three findings recorded offline (one with a photo),
synced exactly once when the network returns, and drawn on the walk map. Also measures taps and seconds per finding."""

import io
import time

import pytest
from PIL import Image
from sqlalchemy import func, select

from gis_app.extensions import db
from gis_app.photos.models import Photo
from gis_app.places.models import Observation, Place
from gis_app.walks.models import Finding, FindingPhoto
from tests.factories import PASSWORD, STORTORGET, make_place, make_user
from tests.helpers import guarded_page
from tests.test_walk_api import make_walk

PHONE = {"width": 360, "height": 740}
TIMINGS: dict = {}


def _jpeg(path):
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (63.0, 10.0, 36.0), 3: "E", 4: (14.0, 38.0, 14.0)})
    Image.new("RGB", (1200, 900), (30, 90, 160)).save(path, format="JPEG", exif=exif)
    return path


@pytest.fixture
def phone(chromium):
    """A phone-sized context with GPS permission and a position near Stortorget, refusing anything off 127.0.0.1."""
    context = chromium.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": STORTORGET[0] + 0.0005, "latitude": STORTORGET[1], "accuracy": 12},
        permissions=["geolocation"],
    )
    page = guarded_page(context)
    yield context, page
    context.close()


def _wait(page, expression: str, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.05)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _record(page, category: str, note: str | None = None, photo=None, check=None) -> tuple[int, float]:
    """Record one finding as a user would; return (taps, seconds until it is safely queued on the phone)."""
    before = page.locator("#queue-list li").count()
    started = time.monotonic()
    taps = 0
    page.locator(f'label.category-choice:has(input[data-category="{category}"])').tap()
    taps += 1
    if check:
        assert "Trasig gatlampa" in check()  # the place nearby is offered, never taken by default
        assert not page.locator("#join-place").is_checked()
        page.locator("#join-place").tap()
        taps += 1
    if note:
        page.locator("#note").tap()
        taps += 1
        page.locator("#note").fill(note)  # typing, not counted as taps
    if photo:
        page.set_input_files("#photo", photo)  # stands in for: tap Photo, tap the shutter, confirm
        taps += 3
    page.locator("#save-finding").tap()
    taps += 1
    _wait(page, f"document.querySelectorAll('#queue-list li').length > {before}")
    return taps, time.monotonic() - started


def test_findings_recorded_offline_sync_once_and_appear_on_the_walk_map(live_server, phone, app_context, tmp_path):
    context, page = phone
    walk = make_walk()
    lamp = make_place(
        geometry={"type": "Point", "coordinates": [STORTORGET[0] + 0.0006, STORTORGET[1]]}, title="Trasig gatlampa"
    )  # about 5 m from the phone: offered for the first finding
    user = make_user("field_staff")
    page.goto(live_server + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.locator("button[type=submit].button-primary").click()
    page.wait_for_url(lambda url: "/login" not in url)

    # First use, not the warm path: the page is opened exactly once online, then the phone goes offline.
    _open_once(page, f"{live_server}/walks/{walk.id}/capture")
    _wait(page, "document.getElementById('gps-state').dataset.state === 'good'")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling

    context.set_offline(True)
    _wait(page, "document.getElementById('net-state').dataset.online === 'false'")
    photo = _jpeg(tmp_path / "night.jpg")
    measured = [
        _record(page, "poor_lighting", check=lambda: page.locator("#nearby-text").inner_text()),
        _record(page, "vandalism", note="Krossad glasruta i busskuren", photo=str(photo)),
        _record(page, "graffiti"),
    ]
    assert page.locator("#queue-count").get_attribute("data-count") == "3"
    assert _count(Finding) == 0  # nothing reached the server while offline

    # The page still opens offline, from the service worker's copy, and still shows the queue.
    page.reload()
    _wait(page, "document.body.dataset.captureReady === 'true'")
    _wait(page, "document.getElementById('queue-count').dataset.count === '3'")

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _wait(page, "document.getElementById('queue-count').dataset.count === '0'", 20)
    _wait(page, "document.getElementById('synced-count').dataset.count === '3'")
    # A second sync round (as after a lost answer) changes nothing: the server knows the UUIDs.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    time.sleep(0.5)

    assert _count(Finding) == 3 and _count(Observation) == 3
    assert _count(Place) == 3  # the lamp, and a new place for each of the other two findings
    joined = db.session.scalar(select(Finding).where(Finding.category_code == "poor_lighting"))
    assert joined.place_id == lamp.id and not joined.new_place
    assert _count(FindingPhoto) == 1 and _count(Photo) == 1
    stored = db.session.scalar(select(Photo))
    assert not Image.open(io.BytesIO(stored.data)).getexif().get_ifd(0x8825)
    with_note = db.session.scalar(select(Finding).where(Finding.note.is_not(None)))
    assert with_note.category_code == "vandalism" and not with_note.flagged

    page.goto(f"{live_server}/walks/{walk.id}")
    _wait(page, "document.body.dataset.findingsDrawn === '3'")
    assert page.locator("path.walk-finding").count() == 3
    assert page.js_errors == [] and page.external_requests == []

    taps = [t for t, _ in measured]
    seconds = [s for _, s in measured]
    TIMINGS.update(taps=taps, seconds=seconds)
    print(f"\nper finding: taps {taps}, seconds {[round(s, 2) for s in seconds]}")
    assert taps[0] == 3  # category, the explicit choice to join the place nearby, save


def _open_once(page, url):
    """Open the capture page online, once, and wait until it says it is ready for offline use."""
    page.goto(url)
    _wait(page, "document.body.dataset.captureReady === 'true'")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    _wait(page, "document.body.dataset.offlineReady === 'true'")


def _log_in_phone(page, live_server, role="field_staff"):
    user = make_user(role)
    page.goto(live_server + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.locator("button[type=submit].button-primary").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return user


def test_an_offline_reload_after_one_visit_opens_the_page_with_its_data(live_server, phone, app_context):
    context, page = phone
    walk = make_walk()
    make_place(
        geometry={"type": "Point", "coordinates": [STORTORGET[0] + 0.0006, STORTORGET[1]]}, title="Trasig gatlampa"
    )
    _log_in_phone(page, live_server)
    _open_once(page, f"{live_server}/walks/{walk.id}/capture")
    context.set_offline(True)
    page.reload()  # before the fix: the browser's "site can't be reached" page
    _wait(page, "document.body.dataset.captureReady === 'true'")
    _wait(page, "document.getElementById('net-state').dataset.online === 'false'")
    assert page.locator("#capture-form").is_visible() and page.locator("h1").inner_text()
    # The walk's places came with the first visit: the place nearby is still offered offline.
    _wait(page, "document.getElementById('gps-state').dataset.state === 'good'")
    page.locator('label.category-choice:has(input[data-category="poor_lighting"])').tap()
    _wait(page, "!document.getElementById('nearby').hidden")
    assert "Trasig gatlampa" in page.locator("#nearby-text").inner_text()
    assert page.js_errors == [] and page.external_requests == []


def test_a_double_tap_on_save_records_one_finding(live_server, phone, app_context):
    context, page = phone
    walk = make_walk()
    _log_in_phone(page, live_server)
    page.goto(f"{live_server}/walks/{walk.id}/capture")
    _wait(page, "document.body.dataset.captureReady === 'true'")
    _wait(page, "document.getElementById('gps-state').dataset.state === 'good'")
    page.locator('label.category-choice:has(input[data-category="vandalism"])').tap()
    # Two taps faster than the page can answer the first one (a double tap, or an impatient thumb).
    page.evaluate("() => { const b = document.getElementById('save-finding'); b.click(); b.click(); }")
    _wait(page, "document.getElementById('synced-count').dataset.count !== '0'", 20)
    _wait(page, "document.getElementById('queue-count').dataset.count === '0'", 20)
    assert _count(Finding) == 1
    assert page.locator("#synced-count").get_attribute("data-count") == "1"
    assert page.js_errors == []


def _log_in(page, live_server, role):
    user = make_user(role)
    page.goto(live_server + "/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.locator("button[type=submit].button-primary").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return user


def test_a_planner_sets_the_meeting_point_on_the_map_and_draws_the_route(live_server, page, app_context):
    from gis_app.walks.models import Walk

    _log_in(page, live_server, "planner")
    page.goto(live_server + "/walks/new")
    page.fill("#title", "Kvällsvandring")
    page.fill("#meeting_place", "Stortorget")
    page.locator("#pick-map").click(position={"x": 150, "y": 150})
    assert page.input_value("#meeting_lat") and page.input_value("#meeting_lon")
    page.fill("#meeting_lat", str(STORTORGET[1]))  # the click landed somewhere in the municipality; use a known point
    page.fill("#meeting_lon", str(STORTORGET[0]))
    page.locator("form button.button-primary").click()
    page.wait_for_url(lambda url: "/walks/new" not in url)
    walk_id = db.session.scalar(select(Walk.id))
    assert page.url.endswith(f"/walks/{walk_id}")

    page.locator(".leaflet-draw-draw-polyline").click()
    box = page.locator(".walk-map .folium-map").bounding_box()
    for dx, dy in ((0.3, 0.3), (0.6, 0.4), (0.6, 0.7)):
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        time.sleep(0.2)
    assert page.locator(".leaflet-draw-draw-polyline").get_attribute("title") == "Rita rutten"  # in Swedish
    page.locator(".leaflet-draw-actions a", has_text="Klar").first.click()
    _wait(page, "document.body.dataset.routeSaved === 'true'", 30)
    db.session.expire_all()
    assert db.session.get(Walk, walk_id).route is not None
    page.reload()
    _wait(page, "document.body.dataset.findingsDrawn === '0'")  # the page's last request is answered
    assert page.locator("path.walk-route").count() == 1
    assert page.js_errors == [] and page.external_requests == []


def _no_sideways_scroll(page, width=PHONE["width"]):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_capture_page_keeps_feedback_in_view_and_never_moves_the_buttons(live_server, phone, app_context):
    context, page = phone
    walk = make_walk()
    make_place(
        geometry={"type": "Point", "coordinates": [STORTORGET[0] + 0.0006, STORTORGET[1]]}, title="Trasig gatlampa"
    )
    _log_in_phone(page, live_server)
    page.goto(f"{live_server}/walks/{walk.id}/capture")
    _wait(page, "document.body.dataset.captureReady === 'true'")
    _wait(page, "document.getElementById('gps-state').dataset.state === 'good'")
    _no_sideways_scroll(page)
    assert page.locator(".site-header").bounding_box()["height"] <= 60  # a compact header
    buttons = page.locator("label.category-choice")
    before = [buttons.nth(i).bounding_box()["y"] + page.evaluate("window.scrollY") for i in range(buttons.count())]
    page.locator('label.category-choice:has(input[data-category="poor_lighting"])').tap()
    _wait(page, "!document.getElementById('nearby').hidden")  # the offer: within 25 m, in this category
    after = [buttons.nth(i).bounding_box()["y"] + page.evaluate("window.scrollY") for i in range(buttons.count())]
    assert after == before  # no layout jump after a tap
    save = page.locator("#save-finding")
    assert not page.locator("#join-place").is_checked()
    for i in range(buttons.count()):  # every category button can be tapped, none hidden under the sticky Save
        button = buttons.nth(i)
        button.scroll_into_view_if_needed()
        box, cover = button.bounding_box(), save.bounding_box()
        assert box["y"] + box["height"] <= cover["y"] or box["y"] >= cover["y"] + cover["height"]
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    buttons.nth(0).tap()
    save.tap()
    _wait(page, "document.getElementById('capture-message').dataset.kind === 'ok'")
    for selector in ("#capture-message", "#net-state", "#gps-state"):  # where the eye is, without scrolling
        box = page.locator(selector).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], selector
    assert page.js_errors == []


def test_staff_walk_pages_fit_a_phone(live_server, phone, app_context):
    context, page = phone
    for i in range(3):
        make_walk(title=f"Kvällsvandring med ett ganska långt namn nummer {i}")
    _log_in_phone(page, live_server, "planner")
    page.goto(f"{live_server}/walks/")
    _no_sideways_scroll(page)
    links = page.locator(".walk-list-links a")
    assert links.count() == 6
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    walk = make_walk(title="Vandring")
    page.goto(f"{live_server}/walks/{walk.id}")
    _no_sideways_scroll(page)
    page.goto(f"{live_server}/walks/new")
    _no_sideways_scroll(page)
    assert page.js_errors == [] and page.external_requests == []


def test_a_planner_picks_places_on_the_map(live_server, page, app_context):
    from gis_app.walks.models import Walk
    from tests.factories import make_area

    centre = make_area(
        {
            "type": "MultiPolygon",
            "coordinates": [[[[14.62, 63.17], [14.66, 63.17], [14.66, 63.19], [14.62, 63.19], [14.62, 63.17]]]],
        },
        code="C",
        name="Centrum",
    )
    make_area(
        {
            "type": "MultiPolygon",
            "coordinates": [[[[14.50, 63.10], [14.55, 63.10], [14.55, 63.12], [14.50, 63.12], [14.50, 63.10]]]],
        },
        code="S",
        name="Söder",
    )
    near = [
        make_place(
            geometry={"type": "Point", "coordinates": [STORTORGET[0] + dx, STORTORGET[1] + dy]}, title=f"Nära {i}"
        )
        for i, (dx, dy) in enumerate(((0.002, 0.001), (-0.002, -0.001)))
    ]
    make_place(geometry={"type": "Point", "coordinates": [14.52, 63.11]}, title="Långt bort")
    page.set_viewport_size({"width": 1000, "height": 900})
    _log_in(page, live_server, "planner")
    page.goto(live_server + "/walks/new")
    assert page.locator("label", has_text="Område").count() == 1  # one label per field
    page.select_option("#district_id", str(centre.id))
    _wait(page, f"document.body.dataset.mapDistrict === '{centre.id}'")  # the meeting-point map centres on it
    page.fill("#title", "Kvällsvandring")
    page.fill("#meeting_place", "Stortorget")
    page.fill("#meeting_lat", str(STORTORGET[1]))
    page.fill("#meeting_lon", str(STORTORGET[0]))
    page.locator("form button.button-primary").click()
    page.wait_for_url(lambda url: "/walks/new" not in url)
    walk = db.session.scalar(select(Walk))
    assert walk.district_id == centre.id
    assert page.locator(f'[data-district="{centre.id}"]').inner_text() == "Centrum"
    # The walk's district filters the candidates: the place in the other district is not offered.
    _wait(page, "document.body.dataset.candidatesDrawn === '2'")
    assert page.locator("input[data-candidate]").count() == 2 and "Långt bort" not in page.content()
    assert page.locator(".candidate-list .distance").first.inner_text().endswith("m från samlingsplatsen")
    assert page.locator("path.walk-candidate").count() == 2
    assert page.locator(".leaflet-control-scale-line").count() == 1  # metres only, no feet or miles
    assert page.locator(".walk-legend").count() == 1
    # A click on a candidate ticks it; a drawn rectangle around everything ticks the rest.
    page.locator("path.walk-candidate").first.click(force=True)
    _wait(page, "document.body.dataset.candidatesTicked === '1'")
    page.locator(".leaflet-draw-draw-rectangle").click()
    box = page.locator(".walk-map .folium-map").bounding_box()
    page.mouse.move(box["x"] + 60, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 60, box["y"] + box["height"] - 60, steps=5)
    page.mouse.up()
    _wait(page, "document.body.dataset.candidatesTicked === '2'")
    page.locator("#stops-form button[type=submit]").click()
    page.wait_for_url(lambda url: True)
    db.session.expire_all()
    assert sorted(s.place_id for s in db.session.get(Walk, walk.id).stops) == sorted(p.id for p in near)
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(live_server + icon).status == 200  # a favicon
    assert page.js_errors == [] and page.external_requests == []
