"""Every route, every method, every role: the answers agree with the one ACCESS table, which covers every route.

`python -m gis_app.auth.access` prints the table this test holds the app to.
"""

import pytest
from flask import current_app
from sqlalchemy import select

from gis_app.auth.access import ACCESS, PUBLIC, ROLES, access_matrix_markdown
from gis_app.auth.models import ApiToken
from gis_app.extensions import db
from gis_app.places.models import Observation
from tests.factories import PASSWORD, csrf_token, make_place, make_token, make_user

IGNORED_METHODS = {"HEAD", "OPTIONS"}  # answered by Flask itself for every route
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
REFUSED = {401, 403}
ASSETS = {"static": "css/app.css", "vendor.asset": "leaflet/dist/leaflet.js"}


def endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()}


def test_every_endpoint_has_a_rule(app):
    missing = sorted(endpoints(app) - set(ACCESS))
    assert not missing, f"endpoints without a rule in gis_app/auth/access.py ACCESS (refused to all): {missing}"


def test_every_rule_names_a_real_endpoint(app):
    stale = sorted(set(ACCESS) - endpoints(app))
    assert not stale, f"ACCESS rules for endpoints that do not exist: {stale}"


def test_rules_name_only_known_roles():
    assert {role for allowed in ACCESS.values() for role in allowed} <= set(ROLES)


def test_the_matrix_prints_every_endpoint_and_role(app):
    table = access_matrix_markdown(app).splitlines()
    assert table[0] == "| endpoint | route | " + " | ".join(ROLES) + " |"
    assert {line.split("`")[1] for line in table[2:]} == set(ACCESS) | endpoints(app)
    assert "| `admin.users` | GET `/admin/users` | – | – | – | – | ✓ | – | – | – |" in table


# --- the walk -------------------------------------------------------------------------------------------------------


@pytest.fixture
def url_values(app_context):
    """Real rows for the routes' variables, so a permitted request reaches its view (values by variable name)."""
    place = make_place(observations=["Trasig belysning"])
    observation = db.session.scalar(select(Observation))
    target = make_user("field_staff")  # the user the admin routes act on (password reset, edit)
    make_token(target, name="matrix")
    token = db.session.scalar(select(ApiToken))
    return {
        "collection_id": "places",
        "feature_id": str(place.id),
        "place_id": place.id,
        "observation_id": observation.id,
        "user_id": target.id,
        "token_id": token.id,
        "z": 0,
        "x": 0,
        "y": 0,
    }


def build_url(app, rule, method: str, values: dict) -> str:
    """The rule's URL with a known value for each variable; an unknown variable gets 1 (an id, say)."""
    arguments = {name: values.get(name, 1) for name in rule.arguments}
    if "filename" in arguments:
        arguments["filename"] = ASSETS.get(rule.endpoint, "x")
    return app.url_map.bind("localhost").build(rule.endpoint, arguments, method=method)


def route_methods(app) -> list[tuple]:
    """(rule, method) for every route, in a stable order; logging out last, so it ends no session early."""
    pairs = [(rule, method) for rule in app.url_map.iter_rules() for method in sorted(rule.methods - IGNORED_METHODS)]
    return sorted(pairs, key=lambda pair: (pair[0].endpoint == "auth.logout", pair[0].endpoint, pair[1]))


class Caller:
    """A test client as one role, with its session's CSRF token so a refusal comes from the access table alone."""

    def __init__(self, role: str, client):
        self.role, self.client = role, client
        self.token = csrf_token(client, "/login")

    def request(self, url: str, method: str):
        data = {"csrf_token": self.token} if method in WRITES else None
        return self.client.open(url, method=method, data=data, headers={"X-CSRFToken": self.token})

    def log_in_again(self) -> None:
        """After a successful logout, so the rest of the walk still runs as this role."""
        self.client.post(
            "/login",
            data={
                "email": self.client.user.email,
                "password": PASSWORD,
                "csrf_token": csrf_token(self.client, "/login"),
            },
        )
        self.token = csrf_token(self.client, "/login")


def is_refusal(role: str, method: str, response) -> bool:
    """401/403; a public GET of a page is instead sent to the login page."""
    if response.status_code in REFUSED:
        return True
    return (
        role == PUBLIC
        and method == "GET"
        and response.status_code == 302
        and response.headers["Location"].startswith("/login")
    )


def walk(app, client_as, url_values) -> list[tuple[str, str, str, int, bool]]:
    """Request every route with every method as every role: (endpoint, request, role, status, refused)."""
    callers = [Caller(PUBLIC, app.test_client())]
    callers += [Caller(role, client_as(role)) for role in ROLES if role != PUBLIC]
    answers = []
    for rule, method in route_methods(app):
        url = build_url(app, rule, method, url_values)
        for caller in callers:
            response = caller.request(url, method)
            answers.append(
                (
                    rule.endpoint,
                    f"{method} {url}",
                    caller.role,
                    response.status_code,
                    is_refusal(caller.role, method, response),
                )
            )
            if rule.endpoint == "auth.logout" and caller.role != PUBLIC:
                caller.log_in_again()
    return answers


_walked: list = []  # the walk takes seconds: the tests below share one (each still runs alone)


@pytest.fixture
def answers(app, client_as, url_values, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")  # the walk logs in many times
    if not _walked:
        _walked.append(walk(app, client_as, url_values))
    return _walked[0]


def test_every_route_answers_each_role_as_the_table_says(answers):
    problems = []
    for endpoint, request, role, status, refused in answers:
        allowed = role in ACCESS.get(endpoint, frozenset())
        if allowed == refused:
            verdict = "allows" if allowed else "refuses"
            problems.append(f"{request} ({endpoint}) as {role}: {status}, but the table {verdict} {role}")
    assert not problems, "\n".join(problems)


def test_no_route_fails_with_an_unhandled_error_for_any_role(answers):
    failures = [
        f"{request} ({endpoint}) as {role}: 500" for endpoint, request, role, status, _ in answers if status == 500
    ]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ["field_staff", "planner", "police", "admin"])
def test_navigation_follows_the_access_table(client_as, role):
    """Every header link is one the role may open, and every registered page it may open is linked."""
    from gis_app.core.registry import navigation

    page = client_as(role).get("/").get_data(as_text=True)
    for entry in navigation(current_app):
        allowed = [endpoint for endpoint, _ in entry.choices if role in ACCESS[endpoint]]
        assert (f'data-nav="{entry.key}"' in page) == bool(allowed), (role, entry.key)
    assert ('data-nav="inventory"' in page) is (role in ACCESS["inventory.years"])
