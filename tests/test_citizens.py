"""Citizens' reports: the form's checks and abuse protection, the moderation queue, the status page, the address
search, and that nothing a citizen wrote reaches the public before a planner has reviewed it."""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from gis_app.citizens import pow
from gis_app.citizens.models import CitizenReport, CitizenReportPhoto, GazetteerEntry
from gis_app.extensions import db
from gis_app.inventory.models import Assessment, InventoryYear, Measure
from gis_app.photos.models import Photo
from gis_app.places.models import Observation, Place
from tests.factories import STORTORGET, csrf_token, make_area, make_place

SECRET_TEXT = "Mörk gång bakom Hemköp, ingen lampa"
NAME = "Anna Andersson"
CONTACT = "anna@example.se"
# About 10 m east of Stortorget (1° of longitude is about 50 km at 63°N).
NEAR = (STORTORGET[0] + 0.0002, STORTORGET[1])


def solved(client) -> str:
    """Fetch a challenge as the widget does and solve it as the browser would."""
    return pow.solve(client.get("/report/challenge").get_json())


def report_data(client, **overrides) -> dict:
    data = {
        "csrf_token": csrf_token(client, "/report"),
        "category": "poor_lighting",
        "text": SECRET_TEXT,
        "time_of_day": "evening",
        "lon": str(NEAR[0]),
        "lat": str(NEAR[1]),
        "address": "Prästgatan 1, Östersund",
        "name": NAME,
        "contact": CONTACT,
        "consent": "yes",
        "website": "",
        "altcha": solved(client),
    }
    return {**data, **overrides}


def send(client, **overrides):
    return client.post("/report", data=report_data(client, **overrides), content_type="multipart/form-data")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture(autouse=True)
def small_proof_of_work(app, monkeypatch):
    monkeypatch.setitem(app.config, "CITIZEN_POW_MAX_NUMBER", 500)  # the test solves it in pure Python


# --- sending a report -----------------------------------------------------------------------------------------------


def test_a_report_is_held_for_review_and_the_citizen_gets_a_reference(client, app_context):
    response = send(client)
    assert response.status_code == 302
    report = db.session.scalar(select(CitizenReport))
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", report.reference)
    assert response.headers["Location"].endswith(f"/status/{report.reference}?new=1")
    assert (report.status, report.category_code, report.text, report.reporter_contact, report.contact_consent) == (
        "received",
        "poor_lighting",
        SECRET_TEXT,
        CONTACT,
        True,
    )
    assert count(Place) == 0 and count(Observation) == 0  # nothing enters the inventory before review
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert report.reference in page and "Mottagen" in page


def test_the_public_sees_nothing_of_a_report_before_review(client, app_context):
    make_place(observations=["Granskad text"])
    send(client)
    report = db.session.scalar(select(CitizenReport))
    urls = [
        "/",
        "/report",
        "/status",
        f"/status/{report.reference}",
        "/privacy",
        "/accessibility",
        "/api/collections/places/items",
        "/api/collections/places/items?bbox=14.5,63.1,14.8,63.3",
        "/api/collections/places/items/1",
        "/report/search?q=Hem",
        "/api/collections",
        "/api",
    ]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        for secret in (SECRET_TEXT, "Hemköp", NAME, CONTACT, "Prästgatan 1"):
            assert secret not in body, (url, secret)
    features = client.get("/api/collections/places/items").get_json()["features"]
    assert len(features) == 1  # only the place that existed before


def test_photos_are_stored_without_exif_and_linked_to_the_report(client, app_context):
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (63.0, 10.0, 36.0)})
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 30, 30)).save(buffer, format="JPEG", exif=exif)
    response = send(client, photos=[(io.BytesIO(buffer.getvalue()), "lampa.jpg")])
    assert response.status_code == 302
    assert count(CitizenReportPhoto) == 1
    stored = db.session.scalar(select(Photo))
    assert not Image.open(io.BytesIO(stored.data)).getexif().get_ifd(0x8825)
    assert client.get(f"/photos/{stored.id}").status_code == 302  # the public is sent to log in


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": ""}, "category"),
        ({"category": "nonsense"}, "category"),
        ({"text": "  "}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"lon": "", "lat": ""}, "location"),
        ({"lon": "abc"}, "location"),
        ({"lon": "18.07", "lat": "59.33"}, "location"),  # Stockholm: outside the municipality
        ({"time_of_day": "always"}, "time_of_day"),
        ({"consent": ""}, "consent"),
        ({"name": "x" * 201}, "name"),
        ({"website": "http://spam.example"}, "website"),
        ({"altcha": ""}, "altcha"),
        ({"altcha": "bm90IGpzb24="}, "altcha"),
    ],
)
def test_a_bad_report_is_refused_naming_the_field(client, app_context, overrides, field):
    response = send(client, **overrides)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert count(CitizenReport) == 0


def test_contact_details_need_no_consent_when_left_empty(client, app_context):
    assert send(client, name="", contact="", consent="").status_code == 302
    report = db.session.scalar(select(CitizenReport))
    assert report.reporter_name is None and not report.contact_consent


def test_a_solved_challenge_is_good_for_one_report_only(client, app_context):
    payload = solved(client)
    assert send(client, altcha=payload).status_code == 302
    again = send(client, altcha=payload)
    assert again.status_code == 400 and 'id="altcha-error"' in again.get_data(as_text=True)
    assert count(CitizenReport) == 1


def test_a_tampered_challenge_is_refused(client, app_context):
    challenge = client.get("/report/challenge").get_json()
    challenge["parameters"]["keyPrefix"] = "00"  # an easier puzzle than the one the server signed
    assert send(client, altcha=pow.solve(challenge)).status_code == 400


def test_reports_are_rate_limited_per_address(client, app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "CITIZEN_REPORT_RATE_LIMIT", "2 per hour")
    assert [send(client).status_code for _ in range(3)] == [302, 302, 429]
    assert count(CitizenReport) == 2


def test_the_form_explains_that_violence_in_homes_is_not_mapped(client):
    page = client.get("/report").get_data(as_text=True)
    assert "Våld i hemmet eller i en relation" in page and "020-50 50 50" in page and "polisen.se" in page
    assert "google" not in page.lower() and "recaptcha" not in page.lower()


# --- the moderation queue -------------------------------------------------------------------------------------------


@pytest.fixture
def pending(client, app_context):
    assert send(client).status_code == 302
    return db.session.scalar(select(CitizenReport))


def test_only_planners_see_the_queue(client, client_as, pending):
    assert client.get("/citizens/queue").status_code == 302  # to the login page
    assert client_as("field_staff").get("/citizens/queue").status_code == 403
    assert client_as("police").get(f"/citizens/reports/{pending.id}").status_code == 403
    page = client_as("planner").get("/citizens/queue").get_data(as_text=True)
    assert pending.reference in page


def test_the_queue_suggests_places_of_the_same_category_within_25_m(client_as, pending):
    same = make_place(geometry={"type": "Point", "coordinates": list(STORTORGET)}, title="Lampa vid torget")
    make_place(
        geometry={"type": "Point", "coordinates": [STORTORGET[0] + 0.0009, STORTORGET[1]]}, title="Lampa 45 m bort"
    )
    make_place(
        geometry={"type": "Point", "coordinates": list(STORTORGET)},
        title="Klotter vid torget",
        category_code="graffiti",
    )
    planner = client_as("planner")
    page = planner.get(f"/citizens/reports/{pending.id}").get_data(as_text=True)
    suggested = re.findall(r'value="(\d+)"(?: checked)? data-suggested', page)
    assert suggested == [str(same.id)]
    assert SECRET_TEXT in page and CONTACT in page  # staff see what the citizen wrote
    db.session.expire_all()
    assert db.session.get(CitizenReport, pending.id).status == "under_review"


def _status(client, reference) -> str:
    page = client.get(f"/status/{reference}").get_data(as_text=True)
    return re.search(r'data-stage="([a-z_]+)"', page).group(1)


def test_merging_adds_an_observation_and_the_status_page_follows(client, client_as, pending):
    place = make_place(geometry={"type": "Point", "coordinates": list(STORTORGET)})
    assert _status(client, pending.reference) == "received"
    planner = client_as("planner")
    planner.get(f"/citizens/reports/{pending.id}")
    assert _status(client, pending.reference) == "under_review"
    token = csrf_token(planner, f"/citizens/reports/{pending.id}")
    response = planner.post(f"/citizens/reports/{pending.id}/merge", data={"csrf_token": token, "place_id": place.id})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/places/{place.id}")
    observation = db.session.scalar(select(Observation).where(Observation.source_code == "citizen_report"))
    assert (observation.place_id, observation.text, observation.reviewed) == (place.id, SECRET_TEXT, False)
    assert _status(client, pending.reference) == "in_inventory"
    assert SECRET_TEXT not in client.get("/api/collections/places/items").get_data(as_text=True)

    year = InventoryYear(year=2026)
    db.session.add(year)
    db.session.flush()
    assessment = Assessment(year_id=year.id, place_id=place.id, still_unsafe=True, main_factor="poor_lighting")
    db.session.add(assessment)
    db.session.flush()
    measure = Measure(
        assessment_id=assessment.id, measure_type="lighting", responsible="municipal_unit", status="decided"
    )
    db.session.add(measure)
    db.session.commit()
    assert _status(client, pending.reference) == "measure_planned"
    measure.status = "done"
    db.session.commit()
    assert _status(client, pending.reference) == "done"
    status_page = client.get(f"/status/{pending.reference}").get_data(as_text=True)
    for secret in (SECRET_TEXT, NAME, CONTACT, "Prästgatan", f"{NEAR[0]:.4f}"):
        assert secret not in status_page


def test_a_published_text_reaches_the_public_map(client, client_as, pending):
    planner = client_as("planner")
    token = csrf_token(planner, f"/citizens/reports/{pending.id}")
    response = planner.post(
        f"/citizens/reports/{pending.id}/create",
        data={"csrf_token": token, "title": "Mörk gång", "publish_text": "yes"},
    )
    assert response.status_code == 302
    place = db.session.scalar(select(Place))
    assert (place.title, place.category_code, place.time_of_day) == ("Mörk gång", "poor_lighting", "evening")
    body = client.get("/api/collections/places/items").get_data(as_text=True)
    assert SECRET_TEXT in body and CONTACT not in body and NAME not in body
    assert _status(client, pending.reference) == "in_inventory"
    again = planner.post(f"/citizens/reports/{pending.id}/create", data={"csrf_token": token, "title": "x"})
    assert again.status_code == 409  # handled once only


def test_dismissing_needs_a_reason_and_the_citizen_sees_it(client, client_as, pending):
    planner = client_as("planner")
    token = csrf_token(planner, f"/citizens/reports/{pending.id}")
    refused = planner.post(f"/citizens/reports/{pending.id}/dismiss", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 400 and 'id="reason-error"' in refused.get_data(as_text=True)
    planner.post(
        f"/citizens/reports/{pending.id}/dismiss",
        data={"csrf_token": token, "reason": "relationship_violence", "note": "Hänvisad till stöd"},
    )
    assert _status(client, pending.reference) == "closed"
    page = client.get(f"/status/{pending.reference}").get_data(as_text=True)
    assert "Våld i hem" in page and "Hänvisad" not in page
    assert count(Place) == 0


@pytest.mark.parametrize("place_id", ["", "abc", "99999999999", "999999"])
def test_merging_into_a_bad_place_is_refused(client_as, pending, place_id):
    planner = client_as("planner")
    token = csrf_token(planner, f"/citizens/reports/{pending.id}")
    response = planner.post(f"/citizens/reports/{pending.id}/merge", data={"csrf_token": token, "place_id": place_id})
    assert response.status_code in (400, 404)
    db.session.expire_all()
    assert db.session.get(CitizenReport, pending.id).is_open


def test_a_status_reference_is_read_forgivingly(client, pending):
    sloppy = pending.reference.lower().replace("-", " ")
    response = client.get("/status", query_string={"reference": sloppy})
    assert response.headers["Location"].endswith(f"/status/{pending.reference}")
    assert client.get("/status/ZZZZ-ZZZZ").status_code == 404


# --- the address search ---------------------------------------------------------------------------------------------


@pytest.fixture
def register(app_context):
    from gis_app.citizens import demo

    return demo.load()


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Storgatan 12", "Storgatan 12, Östersund"),
        ("storgtan 12", "Storgatan 12, Östersund"),  # a letter missing
        ("Prastgatan 5", "Prästgatan 5, Östersund"),  # no Swedish letters on the keyboard
        ("STORTORGET", "Stortorget, Östersund"),
        ("gustav III", "Gustav III:s torg, Östersund"),
        ("frosön", "Frösön"),
    ],
)
def test_the_search_forgives_typos_and_missing_accents(client, register, query, first):
    results = client.get("/report/search", query_string={"q": query}).get_json()["results"]
    assert results[0]["label"] == first
    assert results[0]["demo"] is True


def test_the_search_finds_districts_and_ranks_the_house_number_first(client, register):
    make_area(
        {"type": "Polygon", "coordinates": [[[14.6, 63.15], [14.7, 63.15], [14.7, 63.2], [14.6, 63.15]]]},
        name="Östersund centrum",
    )
    labels = [r["label"] for r in client.get("/report/search?q=ostersund centrum").get_json()["results"]]
    assert labels[0] == "Östersund centrum"
    assert client.get("/report/search?q=" + "x" * 101).status_code == 400
    assert client.get("/report/search?q=q").get_json()["results"] == []


def test_import_replaces_a_dataset_and_refuses_bad_rows(cli, app_context, tmp_path):
    good = tmp_path / "adresser.csv"
    good.write_text(
        "gata,nummer,postnummer,postort,lon,lat\nÅsgatan,3,83141,Östersund,14.64,63.17\n"
        "Åsgatan,4,83141,Östersund,14.641,63.171\n",
        encoding="utf-8",
    )
    result = cli.invoke(args=["import-addresses", str(good), "--dataset", "kommunen"])
    assert result.exit_code == 0, result.output
    assert count(GazetteerEntry) == 2
    bad = tmp_path / "trasig.csv"
    bad.write_text("gata,nummer,lon,lat\n,3,14.64,63.17\nÅsgatan,5,abc,63.17\n", encoding="utf-8")
    result = cli.invoke(args=["import-addresses", str(bad), "--dataset", "kommunen"])
    assert result.exit_code != 0
    assert "street" in result.output and "lon" in result.output
    assert count(GazetteerEntry) == 2  # nothing changed
    assert cli.invoke(args=["import-addresses", str(good), "--dataset", "kommunen"]).exit_code == 0
    assert count(GazetteerEntry) == 2  # replaced, not added


def test_a_geopackage_register_is_imported_from_sweref(cli, app_context, tmp_path):
    import geopandas
    from shapely.geometry import Point

    frame = geopandas.GeoDataFrame(
        {"namn": ["Badhusparken"], "typ": ["place_name"], "ort": ["Östersund"]},
        geometry=[Point(14.63, 63.175)],
        crs="EPSG:4326",
    ).to_crs(3006)
    path = tmp_path / "ortnamn.gpkg"
    frame.to_file(path, driver="GPKG")
    result = cli.invoke(args=["import-addresses", str(path), "--dataset", "ortnamn"])
    assert result.exit_code == 0, result.output
    entry = db.session.scalar(select(GazetteerEntry))
    assert entry.name == "Badhusparken, Östersund" and entry.kind == "place_name"
    lon, lat = db.session.execute(select(func.ST_X(GazetteerEntry.geom), func.ST_Y(GazetteerEntry.geom))).one()
    assert abs(lon - 14.63) < 1e-6 and abs(lat - 63.175) < 1e-6


def test_the_demo_register_loads_once(cli, app_context):
    assert cli.invoke(args=["demo-addresses", "--if-empty"]).exit_code == 0
    loaded = count(GazetteerEntry)
    assert loaded > 400
    assert count(GazetteerEntry) == loaded
    assert set(db.session.scalars(select(GazetteerEntry.dataset))) == {"demo-ostersund-centrum"}


def test_contact_details_are_purged_after_the_retention_period(client, app_context):
    from sqlalchemy import text

    from gis_app.maintenance.retention import purge_personal_data

    send(client)
    send(client, text="Nyare tips")
    db.session.execute(
        text("UPDATE citizen_report SET created_at = now() - interval '30 months' WHERE text = :text"),
        {"text": SECRET_TEXT},
    )
    db.session.commit()
    assert purge_personal_data(24).citizen_reports == 1
    db.session.expire_all()
    old, new = (
        db.session.scalar(select(CitizenReport).where(CitizenReport.text == t)) for t in (SECRET_TEXT, "Nyare tips")
    )
    assert (old.reporter_name, old.reporter_contact) == (None, None)
    assert new.reporter_contact == CONTACT
