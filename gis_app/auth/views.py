"""Log in and log out."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from gis_app.auth.forms import LoginForm
from gis_app.auth.service import authenticate, end_session, start_session
from gis_app.extensions import limiter
from gis_app.ratelimits import enforce

blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so the login page cannot send anyone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("places.map_page")


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    """Show the login form; log the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        # Per account too, in storage all workers share: spreading guesses over addresses does not help.
        enforce("LOGIN_ACCOUNT_RATE_LIMIT", "login-account", form.email.data.strip().lower())
        user = authenticate(form.email.data, form.password.data)
        if user:
            start_session(user)  # a new session and CSRF secret: nothing from before the login carries over
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong email or password, or the account is locked or deactivated."))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@blueprint.post("/logout")
def logout():
    """Log out: the session ends on the server too, so a copy of its cookie is worth nothing."""
    end_session()
    logout_user()
    flash(_("You are logged out."))
    return redirect(url_for("places.map_page"))
