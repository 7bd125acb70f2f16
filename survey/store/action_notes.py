"""Progress notes on improvement actions (table ``action_notes``): what was done and when, never who."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

from survey.errors import InvalidInput
from survey.store.actions import MAX_NOTE_CHARS, get_action


@dataclass(frozen=True)
class ActionNote:
    """One dated progress note of an action."""

    id: int
    action_id: int
    written_on: dt.date
    note: str


def add_action_note(db: sqlite_utils.Database, action_id: int, note: str,
                    today: dt.date | None = None) -> ActionNote:
    """Add a progress note to an action (staff only; partners see the action's public note)."""
    get_action(db, action_id)
    text = note.strip()
    if not text:
        raise InvalidInput("Write what happened before adding the note.")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(f"Keep a progress note under {MAX_NOTE_CHARS:,} characters; it has {len(text):,}.")
    written_on = today or dt.date.today()
    with db.conn:
        cursor = db.conn.execute("INSERT INTO action_notes (action_id, written_on, note) VALUES (?, ?, ?)",
                                 [action_id, written_on.isoformat(), text])
    return ActionNote(int(cursor.lastrowid or 0), action_id, written_on, text)


def action_notes(db: sqlite_utils.Database, action_id: int) -> list[ActionNote]:
    """An action's progress notes, newest first."""
    rows = db.execute("SELECT id, action_id, written_on, note FROM action_notes WHERE action_id = ? "
                      "ORDER BY written_on DESC, id DESC", [action_id])
    return [ActionNote(row[0], row[1], dt.date.fromisoformat(row[2]), row[3]) for row in rows]
