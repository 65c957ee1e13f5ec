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

from factories import STORTORGET, csrf_token, make_place
from gis_app.areas.importer import ImportRejected
from gis_app.auth.models import AuditEntry
from gis_app.core.clock import local_now
from gis_app.evening import demo, service
from gis_app.evening.models import EveningFeature, Inspection, Premises, SelfAssessment, ThemeEntry, Training
from gis_app.extensions import db

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
    data = {"inspected_at": (local_now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "municipality_staff": "Handläggare Anna", "police_staff": "Polis Per",
            "over_serving": "remark", "age_checks": "ok", "order_security": "ok", "staff_trained": "not_checked",
            "crowding": "ok", "outcome": "remarks", "notes": "Trångt vid baren.", "follow_up": "Ny tillsyn i maj.",
            "follow_up_due": (local_now() + timedelta(days=30)).date().isoformat()}
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
        assert {f["properties"]["outcome"] for f in config["premises"]} >= {"none"} | \
            {i.outcome for i in db.session.scalars(select(Inspection))} - {"none"}
        titles = {f["properties"]["title"]: f["properties"] for f in config["places"]}
        assert "Utanför zonen" not in titles
        assert titles["Mörk gång vid torget"]["night"] is True and titles["Mörk gång vid torget"]["evening"] is False


def test_field_staff_see_unsafe_places_but_no_inspections(client_as, evening):
    config = _config(client_as("field_staff").get("/evening/").get_data(as_text=True))
    assert config["places"] == [] and config["inspections_shown"] is False


@pytest.mark.parametrize("url", ["/evening/premises", "/evening/trainings", "/evening/premises/1",
                                 "/evening/inspections/1", "/evening/premises/export?format=csv"])
def test_inspections_and_trainings_are_for_licensing_and_police_only(client, client_as, evening, url):
    assert client.get(url).status_code == 302  # to the login page
    assert client_as("field_staff").get(url).status_code == 403
    assert client_as("police").get(url).status_code == 200


def test_the_never_mapped_page_is_public_and_the_readme_says_so_too(client):
    page = client.get("/about/never-mapped?lang=sv").get_data(as_text=True)
    assert "orossamtal" in page and "våld i nära relationer" in page
    readme = README.read_text()
    assert "orossamtal" in readme and "never" in readme.lower()
