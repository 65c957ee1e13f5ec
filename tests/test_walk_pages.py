"""Safety walk pages: planning, stops and order, the A4 route sheet, the protocol (HTML and PDF), exports,
follow-up walks, the capture page shell and its service worker."""

import json
import re

from sqlalchemy import func, select

from gis_app.auth.models import AuditEntry
from gis_app.extensions import db
from gis_app.inventory.models import Assessment, InventoryYear, Measure
from gis_app.places.models import Place
from gis_app.walks.models import Finding, Walk
from tests.factories import STORTORGET, csrf_token, make_area, make_place
from tests.test_walk_api import SQUARE, finding, jpeg_with_gps, make_walk, post

EXTERNAL_URL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _plan(client, **fields):
    token = csrf_token(client, "/walks/new")
    data = {
        "csrf_token": token,
        "title": "Kvällsvandring Centrum",
        "starts_at": "2026-12-03T19:00",
        "meeting_place": "Stortorget",
        "meeting_lat": str(STORTORGET[1]),
        "meeting_lon": str(STORTORGET[0]),
        "district_id": "",
        "organiser_kinds": ["municipality", "police", "property_owner"],
        "organisers": "Brf Solgården",
        "expected_participants": "25",
        **fields,
    }
    return client.post("/walks/new", data=data)


def test_a_planner_plans_a_walk_with_an_evening_default(client_as, app_context):
    planner = client_as("planner")
    html = planner.get("/walks/new").get_data(as_text=True)
    assert re.search(r'id="starts_at"[^>]*value="\d{4}-\d\d-\d\dT19:00"', html)
    answer = _plan(planner)
    assert answer.status_code == 302
    walk = db.session.scalar(select(Walk))
    assert walk.organiser_kinds == ["municipality", "police", "property_owner"]
    assert walk.expected_participants == 25 and walk.starts_at.hour == 18  # 19:00 in Stockholm is 18:00 UTC
    assert db.session.scalar(select(func.count()).where(AuditEntry.entity == "walk")) == 1


def test_a_meeting_point_outside_the_area_is_refused(client_as, app_context):
    planner = client_as("planner")
    answer = _plan(planner, meeting_lat="59.33", meeting_lon="18.06")  # Stockholm
    assert answer.status_code == 200 and "field-error" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Walk)) == 0


def test_field_staff_cannot_plan(client_as, app_context):
    staff = client_as("field_staff")
    assert staff.get("/walks/new").status_code == 403
    walk = make_walk()
    html = staff.get(f"/walks/{walk.id}").get_data(as_text=True)
    assert "place_id" not in html and f"/walks/{walk.id}/capture" in html


def test_choosing_filtered_places_orders_them_and_shows_length_and_time(client_as, app_context):
    for i, point in enumerate(SQUARE):
        make_place(
            geometry={"type": "Point", "coordinates": list(point)},
            title=f"P{i}",
            time_of_day="evening",
            affected_group="women",
        )
    make_place(title="Dagtid", time_of_day="day")
    walk = make_walk(meeting=(14.6272, 63.1767))
    planner = client_as("planner")
    html = planner.get(
        f"/walks/{walk.id}?affected_group=women&time_of_day=evening&months=12&category=poor_lighting"
    ).get_data(as_text=True)
    assert html.count('name="place_id"') == 4 and "Dagtid" not in html
    ids = re.findall(r'name="place_id" value="(\d+)"', html)
    token = csrf_token(planner, f"/walks/{walk.id}")
    assert planner.post(f"/walks/{walk.id}/stops", data={"csrf_token": token, "place_id": ids}).status_code == 302
    html = planner.get(f"/walks/{walk.id}").get_data(as_text=True)
    titles = re.findall(r'<span class="stop-title">(P\d)', html)
    assert titles in (["P3", "P0", "P2", "P1"], ["P1", "P2", "P0", "P3"])
    metres = int(re.search(r'data-route-metres="(\d+)"', html).group(1))
    assert 3900 < metres < 4200 and "4.0 km" in html
    assert re.search(r"\b6[0-2]\b", html)  # about an hour at 4 km/h
    sheet = planner.get(f"/walks/{walk.id}/print").get_data(as_text=True)
    assert "data:image/svg+xml;base64," in sheet and sheet.count("<tr><td>") == 5


def test_a_drawn_route_replaces_the_straight_legs(client_as, app_context):
    walk = make_walk()
    planner = client_as("planner")
    token = csrf_token(planner, f"/walks/{walk.id}")
    line = {"type": "LineString", "coordinates": [list(STORTORGET), [14.64, 63.18], list(STORTORGET)]}
    assert (
        planner.post(f"/walks/{walk.id}/route", data={"csrf_token": token, "route": json.dumps(line)}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Walk, walk.id).route is not None
    bad = planner.post(f"/walks/{walk.id}/route", data={"csrf_token": token, "route": '{"type": "Point"}'})
    assert bad.status_code == 400
    planner.post(f"/walks/{walk.id}/route", data={"csrf_token": token, "route": ""})
    db.session.expire_all()
    assert db.session.get(Walk, walk.id).route is None


def _walk_with_findings(client):
    walk = make_walk()
    post(client, walk.id, finding(note="Trasig lampa"), photos=[jpeg_with_gps()])
    post(client, walk.id, finding(accuracy_m=70, category="vandalism", note="<b>Krossad</b> ruta"))
    post(client, walk.id, finding(category=None, safe_place=True, note="Välbelyst torg"))
    return walk


def test_the_protocol_shows_findings_photos_and_takes_measures(client_as, app_context):
    planner = client_as("planner")
    walk = _walk_with_findings(planner)
    html = planner.get(f"/walks/{walk.id}/protocol").get_data(as_text=True)
    assert html.count('class="finding"') == 3
    assert "&lt;b&gt;Krossad&lt;/b&gt;" in html and "<b>Krossad" not in html
    assert re.search(r'src="/photos/\d+/thumbnail"', html)
    assert 'class="flag"' in html and "data:image/svg+xml" in html
    first = db.session.scalar(select(Finding).order_by(Finding.id))
    token = csrf_token(planner, f"/walks/{walk.id}/protocol")
    answer = planner.post(
        f"/walks/{walk.id}/findings/{first.id}",
        data={"csrf_token": token, "proposed_measure": "Byt armatur", "responsible": "municipal_unit", "priority": "1"},
    )
    assert answer.status_code == 302
    db.session.expire_all()
    first = db.session.get(Finding, first.id)
    assert (first.proposed_measure, first.responsible, first.priority) == ("Byt armatur", "municipal_unit", 1)


def test_the_protocol_pdf_embeds_its_images(client_as, app_context):
    planner = client_as("planner")
    walk = _walk_with_findings(planner)
    answer = planner.get(f"/walks/{walk.id}/protocol.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF")
    assert answer.data.count(b"/Subtype /Image") >= 1  # the photo, taken from the database


def test_field_staff_see_but_cannot_edit_the_protocol(client_as, app_context):
    staff = client_as("field_staff")
    walk = _walk_with_findings(staff)
    html = staff.get(f"/walks/{walk.id}/protocol").get_data(as_text=True)
    assert 'class="protocol-form' not in html
    finding_id = db.session.scalar(select(Finding.id))
    token = csrf_token(staff, f"/walks/{walk.id}/protocol")
    assert staff.post(f"/walks/{walk.id}/findings/{finding_id}", data={"csrf_token": token}).status_code == 403


def test_a_follow_up_walk_repeats_the_route_and_shows_what_was_done(client_as, app_context):
    planner = client_as("planner")
    places = [
        make_place(geometry={"type": "Point", "coordinates": list(p)}, title=f"P{i}") for i, p in enumerate(SQUARE)
    ]
    walk = make_walk()
    token = csrf_token(planner, f"/walks/{walk.id}")
    planner.post(f"/walks/{walk.id}/stops", data={"csrf_token": token, "place_id": [p.id for p in places]})
    post(planner, walk.id, finding(place_id=places[0].id, note="Fortfarande mörkt"))
    places[0].status_code = "confirmed"
    year = InventoryYear(year=2026)
    db.session.add(year)
    db.session.flush()
    assessment = Assessment(year_id=year.id, place_id=places[0].id, still_unsafe=True, main_factor="poor_lighting")
    db.session.add(assessment)
    db.session.flush()
    db.session.add(
        Measure(
            assessment_id=assessment.id,
            measure_type="lighting",
            responsible="municipal_unit",
            status="done",
            description="Ny LED-armatur",
        )
    )
    db.session.commit()
    answer = planner.post(f"/walks/{walk.id}/follow-up", data={"csrf_token": token})
    assert answer.status_code == 302
    follow = db.session.scalar(select(Walk).where(Walk.follows_walk_id == walk.id))
    assert [s.place_id for s in follow.stops] == [s.place_id for s in db.session.get(Walk, walk.id).stops]
    html = planner.get(f"/walks/{follow.id}").get_data(as_text=True)
    assert "Fortfarande mörkt" in html and 'data-status="confirmed"' in html
    assert "Ny LED-armatur: Utförd" in html and 'data-measure-status="done"' in html


def test_the_capture_page_and_its_service_worker(client, client_as, app_context):
    walk = make_walk()
    staff = client_as("field_staff")
    html = staff.get(f"/walks/{walk.id}/capture").get_data(as_text=True)
    assert EXTERNAL_URL.findall(html) == []
    assert 'name="viewport"' in html and html.count('data-score="lighting"') == 4
    assert html.count("data-score=") == 36  # nine parameters, scores 0–3
    worker = client.get("/walks/sw.js")  # the public may fetch the worker; it holds no data
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    body = worker.get_data(as_text=True)
    assert "/static/js/walk_capture.js" in body and '"/api/"' in body
    assert client.get(f"/walks/{walk.id}/capture").status_code == 302  # the page itself: staff only
    manifest = json.loads(client.get("/walks/manifest.webmanifest").data)
    assert manifest["scope"] == "/walks/"


def test_the_public_sees_nothing(client, app_context):
    walk = make_walk()
    for url in ("/walks/", f"/walks/{walk.id}", f"/walks/{walk.id}/protocol", f"/walks/{walk.id}/findings.csv"):
        assert client.get(url).status_code == 302
    assert client.get(f"/api/walks/{walk.id}/findings").status_code in (302, 401)


def test_the_walk_list(client_as, app_context):
    make_walk(title="Vandring Lugnvik")
    html = client_as("police").get("/walks/").get_data(as_text=True)
    assert "Vandring Lugnvik" in html and "/walks/new" not in html
    assert "/walks/new" in client_as("planner").get("/walks/").get_data(as_text=True)


def test_static_svg_map_draws_numbered_findings():
    from gis_app.maps.walk_map import Stop, svg_map

    svg = svg_map(
        (14.63, 63.17),
        [(14.63, 63.17), (14.64, 63.18)],
        [Stop(14.64, 63.18, "A")],
        [(14.635, 63.175, "1", "#ff0000"), (14.636, 63.176, "<2>", "javascript:x")],
    )
    assert svg.count('class="finding"') == 2 and "&lt;2&gt;" in svg and "javascript" not in svg


# --- issue 11: safety walks ---------------------------------------------------------------------------------------


def _box(west, south, east, north):
    return {
        "type": "MultiPolygon",
        "coordinates": [[[[west, south], [east, south], [east, north], [west, north], [west, south]]]],
    }


def test_saving_stops_from_a_filtered_list_keeps_the_stops_not_shown(client_as, app_context):
    centre = make_area(_box(14.62, 63.17, 14.65, 63.19), code="C", name="Centrum")
    north = make_area(_box(14.62, 63.19, 14.65, 63.21), code="N", name="Norr")
    here = make_place(geometry={"type": "Point", "coordinates": [14.63, 63.18]}, title="Torget")
    there = make_place(geometry={"type": "Point", "coordinates": [14.63, 63.20]}, title="Parken")
    walk = make_walk()
    planner = client_as("planner")
    token = csrf_token(planner, f"/walks/{walk.id}")
    planner.post(f"/walks/{walk.id}/stops", data={"csrf_token": token, "place_id": [here.id], "shown_id": [here.id]})
    # Now the list shows only the northern district; the stop in the centre is not in it.
    html = planner.get(f"/walks/{walk.id}?district={north.id}").get_data(as_text=True)
    assert "Torget</span>" not in html.split('id="stops-form"')[1]
    planner.post(f"/walks/{walk.id}/stops", data={"csrf_token": token, "place_id": [there.id], "shown_id": [there.id]})
    db.session.expire_all()
    assert sorted(s.place_id for s in db.session.get(Walk, walk.id).stops) == sorted([here.id, there.id])
    # Unticking a place that is shown takes it off.
    planner.post(f"/walks/{walk.id}/stops", data={"csrf_token": token, "shown_id": [there.id]})
    db.session.expire_all()
    assert [s.place_id for s in db.session.get(Walk, walk.id).stops] == [here.id]
    html = planner.get(f"/walks/{walk.id}?district={centre.id}").get_data(as_text=True)
    assert f'name="shown_id" value="{here.id}"' in html and "Parken" not in html


def _audit_rows(entity, action):
    return db.session.scalar(select(func.count()).where(AuditEntry.entity == entity, AuditEntry.action == action))


def test_a_planner_edits_every_field_of_a_walk_and_re_dates_it(client_as, app_context):
    district = make_area(_box(14.62, 63.17, 14.65, 63.19), code="C", name="Centrum")
    walk = make_walk()
    planner = client_as("planner")
    html = planner.get(f"/walks/{walk.id}/edit").get_data(as_text=True)
    assert 'value="Kvällsvandring centrum"' in html and 'value="2026-11-30T19:00"' in html
    assert html.count(">Område<") <= 1  # one label per field: district and the free-text place differ
    token = csrf_token(planner, f"/walks/{walk.id}/edit")
    answer = planner.post(
        f"/walks/{walk.id}/edit",
        data={
            "csrf_token": token,
            "title": "Ny titel",
            "starts_at": "2027-01-14T18:30",
            "meeting_place": "Rådhuset",
            "meeting_lat": "63.178",
            "meeting_lon": "14.636",
            "district_id": str(district.id),
            "area_name": "Centrum",
            "organiser_kinds": ["police"],
            "organisers": "Polisen",
            "expected_participants": "12",
        },
    )
    assert answer.status_code == 302
    db.session.expire_all()
    walk = db.session.get(Walk, walk.id)
    assert (
        walk.title,
        walk.meeting_place,
        walk.district_id,
        walk.area_name,
        walk.organiser_kinds,
        walk.organisers,
        walk.expected_participants,
    ) == ("Ny titel", "Rådhuset", district.id, "Centrum", ["police"], "Polisen", 12)
    assert walk.starts_at.isoformat() == "2027-01-14T17:30:00+00:00"
    assert _audit_rows("walk", "update") == 1
    html = planner.get(f"/walks/{walk.id}").get_data(as_text=True)
    assert f'data-district="{district.id}"' in html and "Centrum" in html
    bad = planner.post(f"/walks/{walk.id}/edit", data={"csrf_token": token, "title": "", "starts_at": "x"})
    assert bad.status_code == 200 and 'data-field="title"' in bad.get_data(as_text=True)
    assert client_as("field_staff").get(f"/walks/{walk.id}/edit").status_code == 403


def test_a_follow_up_walk_gets_its_own_date(client_as, app_context):
    walk = make_walk()
    planner = client_as("planner")
    token = csrf_token(planner, f"/walks/{walk.id}")
    answer = planner.post(f"/walks/{walk.id}/follow-up", data={"csrf_token": token, "starts_at": "2027-03-02T19:30"})
    follow = db.session.scalar(select(Walk).where(Walk.follows_walk_id == walk.id))
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/walks/{follow.id}/edit")
    assert follow.starts_at != walk.starts_at and follow.starts_at.isoformat() == "2027-03-02T18:30:00+00:00"
    bad = planner.post(f"/walks/{walk.id}/follow-up", data={"csrf_token": token, "starts_at": "tomorrow"})
    assert bad.status_code == 400 and b"starts_at" in bad.data


def test_a_walk_is_cancelled_kept_and_reinstated(client_as, app_context):
    walk = make_walk()
    planner = client_as("planner")
    token = csrf_token(planner, f"/walks/{walk.id}")
    assert (
        planner.post(f"/walks/{walk.id}/cancel", data={"csrf_token": token, "cancel_reason": "Storm"}).status_code
        == 302
    )
    db.session.expire_all()
    walk = db.session.get(Walk, walk.id)
    assert walk.cancelled_at is not None and walk.cancel_reason == "Storm"
    html = planner.get(f"/walks/{walk.id}").get_data(as_text=True)
    assert 'data-cancelled="true"' in html and "Storm" in html
    # No new finding on a cancelled walk: a clear 409 naming the walk.
    refused = post(planner, walk.id, finding())
    assert refused.status_code == 409 and refused.get_json()["code"] == "Conflict"
    assert (
        planner.post(f"/walks/{walk.id}/cancel", data={"csrf_token": token, "action": "reinstate"}).status_code == 302
    )
    db.session.expire_all()
    assert db.session.get(Walk, walk.id).cancelled_at is None
    assert _audit_rows("walk", "update") == 2
    staff = client_as("field_staff")
    assert (
        staff.post(f"/walks/{walk.id}/cancel", data={"csrf_token": csrf_token(staff, f"/walks/{walk.id}")}).status_code
        == 403
    )


def test_only_an_empty_walk_is_deleted(client_as, app_context):
    planner = client_as("planner")
    empty, used = make_walk(title="Tom"), make_walk(title="Med fynd")
    place = make_place()
    token = csrf_token(planner, f"/walks/{empty.id}")
    planner.post(f"/walks/{empty.id}/stops", data={"csrf_token": token, "place_id": [place.id]})
    post(planner, used.id, finding())
    assert planner.post(f"/walks/{empty.id}/delete", data={"csrf_token": token}).status_code == 302
    refused = planner.post(f"/walks/{used.id}/delete", data={"csrf_token": token})
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(Walk, empty.id) is None and db.session.get(Walk, used.id) is not None
    assert _audit_rows("walk", "delete") == 1 and _audit_rows("walk_stops", "delete") == 1


def test_a_finding_that_joins_a_remediated_place_reopens_it(client_as, app_context):
    remediated = make_place(title="Lagad lampa")
    verified = make_place(title="Kontrollerad lampa")
    remediated.status_code, verified.status_code = "remediated", "verified"
    db.session.commit()
    walk = make_walk()
    staff, planner = client_as("field_staff"), client_as("planner")
    assert post(staff, walk.id, finding(place_id=remediated.id)).status_code == 201
    assert post(planner, walk.id, finding(place_id=verified.id)).status_code == 201
    db.session.expire_all()
    assert db.session.get(Place, remediated.id).status_code == "reported"  # field staff's report: for review
    assert db.session.get(Place, verified.id).status_code == "confirmed"  # a planner's report is reviewed
    moves = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "place", AuditEntry.action == "update"))
    assert sorted((m.before["status_code"], m.after["status_code"]) for m in moves) == [
        ("remediated", "reported"),
        ("verified", "confirmed"),
    ]


def _svg_of(html: str) -> str:
    import base64

    encoded = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    return base64.b64decode(encoded).decode()


def test_static_map_numbers_do_not_overlap_and_it_has_a_legend():
    import math

    from gis_app.maps.walk_map import Stop, svg_map

    here = (14.6372, 63.1767)
    stops = [Stop(*here, "A"), Stop(here[0] + 0.00001, here[1], "B")]
    findings = [(here[0], here[1] + 0.00001, "1", "#ff0000"), (*here, "2", "#00ff00")]
    svg = svg_map(here, [], stops, findings, texts={"legend": "Teckenförklaring", "no_basemap": "Ingen karta"})
    centres = [(float(x), float(y)) for x, y in re.findall(r'<text class="number" x="([\d.]+)" y="([\d.]+)"', svg)]
    assert len(centres) == 4
    assert all(math.dist(a, b) >= 20 for i, a in enumerate(centres) for b in centres[i + 1 :])
    assert svg.count('class="stop"') == 2 and svg.count('class="finding"') == 2  # squares and circles
    assert "Teckenförklaring" in svg and "<line" in svg  # a leader line to each moved symbol's point
    assert 'class="no-basemap"' in svg and "Ingen karta" in svg and "<image" not in svg


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 200)).save(out, format="PNG")
    return out.getvalue()


def test_the_print_sheet_draws_the_basemap_from_the_tile_cache(client_as, app, app_context, tmp_path, monkeypatch):
    import http.server
    import threading

    tile = _png()
    requested = []

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            requested.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    walk = make_walk()
    planner = client_as("planner")
    monkeypatch.setitem(app.config, "TILE_CACHE_DIR", str(tmp_path))
    try:
        monkeypatch.setitem(app.config, "TILE_URL", f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png")
        svg = _svg_of(planner.get(f"/walks/{walk.id}/print").get_data(as_text=True))
        assert svg.count("<image") >= 1 and 'class="no-basemap"' not in svg and requested
    finally:
        server.shutdown()
        server.server_close()
    fetched = len(requested)
    svg = _svg_of(planner.get(f"/walks/{walk.id}/print").get_data(as_text=True))
    assert svg.count("<image") >= 1 and len(requested) == fetched  # the second time, from the cache alone
    monkeypatch.setitem(app.config, "TILE_URL", "")
    svg = _svg_of(planner.get(f"/walks/{walk.id}/print").get_data(as_text=True))
    assert "<image" not in svg and "Ingen bakgrundskarta tillgänglig" in svg and "Teckenförklaring" in svg


def test_the_protocol_pdf_has_a_summary_and_page_numbers(client_as, app_context, tmp_path):
    import subprocess

    planner = client_as("planner")
    walk = _walk_with_findings(planner)
    path = tmp_path / "protocol.pdf"
    path.write_bytes(planner.get(f"/walks/{walk.id}/protocol.pdf").data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.count("\f")
    assert "Sammanfattning" in text and "Iakttagelser: 3" in text
    assert all(re.search(rf"\b{n} ?/ ?{pages}\b", text) for n in range(1, pages + 1))


def test_the_follow_up_table_names_the_place_and_splits_done_from_planned(client_as, app_context):
    from datetime import date

    planner = client_as("planner")
    place = make_place(title="Gångtunneln")
    walk = make_walk()  # 2026-11-30
    post(planner, walk.id, finding(place_id=place.id, note="Mörkt"))
    year = InventoryYear(year=2026)
    db.session.add(year)
    db.session.flush()
    assessment = Assessment(year_id=year.id, place_id=place.id, still_unsafe=True, main_factor="poor_lighting")
    db.session.add(assessment)
    db.session.flush()
    db.session.add_all(
        [
            Measure(
                assessment_id=assessment.id,
                measure_type="lighting",
                responsible="municipal_unit",
                status="done",
                description="Gammal armatur",
                done_on=date(2026, 10, 1),
            ),  # before the walk: not taken since
            Measure(
                assessment_id=assessment.id,
                measure_type="lighting",
                responsible="municipal_unit",
                status="done",
                description="Ny LED-armatur",
                done_on=date(2026, 12, 1),
            ),
            Measure(
                assessment_id=assessment.id,
                measure_type="vegetation",
                responsible="municipal_unit",
                status="decided",
                description="Röj buskar",
                due_on=date(2027, 4, 30),
            ),
        ]
    )
    db.session.commit()
    token = csrf_token(planner, f"/walks/{walk.id}")
    planner.post(f"/walks/{walk.id}/follow-up", data={"csrf_token": token, "starts_at": "2027-05-12T19:00"})
    follow = db.session.scalar(select(Walk).where(Walk.follows_walk_id == walk.id))
    html = planner.get(f"/walks/{follow.id}").get_data(as_text=True)
    row = html.split('data-earlier-finding="')[1].split("</tr>")[0]
    assert f'href="/places/{place.id}"' in row and "Gångtunneln" in row
    done = row.split('class="measures-done">')[1].split("</td>")[0]
    planned = row.split('class="measures-planned">')[1].split("</td>")[0]
    assert "Ny LED-armatur" in done and "2026-12-01" in done and "Gammal armatur" not in row
    assert "Röj buskar" in planned and "2027-04-30" in planned and "Röj buskar" not in done
