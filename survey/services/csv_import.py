"""Importing responses collected elsewhere (a CSV export) into a wave, all or nothing.

Every row is checked before anything is stored; any problem is reported with its line number
and nothing is written. Stored rows go through :func:`survey.store.responses.record_response`,
so free text is redacted and only the submission date is kept, exactly as for the web form.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlite_utils

from survey.errors import InvalidInput
from survey.store.responses.imports import import_id, store_import
from survey.store.surveys import Question, Wave, questions_for

#: Column that may hold each row's submission date (YYYY-MM-DD; a time part is dropped).
DATE_COLUMN = "date"
MAX_REPORTED_PROBLEMS = 20


@dataclass(frozen=True)
class ImportPlan:
    """Validated rows ready to store: answers by question id, and the date of each."""

    rows: tuple[tuple[dict[int, str | int], dt.date], ...]
    ignored_columns: tuple[str, ...]


def decode_csv(data: bytes) -> str:
    """Decode an uploaded CSV as UTF-8 (with or without BOM), with a clear error otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidInput(
            f"The file is not UTF-8 text (line {line} has bytes that are not valid UTF-8). "
            "Save it as 'CSV UTF-8' and try again."
        ) from None


def plan_import(
    text: str, wave: Wave, questions: list[Question], max_answer_chars: int = 4000,
) -> ImportPlan:
    """Check every row of a CSV against the survey's questions.

    Columns are matched to questions by their exact prompt or by ``q<id>``; an optional ``date``
    column gives each row's submission date, which must fall inside the wave.

    Raises
    ------
    InvalidInput
        Listing up to :data:`MAX_REPORTED_PROBLEMS` problems with line numbers.
    """
    if "\x00" in text:
        raise InvalidInput("The file contains NUL bytes; it does not look like a CSV export.")
    try:
        # strict: a quote left open runs to the end of the file, which is an error, not one long cell.
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = reader.fieldnames or []
    except csv.Error as error:
        raise InvalidInput(f"The CSV header could not be read: {error}.") from None
    columns = _match_columns(header, questions)
    problems: list[str] = []
    rows: list[tuple[dict[int, str | int], dt.date]] = []
    try:
        for record in reader:
            line = reader.line_num
            if None in record:
                problems.append(f"line {line}: more cells than the header has columns")
                continue
            answers, row_problems = check_row(record, columns, max_answer_chars)
            day, date_problem = row_date(record.get(DATE_COLUMN), wave)
            problems += [f"line {line}: {problem}" for problem in row_problems + date_problem]
            if answers:
                rows.append((answers, day))
    except csv.Error as error:
        unclosed = "end of data" in str(error) or "EOF" in str(error)
        problems.append(f"line {reader.line_num}: " + (
            "a quote opened in a cell is never closed (the file ends inside quotes); check for a "
            "stray \" character" if unclosed else str(error)))
    if not rows and not problems:
        problems.append("the file has no responses below its header")
    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        raise InvalidInput("Nothing was imported. Fix these problems and import again:\n  "
                           + "\n  ".join(shown) + (f"\n  ... and {more} more" if more else ""))
    ignored = tuple(name for name in header if name not in columns and name != DATE_COLUMN)
    return ImportPlan(tuple(rows), ignored)


def _match_columns(header: Sequence[str], questions: list[Question]) -> dict[str, Question]:
    by_prompt = {question.prompt.strip().lower(): question for question in questions}
    by_key = {f"q{question.id}": question for question in questions}
    columns: dict[str, Question] = {}
    for name in header:
        question = by_key.get(name.strip().lower()) or by_prompt.get(name.strip().lower())
        if question is None:
            if header.count(name) > 1:
                raise InvalidInput(f"The column {name!r} appears twice in the header; keep one of them.")
            continue
        if name in columns or question in columns.values():
            raise InvalidInput(f"Two columns give answers to {question.prompt!r} (q{question.id}): the "
                               "header names it twice. Keep one of them and import again.")
        columns[name] = question
    if not any(question.kind == "text" for question in columns.values()):
        expected = ", ".join(f"'{q.prompt}' (or q{q.id})" for q in questions if q.kind == "text")
        raise InvalidInput(f"No column matches an open-text question of this survey; expected {expected}.")
    return columns


def check_row(
    record: dict[str, str], columns: dict[str, Question], max_answer_chars: int
) -> tuple[dict[int, str | int], list[str]]:
    """The answers of one row by question id, and what is wrong with its cells."""
    answers: dict[int, str | int] = {}
    problems: list[str] = []
    for name, question in columns.items():
        value = (record.get(name) or "").strip()
        if not value:
            continue
        if question.kind in ("rating", "nps"):
            low, high = (1, 5) if question.kind == "rating" else (0, 10)
            if not value.isdigit() or not low <= int(value) <= high:
                problems.append(f"'{name}' must be a whole number from {low} to {high}, not {value!r}")
                continue
            answers[question.id] = int(value)
        elif question.kind in ("choice", "segment"):
            if value not in question.options:
                problems.append(f"'{name}' must be one of {', '.join(question.options)}, not {value!r}")
                continue
            answers[question.id] = value
        elif len(value) > max_answer_chars:
            problems.append(f"'{name}' is {len(value):,} characters long; the limit is {max_answer_chars:,}")
        else:
            answers[question.id] = value
    return answers, problems


def row_date(value: str | None, wave: Wave) -> tuple[dt.date, list[str]]:
    """A row's submission date (its date part only; today or the wave's edge when empty)."""
    if not value or not value.strip():
        return min(wave.closes_on, max(wave.opens_on, dt.date.today())), []
    try:
        day = dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return wave.opens_on, [f"date {value!r} is not a date like 2026-03-31"]
    if not wave.opens_on <= day <= wave.closes_on:
        return wave.opens_on, [f"date {day} is outside the wave ({wave.opens_on} to {wave.closes_on})"]
    return day, []


def import_responses(
    db: sqlite_utils.Database, wave: Wave, rows: Sequence[tuple[dict[int, str | int], dt.date]],
    data: bytes, on_progress: Callable[[int], None] = lambda _count: None,
) -> int:
    """Store planned rows all at once, and the file ``data`` only once; returns how many were stored.

    Raises
    ------
    InvalidInput
        When this file was already imported into this wave.
    """
    return store_import(db, wave, questions_for(db, wave.survey_id), rows, import_id(data, wave),
                        on_progress)
