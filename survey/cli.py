"""The ``rapport`` command: a Flask CLI group whose commands call the store functions."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from survey.analysis_command import analyze_command
from survey.db import open_database
from survey.demo.command import demo_command
from survey.errors import RapportError
from survey.maintenance_commands import backup_command, import_csv_command
from survey.migrations import migrate
from survey.report_command import report_command
from survey.serve import serve_command


def _create_app():
    from survey import create_app

    return create_app(require_secret_key=False)


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             help="Rapport: anonymous partner surveys and feedback analytics for IT.")
def main() -> None:
    """Entry point installed as ``rapport``."""


def database():
    """Open the configured database, migrated to the current schema."""
    db = open_database(current_app.config["DATABASE"])
    migrate(db)
    return db


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database or migrate it to the current schema."""
    db = open_database(current_app.config["DATABASE"])
    applied = migrate(db)
    click.echo(f"Database {current_app.config['DATABASE']}: "
               + (f"applied {', '.join(applied)}." if applied else "already up to date."))


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "brm", "culture_lead"]), required=True,
              help="What the account may do.")
@click.password_option(help="The password (prompted for, twice, when not given).")
@with_appcontext
def create_user_command(username: str, role: str, password: str) -> None:
    """Create a staff account (the password is prompted for)."""
    from survey.store.staff import create_staff_user

    try:
        user = create_staff_user(database(), username, password, role)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role} account {user.username!r}.")


#: Every ``rapport`` command. Commands that live in other modules are added here, one line each.
COMMANDS = [init_db_command, create_user_command, analyze_command, demo_command, serve_command,
            report_command, import_csv_command, backup_command]
for _command in COMMANDS:
    main.add_command(_command)


def init_app(app: Flask) -> None:
    """Register the commands on the app too, so ``flask --app survey`` and test runners have them."""
    for command in list(main.commands.values()):
        app.cli.add_command(command)
