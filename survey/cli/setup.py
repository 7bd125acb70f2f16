"""``rapport init-db`` and ``rapport create-user``: setting up a database and its staff accounts."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.db import open_database, open_migrated, shared_database_warning
from survey.errors import RapportError
from survey.migrations import migrate
from survey.services.passwords import check_password
from survey.store.staff import ROLES, create_staff_user


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database or migrate it to the current schema."""
    db = open_database(current_app.config["DATABASE"])
    applied = migrate(db)
    click.echo(f"Database {current_app.config['DATABASE']}: "
               + (f"applied {', '.join(applied)}." if applied else "already up to date."))
    warning = shared_database_warning(current_app.config["DATABASE"])
    if warning:
        click.echo(warning, err=True)


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), required=True, help="What the account may do.")
@click.password_option(help="The password (prompted for, twice, when not given).")
@with_appcontext
def create_user_command(username: str, role: str, password: str) -> None:
    """Create a staff account (the password is prompted for)."""
    try:
        check_password(password, username)
        user = create_staff_user(open_migrated(current_app.config["DATABASE"]), username, password, role)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role} account {user.username!r}.")
