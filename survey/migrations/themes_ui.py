"""Issue 13: how many comments each quote stands for, and where old theme links now lead."""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations


@migrations()
def m210_themes_ui_quote_counts_and_redirects(db: sqlite_utils.Database) -> None:
    """``themes.quote_like_it`` (per quote, how many similar comments it stands for) and
    ``theme_redirects`` (a merged-away proposal's or theme's id -> the theme that holds its comments)."""
    db.executescript(
        """
        ALTER TABLE themes ADD COLUMN quote_like_it TEXT NOT NULL DEFAULT '[]';
        CREATE TABLE theme_redirects (
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            old_id TEXT NOT NULL,
            new_id TEXT NOT NULL,
            PRIMARY KEY (survey_id, old_id)
        ) WITHOUT ROWID;
        """
    )
