"""Security headers on every response: a Content-Security-Policy with no third-party origin, and the usual others."""

import secrets

from flask import Flask, Response, current_app, g, request
from flask_babel import gettext as _

from gis_app.errors import AppError


def csp_nonce() -> str:
    """The nonce that lets this response's own inline scripts (folium's) run, and nothing else inline."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _policy() -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{csp_nonce()}'",
            "style-src 'self' 'unsafe-inline'",  # Leaflet and folium style elements inline
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = _policy()
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "geolocation=(self), camera=(self), microphone=()"
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def refuse_json_on_pages() -> None:
    """Pages take form posts only: a JSON body there would be read as form data by Flask-WTF."""
    if (
        request.method in ("POST", "PUT", "PATCH", "DELETE")
        and request.is_json
        and not request.path.startswith("/api/")
    ):
        raise AppError(_("This page takes a form, not JSON."), field="body", status=415, code="UnsupportedMediaType")


def register_security(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(refuse_json_on_pages)
    app.after_request(set_security_headers)
