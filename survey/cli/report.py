"""``rapport report``: write a wave report (HTML, PDF) or the wave's units (CSV, JSON) to a file."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.db import open_migrated
from survey.errors import RapportError
from survey.services.thresholds import Thresholds
from survey.services.wave_report import FORMATS, render_report

FORMAT_CHOICES = tuple(FORMATS)


@click.command("report")
@click.option("--survey", "survey_id", type=int, required=True, help="Id of the survey to report on.")
@click.option("--wave", "wave_label", default=None, metavar="LABEL",
              help="Wave label, e.g. '2026 Q1' (default: the latest analysed wave).")
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="html", show_default=True,
              help="html or pdf: the wave report; csv or json: the wave's analysed units.")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="File to write (default: a name from the survey and wave, in the current folder).")
@click.option("--include-owners", is_flag=True, default=False,
              help="Name the action owners (staff) in the report; left out by default for sharing.")
@with_appcontext
def report_command(survey_id: int, wave_label: str | None, fmt: str, out: Path | None,
                   include_owners: bool) -> None:
    """Write a wave report (HTML, PDF) or export its units (CSV, JSON), thresholds applied."""
    config = current_app.config
    label = f"Building the {fmt.upper()} report" if fmt in ("html", "pdf") else f"Exporting {fmt.upper()}"
    with click.progressbar(length=1, label=label, show_eta=False,
                           item_show_func=lambda stage: stage) as bar:
        def progress(stage: str, done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos, stage)

        try:
            rendered = render_report(open_migrated(config["DATABASE"]), survey_id, wave_label, fmt,
                                     thresholds=Thresholds.from_config(config), progress=progress,
                                     include_owners=include_owners)
        except RapportError as error:
            raise click.ClickException(str(error)) from error
    target = out or Path(rendered.filename)
    try:
        target.write_bytes(rendered.content)
    except OSError as error:
        raise click.ClickException(f"Cannot write {target}: {error.strerror}.") from error
    click.echo(f"Wrote {target} ({len(rendered.content) / 1024:,.0f} KiB).")
