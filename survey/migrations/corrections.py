"""Issue 12: BRM sentiment corrections (what and when, never who)."""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations


@migrations()
def m190_sentiment_corrections(db: sqlite_utils.Database) -> None:  # issue 12: what and when, never who
    db.execute("CREATE TABLE IF NOT EXISTS sentiment_corrections (survey_id INTEGER NOT NULL REFERENCES "
               "surveys(id) ON DELETE CASCADE, unit_id TEXT NOT NULL, label TEXT NOT NULL CHECK (label IN "
               "('very negative', 'negative', 'neutral', 'positive', 'very positive')), corrected_on TEXT "
               "NOT NULL, PRIMARY KEY (survey_id, unit_id)) WITHOUT ROWID")
    if "model_sentiment" not in db["units"].columns_dict:
        db.execute("ALTER TABLE units ADD COLUMN model_sentiment REAL")
