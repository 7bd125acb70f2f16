"""Surveys, their ordered questions, and their waves."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass

import sqlite_utils

from survey.errors import InvalidInput, NotFound, SurveyLocked

QUESTION_KINDS = ("text", "rating", "nps", "choice", "segment")
ACCESS_MODES = ("public", "invitation")


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
    """Create a survey with a random, unguessable slug for its public pages."""
    if not title.strip():
        raise InvalidInput("A survey needs a title.")
    row = {
        "title": title.strip(), "introduction": introduction, "privacy_note": privacy_note,
        "slug": secrets.token_urlsafe(9),
    }
    survey_id = db["surveys"].insert(row).last_pk
    return get_survey(db, survey_id)


def get_survey(db: sqlite_utils.Database, survey_id: int) -> Survey:
    """Return one survey or raise :class:`NotFound`."""
    rows = list(db["surveys"].rows_where("id = ?", [survey_id]))
    if not rows:
        raise NotFound(f"There is no survey {survey_id}.")
    return _survey(rows[0])


def list_surveys(db: sqlite_utils.Database) -> list[Survey]:
    """All surveys, by title."""
    return [_survey(row) for row in db["surveys"].rows_where(order_by="title")]


def update_survey(
    db: sqlite_utils.Database, survey_id: int, title: str, introduction: str, privacy_note: str
) -> Survey:
    """Change the texts of a survey (allowed even when it has responses)."""
    get_survey(db, survey_id)
    if not title.strip():
        raise InvalidInput("A survey needs a title.")
    db["surveys"].update(
        survey_id, {"title": title.strip(), "introduction": introduction,
                    "privacy_note": privacy_note},
    )
    return get_survey(db, survey_id)


def has_responses(db: sqlite_utils.Database, survey_id: int) -> bool:
    """Whether any wave of the survey has a stored response (its questions are then locked)."""
    sql = (
        "SELECT 1 FROM responses JOIN waves ON waves.id = responses.wave_id "
        "WHERE waves.survey_id = ? LIMIT 1"
    )
    return db.execute(sql, [survey_id]).fetchone() is not None


def ensure_unlocked(db: sqlite_utils.Database, survey_id: int) -> None:
    """Raise :class:`SurveyLocked` if question changes would corrupt stored responses."""
    if has_responses(db, survey_id):
        raise SurveyLocked(
            "This survey already has responses, so its questions are locked: changing them would "
            "change what earlier answers mean. Copy the survey to ask different questions."
        )


def add_question(
    db: sqlite_utils.Database, survey_id: int, kind: str, prompt: str, *,
    required: bool = False, options: list[str] | tuple[str, ...] = (), help_text: str = "",
) -> Question:
    """Append a question to a survey."""
    get_survey(db, survey_id)
    ensure_unlocked(db, survey_id)
    if kind not in QUESTION_KINDS:
        raise InvalidInput(f"Unknown question kind {kind!r}; use one of {', '.join(QUESTION_KINDS)}.")
    if not prompt.strip():
        raise InvalidInput("A question needs a prompt.")
    cleaned = [option.strip() for option in options if option.strip()]
    if kind in ("choice", "segment") and len(cleaned) < 2:
        raise InvalidInput("A choice or segment question needs at least two options.")
    if kind == "segment" and any(q.kind == "segment" for q in questions_for(db, survey_id)):
        raise InvalidInput("A survey has at most one segment question.")
    position = 1 + (db.execute(
        "SELECT COALESCE(MAX(position), 0) FROM questions WHERE survey_id = ?", [survey_id]
    ).fetchone()[0])
    question_id = db["questions"].insert({
        "survey_id": survey_id, "position": position, "kind": kind, "prompt": prompt.strip(),
        "help_text": help_text, "required": int(required), "options": json.dumps(cleaned),
    }).last_pk
    return get_question(db, question_id)


def get_question(db: sqlite_utils.Database, question_id: int) -> Question:
    """Return one question or raise :class:`NotFound`."""
    rows = list(db["questions"].rows_where("id = ?", [question_id]))
    if not rows:
        raise NotFound(f"There is no question {question_id}.")
    return _question(rows[0])


def questions_for(db: sqlite_utils.Database, survey_id: int) -> list[Question]:
    """The survey's questions in display order."""
    return [
        _question(row)
        for row in db["questions"].rows_where("survey_id = ?", [survey_id], order_by="position")
    ]


def create_wave(
    db: sqlite_utils.Database, survey_id: int, label: str, opens_on: dt.date,
    closes_on: dt.date, access: str = "public",
) -> Wave:
    """Create a wave; the survey must have at least one open-text question."""
    get_survey(db, survey_id)
    if not label.strip():
        raise InvalidInput("A wave needs a label, such as '2026 Q1'.")
    if closes_on < opens_on:
        raise InvalidInput("A wave cannot close before it opens.")
    if access not in ACCESS_MODES:
        raise InvalidInput(f"Access must be one of {', '.join(ACCESS_MODES)}.")
    if not any(q.kind == "text" for q in questions_for(db, survey_id)):
        raise InvalidInput("Add at least one open-text question before opening a wave.")
    if db.execute(
        "SELECT 1 FROM waves WHERE survey_id = ? AND label = ?", [survey_id, label.strip()]
    ).fetchone():
        raise InvalidInput(f"This survey already has a wave called {label.strip()!r}.")
    wave_id = db["waves"].insert({
        "survey_id": survey_id, "label": label.strip(), "opens_on": opens_on.isoformat(),
        "closes_on": closes_on.isoformat(), "access": access, "token": secrets.token_urlsafe(12),
    }).last_pk
    return get_wave(db, wave_id)


def get_wave(db: sqlite_utils.Database, wave_id: int) -> Wave:
    """Return one wave or raise :class:`NotFound`."""
    rows = list(db["waves"].rows_where("id = ?", [wave_id]))
    if not rows:
        raise NotFound(f"There is no wave {wave_id}.")
    return _wave(rows[0])


def get_wave_by_token(db: sqlite_utils.Database, token: str) -> Wave:
    """Return the wave behind a partner link token or raise :class:`NotFound`."""
    rows = list(db["waves"].rows_where("token = ?", [token]))
    if not rows:
        raise NotFound("This survey link is not valid. Check that you copied the whole link.")
    return _wave(rows[0])


def waves_for(db: sqlite_utils.Database, survey_id: int) -> list[Wave]:
    """The survey's waves in chronological order (by opening date, then label)."""
    return [
        _wave(row)
        for row in db["waves"].rows_where(
            "survey_id = ?", [survey_id], order_by="opens_on, label"
        )
    ]
