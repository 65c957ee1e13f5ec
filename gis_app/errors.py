"""One error family (HTTP status, machine code, user message) and one handler: JSON for the API, HTML elsewhere."""

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


class AppError(Exception):
    """An error the user can act on."""

    status = 400
    code = "InvalidParameterValue"
    errors: list[tuple[str, str]] = []  # every (field, message), when more than one field is wrong

    def __init__(self, message: str, field: str | None = None, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status:
            self.status = status
        if code:
            self.code = code


class NotFound(AppError):
    status = 404
    code = "NotFound"


def wants_json() -> bool:
    """API paths, and requests that prefer JSON, get JSON errors."""
    if request.blueprint == "api" or request.path.startswith("/api"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_body(
    status: int, code: str, message: str, field: str | None = None, errors: list[tuple[str, str]] = ()
) -> dict:
    """The one JSON error shape (OGC API exception: code, description) plus status, field and every field error."""
    body: dict = {"code": code, "description": message, "status": status}
    if field:
        body["field"] = field
    if errors:
        body["errors"] = [{"field": name, "description": text} for name, text in errors]
    return body


def render_error(status: int, code: str, message: str, field: str | None = None, errors: list[tuple[str, str]] = ()):
    if wants_json():
        return jsonify(error_body(status, code, message, field, errors)), status
    return render_template("error.html", status=status, message=message, field=field), status


def register_error_handlers(app):
    @app.errorhandler(AppError)
    def handle_app_error(error: AppError):
        return render_error(error.status, error.code, error.message, error.field, error.errors)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        return render_error(error.code, error.name.replace(" ", ""), error.description or error.name)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("Unhandled error")
        return render_error(500, "ServerError", _("Something went wrong on our side. Nothing was changed."))
