"""In Chromium at 390 px (issue 11): an officer's outreach pages fit a phone, start at the phone's position, list
places by distance, keep a visit typed without signal and send it once, and draw every stop on the route map."""

import pytest
from sqlalchemy import func, select

from gis_app.extensions import db
from gis_app.outreach.models import OutreachVisit
from tests.factories import PASSWORD, STORTORGET, make_place, make_user
from tests.helpers import guarded_page

PHONE = {"width": 390, "height": 844}
HERE = {"longitude": STORTORGET[0] + 0.02, "latitude": STORTORGET[1] + 0.005}


@pytest.fixture
def phone(chromium):
    """A phone-sized page that knows its position."""
    context = chromium.new_context(
        viewport=PHONE, geolocation=HERE, permissions=["geolocation"], locale="sv-SE", timezone_id="Europe/Stockholm"
    )
    yield guarded_page(context)
    context.close()


def _log_in(page, live_server, user) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].button-primary")
    page.wait_for_url(f"{live_server}/")


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(WIDE_ELEMENTS)
    assert width <= 390, (page.url, width, wide)


WIDE_ELEMENTS = """() => Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > 391 || e.scrollWidth > e.clientWidth + 1)
    .slice(0, 8).map(e => `${e.tagName}.${e.className} ${e.scrollWidth}/${e.clientWidth}`)"""


def _places(count: int = 4) -> list:
    return [
        make_place(
            title=f"Plats {k}",
            category_code="youth_gatherings",
            geometry={"type": "Point", "coordinates": [STORTORGET[0] + 0.004 * k, STORTORGET[1]]},
        )
        for k in range(count)
    ]


def test_outreach_pages_fit_a_phone(live_server, phone, app_context):
    places = _places()
    _log_in(phone, live_server, make_user("police"))
    for path in (
        "/outreach/",
        f"/outreach/places/{places[0].id}",
        "/outreach/visits/new",
        "/outreach/layers",
        "/outreach/plan?shift_date=2026-11-27&starts_at=20:00&ends_at=23:00&start=Polisstationen&count=3",
    ):
        phone.goto(f"{live_server}{path}")
        _no_sideways_scroll(phone)
    phone.goto(f"{live_server}/outreach/")
    assert phone.locator(".priority-card").count() == 4 and phone.locator("table").count() == 0
    assert phone.js_errors == [] and phone.external_requests == []


def test_the_plan_starts_at_my_position(live_server, phone, app_context):
    _places()
    _log_in(phone, live_server, make_user("police"))
    phone.goto(f"{live_server}/outreach/plan")
    phone.select_option("#start", "position")
    phone.wait_for_function("() => document.getElementById('plan-start-lon').value !== ''")
    phone.click(".plan-form button[type=submit]")
    phone.wait_for_function("() => document.querySelectorAll('.leaflet-marker-icon .outreach-stop').length > 0")
    assert phone.locator(".stop-start").inner_text().startswith("Start: Min position")
    assert phone.locator(".outreach-start-tooltip").inner_text() == "Start: Min position"  # labelled on the map
    assert "start_lon=14." in phone.url
    assert phone.js_errors == []


def test_log_a_visit_lists_places_by_distance(live_server, phone, app_context):
    far = make_place(
        title="Långt bort", geometry={"type": "Point", "coordinates": [STORTORGET[0] - 0.05, STORTORGET[1]]}
    )
    near = make_place(
        title="Alldeles nära", geometry={"type": "Point", "coordinates": [HERE["longitude"], HERE["latitude"]]}
    )
    _log_in(phone, live_server, make_user("police"))
    phone.goto(f"{live_server}/outreach/visits/new")
    phone.wait_for_function("() => document.getElementById('place').dataset.order === 'distance'")
    labels = phone.eval_on_selector_all("#place option", "options => options.map(o => o.textContent)")
    assert labels[0].startswith(f"Alldeles nära (#{near.id}) – ") and labels[0].endswith(" m")
    assert labels[-1].startswith(f"Långt bort (#{far.id})")


def test_a_visit_typed_without_signal_is_kept_and_sent_once(live_server, phone, app_context):
    place = make_place(title="Tunneln")
    _log_in(phone, live_server, make_user("police"))
    phone.goto(f"{live_server}/outreach/visits/new?place={place.id}")
    phone.wait_for_function("() => document.body.dataset.visitReady === 'true'")
    phone.fill("#notes", "Fem ungdomar, lugnt")
    phone.fill("#contacts", "5")
    phone.wait_for_timeout(600)  # the draft is saved a moment after typing
    phone.reload()  # what was typed survives a reload
    phone.wait_for_function("() => document.body.dataset.visitReady === 'true'")
    assert phone.input_value("#notes") == "Fem ungdomar, lugnt"
    phone.context.set_offline(True)
    phone.click("#visit-form button[type=submit]")
    phone.wait_for_function("() => document.getElementById('visit-queue-count').dataset.count === '1'")
    assert "Sparat i telefonen" in phone.inner_text("#visit-message")
    assert phone.input_value("#notes") == ""  # ready for the next visit
    assert db.session.scalar(select(func.count()).select_from(OutreachVisit)) == 0
    phone.context.set_offline(False)
    phone.wait_for_function("() => document.getElementById('visit-queue-count').dataset.count === '0'")
    phone.evaluate("window.dispatchEvent(new Event('online'))")  # a second sync sends nothing again
    phone.wait_for_timeout(500)
    db.session.expire_all()
    visits = db.session.scalars(select(OutreachVisit)).all()
    assert len(visits) == 1 and visits[0].notes == "Fem ungdomar, lugnt" and visits[0].contacts == 5
    assert phone.js_errors == []


def test_route_map_shows_every_stop_at_a_shared_position(live_server, phone, app_context):
    same = {"type": "Point", "coordinates": [STORTORGET[0] + 0.003, STORTORGET[1] + 0.001]}
    for k in range(3):
        make_place(title=f"Samma punkt {k}", category_code="violence", geometry=same)
    _log_in(phone, live_server, make_user("police"))
    phone.goto(
        f"{live_server}/outreach/plan?shift_date=2026-11-27&starts_at=20:00&ends_at=23:00"
        "&start=Polisstationen&count=3&return_to_start=y"
    )
    phone.wait_for_function("() => document.querySelectorAll('.leaflet-marker-icon .outreach-stop').length === 3")
    boxes = [phone.locator(f".outreach-stop[data-stop='{n}']").bounding_box() for n in (1, 2, 3)]
    centres = {(round(b["x"] + b["width"] / 2), round(b["y"] + b["height"] / 2)) for b in boxes}
    assert len(centres) == 3
    for a in range(3):
        for b in range(a + 1, 3):
            ba, bb = boxes[a], boxes[b]
            assert abs(ba["x"] - bb["x"]) >= 20 or abs(ba["y"] - bb["y"]) >= 20  # none hides another
    for n in (1, 2, 3):
        phone.locator(f".outreach-stop[data-stop='{n}']").click()
        phone.wait_for_function(
            f"() => (document.querySelector('.leaflet-popup-content') || {{}}).textContent"
            f" && document.querySelector('.leaflet-popup-content').textContent.startsWith('{n}.')"
        )
    assert phone.locator(".outreach-start-tooltip").inner_text() == "Start: Polisstationen"
    assert phone.js_errors == []


def test_heat_map_layer_box_leaves_the_zoom_buttons_free(live_server, phone, app_context):
    inventory = pytest.importorskip("gis_app.inventory.models")
    place = make_place(
        title="Flaggad plats med ett långt namn", category_code="youth_gatherings", observations=["kväll"]
    )
    year = db.session.scalar(select(inventory.InventoryYear).where(inventory.InventoryYear.year == 2026))
    if year is None:
        year = inventory.InventoryYear(year=2026)
        db.session.add(year)
        db.session.flush()
    assessment = inventory.Assessment(
        year_id=year.id, place_id=place.id, still_unsafe=True, main_factor="youth_gatherings"
    )
    db.session.add(assessment)
    db.session.flush()
    db.session.add(inventory.Measure(assessment_id=assessment.id, measure_type="police_outreach", responsible="police"))
    db.session.commit()
    _log_in(phone, live_server, make_user("police"))
    everything = "&".join([f"weekday={d}" for d in range(1, 8)] + [f"hour={h}" for h in range(24)])
    phone.goto(f"{live_server}/outreach/layers?filtered=1&{everything}")
    phone.wait_for_function("() => document.querySelector('.leaflet-container').dataset.featuresDrawn === 'true'")
    zoom = phone.locator(".leaflet-control-zoom").bounding_box()
    layers = phone.locator(".leaflet-control-layers").bounding_box()
    overlap_x = min(zoom["x"] + zoom["width"], layers["x"] + layers["width"]) - max(zoom["x"], layers["x"])
    overlap_y = min(zoom["y"] + zoom["height"], layers["y"] + layers["height"]) - max(zoom["y"], layers["y"])
    assert overlap_x <= 0 or overlap_y <= 0, (zoom, layers)
    phone.click("a[data-preset='clear']")
    phone.wait_for_url("**/outreach/layers?filtered=1")
    assert phone.locator("[data-nothing-selected]").is_visible()
    assert phone.locator("input[name=weekday]:checked").count() == 0
    _no_sideways_scroll(phone)


def test_marking_a_task_done_and_revoking_a_token_ask_first(live_server, phone, app_context):
    import uuid

    from gis_app.auth.models import ApiToken
    from gis_app.outreach.models import FollowUpTask
    from tests.factories import make_token

    place = make_place(title="Entrén")
    visit = OutreachVisit(client_uuid=uuid.uuid4(), place_id=place.id, follow_up=True)
    db.session.add(visit)
    db.session.flush()
    db.session.add(FollowUpTask(visit_id=visit.id, place_id=place.id, description="Byt lampan"))
    db.session.commit()
    make_token(make_user("police"), ["read"], name="Larm")
    _log_in(phone, live_server, make_user("admin"))
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    for path, button in (("/outreach/tasks", ".task form button"), ("/admin/tokens", "form[action$='/revoke'] button")):
        phone.goto(f"{live_server}{path}")
        phone.once("dialog", lambda dialog: answer(dialog, False))
        phone.click(button)
        phone.wait_for_timeout(300)
        assert phone.url == f"{live_server}{path}"  # declined: nothing was sent
        _no_sideways_scroll(phone)
    db.session.expire_all()
    assert db.session.scalar(select(FollowUpTask)).status == "open"
    assert db.session.scalar(select(ApiToken)).revoked_at is None
    assert "Byt lampan" in questions[0] and "Larm" in questions[1]
    phone.goto(f"{live_server}/outreach/tasks")
    phone.once("dialog", lambda dialog: answer(dialog, True))
    phone.click(".task form button")
    phone.wait_for_url(f"{live_server}/outreach/tasks")
    db.session.expire_all()
    assert db.session.scalar(select(FollowUpTask)).status == "done"
    assert phone.js_errors == []
