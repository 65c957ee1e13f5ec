"""Administration pages: users, organisations and API tokens. Who may come here is declared in auth/access.py."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gis_app.admin import service
from gis_app.admin.forms import (
    KIND_LABELS,
    ROLE_LABELS,
    SCOPE_LABELS,
    EditUserForm,
    NewUserForm,
    OrganisationForm,
    TokenForm,
    choices,
)
from gis_app.auth.service import is_locked
from gis_app.core.forms import ConfirmForm, form_status
from gis_app.errors import AppError

blueprint = Blueprint("admin", __name__)

# A page that shows a password or token secret must not be kept by the browser or a proxy.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@blueprint.context_processor
def _labels() -> dict:
    return {
        "role_labels": ROLE_LABELS,
        "kind_labels": KIND_LABELS,
        "scope_labels": SCOPE_LABELS,
        "is_locked": is_locked,
    }


def _show_on_field(form, error: AppError) -> None:
    """Put a service's refusal next to the field it names (or the form's first field)."""
    visible = [field for field in form if field.type not in ("CSRFTokenField", "HiddenField")]
    field = form[error.field] if error.field and error.field in form else visible[0]
    field.errors = [*field.errors, error.message]


# --- users ----------------------------------------------------------------------------------------------------------


@blueprint.get("/admin/users")
def users():
    """List the users."""
    return render_template("admin/users.html", users=service.list_users())


@blueprint.route("/admin/users/new", methods=["GET", "POST"])
def new_user():
    """Create a user with a role, an organisation and an initial password."""
    form = NewUserForm()
    form.organisation.choices = choices(service.organisation_choices())
    if form.validate_on_submit():
        try:
            user = service.create_user(form.email.data, form.role.data, form.organisation.data, form.password.data)
        except AppError as error:
            _show_on_field(form, error)
        else:
            flash(_("Created the user %(email)s.", email=user.email))
            return redirect(url_for(".users"))
    return render_template("admin/new_user.html", form=form), form_status(form)


@blueprint.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change a user's role, organisation and active flag; unlock the account."""
    user = service.get_user(user_id)
    form = EditUserForm(data=_user_data(user))
    form.organisation.choices = choices(service.organisation_choices())
    if form.validate_on_submit():
        try:
            service.update_user(user, form.role.data, form.organisation.data, form.active.data, form.unlock.data)
        except AppError as error:
            _show_on_field(form, error)
        else:
            flash(_("Saved the user %(email)s.", email=user.email))
            if not (current_user.is_authenticated and current_user.role == "admin"):  # demoted themself
                return redirect(url_for("places.map_page"))
            return redirect(url_for(".users"))
    return _edit_page(user, form, form_status(form))


def _user_data(user) -> dict:
    return {"role": user.role, "organisation": user.organisation_id, "active": user.active}


def _edit_page(user, form, status: int = 200, new_password: str | None = None):
    headers = NO_STORE if new_password else {}
    return (
        render_template(
            "admin/edit_user.html", user=user, form=form, reset_form=ConfirmForm(), new_password=new_password
        ),
        status,
        headers,
    )


@blueprint.post("/admin/users/<int:user_id>/password")
def reset_password(user_id: int):
    """Set a new random password and show it once, on this response only."""
    user = service.get_user(user_id)
    if not ConfirmForm().validate_on_submit():
        raise AppError(_("The form has expired. Reload the page and try again."))
    password = service.reset_password(user)
    form = EditUserForm(formdata=None, data=_user_data(user))
    form.organisation.choices = choices(service.organisation_choices())
    return _edit_page(user, form, new_password=password)


# --- organisations --------------------------------------------------------------------------------------------------


@blueprint.route("/admin/organisations", methods=["GET", "POST"])
def organisations():
    """List the organisations and create one."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = service.create_organisation(form.name.data, form.kind.data)
        except AppError as error:
            _show_on_field(form, error)
        else:
            flash(_("Created the organisation %(name)s.", name=organisation.name))
            return redirect(url_for(".organisations"))
    return render_template(
        "admin/organisations.html", form=form, organisations=service.list_organisations()
    ), form_status(form)


# --- API tokens -----------------------------------------------------------------------------------------------------


@blueprint.route("/admin/tokens", methods=["GET", "POST"])
def tokens():
    """List the API tokens and issue one; its secret is shown once, on this response only."""
    form = TokenForm()
    form.user.choices = choices(service.token_owner_choices(ROLE_LABELS))
    new_token = secret = None
    if form.validate_on_submit():
        try:
            new_token, secret = service.issue_token(form.user.data, form.name.data, form.scopes.data)
        except AppError as error:
            _show_on_field(form, error)
        else:
            form = TokenForm(formdata=None)
            form.user.choices = choices(service.token_owner_choices(ROLE_LABELS))
    page = render_template(
        "admin/tokens.html",
        form=form,
        tokens=service.list_tokens(),
        revoke_form=ConfirmForm(),
        new_token=new_token,
        secret=secret,
    )
    return page, form_status(form), NO_STORE if secret else {}


@blueprint.post("/admin/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    """Revoke a token: it stops authenticating at once."""
    token = service.get_token(token_id)
    if not ConfirmForm().validate_on_submit():
        raise AppError(_("The form has expired. Reload the page and try again."))
    if service.revoke_token(token):
        flash(_("Revoked the token %(name)s.", name=token.name))
    else:
        flash(_("The token %(name)s was revoked already.", name=token.name))
    return redirect(url_for(".tokens"))
