"""``rapport deliver-webhooks``: the delivery worker for webhook events.

Why a command rather than a thread inside ``serve``: gunicorn runs several worker processes, and a
thread in each would race for the same deliveries and die with a worker; slow receivers would hold
web threads. Events wait in the database (an outbox written in the same transaction as what they
announce), so a separate process can stop and restart without losing any, and deliveries are
claimed with a lease, so even two workers never send one delivery twice. Run it beside ``serve``
(a systemd unit or a container sidecar: ``rapport deliver-webhooks --watch``), or from cron.
"""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.db import open_migrated
from survey.errors import InvalidInput
from survey.services.webhook_delivery import WebhookSettings, deliver_due


@click.command("deliver-webhooks")
@click.option("--watch", is_flag=True, help="Keep running, checking every --interval seconds.")
@click.option("--interval", type=click.FloatRange(min=0.05), default=10.0, show_default=True,
              help="Seconds between passes with --watch.")
@with_appcontext
def deliver_webhooks_command(watch: bool, interval: float) -> None:
    """Announce wave openings and closings, and send due webhook deliveries (with retries)."""
    try:
        settings = WebhookSettings.from_config(current_app.config)
    except InvalidInput as error:
        raise click.ClickException(str(error)) from error
    db = open_migrated(current_app.config["DATABASE"])
    try:
        while True:
            results = deliver_due(db, settings)
            for result in results:
                click.echo(f"delivery {result.delivery_id} ({result.event_type}): {result.state}"
                           + (f", {result.error}" if result.error else ""))
            if not watch:
                click.echo(f"{len(results)} deliveries attempted.")
                return
            time.sleep(interval)
    finally:
        db.close()
