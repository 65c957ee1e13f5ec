"""The API keeps its OpenAPI document: schemathesis generates requests from it, anonymously and with a staff token;
the HTTP details the document promises (406, 405 with Allow, OPTIONS, CORS) are checked one by one as well."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from shapely.geometry import box

from tests.factories import make_area, make_place, make_token, make_user

ITEMS = "/api/collections/places/items"
CONFIG = Path(__file__).with_name("schemathesis.toml")


# --- negotiation -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,headers",
    [("?f=xml", {}), ("?f=csv", {}), ("", {"Accept": "text/csv"}), ("", {"Accept": "application/xml"})],
)
def test_unsupported_formats_get_406(client, query, headers):
    response = client.get(ITEMS + query, headers=headers)
    assert response.status_code == 406 and response.json["code"] == "NotAcceptable"
    assert response.json["field"] in ("f", "Accept")


@pytest.mark.parametrize(
    "accept", ["application/geo+json", "application/json", "*/*", "text/html;q=0.9, application/json;q=0.8"]
)
def test_accepted_types_are_served(client, accept):
    assert client.get(ITEMS, headers={"Accept": accept}).status_code == 200
    assert client.get("/api/openapi", headers={"Accept": "application/vnd.oai.openapi+json"}).status_code == 200


# --- methods ---------------------------------------------------------------------------------------------------------


def test_read_only_collections_answer_405_to_everyone_with_allow(client, app_context):
    headers = {"Authorization": f"Bearer {make_token(make_user('admin'), ['write:places'])}"}
    for who in ({}, headers):
        response = client.post("/api/collections/areas/items", json={}, headers=who)
        assert response.status_code == 405, response.json  # not 401: no login could make it allowed
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
        response = client.delete("/api/collections/areas/items/1", headers=who | {"If-Match": '"1"'})
        assert response.status_code == 405 and "DELETE" not in response.headers["Allow"]


def test_options_lists_what_each_collection_allows(client):
    areas = client.options("/api/collections/areas/items")
    assert areas.status_code == 204 and areas.headers["Allow"] == "GET, HEAD, OPTIONS"
    places = client.options(ITEMS)
    assert set(places.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    one = client.options(f"{ITEMS}/1")
    assert {"PUT", "PATCH", "DELETE"} <= set(one.headers["Allow"].split(", "))
    assert client.options("/api/collections/areas/items/1").headers["Allow"] == "GET, HEAD, OPTIONS"


def test_every_405_carries_allow(client):
    response = client.delete("/api/collections")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert client.put("/api/conformance").headers["Allow"] == "GET, HEAD, OPTIONS"


def test_reads_are_open_to_other_origins_and_writes_are_not(client, app_context):
    read = client.get(ITEMS, headers={"Origin": "https://example.org"})
    assert read.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in read.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        ITEMS, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}
    )
    assert "POST" not in preflight.headers["Access-Control-Allow-Methods"]
    write = client.post(ITEMS, json={}, headers={"Origin": "https://example.org"})
    assert "Access-Control-Allow-Origin" not in write.headers


# --- the document ----------------------------------------------------------------------------------------------------


def test_document_describes_every_api_route_with_response_schemas(client, app):
    document = client.get("/api/openapi").json
    validate(document)
    paths = document["paths"]
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api"):
            continue
        template = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule).removeprefix("/api") or "/"
        template = template.replace("{collection_id}", "places")
        assert template in paths, template
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = paths[template][method.lower()]
            for status, answer in operation["responses"].items():
                if status != "204":
                    schemas = [media["schema"] for media in answer["content"].values()]
                    assert schemas and all(schemas), (template, method, status)
    parameters = {p["name"]: p["schema"] for p in paths["/collections/places/items"]["get"]["parameters"]}
    assert parameters["lang"]["enum"] == ["sv", "en"]
    assert parameters["limit"]["maximum"] == 10_000
    assert parameters["datetime"]["minLength"] == 1
    areas = {p["name"]: p["schema"] for p in paths["/collections/areas/items"]["get"]["parameters"]}
    assert areas["kind"]["minItems"] == 1
    assert "post" not in paths["/collections/areas/items"]
    item = paths["/collections/places/items/{feature_id}"]["get"]["responses"]["200"]
    assert item["content"]["application/geo+json"]["schema"] == {"$ref": "#/components/schemas/placesFeature"}


# --- generated requests ----------------------------------------------------------------------------------------------


def _schemathesis(url: str, *headers: str) -> tuple[int, int, str]:
    """Run schemathesis against the live server; return its exit code, the number of test cases, and its output."""
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{url}/api/openapi",
        "--workers",
        "1",
        "--seed",
        "1",
        "--suppress-health-check",
        "all",
        "--warnings",
        "off",
        "--phases",
        "fuzzing,stateful",
    ]
    for header in headers:
        command += ["--header", header]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    if os.environ.get("SCHEMATHESIS_LOG"):  # where to keep the whole report when a run fails
        with open(os.environ["SCHEMATHESIS_LOG"], "a") as log:
            log.write(output)
    cases = sum(int(n) for n in re.findall(r"(\d+) generated", output))
    return result.returncode, cases, output


def test_schemathesis_finds_no_server_error_and_no_break_of_the_document(live_server, app_context):
    make_place(title="Känslig", category_code="drug_related")
    make_place(box(14.65, 63.18, 14.655, 63.183).__geo_interface__, title="Park", category_code="vandalism")
    make_area(box(14.62, 63.16, 14.66, 63.19), code="C", name="Centrum")
    token = make_token(make_user("admin"), ["read", "write:places", "write:observations"])
    total = 0
    for headers in ((), (f"Authorization: Bearer {token}",)):
        code, cases, output = _schemathesis(live_server, *headers)
        assert code == 0, output[-6000:]
        total += cases
    assert total >= 1000, total
