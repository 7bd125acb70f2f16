"""Issue 15 parts 5 and 6: a record of ``rapport backup`` copies, and saved import column mappings."""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations


@migrations()
def backup_imports_m300_backups_and_import_mappings(db: sqlite_utils.Database) -> None:
    """``backups``: each copy ``rapport backup`` made (file, size, when); ``import_mappings``: which
    question each column of a LimeSurvey or Qualtrics export fills, per survey and layout (a NULL
    question: the column was deliberately left out). Neither holds anything from a response."""
    db.executescript(
        """
        CREATE TABLE backups (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            made_at TEXT NOT NULL
        );
        CREATE TABLE import_mappings (
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            layout TEXT NOT NULL,
            column_key TEXT NOT NULL,
            question_id INTEGER REFERENCES questions(id) ON DELETE CASCADE,
            PRIMARY KEY (survey_id, layout, column_key)
        ) WITHOUT ROWID;
        """
    )
