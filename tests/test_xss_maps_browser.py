"""In Chromium: the hostile corpus, planted through every way text enters (forms, the API, the places importer,
walk finding notes, organisation and token names), stays text on every page that draws a map or lists it, as
each role: no dialog, no script, no console error, no CSP violation. Every tooltip and popup on the maps is opened,
so the texts really are drawn."""

import json
import urllib.request
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from gis_app.extensions import db
from gis_app.inventory import service as inventory
from gis_app.places.importer import import_places
from gis_app.places.models import Place
from gis_app.walks import service as walks
from gis_app.walks.models import Finding, Walk
from tests.factories import STORTORGET, make_token, make_user
from tests.helpers import guarded_page
from tests.test_xss_browser import _log_in
from tests.xss_corpus import CORPUS, MARKER, drop_planted_organisations

pytestmark = pytest.mark.browser
LON, LAT = STORTORGET
YEAR = date.today().year
PLAN_QUERY = (
    "/outreach/plan?shift_date=2026-11-27&starts_at=19:00&ends_at=23:00&start=Polisstationen&count=8&return_to_start=y"
)
INJECTED = "img[src=x], iframe[srcdoc], svg[onload], script:not([src]):not([type]):not([nonce])"
# Opens every tooltip and popup of every Leaflet map on the page; run from Playwright, outside the page's CSP.
OPEN_EVERYTHING = """() => {
  const maps = Object.keys(window).map(k => { try { return window[k]; } catch (e) { return null; } })
    .filter(v => window.L && v instanceof L.Map);
  let opened = 0;
  maps.forEach(map => {
    map.eachLayer(layer => { if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); opened++; } });
    map.eachLayer(layer => { if (layer.getPopup && layer.getPopup()) { layer.openPopup(); opened++; } });
  });
  return opened;
}"""
# The public map opens zoomed out (counts per cell); this shared link opens it over the planted places, unclustered.
MAP = f"/?lat={LAT + 0.0009}&lon={LON + 0.003}&zoom=17"
INVENTORY_MAP = f"/inventory/{YEAR}/map?lat={LAT + 0.0009}&lon={LON + 0.003}&zoom=17"  # the year map, zoomed in too
WATCH_CSP = (
    "document.addEventListener('securitypolicyviolation', "
    "e => (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));"
)


def _point(index: int, row: int) -> tuple[float, float]:
    return round(LON + 0.0012 * index, 6), round(LAT + 0.0009 * row, 6)


# --- planting -------------------------------------------------------------------------------------------------------


def _through_the_place_forms(page, live_server) -> None:
    for index, text in enumerate(CORPUS[:4]):
        page.goto(f"{live_server}/places/new")
        page.fill("input[name=title]", text)
        page.fill("textarea[name=description]", text)
        lon, lat = _point(index, 0)
        page.fill("input[name=lon]", str(lon))
        page.fill("input[name=lat]", str(lat))
        with page.expect_navigation():
            page.click("form.place-form button[type=submit]")
        place_id = page.url.split("/places/")[1].split("/")[0].split("?")[0]
        page.goto(f"{live_server}/places/{place_id}/observations/new")
        page.fill("textarea[name=text]", text)
        page.fill("input[name=reporter_name]", text[:200])
        with page.expect_navigation():
            page.click("main form button.button-primary")


def _request(url: str, body: dict, token: str) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _through_the_api(live_server, token: str) -> None:
    for index, text in enumerate(CORPUS[4:8]):
        lon, lat = _point(index, 1)
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "title": text,
                "category": "vandalism",
                "description": text,
                "observation": {"text": text, "source": "citizen_report"},
            },
        }
        _request(f"{live_server}/api/collections/places/items", feature, token)


def _through_the_importer(tmp_path) -> None:
    rows = [
        {
            "title": text,
            "category": "youth_gatherings",
            "description": text,
            "note": text,
            "lon": _point(index, 2)[0],
            "lat": _point(index, 2)[1],
        }
        for index, text in enumerate(CORPUS[8:])
    ]
    path = tmp_path / "places.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    import_places(path)


def _through_the_walk_form(page, live_server) -> int:
    page.goto(f"{live_server}/walks/new")
    page.fill("input[name=title]", CORPUS[0])
    page.fill("input[name=meeting_place]", CORPUS[1])
    page.fill("input[name=meeting_lat]", str(LAT))
    page.fill("input[name=meeting_lon]", str(LON))
    page.fill("input[name=area_name]", CORPUS[2])
    page.fill("textarea[name=organisers]", CORPUS[3])
    with page.expect_navigation():
        page.click("main form button.button-primary")
    walk_id = int(page.url.split("/walks/")[1].split("?")[0].split("#")[0])
    page.locator("input[name=place_id]").evaluate_all("boxes => boxes.forEach(b => { b.checked = true; })")
    with page.expect_navigation():
        page.click("form[action$='/stops'] button.button-primary")
    return walk_id


def _through_walk_notes(live_server, walk_id: int, token: str) -> None:
    """Notes far from any stop: each becomes a new place, titled by its note."""
    for index, text in enumerate(CORPUS):
        lon, lat = _point(index, -4)
        _request(
            f"{live_server}/api/walks/{walk_id}/findings",
            {
                "client_uuid": f"00000000-0000-4000-8000-{index:012d}",
                "category": "vandalism",
                "note": text,
                "accuracy_m": 8,
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            },
            token,
        )


def _through_the_admin_forms(page, live_server) -> None:
    for index, text in enumerate(CORPUS[:3]):
        page.goto(f"{live_server}/admin/organisations")
        page.fill("input[name=name]", f"{text} {index}")
        page.select_option("select[name=kind]", index=0)
        with page.expect_navigation():
            page.click("form.admin-form button[type=submit], main form button.button-primary")
    for text in CORPUS:
        page.goto(f"{live_server}/admin/tokens")
        page.fill("input[name=name]", text[:100])
        page.locator("input[name=scopes]").first.check()
        with page.expect_navigation():
            page.click("form.admin-form button[type=submit]")


def _through_the_plan_form(page, live_server) -> int:
    page.goto(f"{live_server}{PLAN_QUERY}")
    page.fill("form.save-plan input[name=title]", CORPUS[3])
    with page.expect_navigation():
        page.click("form.save-plan button[type=submit]")
    return int(page.url.rstrip("/").split("/")[-1])


def _inventory_and_protocol(walk_id: int) -> None:
    """Assess every place of the year (police outreach for all, so the heat map flags them) and fill the protocol:
    the services behind those forms, whose texts the unit test plants too."""
    inventory.open_year(YEAR)
    db.session.expire_all()
    for index, place in enumerate(db.session.scalars(select(Place).order_by(Place.id)).all()):
        text = CORPUS[index % len(CORPUS)]
        inventory.save_assessment(
            YEAR, place.id, {"still_unsafe": True, "main_factor": "vandalism", "priority": 1, "note": text}
        )
        inventory.create_measure(
            YEAR,
            place.id,
            {
                "measure_type": "police_outreach",
                "responsible": "police",
                "responsible_name": text,
                "description": text,
                "status": "decided",
            },
        )
    found = db.session.scalars(select(Finding).where(Finding.walk_id == walk_id).order_by(Finding.id)).all()
    for item, text in zip(found, reversed(CORPUS)):
        walks.update_protocol(item, text, "municipal_unit", 2)


# --- looking --------------------------------------------------------------------------------------------------------


def _wait_for_the_map(page) -> None:
    """Until the page's script has drawn what it draws (nothing to wait for on pages without a map)."""
    page.wait_for_function(
        """() => document.readyState === 'complete'
        && (!document.getElementById('walk-map-config') || !!document.body.dataset.findingsDrawn)
        && (!document.getElementById('map-config') || !!document.querySelector('#map-status[data-state=ready]'))
        && (!document.getElementById('outreach-map-config') && !document.getElementById('inventory-map-config')
            || !!document.querySelector('.folium-map[data-features-drawn]'))""",
        timeout=15_000,
    )


def _look(page, url: str, where: str, dialogs: list) -> list[str]:
    """Open the page, open every tooltip and popup, and check nothing ran; return the tooltip texts."""
    page.goto(url)
    _wait_for_the_map(page)
    page.evaluate(OPEN_EVERYTHING)
    assert dialogs == [], (where, dialogs)
    assert page.evaluate("() => [window.__xss, window.parent.__xss]") == [None, None], where
    assert page.evaluate("() => window.__csp || []") == [], where
    assert page.locator(INJECTED).count() == 0, where
    assert page.js_errors == [], (where, page.js_errors)
    assert page.console_errors == [], (where, page.console_errors)
    assert page.external_requests == [], (where, page.external_requests)
    return page.eval_on_selector_all(".leaflet-tooltip, .leaflet-popup-content", "els => els.map(e => e.textContent)")


def _role_page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_CSP)
    page = guarded_page(context)
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return context, page, dialogs


@pytest.fixture
def users(app_context):
    people = {role: make_user(role) for role in ("field_staff", "planner", "police", "admin")}
    yield people
    drop_planted_organisations()


def test_planted_texts_stay_text_on_every_page_for_every_role(live_server, chromium, users, tmp_path):
    context, page, dialogs = _role_page(chromium)
    _log_in(page, live_server, users["planner"].email)
    _through_the_place_forms(page, live_server)
    _through_the_api(live_server, make_token(users["planner"], ["write:places", "write:observations"]))
    _through_the_importer(tmp_path)
    walk_id = _through_the_walk_form(page, live_server)
    _through_walk_notes(live_server, walk_id, make_token(users["field_staff"], ["write:observations"]))
    context.close()
    context, page, dialogs = _role_page(chromium)
    _log_in(page, live_server, users["admin"].email)
    _through_the_admin_forms(page, live_server)
    context.close()
    _inventory_and_protocol(walk_id)
    context, page, dialogs = _role_page(chromium)
    _log_in(page, live_server, users["police"].email)
    plan_id = _through_the_plan_form(page, live_server)
    context.close()

    db.session.expire_all()
    titles = db.session.scalars(select(Place.title)).all()
    assert sum(MARKER in title for title in titles) == len(CORPUS) * 2  # half typed, imported, posted; half notes
    walk = db.session.get(Walk, walk_id)
    assert (walk.title, walk.meeting_place, len(walk.stops)) == (CORPUS[0], CORPUS[1], len(titles) - len(CORPUS))
    place_id = db.session.scalar(select(Place.id).where(Place.title == CORPUS[0]).order_by(Place.id).limit(1))

    staff = [
        "/",
        MAP,
        f"/places/{place_id}",
        f"/places/{place_id}/history",
        "/walks/",
        f"/walks/{walk_id}",
        f"/walks/{walk_id}/capture",
        f"/walks/{walk_id}/protocol",
        f"/walks/{walk_id}/print",
        INVENTORY_MAP,
        f"/inventory/{YEAR}/remediation",
        f"/inventory/{YEAR}/statistics",
    ]
    police = ["/outreach/", PLAN_QUERY, f"/outreach/plans/{plan_id}", "/outreach/layers?filtered=1"]
    pages = {
        "public": ["/", MAP],
        "field_staff": staff,
        "planner": staff,
        "police": [*staff, *police],
        "admin": ["/admin/users", "/admin/organisations", "/admin/tokens", f"/walks/{walk_id}"],
    }
    drawn = {}
    for role, paths in pages.items():
        context, page, dialogs = _role_page(chromium)
        if role != "public":
            _log_in(page, live_server, users[role].email)
        for path in paths:
            drawn[(role, path)] = _look(page, f"{live_server}{path}", f"{role} {path}", dialogs)
        context.close()

    # The maps drew the planted texts, as text: numbered walk stops, outreach stops, flagged places, inventory.
    stops = drawn[("planner", f"/walks/{walk_id}")]
    assert any(text.endswith(CORPUS[5]) for text in stops) and any(CORPUS[0] in text for text in stops), stops
    assert any(MARKER in text for text in drawn[("planner", MAP)])  # the public map's popups, as text
    assert any(CORPUS[3] in text for text in drawn[("police", f"/walks/{walk_id}/protocol")])
    assert any(MARKER in text for text in drawn[("police", f"/outreach/plans/{plan_id}")])
    assert any(CORPUS[6] in text for text in drawn[("police", "/outreach/layers?filtered=1")])
    assert any(CORPUS[1] in text for text in drawn[("field_staff", INVENTORY_MAP)])
