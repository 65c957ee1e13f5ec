"""Out-of-range dates, deep nesting and integer overflow, in every form field and query argument of the pages,
never make a 5xx for a logged-in user.

The targets are found, not listed: every page (all routes outside the API and the assets) is fetched as an admin
with real records behind its ids, and every form on it is read back (fields, defaults, the action). Each field of
a form is then sent with one hostile value while the others keep the values the page offered (so the hostile one
is what the view has to deal with); each page also gets each query argument its module reads and its GET forms
name. A sweep sends every class to every target; Hypothesis then draws targets and values from wider strategies.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gis_app.extensions import db
from gis_app.inventory import service as inventory
from gis_app.places.models import Observation
from gis_app.walks import service as walks
from tests.factories import STORTORGET, make_area, make_place, make_token, make_user
from tests.test_outreach import post_visit, visit_body
from tests.test_walk_api import finding, make_walk, post

ROOT = Path(__file__).resolve().parents[1] / "gis_app"
LON, LAT = STORTORGET
SKIPPED_ENDPOINTS = {"static", "vendor.asset", "tiles.tile", "auth.logout", "walks.protocol_pdf"}
SKIPPED_ACTIONS = ("/logout",)
# Values a form cannot do without and whose default is empty; everything else comes from the page itself.
REQUIRED = {
    "title": "Titel",
    "text": "Text",
    "meeting_place": "Torget",
    "meeting_lat": str(LAT),
    "meeting_lon": str(LON),
    "lon": str(LON),
    "lat": str(LAT),
    "name": "Namn",
    "scopes": "read",
    "email": "ny.person@example.se",
    "password": "ett-langt-losenord",
    "observation": "Iakttagelse",
    "follow_up_note": "Följ upp",
    "still_unsafe": "yes",
}

# One value per class and form: each must be refused as input, never crash.
DATES = ["0001-01-01", "0001-01-01T00:00", "9999-12-31", "9999-12-31T23:59", "0001-01-01T00:00:00+14:00"]
INTEGERS = ["9" * 20, "-" + "9" * 20, str(2**31), str(-(2**31) - 1), "1e309", "NaN", "-inf"]
NESTING = ["[" * 50_000, '{"a":' * 5_000 + "1" + "}" * 5_000, "[" * 900 + "]" * 900]
SWEEP = DATES[:4] + INTEGERS[:1] + NESTING[:1]


# --- reading forms off the pages ------------------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)


class FormParser(HTMLParser):
    """Every <form> of a page with its fields' submitted values (checked boxes, selected or first options)."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms, self._form, self._select, self._textarea = page_url, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form((a.get("method") or "get").lower(), a.get("action") or self.page_url)
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                self._form.fields.setdefault(a["name"], [])
                if "checked" in a:
                    self._form.fields[a["name"]].append(a.get("value", "on"))
            else:
                self._form.fields.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "select":
            self._select = a["name"]
            self._form.fields[self._select] = []
        elif tag == "option" and self._select:
            values = self._form.fields[self._select]
            if "selected" in a:
                values[:] = [a.get("value", "")]
            elif not values:
                values.append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form.fields[self._textarea] = [""]

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form.fields[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _baseline(form: Form) -> dict[str, list[str]]:
    values = {}
    for name, offered in form.fields.items():
        filled = [v for v in offered if v]
        values[name] = filled or ([REQUIRED[name]] if name in REQUIRED else offered[:1] or [""])
    return values


# --- where the hostile values go ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    method: str
    url: str
    name: str
    baseline: tuple = ()  # (name, values) pairs the request carries besides the hostile one

    def __str__(self):
        return f"{self.method} {self.url} {self.name}"


def _query_names_by_module() -> dict[str, set[str]]:
    """Query (and form) argument names each blueprint's code reads, found in its source."""
    pattern = re.compile(
        r"""(?:request\.(?:args|values|form)|\bargs)\.(?:get|getlist)\(\s*["'](\w+)["']"""
        r"""|_(?:list|int)_arg\(\s*["'](\w+)"""
    )
    names = {}
    for path in ROOT.rglob("*.py"):
        found = {a or b for a, b in pattern.findall(path.read_text(encoding="utf-8"))}
        names.setdefault(path.parent.name, set()).update(found)
    return names


def _fill_rule(rule, ids: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(ids.get(m.group(1), 1)), rule.rule)


def _page_urls(app, ids: dict) -> list[tuple[str, str]]:
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" in rule.methods and not rule.rule.startswith("/api") and rule.endpoint not in SKIPPED_ENDPOINTS:
            pages.append((rule.endpoint, _fill_rule(rule, ids)))
    return pages + [("outreach.plan_shift", ids["plan_query"])]


def _pairs(form: Form | None) -> tuple:
    return tuple(sorted((name, tuple(values)) for name, values in _baseline(form).items())) if form else ()


def _targets(app, admin, ids: dict) -> list[Target]:
    by_module, targets, forms, pages = _query_names_by_module(), set(), {}, {}
    for endpoint, url in _page_urls(app, ids):
        response = admin.get(url)
        assert response.status_code < 500, (url, response.status_code)
        parser = FormParser(urlsplit(url).path)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            if not form.action.startswith(SKIPPED_ACTIONS):
                forms.setdefault((form.method, urlsplit(form.action).path), form)
        module = endpoint.split(".")[0]
        pages[urlsplit(url).path] = by_module.get(module, set()) | by_module.get("gis_app", set()) | {"lang", "next"}
    for path, names in pages.items():  # arguments the code reads, beside the values the page's own filter sends
        for name in names:
            targets.add(Target("GET", path, name, _pairs(forms.get(("get", path)))))
    for (method, action), form in forms.items():
        for name in form.fields:
            if name != "csrf_token":
                targets.add(Target(method.upper(), action, name, _pairs(form)))
    return sorted(targets, key=str)


def _send(client, target: Target, value: str):
    data = {name: list(values) for name, values in target.baseline}
    data[target.name] = [value]
    if target.method == "GET":
        response = client.get(target.url + "?" + urlencode(data, doseq=True))
    else:
        response = client.post(target.url, data=data)
    db.session.remove()  # a real request gets a fresh session: one failure must not spill into the next answer
    return response


# --- the world the pages show ---------------------------------------------------------------------------------------


@pytest.fixture
def world(app, app_context, client_as):
    """An admin client and real records behind every id a page takes."""
    make_area(
        {
            "type": "Polygon",
            "coordinates": [
                [
                    [LON - 0.05, LAT - 0.05],
                    [LON + 0.05, LAT - 0.05],
                    [LON + 0.05, LAT + 0.05],
                    [LON - 0.05, LAT + 0.05],
                    [LON - 0.05, LAT - 0.05],
                ]
            ],
        }
    )
    place = make_place(observations=["Mörkt"], reported_on=date(2025, 3, 1))
    inventory.open_year(2025)
    inventory.save_assessment(
        2025, place.id, {"still_unsafe": True, "main_factor": "poor_lighting", "priority": 1, "note": None}
    )
    measure = inventory.create_measure(
        2025,
        place.id,
        {"measure_type": "lighting", "responsible": "municipal_unit", "responsible_name": "x", "status": "decided"},
    )
    walk = make_walk()
    walks.set_stops(walk, [place.id])
    walks.set_route(walk, {"type": "LineString", "coordinates": [[LON, LAT], [LON + 0.001, LAT]]})  # its form
    admin = client_as("admin")
    assert post(admin, walk.id, finding()).status_code == 201
    assert post_visit(admin, visit_body(place, follow_up=True, follow_up_note="Lampa")).status_code == 201
    other = make_user("field_staff")
    make_token(other)
    plan_query = "/outreach/plan?shift_date=2026-11-27&starts_at=19:00&ends_at=01:00&start=Polisstationen&count=4"
    save = admin.get(plan_query).get_data(as_text=True)
    parser = FormParser("/outreach/plan")
    parser.feed(save)
    saved = next(f for f in parser.forms if f.method == "post" and f.action.endswith("/outreach/plans"))
    assert admin.post("/outreach/plans", data=_baseline(saved)).status_code == 302
    ids = {
        "place_id": place.id,
        "year": 2025,
        "measure_id": measure.id,
        "walk_id": walk.id,
        "finding_id": walk.id and db.session.scalar(db.text("SELECT min(id) FROM walk_finding")),
        "stop_id": walk.stops[0].id,
        "plan_id": db.session.scalar(db.text("SELECT min(id) FROM outreach_plan")),
        "task_id": db.session.scalar(db.text("SELECT min(id) FROM outreach_task")),
        "user_id": other.id,
        "token_id": 1,
        "observation_id": db.session.scalar(db.select(db.func.min(Observation.id))),
        "photo_id": 1,
        "fmt": "csv",
        "plan_query": plan_query,
    }
    return admin, _targets(app, admin, ids)


def _check(responses) -> None:
    failures = [
        f"{target} = {value[:40]!r} -> {response.status_code}"
        for target, value, response in responses
        if response.status_code >= 500
    ]
    assert not failures, f"{len(failures)} answers of 5xx:\n" + "\n".join(failures[:60])


def test_the_targets_cover_the_forms_and_arguments_that_used_to_fail(world):
    _admin, targets = world
    names = {(t.method, re.sub(r"\d+", "N", t.url), t.name) for t in targets}
    assert ("POST", "/walks/new", "starts_at") in names
    assert ("POST", "/walks/N/route", "route") in names
    assert ("GET", "/outreach/plan", "shift_date") in names
    assert ("GET", "/inventory/N", "district") in names
    assert ("GET", "/inventory/N/remediation", "district") in names
    assert len(targets) > 300


def test_every_class_in_every_field_and_argument(world):
    admin, targets = world
    _check([(target, value, _send(admin, target, value)) for target in targets for value in SWEEP])


# --- Hypothesis: wider values, drawn targets ------------------------------------------------------------------------


def _date_text(year: int, month: int, day: int, clock: str | None) -> str:
    text = f"{year:04d}-{month:02d}-{day:02d}"
    return f"{text}T{clock}" if clock else text


hostile_dates = st.builds(
    _date_text,
    st.one_of(st.integers(0, 1899), st.integers(2201, 99999)),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from([None, "00:00", "23:59"]),
)
hostile_integers = st.one_of(st.integers(2**31, 10**40), st.integers(-(10**40), -(2**31))).map(str)
hostile_nesting = st.builds(
    lambda opener, depth, closed: opener * depth + (("]" if opener == "[" else "}") * depth if closed else ""),
    st.sampled_from(["[", "{"]),
    st.integers(33, 60_000),
    st.booleans(),
)
hostile = st.one_of(st.sampled_from(DATES + INTEGERS + NESTING), hostile_dates, hostile_integers, hostile_nesting)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_drawn_hostile_values_never_make_a_5xx(world, data):
    admin, targets = world
    target = data.draw(st.sampled_from(targets), label="target")
    value = data.draw(hostile, label="value")
    _check([(target, value, _send(admin, target, value))])


def test_json_depth_and_date_range_helpers():
    from gis_app.core import inputs

    with pytest.raises(ValueError):
        inputs.load_json("[" * 50_000 + "]" * 50_000)
    with pytest.raises(ValueError):
        inputs.load_json("[" * 40 + "]" * 40)
    assert inputs.load_json(json.dumps({"type": "LineString", "coordinates": [[1, 2], [3, 4]]}))["type"]
    with pytest.raises(ValueError):
        inputs.parse_datetime("0001-01-01T00:00")
    assert inputs.db_int("9" * 20) is None and inputs.db_int("12") == 12 and inputs.db_int("١٢") is None
