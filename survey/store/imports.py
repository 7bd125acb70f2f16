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

import sqlite_utils

from nlp.redact import redact_many
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


def _planned_rows(wave: Wave, questions: Sequence[Question], rows: Sequence[Row]
                  ) -> tuple[list[tuple[str, str | None, str, list]], list[tuple[int, str]]]:
    """Responses (id, segment, day, answer rows) and the texts to redact, keyed by position."""
    by_id = {question.id: question for question in questions}
    responses, texts = [], []
    for answers, day in rows:
        if not wave.opens_on <= day <= wave.closes_on:
            raise WaveClosed(f"{day} is outside the wave ({wave.opens_on} to {wave.closes_on}).")
        segment, values = None, []
        for question_id, value in answers.items():
            question = by_id.get(question_id)
            if question is None:
                raise InvalidInput("The file does not match this survey.")
            if question.kind == "segment":
                segment = str(value)
            elif question.kind in ("rating", "nps"):
                values.append([question_id, None, int(value)])
            elif question.kind == "text":
                texts.append((len(responses), len(values)))
                values.append([question_id, str(value), None])
            else:
                values.append([question_id, str(value), None])
        responses.append((str(uuid.uuid4()), segment, day.isoformat(), values))
    return responses, texts


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
    responses, texts = _planned_rows(wave, questions, rows)
    for start in range(0, len(texts), REDACTION_BATCH):
        batch = texts[start:start + REDACTION_BATCH]
        for (response, answer), redacted in zip(
                batch, redact_many([responses[r][3][a][1] for r, a in batch]), strict=True):
            responses[response][3][answer][1] = redacted
        on_progress(len(batch))
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO imports (id, wave_id, responses, imported_on) VALUES (?, ?, ?, ?)",
                     [identifier, wave.id, len(responses), dt.date.today().isoformat()])
        conn.executemany("INSERT INTO responses (id, wave_id, segment, submitted_on) VALUES (?, ?, ?, ?)",
                         [(rid, wave.id, segment, day) for rid, segment, day, _values in responses])
        conn.executemany("INSERT INTO answers (response_id, question_id, text, number) VALUES (?, ?, ?, ?)",
                         [(rid, *value) for rid, _segment, _day, values in responses for value in values])
        conn.execute("INSERT INTO wave_response_counts (wave_id, responses) VALUES (?, ?) "
                     "ON CONFLICT (wave_id) DO UPDATE SET responses = responses + excluded.responses",
                     [wave.id, len(responses)])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(responses)
