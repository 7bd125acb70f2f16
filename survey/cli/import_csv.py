"""``rapport import-csv``: import responses collected elsewhere into a wave, all rows or none."""

from __future__ import annotations

from typing import BinaryIO

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.db import open_migrated
from survey.errors import RapportError
from survey.services.csv_import import decode_csv, import_responses, plan_import
from survey.store.surveys import get_wave, questions_for


@click.command("import-csv")
@click.option("--wave", "wave_id", type=int, required=True, help="Id of the wave to import into.")
@click.argument("csv_file", type=click.File("rb"))
@with_appcontext
def import_csv_command(wave_id: int, csv_file: BinaryIO) -> None:
    """Import responses from a CSV file into a wave (all rows or none, and each file only once).

    Columns match question prompts (or q<ID>); an optional 'date' column (YYYY-MM-DD) gives each
    row's submission date inside the wave. Text is redacted before it is stored.
    """
    db = open_migrated(current_app.config["DATABASE"])
    try:
        wave = get_wave(db, wave_id)
        data = csv_file.read()
        questions = questions_for(db, wave.survey_id)
        plan = plan_import(decode_csv(data), wave, questions, current_app.config["MAX_ANSWER_CHARS"])
        text_ids = {question.id for question in questions if question.kind == "text"}
        texts = sum(1 for answers, _day in plan.rows for question_id in answers if question_id in text_ids)
        with click.progressbar(length=texts, label="Redacting, then storing every row at once") as bar:
            stored = import_responses(db, wave, plan.rows, data, on_progress=bar.update)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Imported {stored:,} responses into wave {wave.label!r}.")
    if plan.ignored_columns:
        click.echo(f"Ignored columns that match no question: {', '.join(plan.ignored_columns)}.")
