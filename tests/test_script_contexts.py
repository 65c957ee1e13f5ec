"""No user text in a script that runs: hostile titles, notes and names are planted everywhere text is kept, and
every page that draws a map or lists them is scanned. A planted text may sit in a <script type="application/json">
block (written by Jinja's tojson, so it cannot close the element), never in folium's inline script nor in any
other script element, and no attribute may run code."""

import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from gis_app.admin import service as admin
from gis_app.extensions import db
from gis_app.inventory import service as inventory
from gis_app.walks import service as walks
from gis_app.walks.models import Finding
from tests.factories import STORTORGET, make_area, make_place, make_token, make_user
from tests.test_walk_api import finding, make_walk, post
from tests.xss_corpus import CORPUS, MARKER, drop_planted_organisations, script_problems

LON, LAT = STORTORGET
YEAR = 2025
PLAN_QUERY = (
    "/outreach/plan?shift_date=2026-11-27&starts_at=19:00&ends_at=23:00&start=Polisstationen&count=6&return_to_start=y"
)


def _near(index: int) -> dict:
    return {"type": "Point", "coordinates": [LON + 0.0015 * (index % 6), LAT + 0.0008 * (index // 6)]}


@pytest.fixture
def planted(client_as):
    """The corpus in every text a user or an import file can set, shown by the map pages and the lists."""
    district = make_area(
        {"type": "Polygon", "coordinates": [[[14.5, 63.1], [14.8, 63.1], [14.8, 63.3], [14.5, 63.3], [14.5, 63.1]]]},
        name=CORPUS[0],
    )
    inventory.open_year(YEAR)
    places = []
    for index, text in enumerate(CORPUS):
        place = make_place(
            _near(index),
            observations=[text],
            title=text,
            description=text,
            reported_on=date(YEAR, 3, 1),
            district_id=district.id,
            category_code="youth_gatherings",
        )
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
        places.append(place)
    walk = _walk_with_findings(client_as("field_staff"), [p.id for p in places])
    organisation = admin.create_organisation(CORPUS[1], "other")
    admin_user = make_user("admin", organisation=organisation.name)
    for text in CORPUS:
        make_token(admin_user, name=text[:100])
    police = client_as("police")
    plan_id = _save_plan(police, CORPUS[2])
    yield {"places": places, "walk": walk, "plan": plan_id, "police": police}
    drop_planted_organisations()


def _walk_with_findings(staff, place_ids: list[int]):
    walk = make_walk(title=CORPUS[3])
    walk.meeting_place = CORPUS[4]
    db.session.commit()
    walks.set_stops(walk, place_ids)
    for index, text in enumerate(CORPUS):  # far from the stops: each note becomes a new place's title
        point = {"type": "Point", "coordinates": [LON - 0.01 - 0.001 * index, LAT - 0.004]}
        assert post(staff, walk.id, finding(note=text, geometry=point, category="vandalism")).status_code == 201
    found = db.session.scalars(select(Finding).where(Finding.walk_id == walk.id).order_by(Finding.id)).all()
    for item, text in zip(found, reversed(CORPUS)):
        walks.update_protocol(item, text, "municipal_unit", 1)
    return walk


def _save_plan(police, title: str) -> int:
    html = police.get(PLAN_QUERY).get_data(as_text=True)
    form = dict(re.findall(r'<input id="(\w+)" name="\1" type="hidden" value="([^"]*)"', html))
    form.update(
        {"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1), "title": title}
    )
    saved = police.post("/outreach/plans", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    return int(saved.headers["Location"].rstrip("/").split("/")[-1])


def _pages(planted) -> dict[str, list[str]]:
    """Role -> the pages that draw a map or list the planted texts."""
    place, walk, plan = planted["places"][0].id, planted["walk"].id, planted["plan"]
    staff = [
        "/",
        f"/places/{place}",
        f"/places/{place}/history",
        "/walks/",
        f"/walks/{walk}",
        f"/walks/{walk}/capture",
        f"/walks/{walk}/protocol",
        f"/walks/{walk}/print",
        f"/inventory/{YEAR}",
        f"/inventory/{YEAR}/map",
        f"/inventory/{YEAR}/remediation",
        f"/inventory/{YEAR}/statistics",
        f"/inventory/{YEAR}/places/{place}",
    ]
    police = [
        "/outreach/",
        PLAN_QUERY,
        "/outreach/plans",
        f"/outreach/plans/{plan}",
        "/outreach/layers",
        "/outreach/layers?filtered=1",
        f"/outreach/places/{place}",
        "/outreach/tasks",
        "/outreach/summary",
        f"/outreach/visits/new?plan={plan}",
    ]
    return {
        "public": ["/"],
        "field_staff": staff,
        "planner": [*staff, f"/places/{place}/edit", "/outreach/tasks"],
        "police": [*staff, *police],
        "admin": ["/admin/users", "/admin/organisations", "/admin/tokens"],
    }


def _map_features(html: str) -> set[str]:
    """Every string in the page's JSON blocks: where the map scripts read their texts."""
    blocks = re.findall(r'<script type="application/json" id="[\w-]+">(.*?)</script>', html, re.S)
    return set(_strings([json.loads(block) for block in blocks]))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _strings(item)


def test_no_planted_text_reaches_a_running_script(client, client_as, planted):
    clients = {"public": client, "police": planted["police"]}
    checked = 0
    for role, paths in _pages(planted).items():
        browser = clients.get(role) or client_as(role)
        for path in paths:
            response = browser.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            html = response.get_data(as_text=True)
            assert script_problems(html) == [], (role, path)
            checked += 1
    assert checked > 40


def test_the_map_pages_get_their_texts_as_json(client_as, planted):
    """The texts are there to draw (as data), so the scan above is not passing on empty maps."""
    walk, plan = planted["walk"].id, planted["plan"]
    planner, police = client_as("planner"), planted["police"]
    for page in (f"/walks/{walk}", f"/walks/{walk}/protocol"):
        stops = json.loads(
            re.search(r'id="walk-map-config">(.*?)</script>', planner.get(page).get_data(as_text=True), re.S).group(1)
        )["features"]["stops"]
        assert sorted(stop["title"] for stop in stops) == sorted(CORPUS)
    # The year map fetches its places as JSON (never in a script), a page at a time.
    year_map = planner.get(f"/tiles/inventory/{YEAR}/places?bbox=-180,-90,180,90").get_json()
    assert all(text in set(_strings(year_map)) for text in CORPUS)
    assert CORPUS[0] in _map_features(police.get(f"/outreach/plans/{plan}").get_data(as_text=True))
    assert all(
        text in _map_features(police.get("/outreach/layers?filtered=1").get_data(as_text=True)) for text in CORPUS
    )  # the places flagged for police outreach


def test_the_scan_finds_text_in_a_script():
    """The scanner itself: what folium used to write is caught, in every encoding."""
    folium_tooltip = f"<script nonce=x>marker.bindTooltip(`<div>{CORPUS[0]}</div>`)</script>"
    escaped = '<script>var t = "\\u003cb\\u003e' + MARKER.lower() + '";</script>'
    assert script_problems(folium_tooltip) and script_problems(escaped)
    assert script_problems('<script type="application/json">{"a": "</script><script>x"}</script>')
    assert script_problems('<a href="javascript:alert(1)">x</a>') and script_problems('<b onclick="x()">x</b>')
    assert script_problems(f'<input value="{MARKER}&#34; onfocus=&#34;x">') == []  # escaped: only text
