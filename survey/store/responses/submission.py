"""Storing a partner's response: one transaction, no identifying data, text redacted first."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import sqlite_utils

from nlp.redaction import redact_many
from survey.errors import (
    DuplicateSubmission,
    InvalidInput,
    RapportError,
    SubmissionNotSaved,
    Throttled,
    WaveClosed,
)
from survey.store.invitations import burn_invitation_code, hash_secret
from survey.store.surveys import Question, Wave
from survey.store.throttle import Ticket, count_ticket

Answer = str | int | None
#: One submission write transaction at a time per process when no :class:`GroupWriter` is given
#: (commands, jobs, tests). Threads then queue here, each woken as soon as the one before commits,
#: rather than in SQLite's busy handler, which sleeps 1, 2, 5, 10... ms between tries. A lock per
#: process, so a command or job that writes is never held up by it.
_ONE_WRITER = threading.Lock()
NOT_SAVED_MESSAGE = ("Your answers could not be saved just now, so nothing was stored. They are still "
                     "below: please press Submit again in a moment.")
#: Answer rows per INSERT statement (4 parameters each, well under SQLite's 32,766).
_ROWS_PER_INSERT = 500


@dataclass(frozen=True)
class PreparedResponse:
    """One submission with everything that is not SQL done (redaction, hashes, ids), ready to be
    written by :func:`write_prepared`, alone or in a group commit."""

    wave: Wave
    response_id: str
    segment: str | None
    rows: list[tuple[int, str | None, int | None]]
    today: dt.date
    invitation_code: str | None
    token_hash: str | None
    throttle: Ticket | None


class GroupWriter(Protocol):
    """Writes prepared responses for many threads (see :mod:`.group_commit`)."""

    def write(self, conn: sqlite3.Connection, prepared: PreparedResponse) -> None: ...


def record_response(
    db: sqlite_utils.Database,
    wave: Wave,
    questions: list[Question],
    answers: Mapping[int, Answer],
    *,
    today: dt.date | None = None,
    invitation_code: str | None = None,
    form_token: str | None = None,
    throttle: Ticket | None = None,
    writer: GroupWriter | None = None,
) -> str:
    """Store one response and return its random id.

    ``answers`` maps question ids to values: text for ``text`` and ``choice`` and ``segment``
    questions, integers for ``rating`` and ``nps``. Free text is redacted here, before anything
    is written. The throttle count (``throttle``, see :func:`survey.store.throttle.ticket`), the
    used form token (double-submit guard), the burnt invitation code and the response are written
    in one transaction; none of them refers to another, and the response keeps only the submission
    date. Everything that is not SQL (redaction, hashes, ids) is done before the transaction opens,
    so the database is locked for as short a time as possible (DESIGN.md section 8). With a
    ``writer`` (the web server's :class:`~survey.store.responses.group_commit.GroupCommit`)
    that transaction is shared with the submissions that arrived at the same time; the call
    returns only once it has committed.

    Raises
    ------
    WaveClosed, Throttled, InvitationCodeRejected, DuplicateSubmission, InvalidInput
        A submission refused inside the transaction (a used form token, a rejected invitation code)
        still counts against the throttle.
    SubmissionNotSaved
        The database refused the write (locked for too long, a row it would not take): nothing of
        this response was stored.
    """
    today = today or dt.date.today()
    if wave.status(today) != "open":
        raise WaveClosed(_closed_message(wave, today))
    segment, rows, raw_texts = _sorted_answers(questions, answers)
    # One batch, so spaCy runs once over every sentence that may hold a name.
    redacted = redact_many(list(raw_texts.values()))
    rows += [(question_id, text, None) for question_id, text in zip(raw_texts, redacted, strict=True)]
    prepared = PreparedResponse(
        wave, str(uuid.uuid4()), segment, rows, today, invitation_code,
        None if form_token is None else hash_secret(form_token), throttle)
    if writer is not None:
        writer.write(db.conn, prepared)
        return prepared.response_id
    with _ONE_WRITER:
        _write_alone(db.conn, prepared)
    return prepared.response_id


def _write_alone(conn: sqlite3.Connection, prepared: PreparedResponse) -> None:
    """One submission in its own transaction; raises what :func:`write_prepared` returned."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise SubmissionNotSaved(NOT_SAVED_MESSAGE) from error
    try:
        refused = write_prepared(conn, prepared)
        conn.execute("COMMIT")
    except BaseException as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(error, sqlite3.Error):
            raise SubmissionNotSaved(NOT_SAVED_MESSAGE) from error
        raise
    if refused is not None:
        raise refused


def write_prepared(conn: sqlite3.Connection, prepared: PreparedResponse) -> RapportError | None:
    """Write one submission inside the caller's open write transaction: SQL only.

    Returns the reason it was refused (nothing of it stays but its throttle count) or ``None`` when
    it was stored. Its statements run under a savepoint, so a refusal or a row the database rejects
    undoes this submission alone, never others sharing the transaction.
    """
    conn.execute("SAVEPOINT submission")
    try:
        if prepared.throttle is not None and not count_ticket(conn, prepared.throttle):
            conn.execute("RELEASE submission")  # the count stays: the limit holds across workers
            return Throttled("Too many submissions from this client for now.")
        if prepared.token_hash is not None:
            _burn_form_token(conn, prepared.token_hash)
        if prepared.wave.access == "invitation":
            burn_invitation_code(conn, prepared.wave.id, prepared.invitation_code)
        conn.execute(
            "INSERT INTO responses (id, wave_id, segment, submitted_on) VALUES (?, ?, ?, ?)",
            [prepared.response_id, prepared.wave.id, prepared.segment, prepared.today.isoformat()],
        )
        for chunk in range(0, len(prepared.rows), _ROWS_PER_INSERT):
            _insert_answers(conn, prepared.response_id, prepared.rows[chunk:chunk + _ROWS_PER_INSERT])
        # Staff see this response only once its wave's batch is released (survey/store/responses/release.py),
        # which also keeps the per-wave count: nothing a staff page reads changes here (rule 7).
        conn.execute("RELEASE submission")
        return None
    except (RapportError, sqlite3.IntegrityError) as error:
        conn.execute("ROLLBACK TO submission")
        conn.execute("RELEASE submission")
        if prepared.throttle is not None:
            count_ticket(conn, prepared.throttle)  # a refused submission still counts
        if isinstance(error, RapportError):
            return error
        refused = SubmissionNotSaved(NOT_SAVED_MESSAGE)
        refused.__cause__ = error
        return refused


def _insert_answers(conn: sqlite3.Connection, response_id: str,
                    rows: list[tuple[int, str | None, int | None]]) -> None:
    """One INSERT for many answer rows: each statement run inside the transaction is a round trip
    through the GIL while the database is locked."""
    values = [value for row in rows for value in (response_id, *row)]
    conn.execute("INSERT INTO answers (response_id, question_id, text, number) VALUES "
                 + ", ".join(["(?, ?, ?, ?)"] * len(rows)), values)


def _sorted_answers(
    questions: list[Question], answers: Mapping[int, Answer]
) -> tuple[str | None, list[tuple[int, str | None, int | None]], dict[int, str]]:
    """(segment, answer rows without free text, free text by question id) of a submission."""
    by_id = {question.id: question for question in questions}
    segment = None
    rows: list[tuple[int, str | None, int | None]] = []
    raw_texts: dict[int, str] = {}
    for question_id, value in answers.items():
        question = by_id.get(question_id)
        if question is None:
            raise InvalidInput("The form does not match this survey; reload the page.")
        if value is None or value == "":
            continue
        if question.kind == "segment":
            segment = str(value)
        elif question.kind in ("rating", "nps"):
            rows.append((question_id, None, int(value)))
        elif question.kind == "text":
            raw_texts[question_id] = str(value)
        else:
            rows.append((question_id, str(value), None))
    return segment, rows, raw_texts


def _closed_message(wave: Wave, today: dt.date) -> str:
    if today < wave.opens_on:
        return f"This survey opens on {wave.opens_on:%d %B %Y}. Please come back then."
    return f"This survey closed on {wave.closes_on:%d %B %Y}. Thank you for your interest."


def _burn_form_token(conn: sqlite3.Connection, token_hash: str) -> None:
    try:
        conn.execute("INSERT INTO used_form_tokens (token_hash) VALUES (?)", [token_hash])
    except sqlite3.IntegrityError:
        raise DuplicateSubmission(
            "This form was already submitted, so your answers are stored once. Thank you."
        ) from None


def recount_wave_responses(db: sqlite_utils.Database) -> None:
    """Release every stored response and rebuild the per-wave counts (for bulk loads that bypass
    ``record_response``, such as the benchmarks: a bulk load is released whole)."""
    with db.conn:
        db.conn.execute("INSERT OR IGNORE INTO released_responses (response_id, wave_id) "
                        "SELECT id, wave_id FROM responses")
        db.conn.execute("DELETE FROM wave_response_counts")
        db.conn.execute("INSERT INTO wave_response_counts (wave_id, responses) "
                        "SELECT wave_id, COUNT(*) FROM released_responses GROUP BY wave_id")
