"""Bad input never makes a 5xx, and what is refused writes nothing.

One walk sends a corpus of bad values to every route in the URL map (every method, in path segments, query
strings, form fields and JSON bodies) as the public, as a logged-in admin and with an admin token. Then every
field of the place and observation writes gets every bad value, through the API and through the forms."""

import json
import math
import re
from urllib.parse import quote, quote_from_bytes

import pytest
from sqlalchemy import func, select

from gis_app.auth.models import AuditEntry
from gis_app.extensions import db
from gis_app.places.models import Observation, Place
from tests.factories import STORTORGET, csrf_token, make_place, make_token, make_user

LON, LAT = STORTORGET
MEGABYTE = "x" * 1_000_001

# --- the corpus -----------------------------------------------------------------------------------------------------

# Raw path segments (quoted before use): wrong types, huge, NUL, traversal, invalid UTF-8, injection.
BAD_SEGMENTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "1.5",
    "NaN",
    "Infinity",
    "1e309",
    "99999999999999999999",
    "²",
    "١٢",
    "..",
    "../../etc/passwd",
    "<script>window.__xss=1</script>",
    "' OR '1'='1",
    "[]",
    "{}",
    "null",
    "x" * 100_000,
]
INVALID_UTF8 = b"\xed\xa0\x80\xff"  # a UTF-8-encoded lone surrogate and a byte that is never UTF-8
# Values for query strings and form fields.
BAD_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    MEGABYTE,
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "99999999999999999999",
    "²",
    "[]",
    "{}",
    "null",
    "true",
    "<script>window.__xss=1</script>",
    "' OR '1'='1",
    "1,2,3,abc",
    "2024-13-45/..",
    "181,-91,182,95",
    "POINT(14.6 63.1)",
]
QUERY_NAMES = [
    "lang",
    "f",
    "bbox",
    "limit",
    "offset",
    "datetime",
    "year",
    "category",
    "status",
    "time_of_day",
    "affected_group",
    "district",
    "kind",
    "next",
    "page",
    "q",
    "format",
    "walk",
    "place",
]
FORM_NAMES = [
    "title",
    "category",
    "description",
    "time_of_day",
    "affected_group",
    "priority",
    "status",
    "dismissed_reason",
    "lon",
    "lat",
    "geojson",
    "version",
    "text",
    "source",
    "reporter_name",
    "reporter_contact",
    "email",
    "password",
    "role",
    "organisation",
    "organisation_id",
    "active",
    "name",
    "scopes",
    "kind",
    "year",
    "notes",
    "date",
    "geometry",
    "route",
    "stops",
    "place_id",
    "measure",
    "due",
    "cost",
    "responsible",
    "status_code",
    "assessment",
    "latitude",
    "longitude",
    "accuracy",
]


def _feature(**overrides) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [LON, LAT]},
        "properties": {"title": "t", "category": "poor_lighting"},
        **overrides,
    }


SELF_INTERSECTING = {
    "type": "Polygon",
    "coordinates": [[[LON, LAT], [LON + 0.01, LAT + 0.01], [LON + 0.01, LAT], [LON, LAT + 0.01], [LON, LAT]]],
}
BAD_GEOMETRIES = [
    SELF_INTERSECTING,
    {"type": "Point", "coordinates": [math.nan, LAT]},
    {"type": "Point", "coordinates": [LON, math.inf]},
    {"type": "Point", "coordinates": [-math.inf, -math.inf]},
    {"type": "Point", "coordinates": [10**400, LAT]},
    {"type": "Point", "coordinates": [18.07, 59.33]},  # Stockholm: outside the municipality
    {"type": "Point", "coordinates": [LON, LAT], "crs": {"type": "name", "properties": {"name": "EPSG:3006"}}},
    {"type": "Point", "coordinates": [LON, LAT], "crs": "EPSG:4326"},
    {"type": "Point", "coordinates": [[LON, LAT]]},
    {"type": "Point", "coordinates": [LON]},
    {"type": "Point", "coordinates": [LON, LAT, 1, 2]},
    {"type": "Point", "coordinates": []},
    {"type": "Point"},
    {"type": "LineString", "coordinates": [[LON, LAT]]},
    {"type": "LineString", "coordinates": [[LON, LAT], [LON, LAT]]},
    {"type": "LineString", "coordinates": [[LON, LAT]] * 10_001},
    {"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 0.001, LAT], [LON, LAT + 0.001]]]},
    {"type": "Polygon", "coordinates": [[]]},
    {"type": "Polygon", "coordinates": [LON, LAT]},
    {"type": "MultiPolygon", "coordinates": [SELF_INTERSECTING["coordinates"]]},
    {"type": "GeometryCollection", "geometries": []},
    {"type": "Feature", "geometry": None},
    {"type": ["Point"], "coordinates": [LON, LAT]},
    {"type": {}, "coordinates": [LON, LAT]},
    None,
    [],
    "POINT(14.6 63.1)",
    1,
    True,
]
# Values that are wrong for every place and observation property (null is not: it clears optional ones).
BAD_JSON_VALUES = [
    True,
    {},
    [],
    [1, 2],
    -1,
    1.5,
    10**30,
    1e308,
    math.nan,
    math.inf,
    "\x00",
    "a\x00b",
    "\ud800",
    MEGABYTE,
]


def _dumps(value) -> bytes:
    return json.dumps(value).encode()  # NaN and Infinity go out as JSON's common extension; "\ud800" escaped


def _deep(depth: int) -> bytes:
    return b'{"type":"Feature","properties":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"


BAD_BODIES = [
    b"",
    b" ",
    b"{",
    b"}",
    b"[]",
    b"null",
    b"1",
    b'"Feature"',
    b"true",
    b"[" * 100_000,
    _deep(50_000),
    b'{"type": "Feature", "properties": {"title": 1' + b"1" * 5000 + b"}}",
    INVALID_UTF8,
    b"\xef\xbb\xbf[]",
    b'{"type": "Feature", "properties": []}',
    b'{"type": "Feature", "properties": {"title": NaN}}',
    _dumps([_feature()]),
    _dumps({"type": "FeatureCollection", "features": [_feature()]}),
    _dumps(_feature(geometry=SELF_INTERSECTING)),
    _dumps(_feature(properties={"title": MEGABYTE})),
    _dumps(_feature(crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}})),
    b'{"text": "\\u0000", "source": "police"}',
    b'{"text": "x", "source": ["police"]}',
]


# --- callers and counting -------------------------------------------------------------------------------------------


class Caller:
    """A client with what it sends on every request: nothing (the public), a session and CSRF, or a token."""

    def __init__(self, name, client, headers=None, csrf=None):
        self.name, self.client, self.headers, self.csrf = name, client, headers or {}, csrf


@pytest.fixture
def callers(app, app_context, client_as):
    admin = client_as("admin")
    token = make_token(make_user("admin"), ["read", "write:places", "write:observations"])
    session_csrf = csrf_token(admin, "/")
    return [
        Caller("public", app.test_client()),
        Caller("admin session", admin, {"X-CSRFToken": session_csrf}, session_csrf),
        Caller("admin token", app.test_client(), {"Authorization": f"Bearer {token}"}),
    ]


def written() -> tuple:
    """Everything a refused request must leave as it was: places, their versions, observations, audit rows."""
    db.session.expire_all()
    places = db.session.execute(select(func.count(), func.coalesce(func.sum(Place.version), 0))).one()
    observations = db.session.execute(
        select(func.count(), func.count().filter(Observation.reviewed)).select_from(Observation)
    ).one()
    audited = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.entity.in_(["place", "observation"]))
    )
    return tuple(places), tuple(observations), audited


class Failures(list):
    def check(self, response, label: str, allowed=None) -> None:
        if response.status_code >= 500 or (allowed and response.status_code not in allowed):
            body = " ".join(response.get_data(as_text=True)[:2000].split())
            self.append(f"{label[:160]} -> {response.status_code}: {body[-160:]}")

    def report(self) -> str:
        return f"{len(self)} bad answers:\n" + "\n".join(self[:80])


# --- the walk over every route --------------------------------------------------------------------------------------


def _quote_segment(value: str) -> str:
    return quote(value, safe="")


def _fill(rule, values: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)


def _defaults(rule, place_id: int) -> dict:
    """Path values that reach the view: the real place for place routes, ids that exist nowhere for the rest
    (so a walk with a valid CSRF token can never revoke, deactivate or delete a real record)."""
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        if name in ("place_id", "feature_id") and rule.endpoint.split(".")[0] in ("places", "api"):
            values[name] = str(place_id)
        elif kind == "IntegerConverter":
            values[name] = "987654"
        elif kind == "PathConverter":
            values[name] = "css/app.css" if rule.endpoint == "static" else "leaflet/dist/leaflet.js"
        elif name == "collection_id":
            values[name] = "places"
        else:
            values[name] = "csv"
    return values


def _path_variants(rule, place_id: int) -> list[str]:
    defaults = _defaults(rule, place_id)
    urls = []
    for name in rule.arguments:
        kind = type(rule._converters[name]).__name__
        extra = ["0", str(2**31)] if kind == "IntegerConverter" else []  # and the huge one from the corpus
        for value in [_quote_segment(v) for v in BAD_SEGMENTS] + [quote_from_bytes(INVALID_UTF8)] + extra:
            urls.append(_fill(rule, defaults | {name: value or "%20"}))
    return urls


def _names(value: str, names: list[str]) -> list[str]:
    return names[:2] if len(value) > 1000 else names  # a megabyte once per request is enough


def _query(value: str) -> str:
    encoded = quote(value, safe="")
    return "&".join(f"{name}={encoded}" for name in _names(value, QUERY_NAMES))


def _form(value: str, csrf: str | None) -> str:
    encoded = quote(value, safe="")
    fields = [f"{name}={encoded}" for name in _names(value, FORM_NAMES)]
    fields.append("csrf_token=" + quote(csrf or value[:100], safe=""))
    return "&".join(fields)


def _send(caller: Caller, method: str, url: str, **kwargs):
    # If-Match names no version that exists, so no write request of the walk can ever match a real place.
    headers = {"If-Match": '"0"', **caller.headers, **kwargs.pop("headers", {})}
    response = caller.client.open(url, method=method, headers=headers, **kwargs)
    # Requests share the test's app context and so its database session; a real request starts a fresh one,
    # so one failure must not spill into the next request's answer.
    db.session.remove()
    return response


def _walk_rule(caller: Caller, rule, method: str, place_id: int, failures: Failures) -> None:
    base = _fill(rule, _defaults(rule, place_id))
    label = f"{caller.name} {method} {rule.rule}"
    for url in _path_variants(rule, place_id):
        failures.check(_send(caller, method, url), f"{label} path {url[:120]!r}")
    for value in BAD_VALUES + [INVALID_UTF8]:
        query = quote_from_bytes(value) if isinstance(value, bytes) else _query(value)
        failures.check(_send(caller, method, f"{base}?{query}"), f"{label} query {str(value)[:40]!r}")
    if method not in ("POST", "PUT", "PATCH"):
        return
    for value in BAD_VALUES:
        body = _form(value, caller.csrf)
        failures.check(
            _send(caller, method, base, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}),
            f"{label} form {value[:40]!r}",
        )
    for index, body in enumerate(BAD_BODIES):
        for content_type in ("application/json", "application/geo+json", "text/plain")[: 3 if index < 4 else 1]:
            failures.check(
                _send(caller, method, base, data=body, headers={"Content-Type": content_type}),
                f"{label} body {body[:40]!r} as {content_type}",
            )


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "auth.logout":
            continue  # would end the admin session mid-walk; it takes no input besides its CSRF token
        yield rule


def test_every_route_survives_bad_values(app, callers):
    place_id = make_place(observations=["Befintlig"]).id
    before = written()
    failures = Failures()
    for caller in callers:
        for rule in _routes(app):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                _walk_rule(caller, rule, method, place_id, failures)
            for method in ("HEAD", "OPTIONS", "TRACE"):
                failures.check(
                    _send(caller, method, _fill(rule, _defaults(rule, place_id))), f"{caller.name} {method} {rule.rule}"
                )
    assert not failures, failures.report()
    assert written() == before


def test_unrouted_paths_and_methods_survive(app, callers):
    failures = Failures()
    for caller in callers:
        for path in (
            "/nothing",
            "/api/nothing",
            "/places/abc",
            "/places/-1",
            "/%00",
            "/" + "a/" * 5000,
            "/api/collections/places/items/1/observations/2",
            "/static/../../etc/passwd",
        ):
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                failures.check(_send(caller, method, path), f"{caller.name} {method} {path[:60]}")
    assert not failures, failures.report()


# --- every field of the place and observation writes ----------------------------------------------------------------

PLACE_PROPERTIES = [
    "title",
    "category",
    "description",
    "time_of_day",
    "affected_group",
    "priority",
    "status",
    "dismissed_reason",
]
OBSERVATION_FIELDS = ["text", "source", "reporter_name", "reporter_contact", "geometry"]
REFUSED = {400, 409, 413, 415, 422, 428}


def _post_json(client, url, body, headers, method="post"):
    return client.open(
        url, method=method.upper(), data=_dumps(body), headers={"Content-Type": "application/json", **headers}
    )


def test_every_bad_property_is_refused_through_the_api_and_writes_nothing(client, app_context):
    place = make_place(observations=["Befintlig"])
    headers = {"Authorization": "Bearer " + make_token(make_user("admin"), ["write:places", "write:observations"])}
    items, item = "/api/collections/places/items", f"/api/collections/places/items/{place.id}"
    before = written()
    failures = Failures()
    for name in PLACE_PROPERTIES + ["observation"]:
        for value in BAD_JSON_VALUES:
            body = _feature(properties={"title": "t", "category": "poor_lighting", name: value})
            label = f"{name}={str(value)[:30]!r}"
            failures.check(_post_json(client, items, body, headers), f"POST {label}", REFUSED - {409})
            if name == "observation":
                continue
            for method in ("put", "patch"):
                failures.check(
                    _post_json(client, item, body, headers | {"If-Match": '"1"'}, method),
                    f"{method.upper()} {label}",
                    REFUSED - {409},
                )
    for geometry in BAD_GEOMETRIES + BAD_JSON_VALUES:
        label = f"geometry={str(geometry)[:60]!r}"
        failures.check(
            _post_json(client, items, _feature(geometry=geometry), headers), f"POST {label}", REFUSED - {409}
        )
        for method in ("put", "patch"):
            failures.check(
                _post_json(client, item, _feature(geometry=geometry), headers | {"If-Match": '"1"'}, method),
                f"{method.upper()} {label}",
                REFUSED - {409},
            )
    for name in OBSERVATION_FIELDS:
        optional_none = [g for g in BAD_GEOMETRIES if g is not None]  # an observation may leave out its point
        for value in BAD_JSON_VALUES + (optional_none if name == "geometry" else []):
            body = {"text": "t", "source": "police", name: value}
            failures.check(
                _post_json(client, item + "/observations", body, headers),
                f"observation {name}={str(value)[:30]!r}",
                REFUSED - {409},
            )
    for body in BAD_BODIES:
        for method, url in (("post", items), ("put", item), ("patch", item), ("post", item + "/observations")):
            response = client.open(
                url,
                method=method.upper(),
                data=body,
                headers=headers | {"If-Match": '"1"', "Content-Type": "application/json"},
            )
            failures.check(response, f"{method.upper()} {url} body {body[:40]!r}", REFUSED - {409})
    assert not failures, failures.report()
    assert written() == before


TEXT_FIELDS = {"title", "description", "dismissed_reason", "text", "reporter_name", "reporter_contact"}
BAD_FORM_VALUES = {
    "text": ["a\x00b", "\x00", "x" * 6000, MEGABYTE],
    "title": ["", "   "],
    "code": ["nope", "\x00", "Poor lighting", "POOR_LIGHTING", "x" * 6000, MEGABYTE],
    "priority": ["", "0", "4", "-1", "1.5", "abc", "²", "99999999999999999999", MEGABYTE],
    "lon": ["abc", "NaN", "inf", "-Infinity", "1e309", "18.07", "\x00", MEGABYTE],
    "lat": ["abc", "NaN", "inf", "1e309", "59.33", "91", MEGABYTE],
    "geojson": [
        "{",
        "[]",
        "null",
        "1",
        '{"type": "Point"}',
        json.dumps(SELF_INTERSECTING),
        '{"type": "Point", "coordinates": [NaN, 63.1]}',
        '{"type": "Point", "coordinates": [14.6, Infinity]}',
        json.dumps(
            {"type": "Point", "coordinates": [LON, LAT], "crs": {"type": "name", "properties": {"name": "EPSG:3006"}}}
        ),
        "[" * 100_000,
        MEGABYTE,
    ],
}
FORM_KINDS = {
    "title": ["text", "title"],
    "description": ["text"],
    "dismissed_reason": ["text"],
    "text": ["text"],
    "reporter_name": ["text"],
    "reporter_contact": ["text"],
    "category": ["code"],
    "status": ["code"],
    "time_of_day": ["code"],
    "affected_group": ["code"],
    "source": ["code"],
    "priority": ["priority"],
    "lon": ["lon"],
    "lat": ["lat"],
    "geojson": ["geojson"],
}


def _good_place_form(version: int) -> dict:
    return {
        "title": "t",
        "category": "poor_lighting",
        "description": "",
        "time_of_day": "",
        "affected_group": "",
        "priority": "2",
        "status": "reported",
        "dismissed_reason": "",
        "lon": str(LON),
        "lat": str(LAT),
        "geojson": "",
        "version": str(version),
    }


def test_every_bad_form_value_is_refused_and_writes_nothing(client_as, app_context):
    place = make_place(observations=["Befintlig"])
    admin = client_as("admin")
    token = csrf_token(admin, "/places/new")
    forms = {
        "/places/new": {
            k: v for k, v in _good_place_form(1).items() if k not in ("status", "dismissed_reason", "version")
        },
        f"/places/{place.id}/edit": _good_place_form(1),
        f"/places/{place.id}/observations/new": {
            "text": "t",
            "source": "police",
            "reporter_name": "",
            "reporter_contact": "",
        },
    }
    before = written()
    failures = Failures()
    for url, good in forms.items():
        for name in good:
            if name == "version":
                continue
            for kind in FORM_KINDS[name]:
                for value in BAD_FORM_VALUES[kind]:
                    data = {**good, name: value, "csrf_token": token}
                    failures.check(admin.post(url, data=data), f"{url} {name}={value[:30]!r}", {400, 413})
    for version in ("", "abc", "-1", "0", "2", "²", "99999999999999999999", MEGABYTE):
        data = {**forms[f"/places/{place.id}/edit"], "title": "ny", "version": version, "csrf_token": token}
        failures.check(admin.post(f"/places/{place.id}/edit", data=data), f"edit version={version[:20]!r}", {409, 413})
        failures.check(
            admin.post(f"/places/{place.id}/delete", data={"version": version, "csrf_token": token}),
            f"delete version={version[:20]!r}",
            {409, 413},
        )
    dismissed = {**forms[f"/places/{place.id}/edit"], "status": "dismissed", "csrf_token": token}
    failures.check(admin.post(f"/places/{place.id}/edit", data=dismissed), "dismissed without a reason", {400})
    assert not failures, failures.report()
    assert written() == before
