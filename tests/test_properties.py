"""Property protection: registering properties, protection, cameras, incidents, site visits and agreed measures
(inventory measures); who sees what (an owner only its own; no camera or protection detail for the public, field staff
or owners, in pages, API, vector tiles and exports); the register import and export; the demo data."""

import io
import json
import math
import re
from datetime import date, timedelta

import geopandas
import openpyxl
import pytest
from shapely.geometry import Point, Polygon, mapping
from sqlalchemy import func, select

from gis_app.auth.models import AuditEntry, Organisation
from gis_app.core.clock import local_now
from gis_app.core.readers import ImportRejected
from gis_app.extensions import db
from gis_app.inventory.models import InventoryYear, Measure
from gis_app.properties import demo, service
from gis_app.properties.models import Camera, Incident, Property, Protection, SiteVisit, VisitMeasure
from tests.factories import PASSWORD, STORTORGET, csrf_token, make_place, make_user

LON, LAT = STORTORGET
OUTLINE = Polygon(
    [
        (LON - 0.0005, LAT - 0.0003),
        (LON + 0.0005, LAT - 0.0003),
        (LON + 0.0005, LAT + 0.0003),
        (LON - 0.0005, LAT + 0.0003),
    ]
)
ELSEWHERE = Polygon([(14.6470, 63.1745), (14.6492, 63.1745), (14.6492, 63.1753), (14.6470, 63.1753)])
CAMERA_NAME = "Kamera gårdssidan"
PERMIT = "IMY-2026-0042"
PROTECTION_TEXT = "Skalskydd: staket och grind med kodlås"


def geojson(shape) -> dict:
    """A GeoJSON geometry as a client sends it (lists, not tuples)."""
    return json.loads(json.dumps(mapping(shape)))


def make_owner(name: str = "Storsjö Fastigheter AB") -> Organisation:
    """The owner organisation (organisations are reference data: kept between tests)."""
    owner = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if owner is None:
        owner = Organisation(name=name, kind="other")
        db.session.add(owner)
        db.session.commit()
    return owner


def log_in(app, user):
    client = app.test_client()
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.data
    return client


def open_this_year() -> InventoryYear:
    inventory = InventoryYear(year=local_now().year, status="open")
    db.session.add(inventory)
    db.session.commit()
    return inventory


def register(owner: Organisation | None, ref="Stadsdelen 1:2", name="Skolan vid torget", outline=OUTLINE) -> Property:
    return service.create_property(
        {
            "ref": ref,
            "name": name,
            "kind": "building",
            "owner_id": owner.id if owner else None,
            "geometry": geojson(outline),
        }
    )


@pytest.fixture
def protected(app_context):
    """A property on Stortorget with an owner, a place, protection, a camera, an incident, a visit and a measure."""
    owner = make_owner()
    place = make_place(title="Mörk skolgård")
    open_this_year()
    prop = register(owner)
    service.add_protection(prop.id, {"kind": "perimeter", "description": PROTECTION_TEXT})
    service.add_camera(
        prop.id,
        {
            "name": CAMERA_NAME,
            "lon": LON,
            "lat": LAT,
            "direction": 90,
            "angle": 60,
            "range_metres": 30,
            "permit_ref": PERMIT,
        },
    )
    service.add_incident(prop.id, {"kind": "break_in", "occurred_at": local_now() - timedelta(days=3)})
    visit = service.create_visit(
        prop.id,
        {
            "visited_on": local_now().date(),
            "participants": "Ägaren, trygghetssamordnaren",
            "findings": "Mörkt vid cykelstället",
        },
    )
    agreed = service.agree_measure(
        visit.id,
        {
            "measure_type": "lighting",
            "description": "Sätt upp belysning vid cykelstället",
            "responsible": "property_owner",
            "responsible_name": "Storsjö Fastigheter AB",
            "responsible_email": "forvaltare@example.se",
            "due_on": local_now().date() + timedelta(days=30),
        },
    )
    return {"owner": owner, "place": place, "property": prop, "visit": visit, "agreed": agreed}


# --- writing --------------------------------------------------------------------------------------------------------


def test_a_property_is_linked_to_its_place_and_its_agreed_measure_is_an_inventory_measure(protected):
    prop, place, agreed = protected["property"], protected["place"], protected["agreed"]
    assert prop.place_id == place.id  # the place on Stortorget lies inside the outline
    measure = db.session.get(Measure, agreed.measure_id)
    assert measure.assessment.place_id == place.id and measure.assessment.year.year == local_now().year
    assert measure.status == "decided" and measure.responsible == "property_owner"
    camera = db.session.scalar(select(Camera))
    view = db.session.scalar(select(func.ST_AsText(Camera.view)))
    assert camera.permit_ref == PERMIT and view.startswith("POLYGON")
    # The sector looks east (90°): its points lie east of the camera, about 30 m out.
    far = db.session.scalar(select(func.ST_XMax(Camera.view)))
    assert far > LON and 25 < (far - LON) * 111_320 * math.cos(math.radians(LAT)) < 35
    entities = set(db.session.scalars(select(AuditEntry.entity)))
    assert {
        "property",
        "property_protection",
        "property_camera",
        "property_incident",
        "property_site_visit",
        "measure",
        "property_visit_measure",
    } <= entities


def test_the_follow_up_changes_the_inventory_measure(protected):
    agreed = protected["agreed"]
    service.follow_up(agreed.id, {"status": "done", "done_on": local_now().date(), "follow_up": "Lampor uppsatta."})
    measure = db.session.get(Measure, agreed.measure_id)
    assert measure.status == "done" and measure.done_on == local_now().date()
    assert db.session.get(VisitMeasure, agreed.id).follow_up == "Lampor uppsatta."
    with pytest.raises(Exception) as refused:
        service.follow_up(agreed.id, {"status": "done", "done_on": None})
    assert refused.value.status == 422 and "done_on" in str(refused.value.errors)


def test_a_measure_needs_a_place_and_an_open_inventory(app_context):
    prop = register(make_owner(), outline=ELSEWHERE)  # no place near it
    visit = service.create_visit(prop.id, {"visited_on": date.today(), "participants": "A", "findings": "B"})
    data = {"measure_type": "lighting", "description": "Ljus", "responsible": "police", "due_on": date.today()}
    with pytest.raises(Exception) as refused:
        service.agree_measure(visit.id, data)
    assert refused.value.status == 409 and refused.value.field == "measure_type"
    assert db.session.scalar(select(func.count()).select_from(Measure)) == 0


def test_bad_input_is_refused_naming_each_field(app_context):
    owner = make_owner()
    with pytest.raises(Exception) as refused:
        service.create_property(
            {
                "ref": "",
                "name": "x" * 201,
                "kind": "castle",
                "owner_id": 999999,
                "geometry": {"type": "Point", "coordinates": [1, 2]},
            }
        )
    fields = {name for name, _ in refused.value.errors}
    assert fields == {"ref", "name", "kind", "owner_id", "geometry"}
    kommunen = db.session.scalar(select(Organisation).where(Organisation.kind == "kommun"))
    with pytest.raises(Exception) as refused:
        service.create_property(
            {"ref": "A", "name": "B", "kind": "plot", "owner_id": kommunen.id, "geometry": geojson(OUTLINE)}
        )
    assert {name for name, _ in refused.value.errors} == {"owner_id"}
    prop = register(owner)
    with pytest.raises(Exception) as refused:
        register(owner)
    assert refused.value.status == 409 and refused.value.field == "ref"
    with pytest.raises(Exception) as refused:
        service.add_camera(prop.id, {"name": "K", "lon": 18.07, "lat": 59.33, "direction": 400, "angle": 0})
    assert {name for name, _ in refused.value.errors} == {"lon", "direction", "angle", "range_metres"}
    with pytest.raises(Exception) as refused:
        service.add_incident(prop.id, {"kind": "theft", "occurred_at": local_now() + timedelta(days=2)})
    assert {name for name, _ in refused.value.errors} == {"kind", "occurred_at"}


def test_pages_answer_bad_forms_with_400_naming_the_field(app, protected):
    security = log_in(app, make_user("security"))
    prop_id = protected["property"].id
    url = f"/properties/{prop_id}"
    token = csrf_token(security, url)
    response = security.post(f"{url}/cameras", data={"csrf_token": token, "name": "K", "lon": "abc", "lat": "63.17"})
    assert response.status_code == 400 and 'data-field="lon"' in response.get_data(as_text=True)
    response = security.post(
        "/properties/new",
        data={"csrf_token": token, "ref": "X 1:1", "name": "X", "kind": "plot", "geometry": "{not json"},
    )
    assert response.status_code == 400 and 'data-field="geometry"' in response.get_data(as_text=True)
    visit_url = f"/properties/visits/{protected['visit'].id}"
    response = security.post(
        f"{visit_url}/measures",
        data={
            "csrf_token": token,
            "measure_type": "lighting",
            "description": "Ljus",
            "responsible": "police",
            "responsible_email": "inte en adress",
            "due_on": "2030-01-01",
        },
    )
    assert response.status_code == 400 and 'data-field="responsible_email"' in response.get_data(as_text=True)
    response = security.post(
        f"{visit_url}/measures",
        data={
            "csrf_token": token,
            "measure_type": "lighting",
            "description": "Ljus",
            "responsible": "police",
            "due_on": "2026-13-01",
        },
    )
    assert response.status_code == 400 and 'data-field="due_on"' in response.get_data(as_text=True)
    assert security.get("/properties/99999999999").status_code == 404
    assert security.post(f"{url}/incidents", json={"kind": "other"}).status_code == 400  # no CSRF token: refused


# --- who sees what --------------------------------------------------------------------------------------------------


def _secrets_in(text: str) -> list[str]:
    return [secret for secret in (CAMERA_NAME, PERMIT, PROTECTION_TEXT, "Skalskydd") if secret in text]


def test_an_owner_sees_only_its_own_properties_visits_and_measures(app, protected):
    other = make_owner("Annan Ägare AB")
    theirs = register(other, ref="Annat 3:4", name="Grannens butik", outline=ELSEWHERE)
    their_visit = service.create_visit(theirs.id, {"visited_on": date.today(), "participants": "G", "findings": "H"})
    owner_client = log_in(app, make_user("property_owner", organisation="Storsjö Fastigheter AB"))
    page = owner_client.get("/properties/").get_data(as_text=True)
    assert "Skolan vid torget" in page and "Grannens butik" not in page
    config = json.loads(re.search(r'id="properties-config">(.*?)</script>', page, re.S).group(1))
    assert [f["properties"]["name"] for f in config["properties"]] == ["Skolan vid torget"]
    assert config["cameras"] is None and config["views"] is None
    detail = owner_client.get(f"/properties/{protected['property'].id}")
    assert detail.status_code == 200 and "Sätt upp belysning" in detail.get_data(as_text=True)
    assert _secrets_in(detail.get_data(as_text=True)) == []  # its own protection and cameras stay with security
    assert owner_client.get(f"/properties/visits/{protected['visit'].id}").status_code == 200
    assert owner_client.get(f"/properties/{theirs.id}").status_code == 404
    assert owner_client.get(f"/properties/visits/{their_visit.id}").status_code == 404
    assert owner_client.get("/properties/export?format=csv").status_code == 403
    assert owner_client.get("/properties/new").status_code == 403
    # Everything else is the public view: places without staff pages.
    assert owner_client.get(f"/places/{protected['place'].id}").status_code == 403


def test_field_staff_planners_and_the_public_see_no_camera_or_protection(app, client, protected):
    prop_id = protected["property"].id
    assert client.get("/properties/").status_code == 302  # the public: to the login
    assert client.get(f"/properties/{prop_id}").status_code == 302
    for role in ("field_staff", "planner"):
        staff = log_in(app, make_user(role))
        for url in ("/properties/", f"/properties/{prop_id}", f"/properties/visits/{protected['visit'].id}"):
            response = staff.get(url)
            assert response.status_code == 200 and _secrets_in(response.get_data(as_text=True)) == [], (role, url)
    security = log_in(app, make_user("security"))
    page = security.get(f"/properties/{prop_id}").get_data(as_text=True)
    assert CAMERA_NAME in page and PERMIT in page and PROTECTION_TEXT in page


def _tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_no_camera_or_protection_in_the_api_tiles_or_exports(app, client, protected):
    field = log_in(app, make_user("field_staff"))
    planner = log_in(app, make_user("planner"))
    for caller in (client, field):
        collections = caller.get("/api/collections").json["collections"]
        assert all("propert" not in c["id"] and "camera" not in c["id"] for c in collections)
        for collection in collections:
            items = caller.get(f"/api/collections/{collection['id']}/items?limit=1000")
            assert _secrets_in(items.get_data(as_text=True)) == []
        for z in (12, 16):
            x, y = _tile(LON, LAT, z)
            tile = caller.get(f"/tiles/places/{z}/{x}/{y}.mvt").data
            assert CAMERA_NAME.encode() not in tile and PERMIT.encode() not in tile
    assert field.get("/properties/export?format=csv").status_code == 403
    csv_text = planner.get("/properties/export?format=csv").get_data(as_text=True)
    assert "Skolan vid torget" in csv_text and _secrets_in(csv_text) == [] and "kameror" not in csv_text
    security = log_in(app, make_user("security"))
    csv_text = security.get("/properties/export?format=csv").get_data(as_text=True)
    assert "kameror" in csv_text and CAMERA_NAME not in csv_text  # counts, never positions or names


# --- the register: import and export --------------------------------------------------------------------------------


def _register_frame(rows):
    return geopandas.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def test_the_register_imports_from_geopackage_and_geojson(cli, app_context, tmp_path):
    make_owner()
    frame = _register_frame(
        [
            {
                "fastighet": "Centrum 1:1",
                "namn": "Köpcentret",
                "adress": "Storgatan 1",
                "typ": "byggnad",
                "agare": "Storsjö Fastigheter AB",
                "geometry": OUTLINE,
            },
            {"fastighet": "Odenslund 1:12", "namn": "Parkeringen", "typ": "tomt", "geometry": ELSEWHERE},
        ]
    )
    gpkg = tmp_path / "fastigheter.gpkg"
    frame.to_file(gpkg, driver="GPKG")
    result = cli.invoke(args=["import-properties", str(gpkg)])
    assert result.exit_code == 0 and "2 nya, 0 uppdaterade" in result.output, result.output
    owner = db.session.scalar(select(Organisation).where(Organisation.name == "Storsjö Fastigheter AB"))
    assert db.session.scalar(select(Property.owner_id).where(Property.ref == "Centrum 1:1")) == owner.id
    geojson = tmp_path / "fastigheter.geojson"
    frame.to_crs(3006).to_file(geojson, driver="GeoJSON")  # in SWEREF 99 TM: read back to WGS 84
    result = cli.invoke(args=["import-properties", str(geojson)])
    assert result.exit_code == 0 and "0 nya, 2 uppdaterade" in result.output, result.output
    centroid = db.session.scalar(
        select(func.ST_AsText(func.ST_Centroid(Property.geom))).where(Property.ref == "Centrum 1:1")
    )
    x, y = map(float, centroid[6:-1].split())
    assert abs(x - LON) < 1e-6 and abs(y - LAT) < 1e-6


def test_a_broken_register_imports_nothing_and_names_each_row(app_context, tmp_path):
    frame = _register_frame(
        [
            {"fastighet": "Bra 1:1", "namn": "Bra", "typ": "byggnad", "agare": None, "geometry": OUTLINE},
            {"fastighet": "Punkt 1:1", "namn": "Punkt", "typ": "byggnad", "agare": None, "geometry": Point(LON, LAT)},
            {"fastighet": "Okänd 1:1", "namn": "", "typ": "slott", "agare": "Ingen AB", "geometry": ELSEWHERE},
            {"fastighet": "Bra 1:1", "namn": "Igen", "typ": "tomt", "agare": None, "geometry": ELSEWHERE},
        ]
    )
    path = tmp_path / "trasig.geojson"
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(ImportRejected) as refused:
        service.import_properties(path)
    report = refused.value.report()
    assert "3 av 4 rader" in report  # Swedish by default
    assert "objekt 2, geometry" in report and "objekt 3, namn" in report and "objekt 3, typ" in report
    assert "objekt 3, agare" in report and "objekt 4, fastighet" in report
    assert db.session.scalar(select(func.count()).select_from(Property)) == 0
    with pytest.raises(ImportRejected, match="fastighet"):
        _register_frame([{"namn": "X", "geometry": OUTLINE}]).to_file(tmp_path / "x.geojson", driver="GeoJSON")
        service.import_properties(tmp_path / "x.geojson")


def test_the_export_reads_back_as_xlsx_and_geopackage(app, protected, tmp_path):
    security = log_in(app, make_user("security"))
    workbook = openpyxl.load_workbook(io.BytesIO(security.get("/properties/export?format=xlsx").data))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert row["fastighet"] == "Stadsdelen 1:2" and row["agare"] == "Storsjö Fastigheter AB"
    assert row["incidenter"] == 1 and row["platsbesok"] == 1 and row["oppna_atgarder"] == 1
    assert row["kameror"] == 1 and row["skydd"] == 1
    path = tmp_path / "fastigheter.gpkg"
    path.write_bytes(security.get("/properties/export?format=gpkg").data)
    frame = geopandas.read_file(path)
    assert frame.crs.to_epsg() == 3006 and list(frame["ref"]) == ["Stadsdelen 1:2"]
    assert frame.geometry.iloc[0].geom_type == "Polygon"
    assert abs(frame.to_crs(4326).geometry.iloc[0].centroid.x - LON) < 1e-6
    assert security.get("/properties/export?format=shp").status_code == 400


# --- demo data ------------------------------------------------------------------------------------------------------


def test_the_demo_has_protection_a_camera_incidents_and_a_visit_with_measures(app_context):
    make_place(title="Mörk skolgård", geometry={"type": "Point", "coordinates": [14.6438, 63.1789]})
    db.session.add(InventoryYear(year=2025, status="closed"))
    db.session.commit()
    assert demo.load_if_missing(2380).startswith("Läste in 3")
    props = list(db.session.scalars(select(Property)))
    assert len(props) == 3 and all(p.demo and "(demo)" in p.name for p in props)
    assert all(p.owner.kind == "other" and "(demo)" in p.owner.name for p in props)
    assert db.session.scalar(select(func.count()).select_from(Camera)) == 2
    assert db.session.scalar(select(func.count()).select_from(Protection)) >= 3
    assert db.session.scalar(select(func.count()).select_from(Incident)) >= 5
    assert db.session.scalar(select(func.count()).select_from(SiteVisit)) == 1
    assert db.session.scalar(select(func.count()).select_from(VisitMeasure)) == 2
    assert demo.load_if_missing(2380) == ""
