"""Safety walks: the route order and length, and the capture API (idempotent by UUID, GPS accuracy, photos)."""

import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from geoalchemy2.shape import from_shape
from PIL import Image
from shapely.geometry import Point
from sqlalchemy import func, select

from gis_app import routing
from gis_app.auth.models import AuditEntry
from gis_app.extensions import db
from gis_app.photos.models import Photo
from gis_app.places.models import Observation, Place
from gis_app.walks import service
from gis_app.walks.models import Finding, FindingPhoto, Walk
from tests.factories import STORTORGET, csrf_token, make_place, make_token, make_user

GPS_IFD = 0x8825


def make_walk(title="Kvällsvandring centrum", meeting=STORTORGET) -> Walk:
    walk = Walk(
        title=title,
        starts_at=datetime(2026, 11, 30, 18, 0, tzinfo=UTC),
        meeting_place="Stortorget",
        meeting_point=from_shape(Point(*meeting), srid=4326),
        organiser_kinds=["municipality", "police"],
    )
    db.session.add(walk)
    db.session.commit()
    return walk


def jpeg_with_gps(color=(200, 40, 40)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (63.0, 10.0, 36.0), 3: "E", 4: (14.0, 38.0, 14.0)})
    out = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def finding(**fields) -> dict:
    lon, lat = STORTORGET
    return {
        "client_uuid": str(uuid.uuid4()),
        "geometry": {"type": "Point", "coordinates": [lon + 0.001, lat]},
        "accuracy_m": 8,
        "category": "poor_lighting",
        "note": "Trasig lampa vid busshållplatsen",
        "scores": {"lighting": 0, "feeling": 1},
        **fields,
    }


def post(client, walk_id, data, photos=(), token=None):
    form = {"finding": json.dumps(data)}
    if photos:
        form["photo"] = [(io.BytesIO(content), f"photo{i}.jpg") for i, content in enumerate(photos)]
    headers = {"X-CSRFToken": token or csrf_token(client, f"/walks/{walk_id}/capture")}
    return client.post(f"/api/walks/{walk_id}/findings", data=form, headers=headers, content_type="multipart/form-data")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --- the route --------------------------------------------------------------------------------------------------

# Four corners of a square about 1 km a side around Stortorget, given in a scrambled order.
SQUARE = [(14.6472, 63.1812), (14.6272, 63.1722), (14.6472, 63.1722), (14.6272, 63.1812)]


def test_route_order_and_length_on_known_points():
    start = (14.6272, 63.1767)  # the middle of the square's west side
    order, metres = routing.order_stops(start, SQUARE, end=start)
    visited = [SQUARE[i] for i in order]
    # Around the square without crossing itself: from the west side to one western corner, then round.
    assert visited in ([SQUARE[3], SQUARE[0], SQUARE[2], SQUARE[1]], [SQUARE[1], SQUARE[2], SQUARE[0], SQUARE[3]])
    side_ns = routing.distance_m((14.6272, 63.1722), (14.6272, 63.1812))
    side_ew = routing.distance_m((14.6272, 63.1722), (14.6472, 63.1722))
    assert metres == pytest.approx(2 * side_ns + 2 * side_ew, rel=1e-3)
    assert 900 < side_ns < 1100 and 950 < side_ew < 1050


def test_stops_are_ordered_from_the_meeting_point_with_length_and_time(app, app_context):
    places = [
        make_place(geometry={"type": "Point", "coordinates": list(p)}, title=f"P{i}") for i, p in enumerate(SQUARE)
    ]
    walk = make_walk(meeting=(14.6272, 63.1767))
    with app.test_request_context():
        service.set_stops(walk, [p.id for p in places])
        summary = service.route_summary(walk)
    assert [s.place.title for s in walk.stops] in (["P3", "P0", "P2", "P1"], ["P1", "P2", "P0", "P3"])
    assert summary["metres"] == pytest.approx(
        routing.order_stops((14.6272, 63.1767), SQUARE, end=(14.6272, 63.1767))[1]
    )
    assert summary["minutes"] == pytest.approx(summary["metres"] / 4000 * 60)  # 4 km/h
    first = walk.stops[0].id
    with app.test_request_context():
        service.move_stop(walk, first, +1)
    db.session.expire_all()
    assert walk.stops[1].id == first
    assert db.session.scalar(select(func.count()).where(AuditEntry.entity == "walk_stops")) == 2


# --- the capture API ------------------------------------------------------------------------------------------------


def test_the_same_uuid_three_times_gives_one_finding(client_as, app_context):
    walk = make_walk()
    client = client_as("field_staff")
    data = finding()
    answers = [post(client, walk.id, data) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert len({a.json["id"] for a in answers}) == 1
    assert count(Finding) == 1 and count(Observation) == 1 and count(Place) == 1
    stored = db.session.scalar(select(Finding))
    assert stored.observation.source_code == "safety_walk" and stored.new_place
    assert stored.scores == {"lighting": 0, "feeling": 1} and not stored.flagged
    assert stored.place.category_code == "poor_lighting"
    entities = db.session.scalars(select(AuditEntry.entity).order_by(AuditEntry.id)).all()
    assert entities == ["place", "observation", "walk_finding"]


def test_a_poor_fix_is_flagged(client_as, app_context):
    walk = make_walk()
    client = client_as("police")
    assert post(client, walk.id, finding(accuracy_m=85)).json["properties"]["flagged"] is True
    assert post(client, walk.id, finding(accuracy_m=30)).json["properties"]["flagged"] is False
    assert post(client, walk.id, finding(accuracy_m=None, pin_moved=True)).json["properties"]["flagged"] is True


def test_photos_are_stored_without_exif_gps_and_linked(client_as, app_context):
    walk = make_walk()
    client = client_as("field_staff")
    answer = post(client, walk.id, finding(), photos=[jpeg_with_gps(), jpeg_with_gps((10, 10, 200))])
    assert answer.status_code == 201
    photo_ids = answer.json["properties"]["photos"]
    assert len(photo_ids) == 2 and count(FindingPhoto) == 2
    for photo_id in photo_ids:
        photo = db.session.get(Photo, photo_id)
        stored = Image.open(io.BytesIO(photo.data))
        assert not stored.getexif().get_ifd(GPS_IFD) and "exif" not in stored.info
        assert client.get(f"/photos/{photo_id}").status_code == 200


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("case", ["not_an_image", "oversized", "bomb"])
def test_bad_photos_get_a_4xx_and_nothing_is_stored(client_as, app_context, app, monkeypatch, case):
    walk = make_walk()
    client = client_as("field_staff")
    content = {"not_an_image": b"%PDF-1.4 not an image", "oversized": jpeg_with_gps(), "bomb": _bomb()}[case]
    if case == "oversized":
        monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 5000)
    answer = post(client, walk.id, finding(), photos=[jpeg_with_gps((1, 2, 3)), content])
    assert 400 <= answer.status_code < 500 and answer.json["field"] == "photo"
    assert (count(Finding), count(Photo), count(Observation), count(Place), count(AuditEntry)) == (0, 0, 0, 0, 0)


def test_a_finding_near_a_place_of_its_category_can_join_it(client_as, app_context):
    walk = make_walk()
    place = make_place()
    client = client_as("field_staff")
    places = client.get(f"/api/walks/{walk.id}/places").json
    assert places["nearby_metres"] == 25 and [p["id"] for p in places["places"]] == [place.id]
    answer = post(client, walk.id, finding(place_id=place.id))
    assert answer.status_code == 201 and answer.json["properties"]["new_place"] is False
    assert count(Place) == 1 and count(Observation) == 1
    assert db.session.scalar(select(Observation)).place_id == place.id


def test_a_safe_place_needs_no_category_and_makes_no_unsafe_place(client_as, app_context):
    walk = make_walk()
    client = client_as("planner")
    answer = post(client, walk.id, finding(category=None, safe_place=True, note="Välbelyst torg"))
    assert answer.status_code == 201 and answer.json["properties"]["safe_place"] is True
    assert count(Place) == 0 and count(Observation) == 0 and count(Finding) == 1


def test_invalid_findings_are_refused_with_every_field(client_as, app_context):
    walk = make_walk()
    client = client_as("field_staff")
    data = finding(
        category="nope",
        scores={"lighting": 7, "smell": 1},
        client_uuid="x",
        geometry={"type": "Point", "coordinates": [0, 0]},
    )
    answer = post(client, walk.id, data)
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json["errors"]}
    assert {"category", "scores.lighting", "scores.smell", "client_uuid", "geometry"} <= fields
    assert count(Finding) == 0


def test_the_public_and_missing_csrf_are_refused(client, client_as, app_context):
    walk = make_walk()
    assert client.post(f"/api/walks/{walk.id}/findings", data={"finding": "{}"}).status_code == 401
    staff = client_as("field_staff")
    answer = staff.post(f"/api/walks/{walk.id}/findings", data={"finding": json.dumps(finding())})
    assert answer.status_code == 400 and answer.json["code"] == "CSRFError"
    assert count(Finding) == 0


def test_a_token_with_the_observation_scope_can_record(client, app_context):
    walk = make_walk()
    secret = make_token(make_user("field_staff"), scopes=["write:observations"])
    answer = client.post(
        f"/api/walks/{walk.id}/findings", json=finding(), headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 201
    weak = make_token(make_user("field_staff"), scopes=["read"], name="weak")
    assert (
        client.post(
            f"/api/walks/{walk.id}/findings", json=finding(), headers={"Authorization": f"Bearer {weak}"}
        ).status_code
        == 403
    )


def test_findings_come_back_as_geojson_and_csv(client_as, app_context):
    walk = make_walk()
    client = client_as("field_staff")
    post(client, walk.id, finding(note='=HYPERLINK("x")'))
    post(client, walk.id, finding(accuracy_m=60))
    collection = client.get(f"/api/walks/{walk.id}/findings").json
    assert [f["properties"]["number"] for f in collection["features"]] == [1, 2]
    assert client.get(f"/api/walks/{walk.id}/findings").headers["Cache-Control"] == "no-store"
    exported = client.get(f"/walks/{walk.id}/findings.geojson")
    assert exported.status_code == 200 and len(json.loads(exported.data)["features"]) == 2
    text = client.get(f"/walks/{walk.id}/findings.csv").get_data(as_text=True)
    lines = text.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Nr;Fynd-id;Registrerat (lokal tid);Ljus;Kategori") and len(lines) == 3
    assert "'=HYPERLINK" in text  # no formula reaches a spreadsheet
    assert "POINT(4" in text.splitlines()[1]  # SWEREF 99 TM (easting about 4.7e5) unless asked otherwise
    assert "POINT(14.6" in client.get(f"/walks/{walk.id}/findings.csv?srid=4326").get_data(as_text=True)
    feature = json.loads(exported.data)["features"][0]
    assert feature["geometry"]["coordinates"][0] == pytest.approx(STORTORGET[0] + 0.001)
    assert feature["properties"]["score_lighting"] == 0
    for fmt in ("xlsx", "gpkg"):
        assert client.get(f"/walks/{walk.id}/findings.{fmt}").status_code == 200
    assert client.get(f"/walks/{walk.id}/findings.pdf").status_code == 404


def test_the_same_uuid_sent_in_parallel_is_stored_once(live_server, app_context):
    """Two phones' retries racing each other: the unique UUID decides, and every answer names the same finding."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    walk_id = make_walk().id
    secret = make_token(make_user("field_staff"), scopes=["write:observations"])
    body = json.dumps(finding()).encode()

    def send(_):
        request = urllib.request.Request(
            f"{live_server}/api/walks/{walk_id}/findings",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())["id"]

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send, range(6)))
    assert sorted(status for status, _ in answers).count(201) == 1
    assert {status for status, _ in answers} <= {200, 201} and len({i for _, i in answers}) == 1
    assert count(Finding) == 1 and count(Observation) == 1 and count(Place) == 1


def test_findings_in_excel_have_local_times_labels_and_coordinates(client_as, app_context, tmp_path):
    """A finding recorded at 18:30 UTC shows its Östersund time as a real Excel date, not as text."""
    import openpyxl
    import pyogrio

    walk = make_walk()
    client = client_as("field_staff")
    recorded = (datetime.now(UTC) - timedelta(days=3)).replace(hour=18, minute=30, second=0, microsecond=0)
    post(client, walk.id, finding(recorded_at=recorded.isoformat()))
    path = tmp_path / "findings.xlsx"
    path.write_bytes(client.get(f"/walks/{walk.id}/findings.xlsx").get_data())
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1]))
    local = recorded.astimezone(ZoneInfo("Europe/Stockholm")).replace(tzinfo=None)
    assert row["Registrerat (lokal tid)"] == local
    assert row["Trygg plats"] == "Nej" and row["Latitud (WGS 84)"] == pytest.approx(STORTORGET[1], abs=0.01)
    gpkg = tmp_path / "findings.gpkg"
    gpkg.write_bytes(client.get(f"/walks/{walk.id}/findings.gpkg").get_data())
    assert pyogrio.read_info(gpkg)["geometry_type"] == "Point"
    disposition = client.get(f"/walks/{walk.id}/findings.csv").headers["Content-Disposition"]
    assert f"trygghetsvandring-{walk.id}-fynd-" in disposition
