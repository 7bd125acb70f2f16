"""Issue 14 (plain language): action progress notes, department populations, published-figure revisions."""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations


@migrations()
def m300_plain_action_notes(db: sqlite_utils.Database) -> None:  # what was done and when, never who
    db.execute(
        "CREATE TABLE IF NOT EXISTS action_notes (id INTEGER PRIMARY KEY, action_id INTEGER NOT NULL "
        "REFERENCES actions(id) ON DELETE CASCADE, written_on TEXT NOT NULL, note TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS action_notes_by_action ON action_notes (action_id)")


@migrations()
def m301_plain_wave_populations(db: sqlite_utils.Database) -> None:  # people invited, per department
    db.execute(
        "CREATE TABLE IF NOT EXISTS wave_populations (wave_id INTEGER NOT NULL REFERENCES waves(id) "
        "ON DELETE CASCADE, department TEXT NOT NULL, people INTEGER NOT NULL CHECK (people > 0), "
        "PRIMARY KEY (wave_id, department)) WITHOUT ROWID"
    )


@migrations()
def m302_plain_published_figures(db: sqlite_utils.Database) -> None:  # what the public page last showed
    db.execute(
        "CREATE TABLE IF NOT EXISTS published_figures (survey_id INTEGER NOT NULL REFERENCES surveys(id) "
        "ON DELETE CASCADE, wave_id INTEGER NOT NULL, fingerprint TEXT NOT NULL, figures TEXT NOT NULL, "
        "first_shown_on TEXT NOT NULL, revised_on TEXT, PRIMARY KEY (survey_id, wave_id)) WITHOUT ROWID"
    )
