"""Storing a CSV import all at once, and only once (issue 11, item 7).

Every row's text is redacted first (no write yet); then every response, its answers, the wave's
count and the import's id go in ONE transaction, so a crash or ``kill -9`` leaves either the whole
file or nothing. The import id is a hash of the file's bytes and the wave, so importing the same
file again is refused instead of duplicating its rows. The ``imports`` row keeps only that hash,
the wave, the row count and the date: nothing that links to a response.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlite_utils

from nlp.redaction import redact_many
from survey.errors import InvalidInput, InvitationCodeRejected, WaveClosed
from survey.store.surveys import Question, Wave

Row = tuple[dict[int, str | int], dt.date]
#: Texts redacted per spaCy batch (progress is reported after each).
REDACTION_BATCH = 256


def import_id(data: bytes, wave: Wave) -> str:
    """The id of importing ``data`` into ``wave``: SHA-256 of both."""
    return hashlib.sha256(f"{wave.id}\x1f".encode() + data).hexdigest()


def already_imported(db: sqlite_utils.Database, identifier: str) -> str | None:
    """The date an import with this id was stored, or ``None``."""
    row = db.execute("SELECT imported_on FROM imports WHERE id = ?", [identifier]).fetchone()
    return row[0] if row else None


@dataclass
class _Planned:
    """One response to store: its random id, segment, day, and ``[question_id, text, number]`` rows."""

    id: str
    segment: str | None
    day: str
    answers: list[tuple[int, str | None, int | None]] = field(default_factory=list)


def _planned_rows(wave: Wave, questions: Sequence[Question], rows: Sequence[Row]) -> list[_Planned]:
    """Every row as a :class:`_Planned` response (text not yet redacted)."""
    by_id = {question.id: question for question in questions}
    planned = []
    for answers, day in rows:
        if not wave.opens_on <= day <= wave.closes_on:
            raise WaveClosed(f"{day} is outside the wave ({wave.opens_on} to {wave.closes_on}).")
        response = _Planned(str(uuid.uuid4()), None, day.isoformat())
        for question_id, value in answers.items():
            question = by_id.get(question_id)
            if question is None:
                raise InvalidInput("The file does not match this survey.")
            if question.kind == "segment":
                response.segment = str(value)
            elif question.kind in ("rating", "nps"):
                response.answers.append((question_id, None, int(value)))
            else:
                response.answers.append((question_id, str(value), None))
        planned.append(response)
    return planned


def _redact(planned: list[_Planned], text_ids: set[int], on_progress: Callable[[int], None]) -> None:
    """Replace every free-text answer by its redacted text, :data:`REDACTION_BATCH` at a time."""
    places = [(response, index) for response in planned
              for index, answer in enumerate(response.answers) if answer[0] in text_ids]
    for start in range(0, len(places), REDACTION_BATCH):
        batch = places[start:start + REDACTION_BATCH]
        redacted = redact_many([str(response.answers[index][1]) for response, index in batch])
        for (response, index), text in zip(batch, redacted, strict=True):
            response.answers[index] = (response.answers[index][0], text, None)
        on_progress(len(batch))


def store_import(db: sqlite_utils.Database, wave: Wave, questions: Sequence[Question], rows: Sequence[Row],
                 identifier: str, on_progress: Callable[[int], None] = lambda _count: None) -> int:
    """Redact and store ``rows`` in one transaction under ``identifier``; return the row count.

    Raises
    ------
    InvalidInput
        When this import id was already stored (nothing is written twice).
    """
    if wave.access == "invitation":
        raise InvitationCodeRejected("Responses can be imported into public waves only.")
    when = already_imported(db, identifier)
    if when is not None:
        raise InvalidInput(f"This file was already imported into this wave on {when}; nothing was "
                           "imported again.")
    responses = _planned_rows(wave, questions, rows)
    _redact(responses, {question.id for question in questions if question.kind == "text"}, on_progress)
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO imports (id, wave_id, responses, imported_on) VALUES (?, ?, ?, ?)",
                     [identifier, wave.id, len(responses), dt.date.today().isoformat()])
        conn.executemany("INSERT INTO responses (id, wave_id, segment, submitted_on) VALUES (?, ?, ?, ?)",
                         [(response.id, wave.id, response.segment, response.day) for response in responses])
        conn.executemany("INSERT INTO answers (response_id, question_id, text, number) VALUES (?, ?, ?, ?)",
                         [(response.id, *answer) for response in responses for answer in response.answers])
        conn.execute("INSERT INTO wave_response_counts (wave_id, responses) VALUES (?, ?) "
                     "ON CONFLICT (wave_id) DO UPDATE SET responses = responses + excluded.responses",
                     [wave.id, len(responses)])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(responses)
