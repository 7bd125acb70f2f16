"""Surveys, their ordered questions, and their waves."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass

import sqlite_utils

from survey.errors import Conflict, InvalidInput, NotFound, SurveyLocked
from survey.store import inserted_id

QUESTION_KINDS = ("text", "rating", "nps", "choice", "segment")
ACCESS_MODES = ("public", "invitation")

#: Shown to partners when the BRM leaves the privacy note empty; it states what is and is not kept.
DEFAULT_PRIVACY_NOTE = (
    "This survey is anonymous. We record only your answers, the department you pick (if you pick "
    "one) and the date you submit. We do not record your name, e-mail address, IP address, browser, "
    "cookies or the time of day, and we cannot tell who answered. Names, e-mail addresses, phone "
    "numbers, web links and long numbers in your comments are removed before anything is stored. "
    "Results are only shown for groups of at least five people."
)


@dataclass(frozen=True)
class Survey:
    id: int
    title: str
    introduction: str
    privacy_note: str
    slug: str


@dataclass(frozen=True)
class Question:
    id: int
    survey_id: int
    position: int
    kind: str
    prompt: str
    help_text: str
    required: bool
    options: tuple[str, ...]


@dataclass(frozen=True)
class Wave:
    id: int
    survey_id: int
    label: str
    opens_on: dt.date
    closes_on: dt.date
    access: str
    token: str

    def status(self, today: dt.date | None = None) -> str:
        """``'scheduled'``, ``'open'`` or ``'closed'`` on ``today`` (closing day included)."""
        today = today or dt.date.today()
        if today < self.opens_on:
            return "scheduled"
        return "open" if today <= self.closes_on else "closed"


def _survey(row: dict) -> Survey:
    return Survey(row["id"], row["title"], row["introduction"], row["privacy_note"], row["slug"])


def _question(row: dict) -> Question:
    return Question(
        row["id"], row["survey_id"], row["position"], row["kind"], row["prompt"],
        row["help_text"], bool(row["required"]), tuple(json.loads(row["options"])),
    )


def _wave(row: dict) -> Wave:
    return Wave(
        row["id"], row["survey_id"], row["label"], dt.date.fromisoformat(row["opens_on"]),
        dt.date.fromisoformat(row["closes_on"]), row["access"], row["token"],
    )


def create_survey(
    db: sqlite_utils.Database, title: str, introduction: str = "", privacy_note: str = ""
) -> Survey:
    """Create a survey with a random, unguessable slug for its public pages.

    An empty ``privacy_note`` becomes :data:`DEFAULT_PRIVACY_NOTE`, so partners always see one.
    """
    if not title.strip():
        raise InvalidInput("A survey needs a title.")
    row = {
        "title": title.strip(), "introduction": introduction,
        "privacy_note": privacy_note.strip() or DEFAULT_PRIVACY_NOTE,
        "slug": secrets.token_urlsafe(9),
    }
    survey_id = inserted_id(db.table("surveys").insert(row))
    return get_survey(db, survey_id)


def get_survey(db: sqlite_utils.Database, survey_id: int) -> Survey:
    """Return one survey or raise :class:`NotFound`."""
    rows = list(db.table("surveys").rows_where("id = ?", [survey_id]))
    if not rows:
        raise NotFound(f"There is no survey {survey_id}.")
    return _survey(rows[0])


def has_survey(db: sqlite_utils.Database, title: str | None = None) -> bool:
    """Whether the database has a survey (titled ``title``, when given); ``False`` before the schema
    exists."""
    if not db.table("surveys").exists():
        return False
    if title is None:
        return db.table("surveys").count > 0
    return db.table("surveys").count_where("title = ?", [title]) > 0


def list_surveys(db: sqlite_utils.Database) -> list[Survey]:
    """All surveys, by title."""
    return [_survey(row) for row in db.table("surveys").rows_where(order_by="title")]


def update_survey(
    db: sqlite_utils.Database, survey_id: int, title: str, introduction: str, privacy_note: str
) -> Survey:
    """Change the texts of a survey (allowed even when it has responses).

    An empty ``privacy_note`` is reset to :data:`DEFAULT_PRIVACY_NOTE`.
    """
    get_survey(db, survey_id)
    if not title.strip():
        raise InvalidInput("A survey needs a title.")
    db.table("surveys").update(
        survey_id, {"title": title.strip(), "introduction": introduction,
                    "privacy_note": privacy_note.strip() or DEFAULT_PRIVACY_NOTE},
    )
    return get_survey(db, survey_id)


def copy_survey(db: sqlite_utils.Database, survey_id: int) -> Survey:
    """Copy a survey's texts and questions (not its waves or responses) into a new, unlocked survey."""
    original = get_survey(db, survey_id)
    with db.conn:
        copy = create_survey(db, f"Copy of {original.title}", original.introduction, original.privacy_note)
        for question in questions_for(db, survey_id):
            db.table("questions").insert({
                "survey_id": copy.id, "position": question.position, "kind": question.kind,
                "prompt": question.prompt, "help_text": question.help_text,
                "required": int(question.required), "options": json.dumps(list(question.options)),
            })
    return copy


def has_responses(db: sqlite_utils.Database, survey_id: int) -> bool:
    """Whether any wave of the survey has a stored response, released or waiting (its questions
    are then locked: changing them would change what stored answers mean)."""
    sql = (
        "SELECT 1 FROM responses JOIN waves ON waves.id = responses.wave_id "
        "WHERE waves.survey_id = ? LIMIT 1"
    )
    return db.execute(sql, [survey_id]).fetchone() is not None


def questions_locked(db: sqlite_utils.Database, survey_id: int, today: dt.date | None = None) -> bool:
    """Whether the survey's questions may no longer change: a wave of it has opened (partners may
    have answered) or it holds responses (imported ones too).

    The lock follows the wave dates, not the first answer: a lock that appeared with the first
    answer would tell staff that someone answered before a batch of k is released (rule 7).
    """
    on = (today or dt.date.today()).isoformat()
    return has_responses(db, survey_id) or db.execute(
        "SELECT 1 FROM waves WHERE survey_id = ? AND opens_on <= ? LIMIT 1", [survey_id, on]
    ).fetchone() is not None


def ensure_unlocked(db: sqlite_utils.Database, survey_id: int) -> None:
    """Raise :class:`SurveyLocked` if question changes could change what answers mean."""
    if questions_locked(db, survey_id):
        raise SurveyLocked(
            "A wave of this survey has opened, so its questions are locked: partners may have "
            "answered, and changing the questions would change what those answers mean. Copy the "
            "survey to ask different questions."
        )


def add_question(
    db: sqlite_utils.Database, survey_id: int, kind: str, prompt: str, *,
    required: bool = False, options: list[str] | tuple[str, ...] = (), help_text: str = "",
) -> Question:
    """Append a question to a survey (refused once the survey has responses)."""
    get_survey(db, survey_id)
    ensure_unlocked(db, survey_id)
    cleaned = _checked_question(db, survey_id, kind, prompt, options)
    position = 1 + (db.execute(
        "SELECT COALESCE(MAX(position), 0) FROM questions WHERE survey_id = ?", [survey_id]
    ).fetchone()[0])
    question_id = inserted_id(db.table("questions").insert({
        "survey_id": survey_id, "position": position, "kind": kind, "prompt": prompt.strip(),
        "help_text": help_text, "required": int(required), "options": json.dumps(cleaned),
    }))
    return get_question(db, question_id)


def update_question(
    db: sqlite_utils.Database, question_id: int, kind: str, prompt: str, *,
    required: bool = False, options: list[str] | tuple[str, ...] = (), help_text: str = "",
) -> Question:
    """Change a question in place (refused once the survey has responses)."""
    question = get_question(db, question_id)
    ensure_unlocked(db, question.survey_id)
    cleaned = _checked_question(db, question.survey_id, kind, prompt, options, editing=question)
    db.table("questions").update(question_id, {
        "kind": kind, "prompt": prompt.strip(), "help_text": help_text, "required": int(required),
        "options": json.dumps(cleaned),
    })
    return get_question(db, question_id)


def delete_question(db: sqlite_utils.Database, question_id: int) -> None:
    """Remove a question and close the gap in the order (refused once there are responses)."""
    question = get_question(db, question_id)
    ensure_unlocked(db, question.survey_id)
    others = [q for q in questions_for(db, question.survey_id) if q.id != question_id]
    if question.kind == "text" and waves_for(db, question.survey_id) and not _has_text(others):
        raise InvalidInput("This survey has waves, so it must keep at least one open-text question.")
    with db.conn:
        db.table("questions").delete(question_id)
        _renumber(db, [q.id for q in others])


def move_question(db: sqlite_utils.Database, question_id: int, offset: int) -> list[Question]:
    """Move a question ``offset`` places (``-1`` up, ``+1`` down); return the new order.

    Moving past either end leaves the order unchanged. Refused once the survey has responses.
    """
    question = get_question(db, question_id)
    ensure_unlocked(db, question.survey_id)
    ids = [q.id for q in questions_for(db, question.survey_id)]
    index = ids.index(question_id)
    target = min(max(index + offset, 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    with db.conn:
        _renumber(db, ids)
    return questions_for(db, question.survey_id)


def _renumber(db: sqlite_utils.Database, ordered_ids: list[int]) -> None:
    db.conn.executemany(
        "UPDATE questions SET position = ? WHERE id = ?",
        [(position, question_id) for position, question_id in enumerate(ordered_ids, start=1)],
    )


def _has_text(questions: list[Question]) -> bool:
    return any(q.kind == "text" for q in questions)


def _checked_question(
    db: sqlite_utils.Database, survey_id: int, kind: str, prompt: str,
    options: list[str] | tuple[str, ...], *, editing: Question | None = None,
) -> list[str]:
    """Validate a question's fields and return its cleaned options (none for other kinds)."""
    if kind not in QUESTION_KINDS:
        raise InvalidInput(f"Unknown question kind {kind!r}; use one of {', '.join(QUESTION_KINDS)}.")
    if not prompt.strip():
        raise InvalidInput("A question needs a prompt.")
    cleaned = [option.strip() for option in options if option.strip()]
    if kind not in ("choice", "segment"):
        cleaned = []
    elif len(cleaned) < 2:
        raise InvalidInput("A choice or segment question needs at least two options, one per line.")
    elif len(set(cleaned)) < len(cleaned):
        raise InvalidInput("Each option must be different.")
    others = [q for q in questions_for(db, survey_id) if editing is None or q.id != editing.id]
    if kind == "segment" and any(q.kind == "segment" for q in others):
        raise InvalidInput("A survey has at most one segment question.")
    if editing is not None and editing.kind == "text" and kind != "text" and not _has_text(others) \
            and waves_for(db, survey_id):
        raise InvalidInput("This survey has waves, so it must keep at least one open-text question.")
    return cleaned


def get_question(db: sqlite_utils.Database, question_id: int) -> Question:
    """Return one question or raise :class:`NotFound`."""
    rows = list(db.table("questions").rows_where("id = ?", [question_id]))
    if not rows:
        raise NotFound(f"There is no question {question_id}.")
    return _question(rows[0])


def questions_for(db: sqlite_utils.Database, survey_id: int) -> list[Question]:
    """The survey's questions in display order."""
    return [
        _question(row)
        for row in db.table("questions").rows_where("survey_id = ?", [survey_id], order_by="position")
    ]


def create_wave(
    db: sqlite_utils.Database, survey_id: int, label: str, opens_on: dt.date,
    closes_on: dt.date, access: str = "public",
) -> Wave:
    """Create a wave; the survey must have at least one open-text question."""
    get_survey(db, survey_id)
    _check_wave(db, survey_id, label, opens_on, closes_on)
    if access not in ACCESS_MODES:
        raise InvalidInput(f"Access must be one of {', '.join(ACCESS_MODES)}.")
    if not _has_text(questions_for(db, survey_id)):
        raise InvalidInput("Add at least one open-text question before opening a wave.")
    wave_id = inserted_id(db.table("waves").insert({
        "survey_id": survey_id, "label": label.strip(), "opens_on": opens_on.isoformat(),
        "closes_on": closes_on.isoformat(), "access": access, "token": secrets.token_urlsafe(12),
    }))
    return get_wave(db, wave_id)


def update_wave(
    db: sqlite_utils.Database, wave_id: int, label: str, opens_on: dt.date, closes_on: dt.date
) -> Wave:
    """Change a wave's label and dates; its access mode and link stay as they are. A wave that has
    opened cannot be moved to open later: partners may have answered it (and the question lock,
    :func:`questions_locked`, must not come undone and reveal whether anyone did)."""
    wave = get_wave(db, wave_id)
    _check_wave(db, wave.survey_id, label, opens_on, closes_on, wave_id=wave_id)
    today = dt.date.today()
    if wave.opens_on <= today < opens_on:
        raise InvalidInput("This wave has opened, so partners may have answered: it cannot be moved to "
                           "open later. Close it and add a new wave instead.")
    db.table("waves").update(wave_id, {
        "label": label.strip(), "opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat(),
    })
    return get_wave(db, wave_id)


def close_wave_now(db: sqlite_utils.Database, wave_id: int, today: dt.date | None = None) -> Wave:
    """Close an open wave at once: it closed yesterday (a wave that opened today opened yesterday)."""
    wave, yesterday = get_wave(db, wave_id), (today or dt.date.today()) - dt.timedelta(days=1)
    if wave.status(yesterday + dt.timedelta(days=1)) != "open":
        raise InvalidInput(f"Wave {wave.label} is not open, so there is nothing to close.")
    return update_wave(db, wave_id, wave.label, min(wave.opens_on, yesterday), yesterday)


def _check_wave(
    db: sqlite_utils.Database, survey_id: int, label: str, opens_on: dt.date, closes_on: dt.date,
    *, wave_id: int | None = None,
) -> None:
    if not label.strip():
        raise InvalidInput("A wave needs a label, such as '2026 Q1'.")
    if closes_on < opens_on:
        raise InvalidInput("A wave cannot close before it opens.")
    if db.execute(
        "SELECT 1 FROM waves WHERE survey_id = ? AND label = ? AND id IS NOT ?",
        [survey_id, label.strip(), wave_id],
    ).fetchone():
        raise Conflict(f"This survey already has a wave called {label.strip()!r}.")


def response_counts(db: sqlite_utils.Database, survey_id: int) -> dict[int, int]:
    """Number of stored responses per wave id of a survey (waves without any map to 0).

    Released responses only (rule 7): read from ``wave_response_counts``, which
    :func:`survey.store.responses.release.release_waiting` keeps when it releases a batch.
    """
    counts = {wave.id: 0 for wave in waves_for(db, survey_id)}
    sql = (
        "SELECT waves.id, c.responses FROM wave_response_counts AS c JOIN waves ON waves.id = c.wave_id "
        "WHERE waves.survey_id = ?"
    )
    counts.update({wave_id: count for wave_id, count in db.execute(sql, [survey_id]).fetchall()})
    return counts


def get_wave(db: sqlite_utils.Database, wave_id: int) -> Wave:
    """Return one wave or raise :class:`NotFound`."""
    rows = list(db.table("waves").rows_where("id = ?", [wave_id]))
    if not rows:
        raise NotFound(f"There is no wave {wave_id}.")
    return _wave(rows[0])


def get_wave_by_token(db: sqlite_utils.Database, token: str) -> Wave:
    """Return the wave behind a partner link token or raise :class:`NotFound`."""
    rows = list(db.table("waves").rows_where("token = ?", [token]))
    if not rows:
        raise NotFound("This survey link is not valid. Check that you copied the whole link.")
    return _wave(rows[0])


def waves_for(db: sqlite_utils.Database, survey_id: int) -> list[Wave]:
    """The survey's waves in chronological order (by opening date, then label)."""
    return [
        _wave(row)
        for row in db.table("waves").rows_where(
            "survey_id = ?", [survey_id], order_by="opens_on, label"
        )
    ]
