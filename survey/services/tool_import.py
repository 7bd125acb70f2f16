"""Importing a LimeSurvey or Qualtrics export through a column mapping, all rows or none.

The mapping says which question each column fills (``None``: left out). It is proposed from the
mapping saved by the last import of the same layout into the survey, else by matching question
texts; the person importing confirms or changes it, and it is saved once the import succeeds.
Metadata columns (:mod:`survey.services.export_layouts`) can never be mapped, so addresses,
e-mails, names, tokens, positions and response ids never reach the database; text is redacted on
the way in by :func:`survey.services.csv_import.import_responses`, exactly as for other imports.
"""

from __future__ import annotations

import datetime as dt

import sqlite_utils

from survey.errors import InvalidInput
from survey.services.csv_import import (
    MAX_REPORTED_PROBLEMS,
    ImportPlan,
    check_row,
    import_responses,
    row_date,
)
from survey.services.export_layouts import LAYOUT_NAMES, ParsedExport
from survey.store.import_mappings import save_mapping, saved_mapping
from survey.store.surveys import Question, Wave, questions_for

#: How each question kind is named in the mapping step.
KIND_LABELS = {
    "text": "open text",
    "rating": "scale 1-5",
    "nps": "scale 0-10 (NPS)",
    "choice": "single choice",
    "segment": "department",
}

Mapping_ = dict[str, int | None]


def question_label(question: Question) -> str:
    """A question as the mapping step names it: its text, kind and key."""
    return f"{question.prompt} ({KIND_LABELS.get(question.kind, question.kind)}, q{question.id})"


def _match(label: str, key: str, questions: list[Question]) -> Question | None:
    # Text only: a LimeSurvey code "Q3" must not be taken for Rapport's question id q3.
    wanted = {label.strip().lower(), key.strip().lower()}
    return next((question for question in questions if question.prompt.strip().lower() in wanted), None)


def propose_mapping(
    db: sqlite_utils.Database, parsed: ParsedExport, survey_id: int, questions: list[Question]
) -> tuple[Mapping_, bool]:
    """The mapping to offer, and whether it comes from a saved one.

    A saved choice is reused for every column it names; other columns are matched by question text;
    no question is proposed for two columns.
    """
    saved = saved_mapping(db, survey_id, parsed.layout)
    known = {question.id for question in questions}
    proposal: Mapping_ = {}
    for column in parsed.mappable:
        if column.key in saved and (saved[column.key] is None or saved[column.key] in known):
            proposal[column.key] = saved[column.key]
            continue
        question = _match(column.label, column.key, questions)
        taken = question is not None and question.id in proposal.values()
        proposal[column.key] = None if question is None or taken else question.id
    return proposal, bool(saved) and any(key in saved for key in proposal)


def resolve_question(value: str, questions: list[Question]) -> int | None:
    """A question named on the command line: ``skip``, ``q5``, ``5`` or its exact text."""
    text = value.strip()
    if text.lower() in ("", "skip", "none", "-"):
        return None
    number = text[1:] if text[:1].lower() == "q" and text[1:].isdigit() else text
    for question in questions:
        if (
            number.isdigit() and question.id == int(number)
        ) or question.prompt.strip().lower() == text.lower():
            return question.id
    raise InvalidInput(
        f"{value!r} names no question of this survey; use skip, or one of: "
        + "; ".join(question_label(question) for question in questions)
    )


def check_mapping(parsed: ParsedExport, questions: list[Question], mapping: Mapping_) -> dict[str, Question]:
    """The mapped columns as ``key -> question``, after refusing any mapping that cannot hold.

    Raises
    ------
    InvalidInput
        For a metadata or unknown column, a question of another survey, a question given by two
        columns, or no open-text question at all.
    """
    by_id = {question.id: question for question in questions}
    columns = {column.key: column for column in parsed.columns}
    chosen: dict[str, Question] = {}
    for key, question_id in mapping.items():
        if question_id is None:
            continue
        if key not in columns:
            raise InvalidInput(f"The file has no column {key!r}.")
        if columns[key].metadata:
            raise InvalidInput(
                f"{key!r} is {LAYOUT_NAMES[parsed.layout]} metadata (addresses, e-mails, "
                "names, tokens, positions, ids, times); it is dropped and never stored."
            )
        if question_id not in by_id:
            raise InvalidInput(f"Question {question_id} is not a question of this survey.")
        twice = next((other for other, question in chosen.items() if question.id == question_id), None)
        if twice is not None:
            raise InvalidInput(
                f"Both {twice!r} and {key!r} are mapped to {question_label(by_id[question_id])}; "
                "map one of them only."
            )
        chosen[key] = by_id[question_id]
    if not any(question.kind == "text" for question in chosen.values()):
        raise InvalidInput(
            "Map at least one column to an open-text question: the import is there for what partners wrote."
        )
    return chosen


def plan_export_import(
    parsed: ParsedExport,
    wave: Wave,
    questions: list[Question],
    mapping: Mapping_,
    max_answer_chars: int = 4000,
) -> ImportPlan:
    """Check every completed response of ``parsed`` against the mapped questions.

    Raises
    ------
    InvalidInput
        Listing up to :data:`MAX_REPORTED_PROBLEMS` problems with line numbers; nothing is stored.
    """
    columns = check_mapping(parsed, questions, mapping)
    problems: list[str] = []
    rows: list[tuple[dict[int, str | int], dt.date]] = []
    for record, line, date in zip(parsed.records, parsed.lines, parsed.dates, strict=True):
        answers, row_problems = check_row(record, columns, max_answer_chars)
        day, date_problems = row_date(date, wave)
        problems += [f"line {line}: {problem}" for problem in row_problems + date_problems]
        if answers:
            rows.append((answers, day))
    if not rows and not problems:
        problems.append("no completed response answers any mapped column")
    if problems:
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        raise InvalidInput(
            "Nothing was imported. Fix these problems and import again:\n  "
            + "\n  ".join(shown)
            + (f"\n  ... and {more} more" if more else "")
        )
    ignored = tuple(column.key for column in parsed.mappable if mapping.get(column.key) is None)
    return ImportPlan(tuple(rows), ignored)


def remember_mapping(
    db: sqlite_utils.Database, parsed: ParsedExport, survey_id: int, mapping: Mapping_
) -> None:
    """Save ``mapping`` (non-metadata columns only) for the next import of this layout."""
    save_mapping(
        db, survey_id, parsed.layout, {column.key: mapping.get(column.key) for column in parsed.mappable}
    )


def import_export(
    db: sqlite_utils.Database,
    wave: Wave,
    data: bytes,
    parsed: ParsedExport,
    mapping: Mapping_,
    max_answer_chars: int = 4000,
) -> int:
    """Plan, redact and store every completed response of ``parsed`` at once, then save the mapping.

    Raises
    ------
    InvalidInput
        When any row is wrong, the mapping cannot hold, or this file was already imported.
    """
    questions = questions_for(db, wave.survey_id)
    plan = plan_export_import(parsed, wave, questions, mapping, max_answer_chars)
    stored = import_responses(db, wave, plan.rows, data)
    remember_mapping(db, parsed, wave.survey_id, mapping)
    return stored
