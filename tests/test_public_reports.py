"""The twice-yearly report to citizens and the promise as data: the report's numbers equal plain SQL over the same
data, only approved photos appear, nothing a citizen wrote (nor a police visit's time or place) reaches the public,
and a published report (approved by the municipality and the police) is never edited, only superseded."""

import io
import shutil
import subprocess
import uuid
from datetime import UTC, date, datetime
from xml.etree import ElementTree

import pytest
from geoalchemy2.shape import from_shape
from PIL import Image
from shapely.geometry import Point, box
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from gis_app.auth.models import AuditEntry
from gis_app.citizens.models import CitizenReport
from gis_app.extensions import db
from gis_app.inventory.models import Assessment, InventoryYear, Measure, MeasurePhoto
from gis_app.outreach.models import OutreachVisit
from gis_app.photos.service import save_photo
from gis_app.places.models import Observation
from gis_app.promise import demo, service
from gis_app.promise.models import IndicatorValue, Promise, PromiseIndicator, PromisePeriod, PublicReport
from gis_app.walks.models import Finding, Walk
from tests.factories import STORTORGET, csrf_token, make_area, make_place

FIRST, LAST = date(2024, 7, 1), date(2024, 12, 31)
CITIZEN_TEXT = "Ogranskad text om Hemköps baksida"
CITIZEN_NAME, CITIZEN_CONTACT = "Anna Andersson", "anna@example.se"
VISIT_NOTE = "Polisens anteckning: tre ungdomar vid kiosken"
WEST = box(14.60, 63.15, 14.637, 63.20)  # district "Väster", holding Stortorget's west side
EAST = box(14.637, 63.15, 14.70, 63.20)  # district "Öster"


def _point(dx: float = 0.0, dy: float = 0.0):
    return from_shape(Point(STORTORGET[0] + dx, STORTORGET[1] + dy), srid=4326)


def _measure(place, year, measure_type, status, done_on, cost):
    assessment = db.session.scalar(
        select(Assessment).where(Assessment.place_id == place.id, Assessment.year_id == year.id)
    )
    if assessment is None:
        assessment = Assessment(year_id=year.id, place_id=place.id, still_unsafe=True, main_factor=place.category_code)
        db.session.add(assessment)
        db.session.flush()
    measure = Measure(
        assessment_id=assessment.id,
        measure_type=measure_type,
        responsible="municipal_unit",
        status=status,
        done_on=done_on,
        cost_estimate_sek=cost,
    )
    db.session.add(measure)
    db.session.flush()
    return measure


def _photo(measure, kind: str, color) -> MeasurePhoto:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="JPEG")
    out.seek(0)
    photo = save_photo(out)
    link = MeasurePhoto(measure_id=measure.id, photo_id=photo.id, kind=kind)
    db.session.add(link)
    db.session.flush()
    return link


def _visit(place, at: datetime, contacts: int = 2):
    db.session.add(
        OutreachVisit(client_uuid=uuid.uuid4(), place_id=place.id, visited_at=at, contacts=contacts, notes=VISIT_NOTE)
    )


@pytest.fixture
def period_data(app_context):
    """Two districts; places, measures, a walk, visits and a citizen's report inside and outside the period."""
    make_area(WEST, code="W", name="Väster")
    make_area(EAST, code="E", name="Öster")
    west = make_place(geometry=Point(STORTORGET[0] - 0.002, STORTORGET[1]), reported_on=date(2024, 8, 1))
    east = make_place(
        geometry=Point(STORTORGET[0] + 0.002, STORTORGET[1]),
        category_code="vandalism",
        reported_on=date(2024, 9, 1),
        observations=[CITIZEN_TEXT],
        reviewed=False,
    )
    sensitive = make_place(
        geometry=Point(STORTORGET[0] + 0.003, STORTORGET[1] + 0.001),
        category_code="drug_related",
        reported_on=date(2024, 10, 1),
    )
    earlier = make_place(geometry=Point(STORTORGET[0] - 0.003, STORTORGET[1]), reported_on=date(2024, 3, 1))
    year = InventoryYear(year=2024)
    db.session.add(year)
    db.session.flush()
    lamp = _measure(west, year, "lighting", "done", date(2024, 9, 15), 12000)
    _measure(west, year, "vegetation", "verified", date(2024, 11, 2), None)
    _measure(east, year, "vandalism_repair", "done", date(2024, 10, 20), 3500)
    _measure(sensitive, year, "lighting", "in_progress", None, 9000)  # not done: not counted
    _measure(earlier, year, "lighting", "done", date(2024, 5, 1), 7000)  # done before the period
    before, after = _photo(lamp, "before", (10, 10, 10)), _photo(lamp, "after", (250, 250, 200))
    walk = Walk(
        title="Kvällsvandring",
        starts_at=datetime(2024, 10, 3, 17, 0, tzinfo=UTC),
        meeting_place="Stortorget",
        meeting_point=_point(),
        district_id=None,
    )
    planned = Walk(
        title="Planerad",
        starts_at=datetime(2099, 1, 1, 17, 0, tzinfo=UTC),
        meeting_place="Stortorget",
        meeting_point=_point(),
    )
    db.session.add_all([walk, planned])
    db.session.flush()
    db.session.add(Finding(walk_id=walk.id, client_uuid=uuid.uuid4(), geom=_point(), recorded_at=walk.starts_at))
    _visit(west, datetime(2024, 8, 2, 21, 17, tzinfo=UTC))
    _visit(east, datetime(2024, 8, 3, 22, 43, tzinfo=UTC), contacts=5)
    _visit(east, datetime(2024, 12, 31, 22, 30, tzinfo=UTC))  # 23:30 local on the period's last day
    _visit(east, datetime(2025, 1, 1, 12, 0, tzinfo=UTC))  # after the period
    db.session.add(
        CitizenReport(
            reference="K7QF-M3XP",
            category_code="poor_lighting",
            text=CITIZEN_TEXT,
            reporter_name=CITIZEN_NAME,
            reporter_contact=CITIZEN_CONTACT,
            contact_consent=True,
            geom=_point(0.0001),
            address_label="Hemköp, Kyrkgatan",
            created_at=datetime(2024, 9, 5, 20, 0, tzinfo=UTC),
        )
    )
    db.session.commit()
    return {"west": west, "east": east, "before": before, "after": after}


def _sql(query: str) -> list:
    return [tuple(row) for row in db.session.execute(text(query), {"first": FIRST, "last": LAST})]


def test_the_reports_numbers_equal_plain_queries_on_the_same_data(period_data):
    content = service.build_content(FIRST, LAST)
    done = (
        "FROM inventory_measure m JOIN inventory_assessment a ON a.id = m.assessment_id "
        "WHERE m.status IN ('done', 'verified') AND m.done_on BETWEEN :first AND :last"
    )
    assert (
        content["totals"]["places_reported"]
        == _sql("SELECT count(*) FROM place WHERE reported_on BETWEEN :first AND :last")[0][0]
        == 3
    )
    assert content["totals"]["places_remediated"] == _sql(f"SELECT count(DISTINCT a.place_id) {done}")[0][0] == 2
    assert content["totals"]["measures_done"] == _sql(f"SELECT count(*) {done}")[0][0] == 3
    measures = _sql(
        f"SELECT m.measure_type, count(*), coalesce(sum(m.cost_estimate_sek), 0) {done} GROUP BY 1 ORDER BY 2 DESC, 1"
    )
    assert [(m["type"], m["count"], m["cost_sek"]) for m in content["measures"]] == measures
    assert ("lighting", 1, 12000) in measures
    per_district = _sql(
        "SELECT d.name, p.category_code, count(*) FROM place p LEFT JOIN area d ON d.id = p.public_district_id "
        "WHERE p.reported_on BETWEEN :first AND :last GROUP BY 1, 2"
    )
    assert sorted((r["district"], r["category"], r["reported"]) for r in content["places"] if r["reported"]) == sorted(
        per_district
    )
    visits = _sql(
        "SELECT d.name, count(*) FROM outreach_visit v JOIN place p ON p.id = v.place_id "
        "LEFT JOIN area d ON d.id = p.public_district_id "
        "WHERE (v.visited_at AT TIME ZONE 'Europe/Stockholm')::date BETWEEN :first AND :last "
        "GROUP BY 1 ORDER BY 1"
    )
    assert visits == [("Väster", 1), ("Öster", 2)]
    # Both districts have fewer than 3 visits: neither count is kept (test_small_visit_counts_… covers the rule).
    assert [(r["district"], r["visits"], r["suppressed"]) for r in content["outreach"]] == [
        ("Väster", None, "small"),
        ("Öster", None, "small"),
    ]
    assert content["totals"]["walks_held"] == 1 and content["walks"] == [{"district": None, "walks": 1, "findings": 1}]
    assert content["totals"]["citizen_reports"] == 1
    public = _sql(
        "SELECT DISTINCT round(ST_X(ST_PointOnSurface(public_geom))::numeric, 4) FROM place p "
        f"WHERE p.id IN (SELECT a.place_id {done})"
    )
    assert sorted(point[0] for point in content["map"]) == sorted(float(x) for (x,) in public)


def test_an_unapproved_photo_never_appears(client, client_as, period_data):
    before, after = period_data["before"], period_data["after"]
    planner = client_as("planner")
    page = planner.get("/what-we-did/drafts/0/photos")
    assert page.status_code == 404
    report = _published(client_as, "Rapport")
    assert report.content["photos"] == []
    token = csrf_token(planner, "/what-we-did/drafts")
    answer = planner.post(f"/what-we-did/photos/{after.id}/approval", data={"csrf_token": token, "approved": "yes"})
    assert answer.status_code == 302
    later = _published(client_as, "Rapport 2")
    assert [photo["photo_id"] for photo in later.content["photos"]] == [after.photo_id]
    html = client.get(f"/what-we-did/{later.id}").get_data(as_text=True)
    assert f"/what-we-did/photos/{after.photo_id}" in html and f"/photos/{before.photo_id}" not in html
    assert client.get(f"/what-we-did/photos/{after.photo_id}").status_code == 200
    assert client.get(f"/what-we-did/photos/{before.photo_id}").status_code == 404
    assert client.get(f"/photos/{after.photo_id}").status_code == 302  # the staff route stays staff only
    planner.post(f"/what-we-did/photos/{after.id}/approval", data={"csrf_token": token, "approved": "no"})
    assert client.get(f"/what-we-did/photos/{after.photo_id}").status_code == 404  # withdrawn: gone at once
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "publication_photo"))
        == 2
    )


def _published(client_as, title: str, supersedes: int | None = None) -> PublicReport:
    """Draft over the period, approve as the municipality and the police, publish (through the pages)."""
    planner, police = client_as("planner"), client_as("police")
    token = csrf_token(planner, "/what-we-did/drafts")
    if supersedes:
        answer = planner.post(f"/what-we-did/{supersedes}/supersede", data={"csrf_token": token})
    else:
        answer = planner.post(
            "/what-we-did/drafts",
            data={"csrf_token": token, "title": title, "starts_on": FIRST.isoformat(), "ends_on": LAST.isoformat()},
        )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    report_id = int(answer.headers["Location"].rstrip("/").split("/")[-1])
    police_token = csrf_token(police, "/what-we-did/drafts")
    assert planner.post(f"/what-we-did/drafts/{report_id}/approve", data={"csrf_token": token}).status_code == 302
    assert police.post(f"/what-we-did/drafts/{report_id}/approve", data={"csrf_token": police_token}).status_code == 302
    assert planner.post(f"/what-we-did/drafts/{report_id}/publish", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    return db.session.get(PublicReport, report_id)


def test_draft_needs_one_municipality_and_one_police_approval_then_publishes(client, client_as, period_data):
    planner, police, field = client_as("planner"), client_as("police"), client_as("field_staff")
    token = csrf_token(planner, "/what-we-did/drafts")
    answer = planner.post(
        "/what-we-did/drafts",
        data={"csrf_token": token, "title": "Hösten 2024", "starts_on": "2024-07-01", "ends_on": "2024-12-31"},
    )
    report_id = int(answer.headers["Location"].split("/")[-1])
    assert client.get(f"/what-we-did/{report_id}").status_code == 404  # a draft is not public
    assert client.get(f"/what-we-did/drafts/{report_id}").status_code == 302  # to the login
    assert field.get(f"/what-we-did/drafts/{report_id}").status_code == 403
    publish = planner.post(f"/what-we-did/drafts/{report_id}/publish", data={"csrf_token": token})
    assert publish.status_code == 409
    assert planner.post(f"/what-we-did/drafts/{report_id}/approve", data={"csrf_token": token}).status_code == 302
    second = client_as("planner")
    again = second.post(
        f"/what-we-did/drafts/{report_id}/approve", data={"csrf_token": csrf_token(second, "/what-we-did/drafts")}
    )
    assert again.status_code == 409  # the municipality approved already: the police must approve
    assert planner.post(f"/what-we-did/drafts/{report_id}/publish", data={"csrf_token": token}).status_code == 409
    police_token = csrf_token(police, "/what-we-did/drafts")
    assert police.post(f"/what-we-did/drafts/{report_id}/publish", data={"csrf_token": police_token}).status_code == 403
    assert police.post(f"/what-we-did/drafts/{report_id}/approve", data={"csrf_token": police_token}).status_code == 302
    assert planner.post(f"/what-we-did/drafts/{report_id}/publish", data={"csrf_token": token}).status_code == 302
    page = client.get(f"/what-we-did/{report_id}")
    assert page.status_code == 200 and "Hösten 2024" in page.get_data(as_text=True)
    steps = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "public_report", AuditEntry.entity_id == report_id)
        .order_by(AuditEntry.id)
    ).all()
    assert [entry.action for entry in steps] == ["create", "update", "update", "update"]
    assert [entry.after["status"] for entry in steps] == ["draft", "draft", "approved", "published"]
    assert {steps[1].user_id, steps[2].user_id} == {planner.user.id, police.user.id}


def test_an_edit_withdraws_the_approvals(client_as, period_data):
    planner, police = client_as("planner"), client_as("police")
    report = service.new_draft("Utkast", "2024-07-01", "2024-12-31")
    service.approve(report.id, police.user)
    token = csrf_token(planner, "/what-we-did/drafts")
    planner.post(f"/what-we-did/drafts/{report.id}/edit", data={"csrf_token": token, "title": "Nytt namn"})
    db.session.expire_all()
    report = db.session.get(PublicReport, report.id)
    assert (report.title, report.police_approved_at, report.status) == ("Nytt namn", None, "draft")


def test_a_published_report_is_never_edited_only_superseded(client, client_as, period_data):
    first = _published(client_as, "Första versionen")
    planner = client_as("planner")
    token = csrf_token(planner, "/what-we-did/drafts")
    for step in ("edit", "refresh", "approve", "publish", "delete"):
        answer = planner.post(f"/what-we-did/drafts/{first.id}/{step}", data={"csrf_token": token, "title": "x"})
        assert answer.status_code == 409, step
    with pytest.raises(DBAPIError, match="never edited"):
        db.session.execute(text("UPDATE public_report SET title = 'ändrad' WHERE id = :id"), {"id": first.id})
    db.session.rollback()
    with pytest.raises(DBAPIError, match="never deleted"):
        db.session.execute(text("DELETE FROM public_report WHERE id = :id"), {"id": first.id})
    db.session.rollback()
    second = _published(client_as, "", supersedes=first.id)
    db.session.expire_all()
    first = db.session.get(PublicReport, first.id)
    assert (first.superseded_by_id, first.title, second.supersedes_id) == (second.id, "Första versionen", first.id)
    assert "superseded" in client.get(f"/what-we-did/{first.id}?lang=en").get_data(as_text=True)
    archive = client.get("/what-we-did").get_data(as_text=True)
    assert f'data-report="{first.id}"' in archive and f'data-report="{second.id}"' in archive
    again = planner.post(f"/what-we-did/{first.id}/supersede", data={"csrf_token": token})
    assert again.status_code == 422  # superseded once; only the newest version can be replaced


def test_the_public_sees_no_citizen_text_and_no_visit_time_or_place(client, client_as, period_data):
    report = _published(client_as, "Det här har vi gjort")
    pages = {
        url: client.get(url)
        for url in (
            "/what-we-did",
            f"/what-we-did/{report.id}",
            "/what-we-did/feed.atom",
            f"/what-we-did/{report.id}.pdf",
        )
    }
    assert all(answer.status_code == 200 for answer in pages.values())
    bodies = {url: answer.get_data(as_text=True) for url, answer in pages.items() if not url.endswith(".pdf")}
    if shutil.which("pdftotext"):
        pdf = subprocess.run(
            ["pdftotext", "-", "-"], input=pages[f"/what-we-did/{report.id}.pdf"].data, capture_output=True, check=True
        ).stdout.decode()
        assert "Väster" in pdf
        bodies["pdf"] = pdf
    secrets = (
        CITIZEN_TEXT,
        "Hemköp",
        CITIZEN_NAME,
        CITIZEN_CONTACT,
        "K7QF-M3XP",
        VISIT_NOTE,
        "21:17",
        "22:43",
        "Mörk passage",
    )
    for url, body in bodies.items():
        for secret in secrets:
            assert secret not in body, (url, secret)
    assert str(period_data["east"].id) not in [row.get("place_id") for row in report.content["outreach"]]
    assert set(report.content["outreach"][0]) == {"district", "visits", "contacts", "suppressed"}


def test_small_visit_counts_per_district_are_suppressed(client, client_as, period_data):
    north = make_area(box(14.60, 63.20, 14.70, 63.25), code="N", name="Norr")
    assert north.id
    north_place = make_place(geometry=Point(STORTORGET[0], STORTORGET[1] + 0.03), reported_on=date(2024, 8, 1))
    for hour in range(4):  # Öster: 2 + 4 = 6 visits, Norr: 4, Väster: 1
        _visit(period_data["east"], datetime(2024, 9, 1, 18 + hour, 5, tzinfo=UTC), contacts=1)
        _visit(north_place, datetime(2024, 9, 2, 18 + hour, 5, tzinfo=UTC), contacts=3)
    db.session.commit()
    rows = {row["district"]: row for row in service.build_content(FIRST, LAST)["outreach"]}
    assert rows["Väster"] == {"district": "Väster", "visits": None, "contacts": None, "suppressed": "small"}
    # Väster alone is hidden, so the next smallest district is hidden too: the total cannot give Väster's count.
    assert rows["Norr"] == {"district": "Norr", "visits": None, "contacts": None, "suppressed": "secondary"}
    assert rows["Öster"] == {"district": "Öster", "visits": 6, "contacts": 11, "suppressed": None}
    report = _published(client_as, "Med få besök")
    page = client.get(f"/what-we-did/{report.id}").get_data(as_text=True)
    section = page[page.index('data-section="outreach"') :]
    section = section[: section.index("</table>")]
    assert "färre än 3" in section and "visas inte" in section
    assert ">1<" not in section and ">4<" not in section and ">12<" not in section and ">6<" in section


def test_suppression_rule_on_its_own():
    rows = [{"district": name, "visits": n, "contacts": n} for name, n in (("A", 0), ("B", 2), ("C", 3), ("D", 9))]
    assert [row["suppressed"] for row in service.suppress_small_counts(rows)] == ["small", "small", None, None]
    one_small = service.suppress_small_counts(rows[1:])
    assert [row["suppressed"] for row in one_small] == ["small", "secondary", None]
    assert service.suppress_small_counts([{"district": "A", "visits": 1, "contacts": 1}])[0]["visits"] is None
    assert service.suppress_small_counts([]) == []


def test_pdf_feed_and_archive(client, client_as, period_data):
    report = _published(client_as, "Andra halvåret 2024")
    pdf = client.get(f"/what-we-did/{report.id}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    feed = client.get("/what-we-did/feed.atom")
    assert feed.mimetype == "application/atom+xml"
    atom = "{http://www.w3.org/2005/Atom}"
    root = ElementTree.fromstring(feed.data)
    entries = root.findall(f"{atom}entry")
    assert [entry.find(f"{atom}title").text for entry in entries] == ["Andra halvåret 2024"]
    assert entries[0].find(f"{atom}link").get("href").endswith(f"/what-we-did/{report.id}")
    assert "Andra halvåret 2024" in client.get("/what-we-did").get_data(as_text=True)


def test_the_report_is_organised_by_promise(client, client_as, period_data):
    period = PromisePeriod(title="Medborgarlöfte 2023–2024", starts_on=date(2023, 1, 1), ends_on=date(2024, 12, 31))
    promise = Promise(position=1, owner="municipality", title="Vi åtgärdar otrygga platser")
    promise.indicators = [
        PromiseIndicator(position=1, label="Åtgärdade platser", source="places_remediated"),
        PromiseIndicator(position=2, label="Trygghetsmätning", source="manual", unit="%"),
    ]
    promise.indicators[1].values = [IndicatorValue(measured_on=date(2024, 10, 1), value=64)]
    period.promises.append(promise)
    db.session.add(period)
    db.session.commit()
    content = service.build_content(FIRST, LAST)
    first = content["promises"][0]
    assert [(i["label"], i["value"]) for i in first["indicators"]] == [
        ("Åtgärdade platser", 2),
        ("Trygghetsmätning", 64),
    ]
    assert first["sections"] == ["places"] and "places" not in content["other_sections"]
    report = _published(client_as, "Per löfte")
    html = client.get(f"/what-we-did/{report.id}").get_data(as_text=True)
    assert (
        html.index("Vi åtgärdar otrygga platser")
        < html.index('data-section="places"')
        < html.index('data-promise="other"')
        < html.index('data-section="outreach"')
    )
    assert 'data-section="night_walks"' not in html  # no night-walk data in this product yet


def test_hand_entered_values_and_bad_input_name_the_field(client_as, app_context):
    demo.load(1)
    planner = client_as("planner")
    manual = db.session.scalar(select(PromiseIndicator).where(PromiseIndicator.source == "manual"))
    computed = db.session.scalar(select(PromiseIndicator).where(PromiseIndicator.source == "walks_held"))
    token = csrf_token(planner, "/what-we-did/drafts")
    page = planner.get("/promises").get_data(as_text=True)
    assert "Trygghetsvandringar" in page
    for indicator, data, field in (
        (manual, {"measured_on": "2024-13-01", "value": "5"}, "measured_on"),
        (manual, {"measured_on": "2024-11-01", "value": "many"}, "value"),
        (manual, {"measured_on": "2024-11-01", "value": "1e400"}, "value"),
        (computed, {"measured_on": "2024-11-01", "value": "3"}, "value"),
    ):
        answer = planner.post(
            f"/promises/indicators/{indicator.id}/values",
            data={"csrf_token": token, **data},
            headers={"Accept": "application/json"},
        )
        assert answer.status_code == 422 and answer.get_json()["field"] == field, (data, answer.get_json())
    answer = planner.post(
        f"/promises/indicators/{manual.id}/values",
        data={"csrf_token": token, "measured_on": "2024-11-01", "value": "66,5", "note": "Enkät"},
    )
    assert answer.status_code == 302
    assert service.indicator_value(manual, FIRST, LAST)["value"] == 66.5
    bad = planner.post(
        "/what-we-did/drafts",
        data={"csrf_token": token, "title": "x", "starts_on": "2024-12-31", "ends_on": "2024-01-01"},
    )
    assert bad.status_code == 400 and "ends_on-error" in bad.get_data(as_text=True)
    bad = planner.post(
        "/what-we-did/drafts",
        data={"csrf_token": token, "title": "", "starts_on": "99999-01-01", "ends_on": "2024-01-01"},
    )
    assert bad.status_code == 400 and 'id="starts_on-error"' in bad.get_data(as_text=True)


def test_the_demo_promise_loads_once(app_context):
    assert "7" in demo.load_if_missing(1)
    assert demo.load_if_missing(1) == ""
    period = db.session.scalar(select(PromisePeriod))
    assert (period.starts_on, period.ends_on) == (date(2023, 1, 1), date(2024, 12, 31))
    owners = {promise.owner for promise in period.promises}
    assert owners == {"municipality", "police", "both"}
    report = db.session.scalar(select(PublicReport))
    assert report.status == "draft"  # no demo logins in tests: nobody to approve it
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 0


def test_staff_pages_render_for_planners_and_police(client, client_as, period_data):
    demo.load(1)
    planner, police = client_as("planner"), client_as("police")
    draft = service.new_draft("Utkast hösten 2024", "2024-07-01", "2024-12-31")
    for user, url in (
        (planner, f"/what-we-did/drafts/{draft.id}"),
        (police, f"/what-we-did/drafts/{draft.id}"),
        (planner, f"/what-we-did/drafts/{draft.id}/photos"),
        (planner, "/promises"),
        (police, "/promises"),
        (planner, "/what-we-did/drafts"),
    ):
        answer = user.get(url)
        assert answer.status_code == 200, url
    photos = planner.get(f"/what-we-did/drafts/{draft.id}/photos").get_data(as_text=True)
    assert photos.count("data-measure-photo=") == 2 and 'data-approved="no"' in photos
    assert "Godkänn för min organisation" in police.get(f"/what-we-did/drafts/{draft.id}").get_data(as_text=True)
    assert police.get(f"/what-we-did/drafts/{draft.id}/photos").status_code == 403
    assert client.get("/promises").status_code == 302
    assert "Det här har vi gjort" in client.get("/").get_data(as_text=True)  # the footer links the archive


def test_deleting_an_approvers_account_keeps_the_published_report(client, client_as, period_data):
    from gis_app.auth.models import User

    report = _published(client_as, "Rapport")
    approver = db.session.get(User, report.police_approved_by_id)
    db.session.delete(approver)  # the foreign key sets the approver to NULL: the only change a published row takes
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(PublicReport, report.id)
    assert (kept.police_approved_by_id, kept.title, kept.status) == (None, "Rapport", "published")
    assert kept.police_approved_at is not None
    with pytest.raises(DBAPIError, match="never edited"):
        db.session.execute(
            text("UPDATE public_report SET police_approved_by_id = :other WHERE id = :id"),
            {"other": report.municipality_approved_by_id, "id": report.id},
        )
    db.session.rollback()
    assert client.get(f"/what-we-did/{report.id}").status_code == 200
