"""The OpenAPI description of the field APIs beside the OGC API: safety-walk capture (/api/walks) and the police's
outreach log (/api/outreach). Their routes live with their features; this says what they take and answer."""

from gis_app.core.inputs import DB_INT_MAX

_STRING = {"type": "string"}
_TEXT = {"type": "string", "nullable": True}
_INTEGER = {"type": "integer", "nullable": True}
_ID = {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX}
_UUID = {"type": "string", "format": "uuid"}

CAPTURE_SCHEMAS = {
    "findingInput": {
        "type": "object",
        "required": ["client_uuid", "geometry"],
        "description": "A finding from the phone; a category unless safe_place is true. Unknown members are refused.",
        "properties": {
            "client_uuid": _UUID,
            "geometry": {"$ref": "#/components/schemas/geometry"},
            "accuracy_m": {"type": "number", "minimum": 0, "nullable": True},
            "pin_moved": {"type": "boolean"},
            "category": _TEXT,
            "note": _TEXT,
            "safe_place": {"type": "boolean"},
            "scores": {"type": "object", "nullable": True},
            "place_id": {**_ID, "nullable": True},
            "recorded_at": {"type": "string", "format": "date-time", "nullable": True},
        },
        "additionalProperties": False,
    },
    "finding": {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer"},
            "geometry": {"$ref": "#/components/schemas/anyGeometry"},
            "properties": {
                "type": "object",
                "properties": {
                    "number": _INTEGER,
                    "client_uuid": _STRING,
                    "walk_id": {"type": "integer"},
                    "category": _TEXT,
                    "category_label": _TEXT,
                    "color": _TEXT,
                    "note": _TEXT,
                    "safe_place": {"type": "boolean"},
                    "accuracy_m": {"type": "number", "nullable": True},
                    "flagged": {"type": "boolean", "nullable": True},
                    "pin_moved": {"type": "boolean", "nullable": True},
                    "place_id": _INTEGER,
                    "observation_id": _INTEGER,
                    "new_place": {"type": "boolean", "nullable": True},
                    "scores": {"type": "object"},
                    "photos": {"type": "array", "items": {"type": "integer"}},
                    "proposed_measure": _TEXT,
                    "responsible": _TEXT,
                    "priority": _INTEGER,
                    "recorded_at": _TEXT,
                    "light_class": _TEXT,
                },
            },
        },
    },
    "findings": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/finding"}},
        },
    },
    "walkPlaces": {
        "type": "object",
        "required": ["nearby_metres", "places"],
        "properties": {
            "nearby_metres": {"type": "number"},
            "places": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "title": _STRING,
                        "category": _STRING,
                        "lon": {"type": "number"},
                        "lat": {"type": "number"},
                    },
                },
            },
        },
    },
    "csrfToken": {"type": "object", "required": ["token"], "properties": {"token": _STRING}},
    "visitInput": {
        "type": "object",
        "required": ["client_uuid", "place_id"],
        "additionalProperties": False,
        "properties": {
            "client_uuid": _UUID,
            "place_id": _ID,
            "plan_id": {**_ID, "nullable": True},
            "visited_at": {"type": "string", "format": "date-time", "nullable": True},
            "contacts": {"type": "integer", "minimum": 0, "maximum": 10_000, "nullable": True},
            "notes": _TEXT,
            "follow_up": {"type": "boolean", "nullable": True},
            "follow_up_note": _TEXT,
            "observation": _TEXT,
            "police_only": {"type": "boolean", "nullable": True},
        },
    },
    "visit": {
        "type": "object",
        "required": ["id", "client_uuid", "place_id", "visited_at"],
        "properties": {
            "id": {"type": "integer"},
            "client_uuid": _STRING,
            "place_id": {"type": "integer"},
            "plan_id": _INTEGER,
            "officer_id": _INTEGER,
            "visited_at": _STRING,
            "contacts": _INTEGER,
            "notes": _TEXT,
            "follow_up": {"type": "boolean", "nullable": True},
            "task_id": _INTEGER,
            "observation_id": _INTEGER,
            "created_at": _STRING,
        },
    },
    "visits": {
        "type": "object",
        "required": ["visits"],
        "properties": {"visits": {"type": "array", "items": {"$ref": "#/components/schemas/visit"}}},
    },
    "visitCounts": {
        "type": "object",
        "required": ["counts"],
        "properties": {
            "counts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "place_id": {"type": "integer"},
                        "title": _STRING,
                        "month": _STRING,
                        "visits": {"type": "integer"},
                    },
                },
            }
        },
    },
}

_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/exception"}}}}
# 414 comes from the HTTP server in front of the app (gunicorn), as its own small HTML page.
_HTML_ERROR = {"content": {"text/html": {"schema": {"type": "string"}}}}
_ERRORS = {
    "400": "A parameter or the body is wrong",
    "401": "Log in or send an API token",
    "405": "An id beyond the largest one: the route matches only another method",
    "403": "Your role or your token's scopes do not allow this",
    "404": "No such walk",
    "413": "The body is too large",
    "414": "The URL is too long",
    "415": "Send application/json (or multipart/form-data for findings)",
    "422": "A field is wrong; every wrong field is listed",
}
_QUERY = {  # endpoint: its query parameters
    "outreach_api.visits": [
        {"name": "place", "in": "query", "required": False, "description": "Only this place's visits.", "schema": _ID},
        {"name": "plan", "in": "query", "required": False, "description": "Only this plan's visits.", "schema": _ID},
    ],
    "outreach_api.visit_counts": [
        {
            "name": "since",
            "in": "query",
            "required": False,
            "description": "Only visits from this date on.",
            "schema": {"type": "string", "format": "date"},
        }
    ],
}
_ANSWERS = {  # endpoint: (success codes, schema, error codes)
    "walks_api.create_finding": (("200", "201"), "finding", ("400", "401", "403", "404", "413", "415", "422")),
    "walks_api.findings": (("200",), "findings", ("401", "403", "404", "405")),
    "walks_api.places": (("200",), "walkPlaces", ("401", "403", "404", "405")),
    "walks_api.csrf": (("200",), "csrfToken", ("401", "403")),
    "outreach_api.csrf": (("200",), "csrfToken", ("401", "403")),
    "outreach_api.create_visit": (("200", "201"), "visit", ("400", "401", "403", "413", "415", "422")),
    "outreach_api.visits": (("200",), "visits", ("400", "401", "403", "414")),
    "outreach_api.visit_counts": (("200",), "visitCounts", ("400", "401", "403", "414")),
}
_BODIES = {
    "walks_api.create_finding": {
        "application/json": {"schema": {"$ref": "#/components/schemas/findingInput"}},
    },
    "outreach_api.create_visit": {"application/json": {"schema": {"$ref": "#/components/schemas/visitInput"}}},
}


def capture_operations(endpoint: str, methods: list[str], path_params: list[str], summary: str) -> dict:
    """The OpenAPI operations of one field-API route."""
    successes, schema, errors = _ANSWERS[endpoint]
    body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX},
        }
        for name in path_params
    ] + _QUERY.get(endpoint, [])
    operations = {}
    for method in methods:
        op = {
            "operationId": endpoint.replace(".", "_"),
            "summary": summary,
            "parameters": parameters,
            "security": [{"bearerAuth": []}, {"session": []}],
            "responses": {code: {"description": "Success", "content": body} for code in successes}
            | {code: {"description": _ERRORS[code], **(_HTML_ERROR if code == "414" else _ERROR)} for code in errors},
        }
        if endpoint in _BODIES:
            op["requestBody"] = {"required": True, "content": _BODIES[endpoint]}
        operations[method] = op
    return operations
