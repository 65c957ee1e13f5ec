"""Open311 GeoReport v2: every endpoint and error case of the spec in JSON and XML, starting from the spec's own
example requests (http://wiki.open311.org/GeoReport_v2); reports land in the web form's moderation queue, and GET
requests shows only what the public may see."""

from urllib.parse import parse_qsl
from xml.etree import ElementTree

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from gis_app.auth.models import ApiToken, AuditEntry
from gis_app.citizens import demo
from gis_app.citizens.models import CitizenReport, GazetteerEntry
from gis_app.extensions import db
from gis_app.places.models import Place
from tests.factories import STORTORGET, csrf_token, make_token, make_user

BASE = "/open311/v2"
# The spec's example POST body, as it stands there (a San Francisco sinkhole, an attribute of its own service).
SPEC_POST = (
    "api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043"
    "&address_string=1234+5th+street&email=smit222%40sfgov.edu&device_id=tt222111&account_id=123456"
    "&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street"
    "&media_url=http%3A%2F%2Fexample.com%2Fpic.jpg&attribute[WHISETN]=123&attribute[WHISETN]=456"
)
SECRET_TEXT = "Mörk gång bakom Hemköp"


def spec_example(**overrides) -> list[tuple[str, str]]:
    """The spec's example body as pairs, with some fields replaced (None drops a field)."""
    pairs = [(key, value) for key, value in parse_qsl(SPEC_POST) if key not in overrides]
    return pairs + [(key, value) for key, value in overrides.items() if value is not None]


def local_example(api_key: str, **overrides) -> list[tuple[str, str]]:
    """The spec's example moved to Östersund: a real category, a point at Stortorget and the consent attribute."""
    fields = {
        "api_key": api_key,
        "service_code": "poor_lighting",
        "lat": str(STORTORGET[1]),
        "long": str(STORTORGET[0]),
        "description": SECRET_TEXT,
        "attribute[WHISETN]": None,
        "attribute[consent]": "yes",
        "attribute[time_of_day]": "evening",
    }
    return spec_example(**{**fields, **overrides})


def post(client, fmt: str, pairs):
    return client.post(f"{BASE}/requests.{fmt}", data=MultiDict(pairs))


def xml(response) -> ElementTree.Element:
    assert response.mimetype == "text/xml"
    assert response.data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ElementTree.fromstring(response.data)


def xml_errors(response) -> list[tuple[str, str]]:
    root = xml(response)
    assert root.tag == "errors"
    return [(error.findtext("code"), error.findtext("description")) for error in root.findall("error")]


@pytest.fixture(autouse=True)
def roomy_rate_limit(app, monkeypatch):
    """These tests send more reports than a citizen would (test_sending_is_rate_limited… tightens it again)."""
    monkeypatch.setitem(app.config, "CITIZEN_REPORT_RATE_LIMIT", "1000 per hour")


@pytest.fixture
def api_key(app_context):
    return make_token(make_user("planner"), ["write:reports"], name="e-tjänst")


# --- discovery, services, definitions -------------------------------------------------------------------------------


def test_discovery_in_json_and_xml(client):
    body = client.get(f"{BASE}/discovery.json").get_json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/specification") == "http://wiki.open311.org/GeoReport_v2"


def test_services_are_the_report_categories(client, app_context):
    # The spec's example: GET services.xml?jurisdiction_id=city.gov
    body = client.get(f"{BASE}/services.json?jurisdiction_id=city.gov").get_json()
    codes = [service["service_code"] for service in body]
    assert "poor_lighting" in codes and "vandalism" in codes
    lighting = body[codes.index("poor_lighting")]
    assert lighting == {
        "service_code": "poor_lighting",
        "service_name": "Dålig belysning",
        "description": "Dålig belysning",
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }
    root = xml(client.get(f"{BASE}/services.xml?jurisdiction_id=city.gov"))
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == codes
    assert root.find("service").findtext("metadata") == "true"
    english = client.get(f"{BASE}/services.json?lang=en").get_json()
    assert english[codes.index("poor_lighting")]["service_name"] == "Poor lighting"


def test_a_service_definition_and_an_unknown_one(client, app_context):
    body = client.get(f"{BASE}/services/poor_lighting.json").get_json()
    assert body["service_code"] == "poor_lighting"
    time_of_day, consent = body["attributes"]
    assert (time_of_day["code"], time_of_day["datatype"], time_of_day["required"]) == (
        "time_of_day",
        "singlevaluelist",
        False,
    )
    assert [value["key"] for value in time_of_day["values"]] == ["day", "evening", "night"]
    assert [value["key"] for value in consent["values"]] == ["yes", "no"]
    root = xml(client.get(f"{BASE}/services/poor_lighting.xml"))
    assert root.tag == "service_definition"
    assert [a.findtext("code") for a in root.findall("attributes/attribute")] == ["time_of_day", "consent"]
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")][:3] == [
        "day",
        "evening",
        "night",
    ]
    # The spec's example service code DMV66 is not one of ours.
    missing = client.get(f"{BASE}/services/DMV66.json")
    assert missing.status_code == 404
    assert missing.get_json() == [{"code": 404, "description": "service_code: Ingen tjänst DMV66."}]
    missing_xml = client.get(f"{BASE}/services/DMV66.xml")
    assert missing_xml.status_code == 404 and xml_errors(missing_xml) == [("404", "service_code: Ingen tjänst DMV66.")]


def test_an_unknown_format_is_refused_in_the_spec_error_format(client):
    response = client.get(f"{BASE}/services.html")
    assert response.status_code == 400
    assert response.get_json() == [{"code": 400, "description": "format: Formatet måste vara json eller xml."}]


# --- POST requests --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_spec_example_key_is_refused(client, app_context, fmt):
    response = post(client, fmt, spec_example())
    assert response.status_code == 403
    errors = response.get_json() if fmt == "json" else xml_errors(response)
    description = errors[0]["description"] if fmt == "json" else errors[0][1]
    assert (errors[0]["code"] if fmt == "json" else errors[0][0]) in (403, "403")
    assert description.startswith("api_key: ")
    assert db.session.scalar(select(CitizenReport)) is None


def test_keys_without_the_scope_or_revoked_or_missing_are_refused(client, app_context):
    reader = make_token(make_user("planner"), ["read", "write:places"])
    assert post(client, "json", local_example(reader)).status_code == 403
    assert "write:reports" in post(client, "json", local_example(reader)).get_json()[0]["description"]
    assert post(client, "json", local_example(None)).status_code == 403
    secret = make_token(make_user("planner"), ["write:reports"])
    db.session.execute(ApiToken.__table__.update().values(revoked_at=func.now()))
    db.session.commit()
    assert post(client, "json", local_example(secret)).status_code == 403
    assert db.session.scalar(select(CitizenReport)) is None


def test_the_spec_example_with_a_valid_key_names_every_wrong_field(client, api_key):
    response = post(client, "json", spec_example(api_key=api_key))
    assert response.status_code == 400
    fields = [error["description"].split(":")[0] for error in response.get_json()]
    assert all(error["code"] == 400 for error in response.get_json())
    # Its service code, its position (San Francisco), its attribute, and its contact details sent without consent.
    assert set(fields) == {"attribute[WHISETN]", "service_code", "long", "attribute[consent]"}
    errors = xml_errors(post(client, "xml", spec_example(api_key=api_key)))
    assert {description.split(":")[0] for _code, description in errors} == set(fields)
    assert db.session.scalar(select(CitizenReport)) is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_report_lands_in_the_moderation_queue_with_its_reference(client, client_as, api_key, fmt):
    response = post(client, fmt, local_example(api_key))
    assert response.status_code == 200, response.data
    if fmt == "json":
        (answer,) = response.get_json()
        reference, notice = answer["service_request_id"], answer["service_notice"]
        assert answer["account_id"] is None
    else:
        root = xml(response)
        assert root.tag == "service_requests"
        reference, notice = root.findtext("request/service_request_id"), root.findtext("request/service_notice")
    assert "112" in notice
    report = db.session.scalar(select(CitizenReport))
    assert (report.reference, report.channel, report.status, report.category_code) == (
        reference,
        "open311",
        "received",
        "poor_lighting",
    )
    assert (report.text, report.time_of_day, report.reporter_name) == (SECRET_TEXT, "evening", "john smith")
    assert report.reporter_contact == "smit222@sfgov.edu, 111111111" and report.contact_consent
    assert report.token_id is not None
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "citizen_report"))
    assert audit.token_id == report.token_id
    queue = client_as("planner").get("/citizens/queue").get_data(as_text=True)
    assert reference in queue
    assert client.get(f"/status/{reference}").status_code == 200  # the web form's status page knows it too


def test_the_web_forms_checks_apply(client, api_key):
    cases = {
        "description": {"description": None},
        "attribute[time_of_day]": {"attribute[time_of_day]": "midnight"},
        "attribute[consent]": {"attribute[consent]": "maybe"},
        "lat": {"lat": None, "long": None, "address_string": None},
        "address_string": {"lat": None, "long": None},
        "long": {"long": "999"},
        "email": {"email": "x" * 300},
    }
    for field, overrides in cases.items():
        response = post(client, "json", local_example(api_key, **overrides))
        assert response.status_code == 400, field
        assert field in [error["description"].split(":")[0] for error in response.get_json()], field
    without_contact = local_example(api_key, email=None, phone=None, first_name=None, last_name=None)
    without_contact = [pair for pair in without_contact if pair[0] != "attribute[consent]"]
    assert post(client, "json", without_contact).status_code == 200  # no contact details, no consent needed
    assert db.session.scalar(select(CitizenReport).where(CitizenReport.reporter_contact.is_(None))) is not None


def test_a_place_found_by_address_string_or_address_id(client, api_key):
    demo.load()
    by_address = local_example(api_key, lat=None, long=None, address_string="Prästgatan 12")
    assert post(client, "json", by_address).status_code == 200
    report = db.session.scalar(select(CitizenReport))
    assert report.address_label.startswith("Prästgatan 12")
    unknown = post(client, "json", local_example(api_key, lat=None, long=None, address_string="Qwxyz 99"))
    assert unknown.status_code == 400
    assert [e["description"].split(":")[0] for e in unknown.get_json()] == ["address_string"]
    nul = post(client, "json", local_example(api_key, lat=None, long=None, address_string="Präst\x00gatan"))
    assert [e["description"].split(":")[0] for e in nul.get_json()] == ["address_string"]
    assert post(client, "json", local_example(api_key, device_id="tele\x00fon")).status_code == 200
    entry = db.session.scalar(select(GazetteerEntry).where(GazetteerEntry.name.like("Storgatan 12,%")))
    by_id = post(
        client, "json", local_example(api_key, lat=None, long=None, address_string=None, address_id=str(entry.id))
    )
    assert by_id.status_code == 200
    reference = by_id.get_json()[0]["service_request_id"]
    made = db.session.scalar(select(CitizenReport).where(CitizenReport.reference == reference))
    assert made.address_label == entry.name
    no_id = post(client, "json", local_example(api_key, lat=None, long=None, address_string=None, address_id="0"))
    assert [e["description"].split(":")[0] for e in no_id.get_json()] == ["address_id"]


def test_sending_is_rate_limited_in_the_spec_error_format(client, app, api_key, monkeypatch):
    monkeypatch.setitem(app.config, "CITIZEN_REPORT_RATE_LIMIT", "2 per hour")
    answers = [post(client, "xml", local_example(api_key)) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert xml_errors(answers[2])[0][0] == "429" and answers[2].headers["Retry-After"]
    other_device = post(client, "json", local_example(api_key, device_id="another-phone"))
    assert other_device.status_code == 200  # an e-service forwards many citizens' reports


def test_no_csrf_token_is_needed_but_a_session_is_not_enough(client_as, app_context):
    planner = client_as("planner")
    response = post(planner, "json", local_example(""))
    assert response.status_code == 403  # a logged-in browser still needs an api_key


# --- GET requests ---------------------------------------------------------------------------------------------------


@pytest.fixture
def sent(client, api_key):
    """Three reports through Open311: one left open, one made a place with its text published, one dismissed."""
    references = []
    for code in ("poor_lighting", "vandalism", "drug_related"):
        answer = post(client, "json", local_example(api_key, service_code=code)).get_json()
        references.append(answer[0]["service_request_id"])
    return references


def _moderate(client_as, references):
    planner = client_as("planner")
    token = csrf_token(planner, "/citizens/queue")
    reports = {r.reference: r for r in db.session.scalars(select(CitizenReport))}
    made = planner.post(
        f"/citizens/reports/{reports[references[1]].id}/create",
        data={"csrf_token": token, "title": "Klotter vid torget", "publish_text": "yes"},
    )
    assert made.status_code == 302
    dismissed = planner.post(
        f"/citizens/reports/{reports[references[2]].id}/dismiss",
        data={"csrf_token": token, "reason": "relationship_violence", "note": "Intern anteckning"},
    )
    assert dismissed.status_code == 302


def test_get_requests_shows_only_what_the_public_may_see(client, client_as, sent):
    _moderate(client_as, sent)
    body = client.get(f"{BASE}/requests.json").get_json()
    by_id = {row["service_request_id"]: row for row in body}
    assert set(by_id) == set(sent)
    open_one, made, dismissed = (by_id[reference] for reference in sent)
    for row in body:
        text = str(row)
        for secret in ("john", "smith", "sfgov", "111111111", "Intern anteckning", "1234 5th street"):
            assert secret not in text
    assert open_one["status"] == "open" and open_one["description"] is None  # not reviewed yet
    assert (open_one["lat"], open_one["long"]) != (STORTORGET[1], STORTORGET[0])  # a grid cell, not the point
    assert made["status"] == "open" and made["description"] == SECRET_TEXT  # the planner published its text
    place = db.session.scalar(select(Place))
    public = to_shape(place.public_geom)
    assert (made["lat"], made["long"]) == (round(public.y, 5), round(public.x, 5))
    assert dismissed["status"] == "closed" and dismissed["lat"] is None and dismissed["long"] is None
    assert dismissed["description"] is None and dismissed["status_notes"] == "Avslutad"  # no reason in lists
    (by_number,) = client.get(f"{BASE}/requests/{sent[2]}.json").get_json()
    assert by_number["status_notes"].startswith("Avslutad: Våld i hem eller nära relationer")  # as its status page says
    assert set(open_one) == {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
    assert open_one["requested_datetime"][-6:] in ("+01:00", "+02:00")
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    assert sorted(r.findtext("service_request_id") for r in root.findall("request")) == sorted(sent)
    assert SECRET_TEXT.encode() not in client.get(f"{BASE}/requests/{sent[0]}.xml").data


def test_get_requests_filters_and_the_spec_examples(client, client_as, sent):
    _moderate(client_as, sent)
    # The spec's example: GET requests.xml?start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z&status=open
    old = client.get(f"{BASE}/requests.xml?start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z&status=open")
    assert old.status_code == 200 and xml(old).findall("request") == []
    recent = "start_date=2020-01-01T00:00:00Z&end_date=2099-01-01T00:00:00%2B01:00"
    opened = client.get(f"{BASE}/requests.json?{recent}&status=open").get_json()
    assert sorted(row["service_request_id"] for row in opened) == sorted(sent[:2])
    closed = client.get(f"{BASE}/requests.json?status=closed").get_json()
    assert [row["service_request_id"] for row in closed] == [sent[2]]
    both = client.get(f"{BASE}/requests.json?status=open,closed&service_code=vandalism").get_json()
    assert [row["service_request_id"] for row in both] == [sent[1]]
    several = client.get(f"{BASE}/requests.json?service_request_id={sent[0]},{sent[2].lower()}").get_json()
    assert sorted(row["service_request_id"] for row in several) == sorted([sent[0], sent[2]])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=yesterday", "start_date"),
        ("end_date=2010-13-45T00:00:00Z", "end_date"),
        ("start_date=2024-06-01T00:00:00Z&end_date=2024-05-01T00:00:00Z", "end_date"),
        ("status=pending", "status"),
        ("service_code=001", "service_code"),
        ("service_request_id=" + ",".join(["A"] * 101), "service_request_id"),
    ],
)
def test_bad_filters_are_refused_by_name(client, app_context, query, field):
    response = client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400
    assert [error["description"].split(":")[0] for error in response.get_json()] == [field]
    errors = xml_errors(client.get(f"{BASE}/requests.xml?{query}"))
    assert errors[0][0] == "400" and errors[0][1].startswith(field + ":")


def test_one_request_and_an_unknown_one(client, sent):
    # The spec's example: GET requests/638344.xml (not one of ours)
    missing = client.get(f"{BASE}/requests/638344.xml")
    assert missing.status_code == 404 and xml_errors(missing)[0][0] == "404"
    assert client.get(f"{BASE}/requests/638344.json").get_json()[0]["code"] == 404
    (one,) = client.get(f"{BASE}/requests/{sent[0].lower().replace('-', '')}.json").get_json()
    assert one["service_request_id"] == sent[0] and one["service_code"] == "poor_lighting"
    root = xml(client.get(f"{BASE}/requests/{sent[0]}.xml"))
    assert root.findtext("request/service_request_id") == sent[0] and root.findtext("request/status") == "open"
    assert root.find("request/description").text is None  # empty element: not reviewed


def test_published_text_is_escaped_in_xml(client, client_as, api_key):
    hostile = "<script>alert(1)</script> & ]]> \x0b slut"
    post(client, "json", local_example(api_key, service_code="vandalism", description=hostile))
    planner = client_as("planner")
    report = db.session.scalar(select(CitizenReport))
    token = csrf_token(planner, "/citizens/queue")
    planner.post(
        f"/citizens/reports/{report.id}/create",
        data={"csrf_token": token, "title": "Klotter", "publish_text": "yes"},
    )
    response = client.get(f"{BASE}/requests/{report.reference}.xml")
    assert b"<script>" not in response.data
    assert xml(response).findtext("request/description") == hostile.replace("\x0b", "\ufffd")
    assert client.get(f"{BASE}/requests/{report.reference}.json").get_json()[0]["description"] == hostile
