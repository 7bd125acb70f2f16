"""Issue 10: release batches and units keyed without rowid (DESIGN.md section 3, rules 7-9)."""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations


# --- issue 10: insider-proof anonymity (DESIGN.md section 3, rules 7-9) -------------------------
@migrations()
def m180_released_responses(db: sqlite_utils.Database) -> None:
    # Release in batches of k (survey/store/responses/release.py): staff see only released responses.
    # Responses stored before this migration were already visible: they count as released.
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS released_responses (
            response_id TEXT PRIMARY KEY,
            wave_id INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS idx_released_responses_wave ON released_responses(wave_id);
        INSERT OR IGNORE INTO released_responses (response_id, wave_id) SELECT id, wave_id FROM responses;
        UPDATE analysis_runs SET started_at = substr(started_at, 1, 10);
        """
    )


_UNITS_WITHOUT_ROWID = """
    PRAGMA foreign_keys = OFF;
    BEGIN;
    DROP TRIGGER IF EXISTS units_ai;
    DROP TRIGGER IF EXISTS units_ad;
    DROP TRIGGER IF EXISTS units_au;
    DROP TABLE IF EXISTS units_fts;
    CREATE TABLE units_keyed (
        id TEXT PRIMARY KEY,
        survey_id INTEGER NOT NULL,
        wave_id INTEGER NOT NULL,
        response_id TEXT NOT NULL,
        question_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        segment TEXT,
        text TEXT NOT NULL,
        text_key TEXT NOT NULL,
        sentiment REAL NOT NULL,
        sentiment_label TEXT NOT NULL,
        theme_id TEXT,
        theme_confidence REAL NOT NULL DEFAULT 0,
        flag_count INTEGER NOT NULL DEFAULT 0,
        partnership_terms INTEGER NOT NULL DEFAULT 0,
        words INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    INSERT INTO units_keyed (id, survey_id, wave_id, response_id, question_id, position, segment, text,
                             text_key, sentiment, sentiment_label, theme_id, theme_confidence, flag_count,
                             partnership_terms, words)
        SELECT id, survey_id, wave_id, response_id, question_id, position, segment, text, text_key,
               sentiment, sentiment_label, theme_id, theme_confidence, flag_count, partnership_terms, words
        FROM units ORDER BY random();
    DROP TABLE units;
    ALTER TABLE units_keyed RENAME TO units;
    CREATE INDEX idx_units_survey_wave ON units(survey_id, wave_id, segment);
    CREATE INDEX idx_units_survey_theme ON units(survey_id, theme_id);
    CREATE INDEX idx_units_response ON units(response_id);
    CREATE INDEX idx_units_browse ON units(survey_id, wave_id, id);
    CREATE INDEX idx_units_flagged ON units(survey_id, wave_id, id, response_id, flag_count)
        WHERE flag_count > 0;
    CREATE INDEX idx_units_theme_fit ON units(survey_id, theme_id, theme_confidence, id);
    CREATE VIRTUAL TABLE units_fts USING fts5(text, unit_id UNINDEXED, tokenize = 'porter');
    INSERT INTO units_fts (text, unit_id) SELECT text, id FROM units ORDER BY random();
    CREATE TRIGGER units_ai AFTER INSERT ON units BEGIN
      INSERT INTO units_fts (text, unit_id) VALUES (new.text, new.id);
    END;
    CREATE TRIGGER units_ad AFTER DELETE ON units BEGIN
      DELETE FROM units_fts WHERE unit_id = old.id;
    END;
    CREATE TRIGGER units_au AFTER UPDATE OF text ON units BEGIN
      UPDATE units_fts SET text = new.text WHERE unit_id = old.id;
    END;
    COMMIT;
    PRAGMA foreign_keys = ON;
"""


@migrations(transactional=False)
def m181_units_without_rowid(db: sqlite_utils.Database) -> None:
    # Rule 8: ``units`` keyed by its id alone (WITHOUT ROWID) and rewritten in random order, so no
    # rowid keeps the order in which analysis runs stored them; full-text search moves to an FTS5
    # table holding the text and the unit id (no rowid link), kept in step by triggers. Foreign keys
    # are off meanwhile: dropping ``units`` would otherwise cascade to ``unit_flags``.
    try:
        db.conn.executescript(_UNITS_WITHOUT_ROWID)
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        db.conn.execute("PRAGMA foreign_keys = ON")
        raise
# --- end of issue 10 ----------------------------------------------------------------------------
