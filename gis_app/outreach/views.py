"""Outreach pages (priorities, shift plans, visit log, layers, tasks, counts) and the visit log API.

Who may come where is declared in auth/access.py: plans, visits and police-only data for police and admins;
planners see follow-up tasks and monthly visit counts only.
"""

import hashlib
import uuid
from datetime import datetime, time

from flask import Blueprint, Response, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from gis_app.api import activity_tiles
from gis_app.api.budget import within_time_budget
from gis_app.api.params import Param, integer, parse_query
from gis_app.auth.access import OBSERVATION_SCOPE, authorise
from gis_app.core.clock import local_now, local_zone
from gis_app.core.db import get_or_404
from gis_app.core.forms import ConfirmForm, page_locale
from gis_app.core.inputs import DB_INT_MAX, db_int, json_body, parse_date
from gis_app.core.validation import InvalidInput
from gis_app.errors import AppError
from gis_app.extensions import db
from gis_app.maps.assets import LEAFLET_HEAT_JS
from gis_app.maps.embed import embed
from gis_app.maps.outreach_map import FlaggedPlace, RouteStop, build_heat_map, build_route_map
from gis_app.outreach import queries, service
from gis_app.outreach.forms import PlanForm, SavePlanForm, VisitForm
from gis_app.outreach.models import OutreachPlan
from gis_app.outreach.scoring import EVENING_NIGHT_TIMES, FACTORS, POLICE_CATEGORIES, parse_weights
from gis_app.outreach.service import MY_POSITION
from gis_app.places import reference
from gis_app.places.models import Place
from gis_app.places.tile_queries import tile_data_version
from gis_app.tiles import proxied_tile_url, tile_bounds

blueprint = Blueprint("outreach", __name__, url_prefix="/outreach")
api_blueprint = Blueprint("outreach_api", __name__)

WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)
RISK_WEEKEND = {"weekday": [5, 6], "hour": [*range(18, 24), *range(0, 6)]}  # Friday and Saturday evenings/nights
DEFAULT_HOURS = RISK_WEEKEND["hour"]
# One-tap choices of the heat map's weekdays and hours: each replaces one of the two and keeps the other.
HEAT_PRESETS = {
    "weekday": {"all": list(WEEKDAYS), "mon_thu": [1, 2, 3, 4], "fri_sat": [5, 6], "none": []},
    "hour": {"all": list(range(24)), "evening_night": DEFAULT_HOURS, "day": list(range(6, 18)), "none": []},
}


def _asset_url(path: str) -> str:
    return url_for("vendor.asset", filename=path)


def _map_args() -> dict:
    return {
        "fallback_bounds": reference.map_bounds(current_app.config["AREA_BOUNDS"]),
        "asset_url": _asset_url,
        "tile_url": proxied_tile_url(),
        "attribution": current_app.config["TILE_ATTRIBUTION"],
        "basemap": _("Basemap"),
    }


def factor_labels() -> dict[str, str]:
    return {
        "recent_reports": _("Recent reports"),
        "evening_night": _("Evening and night share"),
        "police_category": _("Category calls for police presence"),
        "unresolved": _("Unresolved"),
        "since_visit": _("Days since the last police visit"),
    }


@blueprint.context_processor
def _labels() -> dict:
    return {"factor_labels": factor_labels(), "factors": FACTORS, "factor_facts": factor_facts}


def factor_facts(candidate: queries.Candidate) -> dict[str, str]:
    """The facts behind each factor (counts, share, days), so a weighted point is never read as a count."""
    inputs, window = candidate.inputs, current_app.config["OUTREACH_WINDOW_DAYS"]
    return {
        "recent_reports": ngettext(
            "%(num)d report in the last %(days)d days",
            "%(num)d reports in the last %(days)d days",
            inputs.reports,
            days=window,
        ),
        "evening_night": _evening_fact(inputs),
        "police_category": (
            _("%(category)s: calls for police presence", category=candidate.category_label)
            if inputs.category_code in POLICE_CATEGORIES
            else _("%(category)s: not a police category", category=candidate.category_label)
        ),
        "unresolved": _("Status: %(status)s", status=_status_labels().get(inputs.status_code, inputs.status_code)),
        "since_visit": _visit_fact(inputs.days_since_visit),
    }


def _evening_fact(inputs) -> str:
    if inputs.reports:
        return _(
            "%(share)d %% after 18:00 (%(evening)d of %(total)d reports between 18:00 and 06:00)",
            share=round(100 * inputs.evening_night_reports / inputs.reports),
            evening=inputs.evening_night_reports,
            total=inputs.reports,
        )
    if inputs.time_of_day in EVENING_NIGHT_TIMES:
        return _("No reports in the window; the place is unsafe in the evening or at night")
    return _("No reports in the window; the place is not marked as an evening or night place")


def _visit_fact(days: float | None) -> str:
    if days is None:
        return _("Never visited by the police")
    whole = int(days)
    cap = current_app.config["OUTREACH_VISIT_CAP_DAYS"]
    text = ngettext("%(num)d day since the last visit", "%(num)d days since the last visit", whole)
    return text + " " + _("(counts in full from %(cap)d days)", cap=cap) if whole < cap else text


def _status_labels() -> dict[str, str]:
    """The status labels, read once per request (a priorities page explains a hundred places)."""
    if "outreach_status_labels" not in g:
        g.outreach_status_labels = {choice.code: choice.label for choice in reference.statuses(page_locale())}
    return g.outreach_status_labels


def _local_now() -> datetime:
    return local_now().replace(tzinfo=None, second=0, microsecond=0)


# --- priorities -----------------------------------------------------------------------------------------------------


@blueprint.get("/")
def priorities():
    """List places by outreach priority, with what each factor contributed."""
    areas = reference.districts()
    area_id = db_int(request.args.get("area"))
    ranked = service.rank(area_id, locale=page_locale())[:100]
    flagged = {row[0] for row in queries.flagged_for_outreach() or []}
    return render_template(
        "outreach/priorities.html",
        ranked=ranked,
        areas=areas,
        area_id=area_id,
        flagged=flagged,
        weights=parse_weights(current_app.config["OUTREACH_WEIGHTS"]),
        window_days=current_app.config["OUTREACH_WINDOW_DAYS"],
        visit_cap_days=current_app.config["OUTREACH_VISIT_CAP_DAYS"],
    )


# --- shift plans ----------------------------------------------------------------------------------------------------


def _plan_form(formdata) -> PlanForm:
    form = PlanForm(formdata=formdata)
    form.area.choices = [("", _("The whole municipality"))] + [(a.code, a.label) for a in reference.districts()]
    form.start.choices = [(p.name, p.name) for p in service.start_points()] + [(MY_POSITION, _("My position"))]
    return form


def _start_point(form) -> service.StartPoint:
    if form.start.data == MY_POSITION:
        return service.StartPoint(_("My position"), form.start_lon.data, form.start_lat.data)
    points = service.start_points()
    return next((p for p in points if p.name == form.start.data), points[0])


def _plan_from(form) -> service.ShiftPlan:
    return service.plan_shift(
        db_int(form.area.data),
        form.shift_date.data,
        form.starts_at.data,
        form.ends_at.data,
        _start_point(form),
        bool(form.return_to_start.data),
        form.count.data or 8,
        page_locale(),
    )


def _route_texts() -> dict[str, str]:
    """The route map's words (the page's JSON carries them; the script sets them as text)."""
    return {
        "start": _("Start"),
        "planned": _("Planned"),
        "visited": _("Visited"),
        "not-visited": _("Not yet visited"),
        "logVisit": _("Log a visit"),
        "place": _("The place's visits"),
    }


def _route_map(plan: service.ShiftPlan):
    stops = [
        RouteStop(
            s.position,
            s.ranked.candidate.title,
            s.ranked.candidate.lon,
            s.ranked.candidate.lat,
            url=url_for(".place_visits", place_id=s.ranked.candidate.place_id),
        )
        for s in plan.stops
    ]
    start = (plan.start.lon, plan.start.lat)
    return build_route_map(
        start, plan.start.name, start if plan.return_to_start else None, stops, texts=_route_texts(), **_map_args()
    )


@blueprint.get("/plan")
def plan_shift():
    """Pick an area, a date, a time window and a start point; show the top places as an ordered route."""
    submitted = "shift_date" in request.args
    form = _plan_form(request.args if submitted else None)
    if not submitted:
        now = _local_now()
        form.shift_date.data, form.starts_at.data, form.ends_at.data = now.date(), time(19, 0), time(23, 0)
        form.start.data = form.start.choices[0][0]
    plan = route_map = save_form = None
    if submitted and form.validate():
        plan = _plan_from(form)
        route_map = _route_map(plan)
        save_form = SavePlanForm(
            formdata=None,
            data={
                "title": _(
                    "Outreach %(date)s %(start)s–%(end)s",
                    date=plan.shift_date.isoformat(),
                    start=plan.starts_at.strftime("%H:%M"),
                    end=plan.ends_at.strftime("%H:%M"),
                ),
                "area": form.area.data or "",
                "shift_date": plan.shift_date.isoformat(),
                "starts_at": plan.starts_at.strftime("%H:%M"),
                "ends_at": plan.ends_at.strftime("%H:%M"),
                "start": form.start.data,
                "start_lon": _coordinate(form.start_lon.data),
                "start_lat": _coordinate(form.start_lat.data),
                "return_to_start": "1" if plan.return_to_start else "",
                "count": str(form.count.data),
            },
        )
    return render_template(
        "outreach/plan.html",
        form=form,
        plan=plan,
        map=route_map and embed(route_map.map),
        map_config=route_map and route_map.config(),
        save_form=save_form,
        speeds=_speeds(),
    ), 400 if form.errors else 200


def _coordinate(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def _speeds() -> dict:
    return {
        "walk": current_app.config["OUTREACH_WALK_KMH"],
        "car": current_app.config["OUTREACH_CAR_KMH"],
        "stop": current_app.config["OUTREACH_STOP_MINUTES"],
    }


@blueprint.post("/plans")
def save_plan():
    """Save the plan shown (computed again from its inputs, so the stored route is the one shown)."""
    form = SavePlanForm()
    if not form.validate_on_submit():
        raise AppError(_("The plan could not be saved: %(errors)s", errors=form.errors), field="title")
    plan_form = _plan_form(
        MultiDict(
            {
                "area": form.area.data,
                "shift_date": form.shift_date.data,
                "starts_at": form.starts_at.data,
                "ends_at": form.ends_at.data,
                "start": form.start.data,
                "start_lon": form.start_lon.data or "",
                "start_lat": form.start_lat.data or "",
                "count": form.count.data or "8",
                **({"return_to_start": "y"} if form.return_to_start.data else {}),
            }
        )
    )
    if not plan_form.validate():
        raise AppError(_("The plan could not be saved: %(errors)s", errors=plan_form.errors), field="shift_date")
    saved = service.save_plan(_plan_from(plan_form), service.clean_title(form.title.data) or _("Outreach"))
    flash(_("The plan was saved."))
    return redirect(url_for(".plan_detail", plan_id=saved.id))


@blueprint.get("/plans")
def plans():
    """List the saved plans."""
    return render_template("outreach/plans.html", plans=queries.plans())


@blueprint.get("/plans/<int:plan_id>")
def plan_detail(plan_id: int):
    """A saved plan: the route with visited and not yet visited stops, and the printable stop list."""
    plan = service.get_plan(plan_id)
    if "after" in request.args:  # back from logging a visit: on to the next stop, not the top of the page
        position = service.next_stop(plan, db_int(request.args.get("after")))
        return redirect(url_for(".plan_detail", plan_id=plan.id, _anchor=f"stop-{position}" if position else "route"))
    points = queries.plan_points(plan)
    visited = queries.visited_place_ids(plan)
    arrivals = service.plan_times(points["stops"], points["start"], plan.shift_date, plan.starts_at)
    stops = [
        {**stop, "visited": stop["place_id"] in visited, "arrive": walk, "arrive_by_car": car}
        for stop, (walk, car) in zip(points["stops"], arrivals, strict=True)
    ]
    route_map = build_route_map(
        points["start"],
        plan.start_name,
        points["end"],
        [
            RouteStop(
                s["position"],
                s["title"],
                s["lon"],
                s["lat"],
                s["visited"],
                url_for(".new_visit", plan=plan.id, place=s["place_id"]),
            )
            for s in stops
        ],
        texts=_route_texts(),
        **_map_args(),
    )
    walk = service.minutes(plan.total_metres, current_app.config["OUTREACH_WALK_KMH"])
    car = service.minutes(plan.total_metres, current_app.config["OUTREACH_CAR_KMH"])
    dwell = current_app.config["OUTREACH_STOP_MINUTES"] * len(stops)
    return render_template(
        "outreach/plan_detail.html",
        plan=plan,
        stops=stops,
        map=embed(route_map.map),
        map_config=route_map.config(),
        walk_minutes=walk + dwell,
        car_minutes=car + dwell,
        visited_count=len(visited),
        speeds=_speeds(),
    )


# --- the visit log --------------------------------------------------------------------------------------------------


def _visit_form() -> VisitForm:
    form = VisitForm()
    plan_id = db_int(request.values.get("plan_id") or request.args.get("plan"))
    places = _place_choices(plan_id)
    form.place.choices = places
    if request.method == "GET":
        form.client_uuid.data = str(uuid.uuid4())  # a resend of this page's form is the same visit
        form.visited_at.data = _local_now()
        form.plan_id.data = str(plan_id) if plan_id else ""
        chosen = db_int(request.args.get("place"))
        if chosen in {choice[0] for choice in places}:
            form.place.data = chosen
    return form


def _place_choices(plan_id: int | None) -> list[tuple[int, str, dict]]:
    """The plan's stops in route order when logging for a plan, else every place by title; each with its point,
    so the page can list them by distance from the officer."""
    plan = db.session.get(OutreachPlan, plan_id) if plan_id is not None else None
    if plan is not None:
        rows = [
            (s["place_id"], f"{s['position']}. {s['title']}", s["lon"], s["lat"])
            for s in queries.plan_points(plan)["stops"]
        ]
    else:
        rows = [(pid, f"{title} (#{pid})", lon, lat) for pid, title, lon, lat in queries.place_points()]
    return [(pid, label, {"data-lon": f"{lon:.6f}", "data-lat": f"{lat:.6f}"}) for pid, label, lon, lat in rows]


def _visit_data(form: VisitForm) -> dict:
    local = form.visited_at.data.replace(tzinfo=local_zone())
    return {
        "client_uuid": form.client_uuid.data,
        "place_id": form.place.data,
        "plan_id": db_int(form.plan_id.data),
        "visited_at": local,
        "contacts": form.contacts.data,
        "notes": form.notes.data,
        "follow_up": form.follow_up.data,
        "follow_up_note": form.follow_up_note.data,
        "observation": form.observation.data,
        "police_only": form.police_only.data,
    }


def _visit_config(form: VisitForm) -> dict:
    """What the page's script needs to queue visits on the phone and send them when the signal returns."""
    plan_id = db_int(form.plan_id.data)
    return {
        "userId": current_user.id,
        "planId": plan_id,
        "visitsUrl": url_for("outreach_api.create_visit"),
        "csrfUrl": url_for("outreach_api.csrf"),
        "planUrl": url_for(".plan_detail", plan_id=plan_id) if plan_id else None,
        "placeUrl": url_for(".place_visits", place_id=0).rsplit("/", 1)[0] + "/",
        "texts": _visit_texts(),
    }


def _visit_texts() -> dict[str, str]:
    return {
        "offline": _("Offline: the visit is kept on this phone and sent when the signal returns."),
        "online": _("Online"),
        "saved": _("Saved on the phone: it will be sent when the signal returns."),
        "sending": _("Sending…"),
        "sent": _("The visit was logged."),
        "queued": _("{n} visits waiting to be sent"),
        "failed": _("Not accepted: {reason}"),
        "login": _("Log in again to send the visits kept on this phone."),
        "metres": _("{m} m"),
        "km": _("{km} km"),
    }


@blueprint.route("/visits/new", methods=["GET", "POST"])
def new_visit():
    """Log a visit on a phone; sending the same form twice records one visit."""
    form = _visit_form()
    if form.validate_on_submit():
        try:
            visit, created = service.log_visit(_visit_data(form))
        except InvalidInput as error:
            for name, message in error.errors:
                target = form._fields.get("place" if name == "place_id" else name) or form.place
                target.errors = [*target.errors, message]
        else:
            flash(_("The visit was logged.") if created else _("This visit was already logged."))
            if visit.plan_id:
                return redirect(url_for(".plan_detail", plan_id=visit.plan_id, after=visit.place_id))
            return redirect(url_for(".place_visits", place_id=visit.place_id))
    return (
        render_template("outreach/visit_form.html", form=form, config=_visit_config(form)),
        400 if form.errors else 200,
    )


@blueprint.get("/places/<int:place_id>")
def place_visits(place_id: int):
    """The place's outreach timeline: visits and police-only observations."""
    place = get_or_404(Place, place_id, _("No place %(id)s.", id=place_id))
    return render_template(
        "outreach/place.html",
        place=place,
        visits=queries.place_visits(place_id),
        observations=queries.police_observations(place_id),
        ranked=service.place_ranking(place_id, page_locale()),
    )


# --- layers ---------------------------------------------------------------------------------------------------------


def _int_list(name: str, allowed) -> list[int]:
    values = [v for raw in request.args.getlist(name) for v in raw.split(",")]
    return sorted({int(v) for v in values if v.isascii() and v.isdigit() and int(v) in allowed})


def flagged_places() -> list[FlaggedPlace] | None:
    """Places flagged for police outreach in the EST inventory (None when the inventory is not installed)."""
    rows = queries.flagged_for_outreach()
    return None if rows is None else [FlaggedPlace(title, lon, lat) for _id, title, lon, lat in rows]


def _heat_config(weekdays: list[int], hours: list[int]) -> dict:
    """Where static/js/outreach_map.js gets the heat and the places, when it switches, and its words."""
    west, south, east, north = reference.map_bounds(current_app.config["AREA_BOUNDS"])
    tile = url_for(".heat_tile", z=0, x=0, y=0)
    return {
        # The route's integer converters cannot spell {z}: put the template's placeholders into a real tile address.
        "tilesUrl": tile[: -len("0/0/0.mvt")] + "{z}/{x}/{y}.mvt",
        "placesUrl": url_for(".heat_places"),
        "filters": {"weekday": ",".join(map(str, weekdays)), "hour": ",".join(map(str, hours))},
        "pointZoom": current_app.config["MVT_POINT_ZOOM"],
        "bounds": [[south, west], [north, east]],
        "locale": page_locale(),
        "texts": {
            "loading": _("Loading observations…"),
            "count_one": _("1 observation in view"),
            "count_other": _("{n} observations in view"),
            "error": _("The observations could not be loaded. Try again."),
            "reports": _("Observations at these times"),
            "visits": _("Visits and police notes"),
        },
    }


@blueprint.get("/layers")
def layers():
    """A heat map of observations by weekday and hour (default: evenings and nights), and flagged places."""
    if "filtered" in request.args:
        weekdays, hours = _int_list("weekday", WEEKDAYS), _int_list("hour", range(24))
    else:
        weekdays, hours = list(WEEKDAYS), list(DEFAULT_HOURS)
    # No day or no hour ticked selects nothing (never "everything"); the page says so.
    count = queries.heat_count(weekdays, hours)
    flagged = flagged_places()
    heat_map = build_heat_map(
        flagged or [],
        heat_label=_("Observations"),
        flagged_label=_("Flagged for police outreach (EST)"),
        **_map_args(),
    )
    return render_template(
        "outreach/layers.html",
        map=embed(heat_map.map),
        map_config=heat_map.config(**_heat_config(weekdays, hours)),
        heat_js=_asset_url(LEAFLET_HEAT_JS),
        weekdays=weekdays,
        hours=hours,
        count=count,
        flagged=flagged,
        risk_weekend=RISK_WEEKEND,
        weekday_labels=_weekday_labels(),
        presets=HEAT_PRESETS,
    )


HEAT_TILE_VERSION = "1"  # bump when the heat tiles' layout changes, so no browser keeps an old one


def _week_list(allowed: range):
    """A comma-separated list of whole numbers in `allowed`; empty selects nothing (the page says so)."""

    def parse(raw: str) -> list[int]:
        values = [v for v in raw.split(",") if v]
        if not all(v.isascii() and v.isdigit() and int(v) in allowed for v in values):
            raise ValueError(f"expected numbers from {allowed.start} to {allowed.stop - 1} separated by commas")
        return sorted({int(v) for v in values})

    return parse


HEAT_FILTERS = (
    Param("weekday", "ISO weekdays (1 = Monday); a night counts with the evening before it.", _week_list(range(1, 8))),
    Param("hour", "Local hours 0-23.", _week_list(range(24))),
)


HEAT_FILTERS = (
    Param("weekday", "ISO weekdays (1 = Monday); a night counts with the evening before it.", _week_list(range(1, 8))),
    Param("hour", "Local hours 0-23.", _week_list(range(24))),
)


def _heat_filter(values: dict) -> tuple[list[int], list[int]]:
    """The heat map's weekdays and hours (none given selects none, as on the page)."""
    return values.get("weekday", []), values.get("hour", [])


@blueprint.get("/tiles/<int:z>/<int:x>/<int:y>.mvt")
def heat_tile(z: int, x: int, y: int):
    """Reports per cell for the heat map's weekdays and hours (police-only reports included, visit notes not).

    Police-only data: private to the browser, with an ETag from the data version of places and observations, so
    an unchanged tile revalidates for one sequence read.
    """
    activity_tiles.check_tile(z, x, y)
    weekdays, hours = _heat_filter(parse_query(HEAT_FILTERS, request.args))
    key = f"{HEAT_TILE_VERSION}|{tile_data_version()}|{z}/{x}/{y}|{weekdays}|{hours}"
    etag = hashlib.sha256(key.encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        with within_time_budget():
            body = queries.heat_tile(weekdays, hours, z, x, y, tile_bounds(z, x, y))
        response = Response(body, mimetype=activity_tiles.MVT)
    response.set_etag(etag)
    return activity_tiles.private(response)


@blueprint.get("/layers/places")
def heat_places():
    """Places with reports in the view (bbox) on the heat map's weekdays and hours, with their count, by pages."""
    values, box, after, limit = activity_tiles.view(request.args, HEAT_FILTERS)
    weekdays, hours = _heat_filter(values)
    found = queries.heat_places(weekdays, hours, box, after, limit)
    for place in found:
        place["url"] = url_for(".place_visits", place_id=place["id"])
    return activity_tiles.page(found, limit)


def _weekday_labels() -> dict[int, str]:
    return {1: _("Mon"), 2: _("Tue"), 3: _("Wed"), 4: _("Thu"), 5: _("Fri"), 6: _("Sat"), 7: _("Sun")}


# --- what planners see ----------------------------------------------------------------------------------------------


@blueprint.get("/tasks")
def tasks():
    """Follow-up tasks from visits (what the officer wrote for the municipality, never the visit's notes)."""
    status = request.args.get("status", "open")
    return render_template(
        "outreach/tasks.html",
        tasks=queries.tasks(status if status in ("open", "done") else None),
        status=status,
        form=ConfirmForm(),
    )


@blueprint.post("/tasks/<int:task_id>/done")
def complete_task(task_id: int):
    """Mark a follow-up task done."""
    if not ConfirmForm().validate_on_submit():
        raise AppError(_("The form expired. Try again."), status=400, code="CSRFError")
    service.complete_task(task_id)
    flash(_("The task was marked done."))
    return redirect(url_for(".tasks"))


@blueprint.get("/summary")
def summary():
    """Visits per place per month: counts only."""
    return render_template("outreach/summary.html", rows=queries.monthly_visit_counts())


# --- API ------------------------------------------------------------------------------------------------------------


@api_blueprint.post("/visits")
def create_visit():
    """Log a visit; resending the same client_uuid returns the first visit (200) instead of a new one (201)."""
    authorise(OBSERVATION_SCOPE)
    visit, created = service.log_visit(json_body())
    response = jsonify(service.visit_json(visit))
    response.status_code = 201 if created else 200
    response.headers["Location"] = url_for(".visits", place=visit.place_id, _external=True)
    return response


@api_blueprint.get("/csrf")
def csrf():
    """A fresh CSRF token for the visits a phone kept while offline (the page's token may have expired)."""
    response = jsonify({"token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response


VISIT_QUERY = (Param("place", "", integer(1, DB_INT_MAX)), Param("plan", "", integer(1, DB_INT_MAX)))


@api_blueprint.get("/visits")
def visits():
    """Visits, newest first, optionally of one place (?place=) or plan (?plan=)."""
    values = parse_query(VISIT_QUERY, request.args)  # a wrong id is a 400, not silently all visits
    found = queries.visits(values.get("place"), values.get("plan"))
    return jsonify({"visits": [service.visit_json(v) for v in found]})


@api_blueprint.get("/visit-counts")
def visit_counts():
    """Visits per place per month: aggregated counts, no notes."""
    parse_query((Param("since", "", str),), request.args)  # no other parameters
    since = request.args.get("since")
    try:
        since_date = parse_date(since) if since is not None else None
    except ValueError:
        raise AppError(_("since must be a date (YYYY-MM-DD)."), field="since") from None
    return jsonify({"counts": queries.monthly_visit_counts(since_date)})
