"""``rapport replicate`` and ``rapport restore``: continuous backup with Litestream.

``replicate`` writes litestream's config from Rapport's ``REPLICA_*`` settings and becomes
``litestream replicate`` (same process id, so a service manager's SIGTERM reaches litestream and
it finishes its last sync). ``restore`` brings the replica back into a new file and checks it.
"""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.db import shared_database_warning
from survey.errors import RapportError
from survey.services.replication import (
    ReplicaSettings,
    litestream_environment,
    replica_status,
    replicate_arguments,
)
from survey.services.restore import restore_database


@click.command("replicate")
@click.option("--once", is_flag=True, help="Ship what is new once and exit (for cron), instead of running.")
@with_appcontext
def replicate_command(once: bool) -> None:
    """Replicate the database continuously to REPLICA_URL with litestream (runs until stopped)."""
    settings = ReplicaSettings.from_config(current_app.config)
    try:
        arguments = replicate_arguments(settings, once=once)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Replicating {settings.database} to {settings.target()} every "
        f"{settings.sync_interval} (config: {settings.config_path}).",
        err=True,
    )
    os.execve(arguments[0], arguments, litestream_environment(settings))


@click.command("restore")
@click.argument("output", type=click.Path(dir_okay=False))
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite OUTPUT even if it exists or is the live database (stop the server first).",
)
@with_appcontext
def restore_command(output: str, force: bool) -> None:
    """Restore the database from its replica into OUTPUT, then check it with PRAGMA integrity_check."""
    settings = ReplicaSettings.from_config(current_app.config)
    try:
        result = restore_database(settings, output, force=force)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
    counts = ", ".join(f"{count:,} {table}" for table, count in result.rows.items())
    click.echo(f"Restored {settings.target()} to {result.path}: integrity check ok; {counts}.")
    warning = shared_database_warning(result.path)
    if warning:
        click.echo(warning, err=True)


@click.command("replica-status")
@with_appcontext
def replica_status_command() -> None:
    """Show what the replica holds: its newest transaction and when it was written."""
    status = replica_status(ReplicaSettings.from_config(current_app.config))
    click.echo(f"Replica: {status.target}")
    if status.problem:
        raise click.ClickException(status.problem)
    if status.configured:
        click.echo(
            f"Newest transaction {status.latest_txid} written {status.latest_at} "
            f"({status.files:,} LTX files)."
        )
