"""``rapport backup``: a consistent copy of the database while it is in use, noted for the admin page."""

from __future__ import annotations

import os
import sqlite3

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.db import create_private_file, open_database
from survey.store.backups import record_backup


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(destination: str) -> None:
    """Copy the database to DESTINATION with SQLite's online backup (safe while serving)."""
    try:
        create_private_file(destination)  # a copy of every answer: the service account's alone
    except FileExistsError:
        raise click.ClickException(f"{destination} already exists; choose a new file name.") from None
    source = sqlite3.connect(current_app.config["DATABASE"])
    target = sqlite3.connect(destination)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    db = open_database(current_app.config["DATABASE"])
    try:
        record_backup(db, os.path.abspath(destination), os.path.getsize(destination))
    finally:
        db.close()
    click.echo(f"Backed up {current_app.config['DATABASE']} to {destination}.")
