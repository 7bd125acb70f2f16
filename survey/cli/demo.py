"""``rapport demo``: create the demo organisation on the configured database."""

from __future__ import annotations

import os

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from reports.formatting import date_text
from survey.db import open_database
from survey.demo.seed import DemoSummary, holds_data, is_demo_database, seed_demo
from survey.errors import RapportError
from survey.migrations import migrate

#: Responses the demo seeds by default (the demo story reads well at 600-1,000).
DEFAULT_RESPONSES = 800


@click.command("demo")
@click.option("--reset", is_flag=True,
              help="Delete the database file first (only if it holds the demo, unless --yes).")
@click.option("--yes", is_flag=True, help="With --reset: delete the database even if it is not the demo.")
@click.option("--responses", type=click.IntRange(1, 100_000), default=DEFAULT_RESPONSES,
              show_default=True, help="How many partner responses to generate.")
@click.option("--seed", type=int, default=7, show_default=True,
              help="Random seed of the generated feedback (same seed, same corpus).")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="Where the app is served, to print the partner link.")
@with_appcontext
def demo_command(reset: bool, yes: bool, responses: int, seed: int, base_url: str) -> None:
    """Create a demo organisation: staff logins, a survey, 4 quarterly waves and responses."""
    path = current_app.config["DATABASE"]
    if reset:
        _delete_database(path, yes)
    db = open_database(path)
    try:
        migrate(db)
        if is_demo_database(db):
            click.echo(f"The demo organisation already exists in {path}; nothing was changed. "
                       "Run `rapport demo --reset` to rebuild it.")
            return
        if holds_data(db):
            raise click.ClickException(
                f"{path} already holds surveys or staff accounts, and demo data must not mix with "
                "real data. Point RAPPORT_DATABASE at another file (for example instance/demo.db)."
            )
        with click.progressbar(length=responses, label="Storing demo responses") as bar:
            summary = seed_demo(db, responses=responses, seed=seed, on_progress=bar.update)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
    finally:
        db.close()
    _print_summary(summary, path, base_url)


def _delete_database(path: str, yes: bool) -> None:
    """Delete the database file and its WAL files, after checking it is the demo (or ``--yes``)."""
    if path == ":memory:" or not os.path.exists(path):
        return
    db = open_database(path)
    try:
        safe = is_demo_database(db) or not holds_data(db)
    finally:
        db.close()
    if not safe and not yes:
        raise click.ClickException(
            f"{path} is not the demo database; refusing to delete it. "
            "Pass --yes to delete it anyway."
        )
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    click.echo(f"Deleted {path}.")


def _print_summary(summary: DemoSummary, path: str, base_url: str) -> None:
    click.echo(f"\nDemo organisation created in {path}.")
    click.echo("Staff logins (demo passwords, never use them for real data):")
    for login in summary.logins:
        click.echo(f"  {login.role:<13} {login.username:<14} password: {login.password}")
    click.echo(f"Survey {summary.survey_title!r} (id {summary.survey_id}), {summary.responses:,} responses "
               "seeded (staff pages count them once `rapport analyze` releases them):")
    for wave in summary.waves:
        click.echo(f"  {wave.label}  {date_text(wave.opens_on)} to {date_text(wave.closes_on)}  "
                   f"{wave.status:<9} {wave.responses:>5,} responses")
    departments = ", ".join(f"{name} {count:,}" for name, count in summary.responses_by_department)
    click.echo(f"By department: {departments}")
    if summary.open_wave is not None:
        click.echo(f"Partner link of the open wave ({summary.open_wave.label}): "
                   f"{_partner_link(base_url, summary.open_wave.token)}")
    click.echo("Invitation codes: sign in as the BRM, add a wave with access 'invitation codes' "
               "and generate codes on its page.")


def _partner_link(base_url: str, token: str) -> str:
    """The full partner URL of a wave, built by the app's own routing."""
    with current_app.test_request_context(base_url=base_url):
        return url_for("partner.survey", token=token, _external=True)
