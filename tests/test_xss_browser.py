"""Script payloads saved through the forms and the API stay text on every page that shows them, in Chromium."""

import json
import urllib.request

import pytest
from sqlalchemy import select

from gis_app.extensions import db
from gis_app.places.models import Place
from tests.factories import PASSWORD, STORTORGET, make_token, make_user

LON, LAT = STORTORGET
PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '"><svg onload=window.__xss=1>',
    "javascript:window.__xss=1",
    "</textarea><script>window.__xss=1</script>",
    '\'><iframe srcdoc="<script>parent.__xss=1</script>">',
    "</script><script>alert(1)</script>",
    '<a href="javascript:window.__xss=1" id="xss-link">klicka</a>',
    "{{ 7*7 }}${alert(1)}<style>*{display:none}</style>",
    "'-alert(1)-'\"><body onload=alert(1)>",
]
pytestmark = pytest.mark.browser


def _coordinates(index: int) -> tuple[str, str]:
    # Apart from each other, so the map draws them without stacking them in one cluster spider.
    return f"{LON + 0.002 * index:.6f}", f"{LAT + 0.001 * index:.6f}"


def _log_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")


def _submit(page) -> None:
    with page.expect_navigation():
        page.click("form.place-form button[type=submit], main form button.button-primary")


def _place_id(page) -> int:
    return int(page.url.split("/places/")[1].split("/")[0].split("#")[0].split("?")[0])


def _new_place_through_the_form(page, live_server, index: int, payload: str) -> int:
    page.goto(f"{live_server}/places/new")
    page.fill("input[name=title]", payload)
    page.fill("textarea[name=description]", payload)
    lon, lat = _coordinates(index)
    page.fill("input[name=lon]", lon)
    page.fill("input[name=lat]", lat)
    _submit(page)
    place_id = _place_id(page)
    page.goto(f"{live_server}/places/{place_id}/observations/new")
    page.fill("textarea[name=text]", payload)
    page.fill("input[name=reporter_name]", payload[:200])
    page.fill("input[name=reporter_contact]", payload[:200])
    _submit(page)
    return place_id


def _edit_through_the_form(page, live_server, place_id: int, payload: str) -> None:
    page.goto(f"{live_server}/places/{place_id}/edit")
    page.fill("input[name=title]", payload[::-1][:200])
    page.select_option("select[name=status]", "dismissed")
    page.fill("textarea[name=dismissed_reason]", payload)
    _submit(page)


def _post_json(url: str, body: dict, token: str) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/geo+json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _create_through_the_api(live_server, token: str, index: int, payload: str) -> int:
    lon, lat = _coordinates(index)
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
        "properties": {
            "title": payload,
            "category": "vandalism",
            "description": payload,
            "observation": {
                "text": payload,
                "source": "citizen_report",
                "reporter_name": payload[:200],
                "reporter_contact": payload[:200],
            },
        },
    }
    created = _post_json(f"{live_server}/api/collections/places/items", feature, token)
    _post_json(
        f"{live_server}/api/collections/places/items/{created['id']}/observations",
        {"text": payload + " (2)", "source": "police"},
        token,
    )
    return created["id"]


def _assert_clean(page, where: str, dialogs: list) -> None:
    assert page.evaluate("window.__xss") is None, where
    assert page.evaluate("window.parent.__xss") is None, where
    assert dialogs == [], (where, dialogs)
    assert page.locator("#xss-link, iframe[srcdoc], img[src=x]").count() == 0, where
    assert page.js_errors == [], (where, page.js_errors)
    assert page.external_requests == [], (where, page.external_requests)


def test_script_payloads_stay_text_everywhere(live_server, page, app_context):
    planner = make_user("planner")
    token = make_token(make_user("admin"), ["write:places", "write:observations"])
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_viewport_size({"width": 1280, "height": 800})
    _log_in(page, live_server, planner.email)

    form_places = [_new_place_through_the_form(page, live_server, i, p) for i, p in enumerate(PAYLOADS[:5])]
    _edit_through_the_form(page, live_server, form_places[0], PAYLOADS[4])
    api_places = [_create_through_the_api(live_server, token, i + 5, p) for i, p in enumerate(PAYLOADS)]
    db.session.expire_all()
    assert len(db.session.scalars(select(Place)).all()) == len(PAYLOADS) + 5
    _assert_clean(page, "while saving", dialogs)

    # A refused form shows what was typed again: inside the input, as text.
    page.goto(f"{live_server}/places/new")
    page.fill("input[name=title]", PAYLOADS[4])
    page.fill("textarea[name=description]", PAYLOADS[4])
    page.fill("input[name=lon]", "not a number")
    page.click("form.place-form button[type=submit]")
    page.wait_for_selector(".form-field.has-error")
    assert page.input_value("input[name=title]") == PAYLOADS[4]
    assert page.input_value("textarea[name=description]") == PAYLOADS[4]
    _assert_clean(page, "refused form", dialogs)

    titles = dict(zip(form_places + api_places, [PAYLOADS[4][::-1], *PAYLOADS[1:5], *PAYLOADS]))
    page.goto(f"{live_server}/")
    page.wait_for_selector("#map-status[data-state=ready]")
    for place_id, title in titles.items():
        page.evaluate("window.placesMap.map.closePopup()")
        assert page.evaluate(f"window.placesMap.openPlace({place_id})"), place_id
        # Exactly this title as text (not a popup whose title merely contains it).
        page.wait_for_function(
            "() => [...document.querySelectorAll('.leaflet-popup-content .place-popup-title')]"
            f".some(e => e.textContent === {json.dumps(title)})"
        )
        _assert_clean(page, f"map popup {place_id}", dialogs)

    for place_id in form_places + api_places:
        for path in (
            f"/places/{place_id}",
            f"/places/{place_id}/history",
            f"/places/{place_id}/edit",
            f"/places/{place_id}/observations/new",
        ):
            page.goto(f"{live_server}{path}")
            page.wait_for_load_state("load")
            _assert_clean(page, path, dialogs)
        page.goto(f"{live_server}/places/{place_id}")
        assert page.locator(".place-title").text_content() == titles[place_id]

    page.goto(f"{live_server}/places/{form_places[0]}/edit")
    assert page.input_value("textarea[name=dismissed_reason]") == PAYLOADS[4]
    page.goto(f"{live_server}/places/{form_places[0]}/history")
    assert page.locator(".history-after", has_text=PAYLOADS[4]).count() >= 1
    _assert_clean(page, "history", dialogs)
