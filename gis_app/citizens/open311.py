"""Open311 GeoReport v2: existing citizen apps and the municipality's e-services send reports here.

Reports sent here go through the same service as the web form (checks, moderation queue) and are answered with the
citizen's reference number. GET requests shows only what the public may see: the stage, the category, a generalised
position and the citizen's text only after a planner published it; never contact details.
Specification: http://wiki.open311.org/GeoReport_v2
"""

import re
from datetime import timedelta
from xml.etree import ElementTree

from flask import Blueprint, Response, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from gis_app import ratelimits
from gis_app.auth.models import ApiToken
from gis_app.citizens import queries, service
from gis_app.citizens.views import SEARCH_MAX, dismiss_reason_labels, stage_labels, time_of_day_labels
from gis_app.core.clock import local_now, local_zone
from gis_app.core.forms import page_locale
from gis_app.core.inputs import db_int, parse_datetime
from gis_app.core.validation import InvalidInput
from gis_app.errors import AppError, NotFound
from gis_app.extensions import db
from gis_app.places.models import TIMES_OF_DAY

blueprint = Blueprint("open311", __name__, url_prefix="/open311/v2")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-02T00:00:00Z"  # when this endpoint's description last changed
REPORT_SCOPE = "write:reports"  # the API token scope that lets a client send citizens' reports
FORMATS = {"json": "application/json", "xml": "text/xml"}
DEFAULT_DAYS = 90  # the spec's default span of GET requests
MAX_IDS = 100
STATUS_STAGES = {
    "open": ("received", "under_review", "in_inventory", "measure_planned"),
    "closed": ("done", "closed"),
}
CONSENT_VALUES = ("yes", "no")
ATTRIBUTE = re.compile(r"attribute\[([^\]]*)\]")
# The service's field names as an Open311 client knows them.
OPEN311_FIELDS = {
    "category": "service_code",
    "text": "description",
    "time_of_day": "attribute[time_of_day]",
    "address": "address_string",
    "name": "first_name",
    "contact": "email",
    "lon": "long",
    "consent": "attribute[consent]",
}
# XML 1.0 cannot carry these characters at all, escaped or not: they are replaced.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PLURALS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


# --- formats and the spec's error answer ----------------------------------------------------------------------------


def _format() -> str:
    fmt = (request.view_args or {}).get("fmt")
    return fmt if fmt in FORMATS else "json"


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise AppError(_("The format must be json or xml."), field="format", status=400)


def _xml_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("\ufffd", str(value))


def _xml_fill(element: ElementTree.Element, value) -> None:
    """Write a value as XML: dicts as child elements, lists as repeated children, the rest as escaped text."""
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_fill(ElementTree.SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _xml_fill(ElementTree.SubElement(element, PLURALS.get(element.tag, "item")), item)
    else:
        element.text = _xml_text(value)


def _xml(root: str, item: str | None, value) -> bytes:
    element = ElementTree.Element(root)
    if item is None:
        _xml_fill(element, value)
    else:
        for entry in value:
            _xml_fill(ElementTree.SubElement(element, item), entry)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def _answer(value, root: str, item: str | None, status: int = 200) -> Response:
    """The same content as JSON or XML (root element and item element as the spec names them)."""
    if _format() == "xml":
        return Response(_xml(root, item, value), status=status, mimetype=FORMATS["xml"])
    response = jsonify(value)
    response.status_code = status
    return response


def _field(name: str | None) -> str | None:
    return OPEN311_FIELDS.get(name, name) if name else None


def _described(field: str | None, message: str) -> str:
    return f"{field}: {message}" if field else message


@blueprint.errorhandler(AppError)
def _app_error(error: AppError):
    """The spec's error list: [{"code": 400, "description": "…"}] or <errors><error>…</error></errors>."""
    if isinstance(error, InvalidInput):
        status = 400
        errors = [{"code": 400, "description": _described(_field(name), text)} for name, text in error.errors]
    else:
        status = error.status
        errors = [{"code": status, "description": _described(_field(error.field), error.message)}]
    response = _answer(errors, "errors", "error", status)
    if isinstance(error, ratelimits.TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return _answer(
        [{"code": error.code, "description": error.description or error.name}], "errors", "error", error.code or 500
    )


# --- discovery and services -----------------------------------------------------------------------------------------


@blueprint.get("/discovery.<fmt>")
def discovery(fmt: str):
    """Where the GeoReport v2 endpoint is, which formats it speaks and how to get an API key."""
    _check_format(fmt)
    base = url_for(".services", fmt="xml", _external=True).rsplit("/", 1)[0]
    value = {
        "changeset": CHANGESET,
        "contact": _("The municipality's safety coordinators, through the municipality's switchboard."),
        "key_service": _(
            "Ask the municipality's administrators for an API token with the scope %(scope)s.", scope=REPORT_SCOPE
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": list(FORMATS.values())[::-1],
            }
        ],
    }
    return _answer(value, "discovery", None)


def _categories() -> dict[str, str]:
    return dict(queries.category_choices(page_locale()))


@blueprint.get("/services.<fmt>")
def services(fmt: str):
    """The report categories, one service each."""
    _check_format(fmt)
    value = [
        {
            "service_code": code,
            "service_name": name,
            "description": name,
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": "",
        }
        for code, name in _categories().items()
    ]
    return _answer(value, "services", "service")


def _attributes() -> list[dict]:
    times = time_of_day_labels()
    return [
        {
            "variable": True,
            "code": "time_of_day",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 1,
            "description": _("When does the place feel unsafe?"),
            "values": [{"key": key, "name": times[key]} for key in TIMES_OF_DAY],
        },
        {
            "variable": True,
            "code": "consent",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("Required as yes when a name, email or phone number is sent."),
            "order": 2,
            "description": _("The citizen agrees that the municipality stores their name and contact details."),
            "values": [{"key": "yes", "name": _("Yes")}, {"key": "no", "name": _("No")}],
        },
    ]


@blueprint.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str):
    """A service's extra questions: when the place feels unsafe, and consent to store contact details."""
    _check_format(fmt)
    if code not in _categories():
        raise NotFound(_("No service %(code)s.", code=code[:40]), field="service_code")
    return _answer({"service_code": code, "attributes": _attributes()}, "service_definition", None)


# --- POST requests --------------------------------------------------------------------------------------------------


def _token(api_key) -> ApiToken:
    """The valid API token the client sent as api_key, with the scope for citizens' reports; 403 otherwise."""
    if not isinstance(api_key, str) or not api_key.strip() or len(api_key) > 200:
        raise AppError(_("Send a valid api_key."), field="api_key", status=403, code="Forbidden")
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(api_key.strip()), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.active:
        raise AppError(
            _("Invalid api_key received: it is unknown or revoked."), field="api_key", status=403, code="Forbidden"
        )
    if REPORT_SCOPE not in (token.scopes or []):
        raise AppError(
            _("This api_key lacks the scope %(scope)s.", scope=REPORT_SCOPE),
            field="api_key",
            status=403,
            code="Forbidden",
        )
    return token


def _attribute_values(form, problems: list) -> dict[str, str]:
    """attribute[code]=value pairs; an unknown code, or consent other than yes or no, is a problem by name."""
    values = {}
    for key, value in form.items(multi=True):
        if not key.startswith("attribute"):
            continue
        match = ATTRIBUTE.fullmatch(key)
        code = match.group(1) if match else None
        if code == "time_of_day" or (code == "consent" and value in CONSENT_VALUES):
            values[code] = value  # the service checks the time of day with the web form's rule
        elif code == "consent":
            problems.append((key, _("must be one of %(values)s", values=", ".join(CONSENT_VALUES))))
        else:
            problems.append((key[:60], _("unknown attribute: see the service definition")))
    return values


def _address_point(form, problems: list) -> tuple[object, object, object]:
    """lon, lat and an address label from lat/long, else from address_id or address_string (the address register)."""
    if form.get("lat") or form.get("long"):
        return form.get("long"), form.get("lat"), form.get("address_string")
    address = form.get("address_string")
    if form.get("address_id"):
        entry = queries.gazetteer_entry(db_int(form.get("address_id")) or 0)
        if entry is not None:
            return entry.lon, entry.lat, entry.label
        problems.append(("address_id", _("no address has this id")))
    elif address:
        searchable = len(address) <= SEARCH_MAX and address.isprintable()
        found = queries.search_places(address.strip(), limit=1) if searchable else []
        if found:
            return found[0].lon, found[0].lat, found[0].label
        problems.append(("address_string", _("no address in the municipality matches")))
    else:
        problems.append(("lat", _("send lat and long, an address_string or an address_id")))
    return None, None, None


def _joined(*values, separator: str = " ") -> str | None:
    parts = [value.strip() for value in values if isinstance(value, str) and value.strip()]
    return separator.join(parts) or None


def _given(form) -> service.ReportInput:
    """What the client sent, as the web form's input; every wrong field is refused at once, by its Open311 name."""
    problems: list = []
    attributes = _attribute_values(form, problems)
    lon, lat, address = _address_point(form, problems)
    given = service.ReportInput(
        category=form.get("service_code"),
        text=form.get("description"),
        time_of_day=attributes.get("time_of_day"),
        lon=lon,
        lat=lat,
        address_label=address,
        name=_joined(form.get("first_name"), form.get("last_name")),
        contact=_joined(form.get("email"), form.get("phone"), separator=", "),
        consent=attributes.get("consent") == "yes",
    )
    if problems:
        try:
            service.report_values(given)
        except InvalidInput as error:
            located = lon is not None  # else the service's "choose the place on the map" repeats our problem
            problems += [(name, text) for name, text in error.errors if located or name not in ("lon", "lat")]
        raise InvalidInput(problems, status=400)
    return given


@blueprint.post("/requests.<fmt>")
def create_request(fmt: str):
    """Send a citizen's report: it waits in the planners' moderation queue; the answer is its reference number."""
    _check_format(fmt)
    token = _token(request.form.get("api_key", request.args.get("api_key")))
    # The web form's limit, counted per token, client address and device: an e-service forwards many citizens.
    device = request.form.get("device_id") or request.form.get("account_id") or ""
    device = "".join(ch for ch in device if ch.isprintable())[:100]
    ratelimits.enforce("CITIZEN_REPORT_RATE_LIMIT", "open311", str(token.id), request.remote_addr or "", device)
    given = _given(request.form)
    # Act as the token's user from here on, as /api/ requests do, so that the audit trail names user and token.
    g._login_user, g.api_token = token.user, token
    token.last_used_at = func.now()
    report = service.submit_report(given, channel="open311", token_id=token.id)
    notice = _(
        "The municipality reviews every report before anything of it is published. Follow it with the reference "
        "number. Violence in a home or a close relationship is not handled here: in an emergency call 112."
    )
    value = [{"service_request_id": report.reference, "service_notice": notice, "account_id": None}]
    return _answer(value, "service_requests", "request")


# --- GET requests ---------------------------------------------------------------------------------------------------


def _iso(moment) -> str | None:
    return moment.astimezone(local_zone()).isoformat(timespec="seconds") if moment else None


def _public(row: queries.PublicRequest, categories: dict, stages: dict, reasons: dict | None) -> dict:
    notes = stages.get(row.stage, row.stage)
    if row.dismiss_reason and reasons is not None:
        notes = f"{notes}: {reasons.get(row.dismiss_reason, '')}"
    return {
        "service_request_id": row.reference,
        "status": "closed" if row.stage in STATUS_STAGES["closed"] else "open",
        "status_notes": notes,
        "service_name": categories.get(row.category_code, row.category_code),
        "service_code": row.category_code,
        "description": row.description,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": _iso(row.requested_at),
        "updated_datetime": _iso(row.updated_at),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": row.lat,
        "long": row.lon,
        "media_url": None,
    }


def _answer_requests(rows: list, by_id: bool) -> Response:
    """Why a report was dismissed is told only to whoever asks for it by its number, as the status page does."""
    categories, stages = _categories(), stage_labels()
    reasons = dismiss_reason_labels() if by_id else None
    return _answer([_public(row, categories, stages, reasons) for row in rows], "service_requests", "request")


def _list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _moment(name: str, problems: list):
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
    except (TypeError, ValueError):
        problems.append((name, _("must be a date and time in ISO 8601, such as 2024-05-24T00:00:00Z")))
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=local_zone())


def _filters() -> dict:
    """service_code, start_date, end_date and status, each checked by name (400 when wrong)."""
    problems: list = []
    codes = _list(request.args.get("service_code"))
    unknown = [code for code in codes if code not in _categories()]
    if unknown:
        problems.append(("service_code", _("unknown service: %(code)s", code=unknown[0][:40])))
    statuses = _list(request.args.get("status"))
    if any(status not in STATUS_STAGES for status in statuses):
        problems.append(("status", _("must be open or closed")))
    starts, ends = _moment("start_date", problems), _moment("end_date", problems)
    if starts and ends and starts > ends:
        problems.append(("end_date", _("must not be before start_date")))
    if problems:
        raise InvalidInput(problems, status=400)
    if starts is None and ends is None:
        starts = local_now() - timedelta(days=DEFAULT_DAYS)
    elif starts is None:
        starts = ends - timedelta(days=DEFAULT_DAYS)
    stages = [stage for status in statuses for stage in STATUS_STAGES[status]] if statuses else None
    return {"codes": codes, "starts": starts, "ends": ends, "stages": stages}


@blueprint.get("/requests.<fmt>")
def requests_list(fmt: str):
    """Reports as the public may see them: by reference numbers, or filtered (the last 90 days by default)."""
    _check_format(fmt)
    wanted = _list(request.args.get("service_request_id"))
    if wanted:
        if len(wanted) > MAX_IDS:
            raise InvalidInput([("service_request_id", _("at most %(count)d ids", count=MAX_IDS))], status=400)
        references = [service.normalise_reference(w) for w in wanted]
        return _answer_requests(queries.public_requests(references=references), by_id=True)
    return _answer_requests(queries.public_requests(**_filters()), by_id=False)


@blueprint.get("/requests/<reference>.<fmt>")
def request_detail(reference: str, fmt: str):
    """One report by its reference number, as the public may see it."""
    _check_format(fmt)
    rows = queries.public_requests(references=[service.normalise_reference(reference)])
    if not rows:
        raise NotFound(_("No service request %(id)s.", id=reference[:20]), field="service_request_id")
    return _answer_requests(rows, by_id=True)
