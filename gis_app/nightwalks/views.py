"""Night-walk pages: the public calendar (risk weekends, events and shifts, without names) with its JSON and
export; for associations, the police and planners: shifts with their route, night reports, the season's summary,
the calendar import and the groups under agreement.

Who may come where is declared in auth/access.py; which groups' rows a caller sees is the service's scoping."""

import tempfile
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gis_app.auth.models import Organisation
from gis_app.core.clock import local_now
from gis_app.core.forms import form_status, forms_only, page_locale, show_errors
from gis_app.core.readers import ImportRejected
from gis_app.core.validation import InvalidInput
from gis_app.errors import AppError
from gis_app.exports import EXPORTERS, ExportColumn, ExportOptions
from gis_app.extensions import db
from gis_app.maps.assets import LEAFLET_DRAW_CSS, LEAFLET_DRAW_JS
from gis_app.maps.embed import embed
from gis_app.maps.night_map import build_night_map
from gis_app.nightwalks import queries, service
from gis_app.nightwalks.forms import SIGHTING_LINES, EventImportForm, GroupForm, ReportForm, ShiftForm
from gis_app.nightwalks.models import GROUP_KINDS, SIGHTING_KINDS, NightEvent
from gis_app.places import reference
from gis_app.tiles import proxied_tile_url

blueprint = Blueprint("nightwalks", __name__, url_prefix="/nightwalks")
blueprint.before_request(forms_only)  # these pages take HTML forms only

TOWN_BOUNDS = (14.600, 63.160, 14.680, 63.195)  # Östersund's town centre: where a new route is usually drawn
SPREADSHEETS = ("csv", "xlsx")
UPLOAD_SUFFIXES = (".geojson", ".json", ".gpkg")
EVENT_KIND_LABELS = {"risk_weekend": _l("Risk weekend"), "event": _l("Event")}
GROUP_KIND_LABELS = {"association": _l("Association (night walks)"), "police_volunteers": _l("Police volunteers")}
CALENDAR_COLUMNS = [
    ExportColumn("date", "datum", "date", 12),
    ExportColumn("starts", "start", width=8),
    ExportColumn("ends", "slut", width=8),
    ExportColumn("what", "vad", width=16),
    ExportColumn("title", "handelse", width=30),
    ExportColumn("district", "omrade", width=24),
    ExportColumn("walkers", "antal_vandrare", "int", 10),
    ExportColumn("demo", "demodata", width=8),
]


def _asset_url(path: str) -> str:
    return url_for("vendor.asset", filename=path)


def _year_arg() -> int:
    raw = request.args.get("year", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100 else local_now().year


def _kind_labels(locale: str) -> dict[str, str]:
    return {choice.code: choice.label for choice in reference.categories(locale) if choice.code in SIGHTING_KINDS}


@blueprint.context_processor
def _helpers() -> dict:
    return {"EVENT_KIND_LABELS": EVENT_KIND_LABELS, "GROUP_KIND_LABELS": GROUP_KIND_LABELS}


# --- the public calendar --------------------------------------------------------------------------------------------


def _calendar(year: int) -> tuple[list, list[dict]]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    return queries.events(first, last), queries.public_shifts(first, last)


def _public_shift(row: dict) -> dict:
    """A shift as the public sees it: no group, no leader, no route."""
    return {
        "starts_at": row["starts_at"].isoformat(),
        "ends_at": row["ends_at"].isoformat(),
        "walkers": row["walkers"],
        "district": row["district"],
        "event": row["event"],
        "demo": bool(row["demo"]),
    }


def _event_json(event: NightEvent) -> dict:
    return {
        "title": event.title,
        "kind": event.kind,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "demo": event.demo,
    }


@blueprint.get("/")
def calendar():
    """The year's risk weekends, events and planned night walks (when, where, how many; never who)."""
    year = _year_arg()
    events, shifts = _calendar(year)
    return render_template(
        "nightwalks/calendar.html",
        year=year,
        events=events,
        shifts=shifts,
        demo=any(e.demo for e in events) or any(s["demo"] for s in shifts),
    )


@blueprint.get("/calendar.json")
def calendar_json():
    """The calendar as JSON: events and shifts without names."""
    events, shifts = _calendar(_year_arg())
    return jsonify({"events": [_event_json(e) for e in events], "shifts": [_public_shift(s) for s in shifts]})


def _calendar_rows(year: int) -> list[dict]:
    events, shifts = _calendar(year)
    rows = [
        {
            "date": e.starts_on,
            "starts": "",
            "ends": e.ends_on.isoformat(),
            "what": str(EVENT_KIND_LABELS[e.kind]),
            "title": e.title,
            "district": "",
            "walkers": None,
            "demo": "ja" if e.demo else "nej",
        }
        for e in events
    ]
    for s in shifts:
        starts, ends = (value.astimezone(local_now().tzinfo) for value in (s["starts_at"], s["ends_at"]))
        rows.append(
            {
                "date": starts.date(),
                "starts": f"{starts:%H:%M}",
                "ends": f"{ends:%H:%M}",
                "what": _("Night walk"),
                "title": s["event"] or "",
                "district": s["district"] or "",
                "walkers": s["walkers"],
                "demo": "ja" if s["demo"] else "nej",
            }
        )
    return sorted(rows, key=lambda row: (row["date"], row["starts"]))


def _spreadsheet(name: str):
    if name not in SPREADSHEETS:
        raise AppError(_("Unknown format: choose one of %(formats)s.", formats=", ".join(SPREADSHEETS)), field="format")
    return EXPORTERS[name]


def _download(exporter, rows, columns, layer: str, filename: str) -> Response:
    options = ExportOptions(layer=layer, geometry_header="", separator=request.args.get("separator", ";"))
    response = Response(stream_with_context(exporter.chunks(rows, columns, options)), mimetype=exporter.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{exporter.extension}"'
    return response


@blueprint.get("/calendar/export")
def calendar_export():
    """The calendar as CSV or XLSX, without names."""
    exporter, year = _spreadsheet(request.args.get("format", "")), _year_arg()
    return _download(exporter, _calendar_rows(year), CALENDAR_COLUMNS, "kalender", f"nattvandring-kalender-{year}")


# --- the calendar import (planners and the police) ------------------------------------------------------------------


def _saved_upload(storage, suffixes: tuple[str, ...], field: str) -> Path:
    """The uploaded file in a temporary folder (the readers pick the driver by its suffix)."""
    suffix = Path(storage.filename or "").suffix.lower()
    if suffix not in suffixes:
        raise InvalidInput([(field, _("upload a file ending in %(suffixes)s", suffixes=", ".join(suffixes)))], 400)
    folder = Path(tempfile.mkdtemp(prefix="nightwalks-"))
    path = folder / f"upload{suffix}"
    storage.save(path)
    return path


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.parent.rmdir()


@blueprint.route("/events/import", methods=["GET", "POST"])
def import_events():
    """Import the calendar of risk weekends and events from CSV (title, kind, starts_on, ends_on, notes)."""
    form, report = EventImportForm(), None
    if request.method == "POST" and form.validate_on_submit():
        storage = request.files.get("calendar")
        try:
            if storage is None or not storage.filename:
                raise InvalidInput([("calendar", _("choose a file"))], 400)
            path = _saved_upload(storage, (".csv",), "calendar")
            try:
                result = service.import_events(path)
            finally:
                _remove(path)
        except ImportRejected as error:
            form.calendar.errors = [error.message]
            report = error.report()
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(
                _(
                    "Imported %(new)d new and %(updated)d updated calendar entries.",
                    new=result.inserted,
                    updated=result.updated,
                )
            )
            return redirect(url_for(".calendar"))
    return render_template("nightwalks/import.html", form=form, report=report), form_status(form)


# --- groups under agreement (planners) ------------------------------------------------------------------------------


@blueprint.route("/groups", methods=["GET", "POST"])
def groups():
    """The associations and police volunteers under a partnership agreement; register a new one."""
    form = GroupForm()
    form.kind.choices = [(code, str(GROUP_KIND_LABELS[code])) for code in GROUP_KINDS]
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.kind.in_(("other", "polis"))).order_by(Organisation.name)
    ).all()
    form.organisation_id.choices = [(o.id, o.name) for o in organisations]
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.create_group(form.values())
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(_("The group was registered."))
            return redirect(url_for(".groups"))
    return render_template("nightwalks/groups.html", groups=queries.groups(), form=form), form_status(form)


# --- shifts ---------------------------------------------------------------------------------------------------------


@blueprint.get("/shifts")
def shifts():
    """The shifts the caller may see (an association its own), with their reports."""
    year = _year_arg()
    rows = queries.shifts(service.visible_group_ids(), year)
    return render_template(
        "nightwalks/shifts.html",
        shifts=rows,
        year=year,
        counts=queries.kind_counts([s.id for s in rows]),
        kinds=_kind_labels(page_locale()),
        may_plan=service.writable_group_ids() != [],
    )


def _shift_json(shift) -> dict:
    return {
        "id": shift.id,
        "group": shift.group.name,
        "event": shift.event.title if shift.event else None,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "walkers": shift.walkers,
        "leader": shift.leader,
        "reported": shift.report is not None,
        "route": queries.shift_map(shift.id)["route"],
    }


@blueprint.get("/shifts.json")
def shifts_json():
    """The caller's visible shifts of the year as JSON (an association sees only its own)."""
    rows = queries.shifts(service.visible_group_ids(), _year_arg())
    return jsonify({"shifts": [_shift_json(s) for s in rows]})


def _map(bounds, features: dict, texts: dict | None = None):
    night_map = build_night_map(
        bounds, features, _asset_url, proxied_tile_url(), current_app.config["TILE_ATTRIBUTION"]
    )
    return embed(night_map.map), night_map.config(texts=texts or {})


def _shift_form() -> ShiftForm:
    form = ShiftForm()
    form.group_id.choices = [(g.id, g.name) for g in queries.groups(service.writable_group_ids())]
    year = local_now().year
    events = queries.events(date(year - 1, 1, 1), date(year + 1, 12, 31))
    form.event_id.choices = [("", "–")] + [
        (e.id, f"{e.title} ({e.starts_on.isoformat()}–{e.ends_on.isoformat()})") for e in events
    ]
    return form


def _route_upload():
    storage = request.files.get("route_file")
    if storage is None or not storage.filename:
        return None
    return _saved_upload(storage, UPLOAD_SUFFIXES, "route_file")


@blueprint.route("/shifts/new", methods=["GET", "POST"])
def new_shift():
    """Plan a shift: the group, the night (on a risk weekend or event), the walkers and the route (drawn or a file)."""
    form = _shift_form()
    if request.method == "GET":
        event_id = request.args.get("event", "")
        form.event_id.data = int(event_id) if event_id.isascii() and event_id.isdigit() else None
    if request.method == "POST" and form.validate_on_submit():
        path = None
        try:
            path = _route_upload()
            shift = service.plan_shift(form.values(), path)
        except InvalidInput as error:
            show_errors(form, error)
        else:
            flash(_("The shift was planned."))
            return redirect(url_for(".shift_detail", shift_id=shift.id))
        finally:
            if path is not None:
                _remove(path)
    page_map, config = _map(TOWN_BOUNDS, {"route": None, "sightings": []})
    return render_template(
        "nightwalks/shift_form.html",
        form=form,
        map=page_map,
        config=config,
        draw_assets={"js": _asset_url(LEAFLET_DRAW_JS), "css": _asset_url(LEAFLET_DRAW_CSS)},
    ), form_status(form)


def _bounds(features: dict):
    points = []
    if features["route"]:
        points += features["route"]["coordinates"]
    points += [f["geometry"]["coordinates"] for f in features["sightings"]]
    if not points:
        return TOWN_BOUNDS
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    pad = 0.002
    return (min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad)


@blueprint.get("/shifts/<int:shift_id>")
def shift_detail(shift_id: int):
    """A shift: its night, walkers, route on the map, and its report's counts by kind."""
    shift = service.get_shift(shift_id)
    features = queries.shift_map(shift.id)
    kinds = _kind_labels(page_locale())
    page_map, config = _map(_bounds(features), features, {"kinds": kinds})
    return render_template(
        "nightwalks/shift.html",
        shift=shift,
        map=page_map,
        config=config,
        kinds=kinds,
        length_m=queries.route_length_m(shift.id),
        places=queries.sighting_places(shift.report.id) if shift.report else {},
        may_report=service.may_write_shift(shift) and shift.report is None,
    )


def _posted_sightings() -> list[dict]:
    """The report form's filled lines (a line with neither kind nor count is left out)."""
    lines = []
    for index in range(SIGHTING_LINES):
        line = {
            key: request.form.get(f"sightings-{index}-{key}", "").strip()
            for key in ("kind", "count", "note", "lon", "lat")
        }
        if line["kind"] or line["count"]:
            lines.append(line)
    return lines


@blueprint.route("/shifts/<int:shift_id>/report", methods=["GET", "POST"])
def new_report(shift_id: int):
    """File the night's report: counts by kind, each at a point marked on the map; they become observations."""
    shift = service.get_shift(shift_id)
    form, errors, posted = ReportForm(), {}, []
    if request.method == "POST" and form.validate_on_submit():
        posted = _posted_sightings()
        raw_shift = request.form.get("shift_id", str(shift.id))
        data = {
            "shift_id": int(raw_shift) if raw_shift.isascii() and raw_shift.isdigit() and len(raw_shift) < 10 else None,
            "summary": form.summary.data,
            "sightings": posted,
        }
        try:
            service.file_report(data)
        except InvalidInput as error:
            errors = dict(error.errors)  # shown next to each line's field, and the shift's at the top
        else:
            flash(_("The report was filed; its counts are now observations."))
            return redirect(url_for(".shift_detail", shift_id=shift.id))
    features = queries.shift_map(shift.id)
    page_map, config = _map(_bounds(features), features, {"kinds": _kind_labels(page_locale())})
    status = 400 if errors or form.errors else 200
    return render_template(
        "nightwalks/report_form.html",
        shift=shift,
        form=form,
        errors=errors,
        posted=posted + [{}] * (SIGHTING_LINES - len(posted)),
        kinds=_kind_labels(page_locale()),
        map=page_map,
        config=config,
    ), status


# --- the season's summary -------------------------------------------------------------------------------------------


def season_columns(locale: str) -> list[ExportColumn]:
    kinds = _kind_labels(locale)
    return [
        ExportColumn("group", "grupp", width=30),
        ExportColumn("date", "datum", "date", 12),
        ExportColumn("starts", "start", width=8),
        ExportColumn("ends", "slut", width=8),
        ExportColumn("event", "handelse", width=24),
        ExportColumn("district", "omrade", width=24),
        ExportColumn("walkers", "antal_vandrare", "int", 10),
        ExportColumn("route_m", "rutt_meter", "int", 10),
        ExportColumn("reported", "rapporterad", width=10),
        *(ExportColumn(code, kinds.get(code, code), "int", 12) for code in SIGHTING_KINDS),
        ExportColumn("demo", "demodata", width=8),
    ]


def season_rows(year: int) -> list[dict]:
    """One row per shift the caller may see, with its counts by kind."""
    rows = queries.shifts(service.visible_group_ids(), year)
    ids = [s.id for s in rows]
    counts, lengths = queries.kind_counts(ids), queries.route_lengths(ids)
    districts = queries.district_names()
    zone = local_now().tzinfo
    result = []
    for shift in reversed(rows):
        starts, ends = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
        result.append(
            {
                "group": shift.group.name,
                "date": starts.date(),
                "starts": f"{starts:%H:%M}",
                "ends": f"{ends:%H:%M}",
                "event": shift.event.title if shift.event else "",
                "district": districts.get(shift.district_id or 0, ""),
                "walkers": shift.walkers,
                "route_m": round(lengths.get(shift.id, 0)),
                "reported": "ja" if shift.report else "nej",
                **counts[shift.id],
                "demo": "ja" if shift.demo else "nej",
            }
        )
    return result


@blueprint.get("/season/export")
def season_export():
    """The season's summary as CSV or XLSX: one row per shift with walkers, route length and counts by kind."""
    exporter, year = _spreadsheet(request.args.get("format", "")), _year_arg()
    return _download(
        exporter, season_rows(year), season_columns(page_locale()), f"sasong_{year}", f"nattvandring-{year}"
    )
