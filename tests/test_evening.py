"""Evening economy: the demo zone, the Purple Flag map by role, premises import, joint inspections, trainings,
the yearly summary and its exports, the self-assessment and its PDF/XLSX, and what is never mapped."""

import csv
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import geopandas
import openpyxl
import pytest
from flask_babel import force_locale
from shapely.geometry import Point
from sqlalchemy import func, select

from gis_app.auth.models import AuditEntry
from gis_app.core.clock import local_now
from gis_app.core.readers import ImportRejected
from gis_app.evening import demo, service
from gis_app.evening.models import EveningFeature, Inspection, Premises, SelfAssessment, ThemeEntry, Training
from gis_app.extensions import db
from tests.factories import STORTORGET, csrf_token, make_place

README = Path(__file__).resolve().parents[1] / "README.md"
HOSTILE = '<img src=x onerror="window.__xss=1">Baren `${1+1}`'
CSV_HEADER = "tillstandsnummer,namn,adress,oppettider,servering_fran,servering_till,lon,lat\n"


@pytest.fixture
def evening(app_context):
    """The Östersund demo: zone, premises, layers, inspections, trainings and a self-assessment."""
    demo.load(2380)
    return demo


def _config(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="evening-config">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def _inspection_form(premises_id: int, **fields) -> dict:
    data = {
        "inspected_at": (local_now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "municipality_staff": "Handläggare Anna",
        "police_staff": "Polis Per",
        "over_serving": "remark",
        "age_checks": "ok",
        "order_security": "ok",
        "staff_trained": "not_checked",
        "crowding": "ok",
        "outcome": "remarks",
        "notes": "Trångt vid baren.",
        "follow_up": "Ny tillsyn i maj.",
        "follow_up_due": (local_now() + timedelta(days=30)).date().isoformat(),
    }
    return {**data, **fields}


# --- demo data ------------------------------------------------------------------------------------------------------


def test_the_demo_has_every_part_and_is_marked_as_demo(evening):
    assert db.session.scalar(select(func.count()).select_from(Premises).where(Premises.demo.is_(False))) == 0
    assert db.session.scalar(select(func.count()).select_from(Premises)) == len(demo.PREMISES)
    assert all("demo" in p.name.lower() for p in db.session.scalars(select(Premises)))
    kinds = set(db.session.scalars(select(EveningFeature.kind)))
    assert kinds == {"taxi_rank", "night_bus_stop", "toilet", "lit_route"}
    assert all(f.demo and "(demo)" in f.name for f in db.session.scalars(select(EveningFeature)))
    assert db.session.scalar(select(func.count()).select_from(Inspection)) > 0
    assert db.session.scalar(select(func.count()).select_from(Training)) == 2
    assert db.session.scalar(select(func.count()).select_from(ThemeEntry)) == 5
    assert demo.load_if_missing(2380) == ""  # a second run adds nothing


# --- the map, by role -----------------------------------------------------------------------------------------------


def test_the_public_map_shows_the_layers_without_inspections_or_unsafe_places(client, evening):
    make_place(title="Mörk gång vid torget", time_of_day="night")
    response = client.get("/evening/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    config = _config(page)
    assert config["places"] is None and config["inspections_shown"] is False
    assert len(config["premises"]) == len(demo.PREMISES)
    assert all("outcome" not in f["properties"] and "url" not in f["properties"] for f in config["premises"])
    assert "Mörk gång" not in page and "Alkoholhandläggare" not in page and "Områdespolis" not in page
    assert 'data-demo="1"' in page


def test_licensing_and_police_see_inspection_outcomes_and_evening_places(client_as, evening):
    make_place(title="Mörk gång vid torget", time_of_day="night")
    make_place({"type": "Point", "coordinates": [14.50, 63.10]}, title="Utanför zonen")
    for role in ("police", "planner"):
        config = _config(client_as(role).get("/evening/").get_data(as_text=True))
        assert config["inspections_shown"] is True
        assert {f["properties"]["outcome"] for f in config["premises"]} >= {"none"} | {
            i.outcome for i in db.session.scalars(select(Inspection))
        } - {"none"}
        titles = {f["properties"]["title"]: f["properties"] for f in config["places"]}
        assert "Utanför zonen" not in titles
        assert titles["Mörk gång vid torget"]["night"] is True and titles["Mörk gång vid torget"]["evening"] is False


def test_field_staff_see_unsafe_places_but_no_inspections(client_as, evening):
    config = _config(client_as("field_staff").get("/evening/").get_data(as_text=True))
    assert config["places"] == [] and config["inspections_shown"] is False


@pytest.mark.parametrize(
    "url",
    [
        "/evening/premises",
        "/evening/trainings",
        "/evening/premises/1",
        "/evening/inspections/1",
        "/evening/premises/export?format=csv",
    ],
)
def test_inspections_and_trainings_are_for_licensing_and_police_only(client, client_as, evening, url):
    assert client.get(url).status_code == 302  # to the login page
    assert client_as("field_staff").get(url).status_code == 403
    assert client_as("police").get(url).status_code == 200


def test_the_never_mapped_page_is_public_and_the_readme_says_so_too(client):
    page = client.get("/about/never-mapped?lang=sv").get_data(as_text=True)
    assert "orossamtal" in page and "våld i nära relationer" in page
    readme = README.read_text()
    assert "orossamtal" in readme and "never" in readme.lower()


def test_the_public_map_page_links_to_what_is_never_mapped(client):
    assert "/about/never-mapped" in client.get("/").get_data(as_text=True)


# --- importing the register -----------------------------------------------------------------------------------------


@pytest.fixture
def english(app_context):
    with force_locale("en"):
        yield


def _write_csv(tmp_path, rows: str, name="register.csv"):
    path = tmp_path / name
    path.write_text(CSV_HEADER + rows, encoding="utf-8")
    return path


def test_a_good_csv_register_is_imported_and_reimported_as_an_update(cli, english, tmp_path):
    path = _write_csv(
        tmp_path, 'T-1,Baren,Storgatan 1,ons–lör 17–02,17:00,02:00,14.6372,63.1767\nT-2,Puben,,,,,"14,6380","63,1770"\n'
    )
    result = cli.invoke(args=["import-premises", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 new, 0 updated" in result.output
    path.write_text(CSV_HEADER + "T-1,Baren nytt namn,Storgatan 1,,17:00,24:00,14.6372,63.1767\n", encoding="utf-8")
    assert "0 new, 1 updated" in cli.invoke(args=["import-premises", str(path)]).output
    bar = db.session.scalar(select(Premises).where(Premises.licence_ref == "T-1"))
    assert bar.name == "Baren nytt namn" and bar.closes_at.hour == 0
    assert (
        db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "evening_premises"))
        == 3
    )


def test_a_broken_register_imports_nothing_and_names_every_bad_row(cli, english, tmp_path):
    path = _write_csv(
        tmp_path,
        "T-1,Baren,,,17:00,02:00,14.6372,63.1767\n"
        ",Utan nummer,,,,,14.6372,63.1767\n"
        "T-3,Fel tid,,,17:00,sent,14.6372,63.1767\n"
        "T-4,Ingen plats,,,,,,\n"
        "T-1,Dubblett,,,,,14.6372,63.1767\n",
    )
    result = cli.invoke(args=["import-premises", str(path)])
    assert result.exit_code == 1
    assert "Nothing was imported: 4 of 5 rows have errors" in result.output
    assert "line 3, tillstandsnummer: required" in result.output
    assert "line 4, servering_till: not a time (HH:MM): 'sent'" in result.output
    assert "line 5, geometry: missing coordinates" in result.output
    assert "line 6, tillstandsnummer: code T-1 repeats row 2" in result.output
    assert db.session.scalar(select(func.count()).select_from(Premises)) == 0


def test_a_register_without_the_required_columns_is_refused(english, tmp_path):
    path = tmp_path / "fel.csv"
    path.write_text("namn,lon,lat\nBaren,14.63,63.17\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="needs the columns licence_ref"):
        service.import_premises(path)


def test_a_geopackage_register_in_sweref_is_imported(english, tmp_path):
    frame = geopandas.GeoDataFrame(
        {"licence_ref": ["G-1"], "name": ["Hotellbaren"], "capacity": [120]},
        geometry=[Point(*STORTORGET)],
        crs="EPSG:4326",
    ).to_crs("EPSG:3006")
    path = tmp_path / "register.gpkg"
    frame.to_file(path, layer="tillstand", driver="GPKG")
    assert service.import_premises(path).inserted == 1
    premises = db.session.scalar(select(Premises))
    assert premises.capacity == 120
    assert db.session.scalar(select(func.ST_X(Premises.geom))) == pytest.approx(STORTORGET[0], abs=1e-6)


def test_a_register_with_lines_is_refused(english, tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text('licence_ref,name,wkt\nL-1,Baren,"LINESTRING(14.63 63.17, 14.64 63.18)"\n', encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        service.import_premises(path)
    assert "geometry type LineString is not allowed" in refused.value.report()


# --- joint inspections ----------------------------------------------------------------------------------------------


def test_an_inspection_is_recorded_audited_and_followed_up(client_as, evening):
    police = client_as("police")
    premises = db.session.scalar(select(Premises).order_by(Premises.id))
    url = f"/evening/premises/{premises.id}/inspections/new"
    form = _inspection_form(premises.id, csrf_token=csrf_token(police, url))
    response = police.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    inspection = db.session.scalar(select(Inspection).where(Inspection.police_staff == "Polis Per"))
    assert inspection.over_serving == "remark" and inspection.outcome == "remarks"
    assert inspection.created_by_id == police.user.id
    audit = db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "evening_inspection", AuditEntry.entity_id == inspection.id)
    )
    assert audit.user_id == police.user.id
    detail = f"/evening/inspections/{inspection.id}"
    assert "Polis Per" in police.get(detail).get_data(as_text=True)
    done = police.post(
        f"{detail}/follow-up",
        data={"follow_up_done_on": local_now().date().isoformat(), "csrf_token": csrf_token(police, detail)},
    )
    assert done.status_code == 302
    db.session.refresh(inspection)
    assert inspection.follow_up_done_on == local_now().date()


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"municipality_staff": ""}, "municipality_staff"),
        ({"inspected_at": "igår"}, "inspected_at"),
        ({"inspected_at": (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")}, "inspected_at"),
        ({"over_serving": "kanske"}, "over_serving"),
        ({"outcome": "bra"}, "outcome"),
        ({"outcome": "serious", "follow_up": "", "follow_up_due": ""}, "follow_up"),
        ({"follow_up_due": "1999-01-01"}, "follow_up_due"),
        ({"notes": "x" * 4001}, "notes"),
        ({"police_staff": "a\x00b"}, "police_staff"),
    ],
)
def test_a_bad_inspection_is_refused_naming_the_field(client_as, evening, fields, field):
    police = client_as("police")
    premises = db.session.scalar(select(Premises).order_by(Premises.id))
    url = f"/evening/premises/{premises.id}/inspections/new"
    before = db.session.scalar(select(func.count()).select_from(Inspection))
    response = police.post(url, data=_inspection_form(premises.id, csrf_token=csrf_token(police, url), **fields))
    assert response.status_code == 400
    assert f'name="{field}"' in response.get_data(as_text=True) or f'id="{field}"' in response.get_data(as_text=True)
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == before


def test_inspection_writes_take_forms_only_and_unknown_ids_are_404(client_as, evening):
    police = client_as("police")
    premises = db.session.scalar(select(Premises).order_by(Premises.id))
    assert police.post(f"/evening/premises/{premises.id}/inspections/new", json=[1]).status_code in (400, 415)
    assert police.get("/evening/premises/99999999/inspections/new").status_code == 404
    assert police.get("/evening/inspections/99999999999").status_code == 404
    token = csrf_token(police, "/evening/trainings")
    assert police.post("/evening/inspections/99999/follow-up", data={"csrf_token": token}).status_code == 404


def test_a_follow_up_before_the_inspection_is_refused(client_as, evening):
    police = client_as("police")
    inspection = db.session.scalar(select(Inspection).where(Inspection.follow_up.is_not(None)))
    detail = f"/evening/inspections/{inspection.id}"
    response = police.post(
        f"{detail}/follow-up", data={"follow_up_done_on": "2001-01-01", "csrf_token": csrf_token(police, detail)}
    )
    assert response.status_code == 400 and 'data-field="follow_up_done_on"' in response.get_data(as_text=True)


# --- trainings ------------------------------------------------------------------------------------------------------


def test_a_training_and_its_attendance_are_recorded(client_as, evening):
    police = client_as("planner")
    response = police.post(
        "/evening/trainings",
        data={
            "held_on": "2025-02-03",
            "title": "Ansvarsfull alkoholservering",
            "trainer": "Länsstyrelsen",
            "csrf_token": csrf_token(police, "/evening/trainings"),
        },
    )
    assert response.status_code == 302
    training = db.session.scalar(select(Training).where(Training.title == "Ansvarsfull alkoholservering"))
    url = f"/evening/trainings/{training.id}"
    premises = db.session.scalar(select(Premises).order_by(Premises.id))
    form = {"premises_id": str(premises.id), "attendees": "3", "names": "Kim, Robin, Alex"}
    assert police.post(url, data={**form, "csrf_token": csrf_token(police, url)}).status_code == 302
    again = police.post(url, data={**form, "csrf_token": csrf_token(police, url)})
    assert again.status_code == 400 and "finns redan med" in again.get_data(as_text=True)
    for bad in ({"attendees": "0"}, {"attendees": "tre"}, {"premises_id": "999999"}):
        refused = police.post(url, data={**form, **bad, "csrf_token": csrf_token(police, url)})
        assert refused.status_code == 400, bad
    assert "Kim, Robin, Alex" in police.get(f"/evening/premises/{premises.id}").get_data(as_text=True)
    bad_training = police.post(
        "/evening/trainings",
        data={"held_on": "3.2", "title": "", "csrf_token": csrf_token(police, "/evening/trainings")},
    )
    assert bad_training.status_code == 400 and 'data-field="held_on"' in bad_training.get_data(as_text=True)


# --- the yearly summary and its exports -----------------------------------------------------------------------------


def test_the_yearly_summary_counts_inspections_by_outcome(client_as, evening):
    year = local_now().year
    page = client_as("police").get(f"/evening/premises?year={year}").get_data(as_text=True)
    inspected = db.session.scalars(select(Inspection)).all()
    this_year = [i for i in inspected if i.inspected_at.astimezone(local_now().tzinfo).year == year]
    assert f'data-inspections="{len(this_year)}"' in page
    assert f'data-inspected="{len({i.premises_id for i in this_year})}"' in page


def test_the_summary_exports_read_back(client_as, evening, tmp_path):
    police = client_as("police")
    year = local_now().year
    expected = {p.licence_ref: 0 for p in db.session.scalars(select(Premises))}
    for inspection in db.session.scalars(select(Inspection)):
        if inspection.inspected_at.astimezone(local_now().tzinfo).year == year:
            expected[inspection.premises.licence_ref] += 1
    xlsx = police.get(f"/evening/premises/export?year={year}&format=xlsx")
    assert xlsx.status_code == 200 and f"krogtillsyn-{year}.xlsx" in xlsx.headers["Content-Disposition"]
    path = tmp_path / "summary.xlsx"
    path.write_bytes(xlsx.data)
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("Tillstånd", "Serveringsställe", "Adress", "Tillsyner")
    assert {row[0]: row[3] for row in rows[1:]} == expected
    text = police.get(f"/evening/premises/export?year={year}&format=csv").data.decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {row["Tillstånd"]: int(row["Tillsyner"]) for row in parsed} == expected
    assert parsed[0]["geometry"].startswith("POINT")
    geojson = json.loads(police.get(f"/evening/premises/export?year={year}&format=geojson").data)
    assert len(geojson["features"]) == len(expected)
    assert police.get("/evening/premises/export?format=docx").status_code == 400


def test_spreadsheet_exports_defuse_formulas(client_as, app_context):
    service.write_premises(
        [
            {
                "licence_ref": "=1+1",
                "name": '=HYPERLINK("x")',
                "address": None,
                "opening_hours": None,
                "opens_at": None,
                "closes_at": None,
                "capacity": None,
                "geom": f"SRID=4326;POINT({STORTORGET[0]} {STORTORGET[1]})",
            }
        ]
    )
    text = client_as("police").get("/evening/premises/export?format=csv").data.decode("utf-8-sig")
    assert "'=1+1" in text and "'=HYPERLINK" in text


# --- the self-assessment --------------------------------------------------------------------------------------------


def _assessment_url() -> str:
    assessment = db.session.scalar(select(SelfAssessment))
    return f"/evening/assessment/{assessment.zone_id}/{assessment.year}"


def test_a_planner_saves_the_self_assessment_with_linked_evidence(client_as, evening):
    planner = client_as("planner")
    url = _assessment_url()
    data = {
        "csrf_token": csrf_token(planner, url),
        "movement-rating": "met",
        "movement-narrative": "Taxi och nattbuss hela natten.",
        "movement-evidence": ["taxi_ranks", "toilets"],
    }
    response = planner.post(url, data=data)
    assert response.status_code == 302
    entry = db.session.scalar(select(ThemeEntry).where(ThemeEntry.theme == "movement"))
    assert entry.rating == "met" and entry.evidence == ["taxi_ranks", "toilets"]
    assert entry.narrative == "Taxi och nattbuss hela natten."
    assert db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.entity == "pf_theme_entry", AuditEntry.action == "update", AuditEntry.user_id == planner.user.id
        )
    )


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"place-rating": "excellent"}, "place-rating"),
        ({"appeal-evidence": "secret_files"}, "appeal-evidence"),
        ({"wellbeing-narrative": "x" * 10_001}, "wellbeing-narrative"),
    ],
)
def test_a_bad_self_assessment_is_refused_naming_the_field(client_as, evening, fields, field):
    planner = client_as("planner")
    url = _assessment_url()
    response = planner.post(url, data={"csrf_token": csrf_token(planner, url), **fields})
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)


def test_the_police_read_the_self_assessment_but_do_not_write_it(client, client_as, evening):
    url = _assessment_url()
    police = client_as("police")
    assert police.get(url).status_code == 200
    assert police.post(url, data={"csrf_token": csrf_token(police, url)}).status_code == 403
    assert client.get(url).status_code == 302
    assert client_as("field_staff").get(url).status_code == 403
    assert client_as("planner").get("/evening/assessment/999999/2025").status_code == 404
    zone = db.session.scalar(select(SelfAssessment)).zone_id
    assert client_as("planner").get(f"/evening/assessment/{zone}/1999").status_code == 404


def test_the_self_assessment_exports_as_pdf_and_xlsx(client_as, evening, tmp_path):
    planner = client_as("planner")
    url = _assessment_url()
    pdf = planner.get(url + ".pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and len(pdf.data) > 2000
    xlsx = planner.get(url + ".xlsx")
    path = tmp_path / "pf.xlsx"
    path.write_bytes(xlsx.data)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Tema", "Bedömning", "Beskrivning", "Underlag", "Värde")
    themes = {row[0] for row in rows[1:]}
    assert themes == {"Välbefinnande", "Rörelse", "Utbud och attraktivitet", "Plats", "Styrning och samverkan"}
    taxi = next(row for row in rows[1:] if row[3] == "Taxihållplatser")
    assert taxi[4] == 3 and taxi[1] == "Uppfylls delvis"
