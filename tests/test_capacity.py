"""What one anonymous client can cost: rate limits shared by every worker, small pages, a statement timeout."""

import json
import os
import subprocess
import sys

from sqlalchemy import text

from gis_app.extensions import db
from gis_app.places import queries
from tests.factories import csrf_token, make_place

ITEMS = "/api/collections/places/items"

# Another process with the same database, as a second gunicorn worker would be: prints its answers' statuses.
OTHER_WORKER = """
import json, sys
from gis_app import create_app
app = create_app({"WTF_CSRF_ENABLED": False, "TILE_URL": "", "SECRET_KEY": "test"})
client = app.test_client()
statuses = []
for method, path, data in json.loads(sys.argv[1]):
    statuses.append(client.open(path, method=method, data=data).status_code)
print(json.dumps(statuses))
"""


def other_worker(database_url: str, requests: list, **settings) -> list[int]:
    env = os.environ | {"DATABASE_URL": database_url, "GIS_APP_TILE_URL": "", **settings}
    result = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER, json.dumps(requests)], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_api_rate_limit_holds_across_processes(client, app, database_url, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    assert [client.get("/api/conformance").status_code for _ in range(2)] == [200, 200]
    assert other_worker(
        database_url, [["GET", "/api/conformance", None]] * 2, GIS_APP_API_RATE_LIMIT="3 per minute"
    ) == [200, 429]
    response = client.get("/api/conformance")
    assert response.status_code == 429 and response.json["code"] == "TooManyRequests"
    assert int(response.headers["Retry-After"]) >= 1


def test_staff_are_not_held_to_the_public_rate_limit(app, client_as, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "1 per minute")
    planner = client_as("planner")
    assert [planner.get("/api/conformance").status_code for _ in range(3)] == [200, 200, 200]


def test_login_limits_per_address_and_per_account_hold_across_processes(app, app_context, database_url, monkeypatch):
    limits = {"GIS_APP_LOGIN_RATE_LIMIT": "7 per minute", "GIS_APP_LOGIN_ACCOUNT_RATE_LIMIT": "3 per minute"}
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "7 per minute")
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_RATE_LIMIT", "3 per minute")
    client = app.test_client()

    def attempt(email):
        token = csrf_token(client, "/login")
        return client.post("/login", data={"email": email, "password": "x", "csrf_token": token})

    assert [attempt("anna@example.se").status_code for _ in range(2)] == [400, 400]
    login = ["POST", "/login", {"email": "ANNA@example.se", "password": "x"}]
    assert other_worker(database_url, [login, login], **limits) == [400, 429]  # the account's third and fourth
    assert attempt("bertil@example.se").status_code == 400  # another account is not held up
    # Per address: five attempts so far from 127.0.0.1, whichever process saw them.
    others = [["POST", "/login", {"email": f"u{i}@example.se", "password": "x"}] for i in range(3)]
    assert other_worker(database_url, others, **limits) == [400, 400, 429]


def test_a_slow_public_query_answers_503_and_staff_are_not_cut_off(client, app, app_context, client_as, monkeypatch):
    make_place()
    real = queries.place_features

    def slow(*args, **kwargs):
        db.session.execute(text("SELECT pg_sleep(0.2)"))
        return real(*args, **kwargs)

    monkeypatch.setattr(queries, "place_features", slow)
    monkeypatch.setitem(app.config, "PUBLIC_STATEMENT_TIMEOUT_MS", 20)
    response = client.get(ITEMS)
    assert response.status_code == 503
    assert set(response.json) == {"code", "description", "status"}
    assert client_as("planner").get(ITEMS).status_code == 200


def test_openapi_documents_both_page_maximums(client, app):
    parameters = client.get("/api/openapi").json["paths"]["/collections/places/items"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")
    assert limit["schema"]["maximum"] == app.config["API_MAX_LIMIT"]
    assert str(app.config["API_PUBLIC_MAX_LIMIT"]) in limit["description"]
    assert any(p["name"] == "cursor" for p in parameters)
