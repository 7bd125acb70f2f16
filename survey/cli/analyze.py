"""``rapport analyze``: analyse what is new, with a progress bar, and record the run."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from survey.db import open_migrated
from survey.errors import RapportError
from survey.services.analysis import run_analysis
from survey.services.models import embedder_from_config
from survey.store.surveys import get_survey, list_surveys


@click.command("analyze")
@click.option("--survey", "survey_id", type=int, default=None,
              help="Survey id to analyse (default: every survey).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed for clustering.")
@with_appcontext
def analyze_command(survey_id: int | None, seed: int) -> None:
    """Analyse new responses: units, embeddings, sentiment, silo flags, themes and trends."""
    config = current_app.config
    db = open_migrated(config["DATABASE"])
    try:
        surveys = [get_survey(db, survey_id)] if survey_id is not None else list_surveys(db)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
    if not surveys:
        click.echo("No surveys yet: create one in the web app or run `rapport demo`.")
        return
    for survey in surveys:
        with _StageBar(survey.title) as progress:
            summary = run_analysis(
                db, survey.id, min_group_size=config["MIN_GROUP_SIZE"], random_state=seed,
                progress=progress, embedder=embedder_from_config(config),
                model_cache=config.get("MODEL_CACHE"), release_batch_size=config.get("RELEASE_BATCH_SIZE"),
            )
        click.echo(
            f"{survey.title}: {summary.status}; {summary.new_answers:,} new answers, "
            f"{summary.new_units:,} new units, {summary.total_units:,} units in all, {summary.themes} themes "
            f"({summary.emerging} emerging), {summary.duration_seconds:.1f} s (run {summary.run_id})."
        )


MIN_SECONDS_FOR_RATE = 1.0


def progress_text(done: int, total: int, elapsed: float) -> str:
    """The words beside the bar: ``1,234 of 5,000 units (25%) · 410 units a second · about 9 s left``."""
    text = f"{done:,} of {total:,} units ({100 * done / max(total, 1):.0f}%)"
    if done <= 0 or elapsed < MIN_SECONDS_FOR_RATE:
        # Under a second the rate is noise ("802,498 units a second" for a batch that was ready).
        return text
    rate = done / elapsed
    speed = f"{rate:,.0f} units a second" if rate >= 1 else f"{1 / rate:,.1f} seconds a unit"
    left = (total - done) / rate
    return f"{text} · {speed} · about {left:,.0f} s left" if done < total else f"{text} · {speed}"


class _StageBar:
    """A tqdm bar per stage: embedding shows units done, other stages a labelled step.

    tqdm's own rate reads "2.31s/unit" or "0.43unit/s"; the bar shows :func:`progress_text` instead.
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self.bar: tqdm | None = None
        self.stage: str | None = None

    def __enter__(self) -> _StageBar:
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self._close()
            self.stage = stage
            self.bar = tqdm(total=max(total, 1), desc=f"{self.title}: {stage}", unit="unit",
                            leave=False, dynamic_ncols=True, bar_format="{desc} |{bar}| {postfix}")
        bar = self.bar
        if bar is not None:
            shown = min(done, max(total, 1))
            bar.n = shown
            bar.set_postfix_str(progress_text(shown, total, bar.format_dict["elapsed"]), refresh=True)

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __exit__(self, *exc: object) -> None:
        self._close()
