"""CLI: create a user (the first admin, say)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from gis_app.auth.models import ROLES, Organisation, User
from gis_app.auth.service import find_user
from gis_app.extensions import db


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--organisation", default="Kommunen", show_default=True, help="Organisation name (must exist).")
@click.password_option(help="Password (asked for when not given).")
@with_appcontext
def create_user(email, role, organisation, password):
    """Create a user account with a role in an organisation."""
    if find_user(email):
        raise click.ClickException(f"A user {email} exists already.")
    org = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
    if org is None:
        raise click.ClickException(f"No organisation named {organisation}.")
    if len(password) < 10:
        raise click.ClickException("The password must have at least 10 characters.")
    user = User(email=email.strip().lower(), role=role, organisation_id=org.id)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {user.email} in {org.name}.")
