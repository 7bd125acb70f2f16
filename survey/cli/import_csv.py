"""``rapport import-csv``: import responses collected elsewhere into a wave, all rows or none.

A plain CSV matches columns to questions by prompt (or ``q<ID>``). A LimeSurvey or Qualtrics export
is recognised by its headers and goes through a column mapping: the one saved by the last import of
that layout into the survey, else one matched by question text, changed with ``--map``; it is shown
(``--dry-run`` stops there) and saved once the import succeeds. Metadata columns are always dropped.
"""

from __future__ import annotations

from typing import BinaryIO

import click
import sqlite_utils
from flask import current_app
from flask.cli import with_appcontext

from survey.db import open_migrated
from survey.errors import InvalidInput, RapportError
from survey.services.csv_import import ImportPlan, decode_csv, import_responses, plan_import
from survey.services.export_layouts import LAYOUT_NAMES, PLAIN, ParsedExport, parse_export
from survey.services.tool_import import (
    plan_export_import,
    propose_mapping,
    question_label,
    remember_mapping,
    resolve_question,
)
from survey.store.surveys import Question, Wave, get_wave, questions_for


def _explicit_mapping(pairs: tuple[str, ...], questions: list[Question]) -> dict[str, int | None]:
    mapping: dict[str, int | None] = {}
    for pair in pairs:
        column, separator, question = pair.partition("=")
        if not separator or not column.strip():
            raise InvalidInput(
                f"--map {pair!r}: write COLUMN=QUESTION, for example --map 'Q2[SQ001]=q4' or --map Q5=skip."
            )
        mapping[column.strip()] = resolve_question(question, questions)
    return mapping


def _show_mapping(
    parsed: ParsedExport, mapping: dict[str, int | None], questions: list[Question], from_saved: bool
) -> None:
    by_id = {question.id: question for question in questions}
    click.echo(
        f"{LAYOUT_NAMES[parsed.layout]} export: {len(parsed.records):,} completed responses"
        + (f" ({parsed.unfinished:,} unfinished or test responses left out)" if parsed.unfinished else "")
        + (". Mapping saved by the last import:" if from_saved else ". Proposed mapping:")
    )
    for column in parsed.mappable:
        question_id = mapping.get(column.key)
        target = question_label(by_id[question_id]) if question_id is not None else "left out"
        text = f" {column.label[:50]!r}" if column.label != column.key else ""
        click.echo(f"  {column.key}{text} -> {target}")
    dropped = ", ".join(column.key for column in parsed.dropped)
    click.echo(f"Metadata dropped, never stored: {dropped or 'none'}.")


def _plan(
    db: sqlite_utils.Database, wave: Wave, data: bytes, maps: tuple[str, ...], dry_run: bool
) -> tuple[ImportPlan, ParsedExport | None, dict[str, int | None]]:
    text = decode_csv(data)
    questions = questions_for(db, wave.survey_id)
    max_chars = current_app.config["MAX_ANSWER_CHARS"]
    parsed = parse_export(text)
    if parsed.layout == PLAIN:
        if maps:
            raise InvalidInput(
                "--map is for LimeSurvey and Qualtrics exports; a plain CSV names its "
                "columns after the questions (or q<ID>)."
            )
        return plan_import(text, wave, questions, max_chars), None, {}
    mapping, from_saved = propose_mapping(db, parsed, wave.survey_id, questions)
    mapping.update(_explicit_mapping(maps, questions))
    _show_mapping(parsed, mapping, questions, from_saved and not maps)
    if dry_run:
        raise click.exceptions.Exit(0)
    return plan_export_import(parsed, wave, questions, mapping, max_chars), parsed, mapping


@click.command("import-csv")
@click.option("--wave", "wave_id", type=int, required=True, help="Id of the wave to import into.")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=QUESTION",
    help="LimeSurvey/Qualtrics: the question a column fills (q<ID>, its text, or skip). Repeatable.",
)
@click.option("--dry-run", is_flag=True, help="Show the detected layout and mapping; import nothing.")
@click.argument("csv_file", type=click.File("rb"))
@with_appcontext
def import_csv_command(wave_id: int, maps: tuple[str, ...], dry_run: bool, csv_file: BinaryIO) -> None:
    """Import responses from a CSV file into a wave (all rows or none, and each file only once).

    A plain CSV's columns match question prompts (or q<ID>), with an optional 'date' column
    (YYYY-MM-DD). LimeSurvey and Qualtrics exports are recognised and mapped (see --map); their
    metadata (addresses, e-mails, names, tokens, positions, ids) is dropped. Text is redacted before
    it is stored.
    """
    db = open_migrated(current_app.config["DATABASE"])
    try:
        wave = get_wave(db, wave_id)
        data = csv_file.read()
        plan, parsed, mapping = _plan(db, wave, data, maps, dry_run)
        text_ids = {question.id for question in questions_for(db, wave.survey_id) if question.kind == "text"}
        texts = sum(1 for answers, _day in plan.rows for question_id in answers if question_id in text_ids)
        with click.progressbar(length=texts, label="Redacting, then storing every row at once") as bar:
            stored = import_responses(db, wave, plan.rows, data, on_progress=bar.update)
        if parsed is not None:
            remember_mapping(db, parsed, wave.survey_id, mapping)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Imported {stored:,} responses into wave {wave.label!r}.")
    if parsed is not None:
        click.echo(f"Mapping saved for the next {LAYOUT_NAMES[parsed.layout]} import into this survey.")
    elif plan.ignored_columns:
        click.echo(f"Ignored columns that match no question: {', '.join(plan.ignored_columns)}.")
