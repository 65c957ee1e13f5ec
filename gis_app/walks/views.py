"""Safety walk pages: list, plan, route, field capture (with its service worker), protocol, exports, follow-up."""

import base64
import hashlib
import html
import json
import re
from pathlib import Path

import shapely
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from gis_app.auth.access import can
from gis_app.core.choices import safe_color
from gis_app.core.clock import local_now, local_zone
from gis_app.core.forms import page_locale
from gis_app.core.inputs import load_json, parse_datetime
from gis_app.errors import AppError, NotFound
from gis_app.exports import EXPORTERS, ExportOptions, get_exporter, separator_for, spreadsheet_geometry_header
from gis_app.inventory.labels import MEASURE_STATUS_LABELS, MEASURE_TYPE_LABELS, RESPONSIBLE_LABELS, label, options
from gis_app.maps.assets import LEAFLET_DRAW_CSS, LEAFLET_DRAW_JS
from gis_app.maps.embed import embed
from gis_app.maps.walk_map import Stop, build_walk_map, svg_map
from gis_app.places import reference
from gis_app.places.importer import load_rules
from gis_app.places.models import AFFECTED_GROUPS, TIMES_OF_DAY
from gis_app.tiles import proxied_tile_url, tile_bytes
from gis_app.walks import protocol, queries, service
from gis_app.walks.forms import WalkForm, organiser_choices
from gis_app.walks.models import RESPONSIBLE_PARTIES, SAFETIPIN_PARAMETERS

blueprint = Blueprint("walks", __name__, url_prefix="/walks")


@blueprint.context_processor
def _walk_globals() -> dict:
    return {"local_time": local_zone()}


STATIC = Path(__file__).resolve().parent.parent / "static"
SHELL_FILES = ("css/app.css", "js/walk_capture.js", "walks/icon.svg", "favicon.svg")
VENDOR_FILES = ("leaflet/dist/leaflet.js", "leaflet/dist/leaflet.css")


def _asset_url(path: str) -> str:
    return url_for("vendor.asset", filename=path)


def _int_arg(name: str):
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


# --- texts shown for codes ------------------------------------------------------------------------------------------


def parameter_labels() -> dict[str, str]:
    return {
        "lighting": _("Lighting"),
        "openness": _("Openness"),
        "visibility": _("Visibility"),
        "people": _("People"),
        "security": _("Security"),
        "walk_path": _("Walk path"),
        "public_transport": _("Public transport"),
        "gender_diversity": _("Gender diversity"),
        "feeling": _("Feeling"),
    }


def responsible_labels() -> dict[str, str]:
    """The same parties, and words, as the inventory's measures."""
    return dict(options(RESPONSIBLE_LABELS, page_locale()))


def _group_labels() -> dict[str, str]:
    return {"women": _("Women"), "men": _("Men"), "young_people": _("Young people"), "everyone": _("Everyone")}


def _time_labels() -> dict[str, str]:
    return {"day": _("Day"), "evening": _("Evening"), "night": _("Night")}


# --- list and plan --------------------------------------------------------------------------------------------------


@blueprint.get("/")
def index():
    """All walks; planners can plan a new one."""
    return render_template("walks/index.html", walks=queries.walks(), can_plan=can("walks.new_walk"))


def _district_choices():
    return [("", _("No district"))] + [(c.code, c.label) for c in reference.districts()]


FORM_FIELDS = (
    "title",
    "meeting_place",
    "meeting_lon",
    "meeting_lat",
    "district_id",
    "area_name",
    "organisers",
    "expected_participants",
)


def _walk_form() -> WalkForm:
    # The form reads only form fields: a JSON body (which Flask-WTF would otherwise read) is no walk.
    form = WalkForm()
    form.district_id.choices = _district_choices()
    return form


def _checked_values(form: WalkForm) -> dict | None:
    """The form's values when it validates and the meeting point is in the area; else None (errors on the form)."""
    if not form.validate_on_submit():
        return None
    rules = load_rules()
    if not rules.inside(shapely.Point(form.meeting_lon.data, form.meeting_lat.data)):
        form.meeting_lon.errors = [rules.outside_reason]
        return None
    values = {name: getattr(form, name).data for name in FORM_FIELDS}
    values["organiser_kinds"] = form.organiser_kinds.data or []
    values["starts_at"] = form.starts_at.data.replace(tzinfo=local_zone())
    return values


def _form_page(form: WalkForm, walk=None):
    config = {
        "bounds": list(reference.map_bounds(current_app.config["AREA_BOUNDS"])),
        "tileUrl": proxied_tile_url(),
        "districtBounds": queries.district_bounds(),
    }
    return render_template("walks/new.html", form=form, walk=walk, config=config)


@blueprint.route("/new", methods=["GET", "POST"])
def new_walk():
    """Plan a walk: title, time (evening by default), meeting point, area, organisers, participants."""
    form = _walk_form()
    if request.method == "GET":
        form.starts_at.data = service.default_start().replace(tzinfo=None)
        form.organiser_kinds.data = ["municipality", "police"]
    values = _checked_values(form)
    if values is not None:
        walk = service.create_walk(values)
        flash(_("The walk is planned. Now choose the places to visit."))
        return redirect(url_for(".walk_detail", walk_id=walk.id))
    return _form_page(form)


@blueprint.route("/<int:walk_id>/edit", methods=["GET", "POST"])
def edit_walk(walk_id: int):
    """Change any field of a walk's plan, its date and time too."""
    walk = service.get_walk(walk_id)
    form = _walk_form()
    if request.method == "GET":
        for name in FORM_FIELDS[:2] + FORM_FIELDS[4:]:
            getattr(form, name).data = getattr(walk, name)
        form.meeting_lon.data, form.meeting_lat.data = service.meeting_point(walk)
        form.starts_at.data = walk.starts_at.astimezone(local_zone()).replace(tzinfo=None)
        form.organiser_kinds.data = list(walk.organiser_kinds or [])
    values = _checked_values(form)
    if values is not None:
        changed = service.update_walk(walk, values)
        flash(_("The walk is changed.") if changed else _("Nothing was changed."))
        return redirect(url_for(".walk_detail", walk_id=walk.id))
    return _form_page(form, walk)


@blueprint.post("/<int:walk_id>/cancel")
def cancel_walk(walk_id: int):
    """Cancel a walk (it is kept, marked cancelled), or plan it again with action=reinstate."""
    walk = service.get_walk(walk_id)
    if request.form.get("action") == "reinstate":
        service.reinstate_walk(walk)
        flash(_("The walk is planned again."))
    else:
        service.cancel_walk(walk, request.form.get("cancel_reason") or None)
        flash(_("The walk is cancelled."))
    return redirect(url_for(".walk_detail", walk_id=walk.id))


@blueprint.post("/<int:walk_id>/delete")
def delete_walk(walk_id: int):
    """Delete a walk that has no findings."""
    service.delete_walk(service.get_walk(walk_id))
    flash(_("The walk is deleted."))
    return redirect(url_for(".index"))


# --- the walk and its route -----------------------------------------------------------------------------------------


def _filters(walk) -> queries.PlaceFilter:
    """The candidate filter; the walk's own district until the planner picks another (or all, with an empty one)."""
    args = request.args
    return queries.PlaceFilter(
        category=[c for c in args.getlist("category") if c],
        time_of_day=[t for t in args.getlist("time_of_day") if t in TIMES_OF_DAY],
        affected_group=[g for g in args.getlist("affected_group") if g in AFFECTED_GROUPS],
        months=_int_arg("months"),
        district_id=_int_arg("district") if "district" in args else walk.district_id,
    )


def _stops(walk) -> list[Stop]:
    colors = queries.category_colors()
    result = []
    for stop in walk.stops:
        lon, lat = service.place_point(stop.place)
        result.append(Stop(lon, lat, stop.place.title, colors.get(stop.place.category_code, "#666666")))
    return result


def _route_line(summary: dict) -> list[tuple[float, float]]:
    return summary["drawn"] or (summary["points"] if len(summary["points"]) > 2 else [])


def _walk_map(walk, summary):
    return build_walk_map(
        service.meeting_point(walk),
        _stops(walk),
        _route_line(summary),
        _asset_url,
        _("Meeting point"),
        proxied_tile_url(),
        current_app.config["TILE_ATTRIBUTION"],
    )


def _map_texts() -> dict:
    return {
        "flagged": _("Position uncertain"),
        "safe": _("Safe place"),
        "accuracy": _("Accuracy"),
        "photos": _("Photos"),
        "draw": _("Draw the route"),
        "clear": _("Straight legs"),
        "saved": _("Route saved"),
        "error": _("Could not save the route"),
        "stop": _("Stop"),
        "finding": _("Finding"),
        "meeting": _("Meeting point"),
        "candidate": _("Place to choose"),
        "legend": _("Legend"),
        "metres": _("{m} m from the meeting point"),
        "picked": _("{n} places ticked: save the stops to keep them."),
    }


def _map_config(walk, walk_map, candidates=()) -> dict:
    return walk_map.config(
        walkId=walk.id,
        findingsUrl=url_for("walks_api.findings", walk_id=walk.id),
        routeUrl=url_for(".save_route", walk_id=walk.id) if can("walks.new_walk") else None,
        candidates=[
            {
                "id": c["id"],
                "title": c["title"],
                "lon": c["lon"],
                "lat": c["lat"],
                "color": safe_color(c["color"]),
                "distance": round(c.get("distance_m") or 0),
            }
            for c in candidates
        ],
        texts=_map_texts(),
    )


@blueprint.get("/<int:walk_id>")
def walk_detail(walk_id: int):
    """The walk: facts, route map, stop list with length and time; planners choose and order the stops."""
    walk = service.get_walk(walk_id)
    summary = service.route_summary(walk)
    walk_map = _walk_map(walk, summary)
    locale = page_locale()
    filters = _filters(walk)
    can_plan = can("walks.new_walk")
    candidates = queries.candidate_places(filters, origin=service.meeting_point(walk)) if can_plan else []
    earlier = _earlier_findings(walk.follows, locale) if walk.follows_walk_id and walk.follows else []
    return render_template(
        "walks/walk.html",
        walk=walk,
        summary=summary,
        map=embed(walk_map.map),
        config=_map_config(walk, walk_map, candidates),
        can_plan=can_plan,
        candidates=candidates,
        filters=filters,
        stop_ids={s.place_id for s in walk.stops},
        choices={
            "category": reference.categories(locale),
            "time_of_day": _time_labels(),
            "affected_group": _group_labels(),
            "district": reference.districts(),
        },
        organisers=dict(organiser_choices()),
        earlier=earlier,
        statuses=queries.status_labels(locale),
        categories=queries.category_labels(locale),
        finding_count=queries.finding_count(walk.id),
        follow_up_start=service.default_start().strftime("%Y-%m-%dT%H:%M"),
        draw_assets={"js": _asset_url(LEAFLET_DRAW_JS), "css": _asset_url(LEAFLET_DRAW_CSS)} if can_plan else None,
    )


DONE_MEASURES = ("done", "verified")
PLANNED_MEASURES = ("proposed", "decided", "in_progress")


def _earlier_findings(earlier, locale: str) -> list[dict]:
    """The earlier walk's findings with what has happened since: the place's status now, the measures done since
    that walk (with their date) and those still planned. A measure done before the walk was not taken since."""
    statuses = queries.status_labels(locale)
    findings = protocol.protocol_findings(earlier)
    measures = queries.place_measures([item.finding.place_id for item in findings if item.finding.place_id])
    walked_on = earlier.starts_at.astimezone(local_zone()).date()
    rows = []
    for item in findings:
        place = item.finding.place
        done, planned = [], []
        for m in measures.get(item.finding.place_id, []):
            entry = {
                "what": m.description or label(MEASURE_TYPE_LABELS, m.measure_type, locale),
                "status": label(MEASURE_STATUS_LABELS, m.status, locale),
                "status_code": m.status,
                "done_on": m.done_on
                or (m.updated_at.astimezone(local_zone()).date() if m.status in DONE_MEASURES else None),
                "due_on": m.due_on,
            }
            if m.status in DONE_MEASURES and entry["done_on"] >= walked_on:
                done.append(entry)
            elif m.status in PLANNED_MEASURES:
                planned.append(entry)
        rows.append(
            {
                "item": item,
                "place": place,
                "status": statuses.get(place.status_code, place.status_code) if place else None,
                "status_code": place.status_code if place else None,
                "done": done,
                "planned": planned,
            }
        )
    return rows


@blueprint.post("/<int:walk_id>/stops")
def set_stops(walk_id: int):
    """Make the ticked places the walk's stops, in the suggested order."""
    walk = service.get_walk(walk_id)
    ids = [int(v) for v in request.form.getlist("place_id") if v.isdigit() and len(v) < 10]
    # The places the planner was shown: only these can be unticked; stops filtered out of view are kept.
    shown = [int(v) for v in request.form.getlist("shown_id") if v.isdigit() and len(v) < 10]
    service.set_stops(walk, ids, shown)
    flash(_("Stops saved in the suggested walking order."))
    return redirect(url_for(".walk_detail", walk_id=walk.id))


@blueprint.post("/<int:walk_id>/stops/suggest")
def suggest_order(walk_id: int):
    """Put the stops in the suggested walking order (nearest neighbour, improved by 2-opt)."""
    walk = service.get_walk(walk_id)
    service.suggest_order(walk)
    flash(_("Stops put in the suggested walking order."))
    return redirect(url_for(".walk_detail", walk_id=walk.id))


@blueprint.post("/<int:walk_id>/stops/<int:stop_id>/move")
def move_stop(walk_id: int, stop_id: int):
    """Move a stop one step earlier or later."""
    walk = service.get_walk(walk_id)
    service.move_stop(walk, stop_id, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for(".walk_detail", walk_id=walk.id) + "#stops")


@blueprint.post("/<int:walk_id>/route")
def save_route(walk_id: int):
    """Save the drawn route (GeoJSON LineString in the form field `route`), or clear it when empty."""
    walk = service.get_walk(walk_id)
    raw = request.form.get("route", "").strip()
    try:
        geometry = load_json(raw) if raw else None
    except ValueError:
        raise AppError(_("The route is not valid GeoJSON."), field="route") from None
    service.set_route(walk, geometry)
    flash(_("Route saved.") if geometry else _("Drawn route removed: the route is the straight legs again."))
    return redirect(url_for(".walk_detail", walk_id=walk.id))


@blueprint.post("/<int:walk_id>/follow-up")
def follow_up(walk_id: int):
    """Plan a follow-up walk over the same route, showing this walk's findings and what was done."""
    raw = request.form.get("starts_at", "").strip()
    try:
        starts_at = parse_datetime(raw) if raw else None
    except ValueError:
        raise AppError(_("Give the follow-up walk's date and time as YYYY-MM-DDTHH:MM."), field="starts_at") from None
    if starts_at is not None and starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=local_zone())
    walk = service.follow_up(service.get_walk(walk_id), starts_at)
    flash(_("Follow-up walk planned. Check the date and time."))
    return redirect(url_for(".edit_walk", walk_id=walk.id))


def _svg_texts() -> dict:
    attribution = html.unescape(re.sub(r"<[^>]+>", "", current_app.config["TILE_ATTRIBUTION"] or ""))
    return {
        "legend": _("Legend"),
        "meeting": _("Meeting point"),
        "stop": _("Stop"),
        "finding": _("Finding"),
        "safe": _("Safe place"),
        "route": _("Route"),
        "no_basemap": _("No basemap available"),
        "attribution": attribution,
    }


def _static_map(walk, summary, findings) -> str:
    """The route (and findings) as an SVG data URI, over the basemap the server has or can fetch and cache."""
    colors = queries.category_colors()
    points = [
        (
            f.lon,
            f.lat,
            str(f.number),
            "#2ca02c" if f.finding.safe_place else colors.get(f.finding.category_code, "#666666"),
        )
        for f in findings
    ]
    svg = svg_map(
        service.meeting_point(walk),
        _route_line(summary),
        _stops(walk),
        points,
        queries.district_outline(walk.district_id),
        tiles=tile_bytes if current_app.config["TILE_URL"] else None,
        texts=_svg_texts(),
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@blueprint.get("/<int:walk_id>/print")
def route_print(walk_id: int):
    """The route map and stop list on one A4 page."""
    walk = service.get_walk(walk_id)
    summary = service.route_summary(walk)
    return render_template(
        "walks/print.html",
        walk=walk,
        summary=summary,
        svg=_static_map(walk, summary, []),
        organisers=dict(organiser_choices()),
    )


# --- field capture --------------------------------------------------------------------------------------------------


@blueprint.get("/<int:walk_id>/capture")
def capture(walk_id: int):
    """The phone page for recording findings, offline too."""
    walk = service.get_walk(walk_id)
    locale = page_locale()
    config = {
        "walkId": walk.id,
        "userId": current_user.id,
        "findingsUrl": url_for("walks_api.create_finding", walk_id=walk.id),
        "placesUrl": url_for("walks_api.places", walk_id=walk.id),
        "csrfUrl": url_for("walks_api.csrf"),
        "swUrl": url_for(".service_worker"),
        "swScope": url_for(".index"),
        "leafletUrl": _asset_url("leaflet/dist/leaflet.js"),
        "tileUrl": proxied_tile_url(),
        "meeting": list(service.meeting_point(walk)),
        "threshold": current_app.config["WALK_ACCURACY_THRESHOLD_M"],
        "nearbyMetres": current_app.config["WALK_NEARBY_METRES"],
        "maxPhotos": current_app.config["WALK_MAX_PHOTOS"],
        "texts": _capture_texts(),
    }
    return render_template(
        "walks/capture.html",
        walk=walk,
        config=config,
        categories=reference.categories(locale),
        parameters=parameter_labels(),
        parameter_order=SAFETIPIN_PARAMETERS,
    )


def _capture_texts() -> dict:
    return {
        "locating": _("Finding your position…"),
        "accuracy": _("±{m} m"),
        "poorFix": _("Poor GPS fix (±{m} m): check the pin, drag it if needed"),
        "noGps": _("No position: drag the pin to the place"),
        "pinMoved": _("Pin moved by hand"),
        "queued": _("{n} waiting to sync"),
        "synced": _("{n} synced"),
        "offline": _("Offline: findings are kept on this phone"),
        "online": _("Online"),
        "saved": _("Saved on the phone"),
        "chooseCategory": _("Choose a category, or mark a safe place"),
        "nearby": _("“{title}” ({m} m away) is already recorded in this category."),
        "failed": _("Not accepted: {reason}"),
        "login": _("Log in again to sync"),
        "stateQueued": _("waiting"),
        "stateSynced": _("synced"),
        "stateFailed": _("refused"),
        "safePlace": _("Safe place"),
        "photos": _("{n} photos"),
        "tooManyPhotos": _("At most {n} photos per finding"),
        "offlineReady": _("Ready offline"),
        "noNearby": _("No recorded place of this category within {m} m."),
        "saving": _("Saving…"),
    }


def _shell_version() -> str:
    """Changes whenever a file of the page shell changes, so phones drop the old cache."""
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        path = STATIC / name
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@blueprint.get("/sw.js")
def service_worker():
    """The service worker: keeps the capture page's shell for offline use; never caches the API."""
    shell = [url_for("static", filename=name) for name in SHELL_FILES]
    shell += [_asset_url(name) for name in VENDOR_FILES]
    body = render_template("walks/sw.js", version=_shell_version(), shell=shell, scope=url_for(".index"))
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get("/manifest.webmanifest")
def manifest():
    """The web app manifest, so the capture page can be added to the home screen."""
    body = {
        "name": _("Safety walk"),
        "short_name": _("Safety walk"),
        "start_url": url_for(".index"),
        "scope": url_for(".index"),
        "display": "standalone",
        "background_color": "#101418",
        "theme_color": "#101418",
        "icons": [{"src": url_for("static", filename="walks/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return Response(json.dumps(body), mimetype="application/manifest+json")


# --- protocol and exports -------------------------------------------------------------------------------------------


def _findings_summary(findings, categories: dict[str, str]) -> dict:
    """What the walk found, counted: per category, safe places, uncertain positions, priority 1, new places."""
    per_category: dict[str, int] = {}
    for item in findings:
        if not item.finding.safe_place:
            name = categories.get(item.finding.category_code, item.finding.category_code)
            per_category[name] = per_category.get(name, 0) + 1
    return {
        "per_category": sorted(per_category.items(), key=lambda pair: (-pair[1], pair[0])),
        "safe": sum(item.finding.safe_place for item in findings),
        "flagged": sum(item.finding.flagged for item in findings),
        "urgent": sum(item.finding.priority == 1 for item in findings),
        "new_places": sum(item.finding.new_place for item in findings),
        "photos": sum(len(item.photos) for item in findings),
    }


def _protocol_context(walk, pdf: bool) -> dict:
    summary = service.route_summary(walk)
    findings = protocol.protocol_findings(walk)
    locale = page_locale()
    context = {
        "walk": walk,
        "summary": summary,
        "findings": findings,
        "pdf": pdf,
        "counts": _findings_summary(findings, queries.category_labels(locale)),
        "svg": _static_map(walk, summary, findings),
        "categories": queries.category_labels(locale),
        "statuses": queries.status_labels(locale),
        "parameters": parameter_labels(),
        "parameter_order": SAFETIPIN_PARAMETERS,
        "responsible": responsible_labels(),
        "responsible_order": RESPONSIBLE_PARTIES,
        "organisers": dict(organiser_choices()),
        "can_plan": can("walks.new_walk") and not pdf,
        "threshold": current_app.config["WALK_ACCURACY_THRESHOLD_M"],
        "formats": list(EXPORTERS.values()),
    }
    if pdf:
        context["photo_src"] = protocol.photo_data_uris([p for f in findings for p in f.photos])
        context["inline_css"] = Markup((STATIC / "walks" / "protocol.css").read_text())
    else:
        walk_map = _walk_map(walk, summary)
        context["map"] = embed(walk_map.map)
        context["config"] = _map_config(walk, walk_map)
    return context


@blueprint.get("/<int:walk_id>/protocol")
def protocol_page(walk_id: int):
    """The protocol: map of the findings, and each finding's photos, proposed measure, responsible and priority."""
    walk = service.get_walk(walk_id)
    return render_template("walks/protocol.html", **_protocol_context(walk, pdf=False))


@blueprint.get("/<int:walk_id>/protocol.pdf")
def protocol_pdf(walk_id: int):
    """The protocol as PDF, from the same template."""
    walk = service.get_walk(walk_id)
    html = render_template("walks/protocol.html", **_protocol_context(walk, pdf=True))
    response = Response(protocol.render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="protocol-walk-{walk.id}.pdf"'
    return response


@blueprint.post("/<int:walk_id>/findings/<int:finding_id>")
def update_finding(walk_id: int, finding_id: int):
    """Set a finding's proposed measure, responsible party and priority."""
    walk = service.get_walk(walk_id)
    finding = service.get_finding(walk, finding_id)
    priority = request.form.get("priority", "")
    service.update_protocol(
        finding,
        request.form.get("proposed_measure"),
        request.form.get("responsible") or None,
        int(priority) if priority in ("1", "2", "3") else None,
    )
    flash(_("Finding %(number)s updated.", number=request.form.get("number", finding.id)))
    return redirect(url_for(".protocol_page", walk_id=walk.id) + f"#finding-{finding.id}")


@blueprint.get("/<int:walk_id>/findings.<fmt>")
def export_findings(walk_id: int, fmt: str):
    """The walk's findings as CSV, GeoJSON, XLSX or GeoPackage (?srid=3006, 4326 or 3012 where the format allows)."""
    walk = service.get_walk(walk_id)
    exporter = get_exporter(fmt)
    if exporter is None:
        raise NotFound(_("Export as %(formats)s.", formats=", ".join(sorted(EXPORTERS))))
    srid = exporter.srid(ExportOptions(srid=_int_arg("srid")))
    geometry_header = spreadsheet_geometry_header(srid) if exporter.geometry_format == "wkt" else "geometry"
    options = ExportOptions(
        srid=srid,
        separator=separator_for(page_locale()),
        layer=f"walk_{walk.id}_findings",
        geometry_header=geometry_header,
        geometry_type="Point",
    )
    rows = protocol.export_rows(walk, exporter, options, page_locale(), responsible_labels())
    response = Response(
        b"".join(exporter.chunks(rows, protocol.export_columns(parameter_labels()), options)),
        mimetype=exporter.media_type,
    )
    filename = f"trygghetsvandring-{walk.id}-fynd-{local_now().date().isoformat()}.{exporter.extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
