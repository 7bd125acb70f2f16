"""The schema up to the layering (m001-m170): staff, surveys, responses, analysis, lexicons, actions."""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations


@migrations()
def m001_staff_and_surveys(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE staff (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'brm', 'culture_lead')),
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE surveys (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            introduction TEXT NOT NULL DEFAULT '',
            privacy_note TEXT NOT NULL DEFAULT '',
            slug TEXT NOT NULL UNIQUE
        );
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('text', 'rating', 'nps', 'choice', 'segment')),
            prompt TEXT NOT NULL,
            help_text TEXT NOT NULL DEFAULT '',
            required INTEGER NOT NULL DEFAULT 0,
            options TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX idx_questions_survey ON questions(survey_id, position);
        CREATE TABLE waves (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            label TEXT NOT NULL,
            opens_on TEXT NOT NULL,
            closes_on TEXT NOT NULL,
            access TEXT NOT NULL CHECK (access IN ('public', 'invitation')),
            token TEXT NOT NULL UNIQUE,
            UNIQUE (survey_id, label)
        );
        """
    )


@migrations()
def m002_responses(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            wave_id INTEGER NOT NULL REFERENCES waves(id),
            segment TEXT,
            submitted_on TEXT NOT NULL CHECK (submitted_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
        ) WITHOUT ROWID;
        CREATE INDEX idx_responses_wave_segment ON responses(wave_id, segment);
        CREATE TABLE answers (
            response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            question_id INTEGER NOT NULL REFERENCES questions(id),
            text TEXT,
            number INTEGER,
            PRIMARY KEY (response_id, question_id)
        ) WITHOUT ROWID;
        CREATE INDEX idx_answers_question ON answers(question_id);
        CREATE TABLE invitation_codes (
            code_hash TEXT PRIMARY KEY,
            wave_id INTEGER NOT NULL REFERENCES waves(id) ON DELETE CASCADE,
            used INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE INDEX idx_invitation_codes_wave ON invitation_codes(wave_id, used);
        CREATE TABLE used_form_tokens (
            token_hash TEXT PRIMARY KEY
        ) WITHOUT ROWID;
        """
    )



#: m003, part 1: analysed answers, cached embeddings, units and their silo flags.
_M003_UNITS = """
        CREATE TABLE analysed_answers (
            response_id TEXT NOT NULL,
            question_id INTEGER NOT NULL,
            PRIMARY KEY (response_id, question_id)
        ) WITHOUT ROWID;
        CREATE TABLE unit_embeddings (
            text_key TEXT NOT NULL,
            model TEXT NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (text_key, model)
        ) WITHOUT ROWID;
        CREATE TABLE units (
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
        );
        CREATE INDEX idx_units_survey_wave ON units(survey_id, wave_id, segment);
        CREATE INDEX idx_units_survey_theme ON units(survey_id, theme_id);
        CREATE INDEX idx_units_response ON units(response_id);
        CREATE TABLE unit_flags (
            unit_id TEXT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            category TEXT NOT NULL,
            term_id TEXT NOT NULL,
            suggestion TEXT NOT NULL,
            stance TEXT NOT NULL,
            PRIMARY KEY (unit_id, start)
        ) WITHOUT ROWID;
        CREATE INDEX idx_unit_flags_category ON unit_flags(category);
"""
#: m003, part 2: curated taxonomies, themes, trend and silo cells, and the record of runs.
_M003_SUMMARIES = """
        CREATE TABLE theme_taxonomies (
            survey_id INTEGER PRIMARY KEY REFERENCES surveys(id) ON DELETE CASCADE,
            taxonomy TEXT NOT NULL
        );
        CREATE TABLE unit_theme_overrides (
            unit_id TEXT PRIMARY KEY,
            theme_id TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE themes (
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL,
            units INTEGER NOT NULL DEFAULT 0,
            responses INTEGER NOT NULL DEFAULT 0,
            share REAL NOT NULL DEFAULT 0,
            mean_sentiment REAL,
            key_phrases TEXT NOT NULL DEFAULT '[]',
            quote_unit_ids TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (survey_id, id)
        );
        CREATE TABLE trend_points (
            survey_id INTEGER NOT NULL,
            wave_id INTEGER NOT NULL,
            segment TEXT NOT NULL DEFAULT '',
            theme_id TEXT NOT NULL DEFAULT '',
            responses INTEGER NOT NULL,
            units INTEGER NOT NULL,
            share REAL,
            sentiment_n INTEGER NOT NULL,
            sentiment_mean REAL,
            sentiment_low REAL,
            sentiment_high REAL,
            change_p_value REAL,
            marker TEXT,
            suppressed INTEGER NOT NULL,
            PRIMARY KEY (survey_id, wave_id, segment, theme_id)
        ) WITHOUT ROWID;
        CREATE TABLE silo_points (
            survey_id INTEGER NOT NULL,
            wave_id INTEGER NOT NULL,
            segment TEXT NOT NULL DEFAULT '',
            responses INTEGER NOT NULL,
            words INTEGER NOT NULL,
            flags INTEGER NOT NULL,
            partnership_terms INTEGER NOT NULL,
            rate_per_thousand_words REAL,
            share_of_responses_flagged REAL,
            partnership_to_silo_ratio REAL,
            suppressed INTEGER NOT NULL,
            PRIMARY KEY (survey_id, wave_id, segment)
        ) WITHOUT ROWID;
        CREATE TABLE analysis_runs (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            started_at TEXT NOT NULL,
            duration_seconds REAL,
            status TEXT NOT NULL,
            fingerprint TEXT,
            record TEXT NOT NULL DEFAULT '{}',
            counts TEXT NOT NULL DEFAULT '{}',
            message TEXT NOT NULL DEFAULT ''
        );
        """


@migrations()
def m003_analysis(db: sqlite_utils.Database) -> None:
    # ``units`` keeps a rowid so SQLite FTS can index it; units are always inserted sorted by
    # their random response id, so rowid order says nothing about arrival order.
    db.executescript(_M003_UNITS)
    db.executescript(_M003_SUMMARIES)


@migrations()
def m130_lexicons(db: sqlite_utils.Database) -> None:
    # Culture-lead workspace: every lexicon edit is a new row (the newest is current), dated event
    # notes for the silo charts, and which lexicon last measured each survey's siloing language.
    db.executescript(
        """
        CREATE TABLE lexicon_versions (
            id INTEGER PRIMARY KEY,
            version TEXT NOT NULL,
            lexicon TEXT NOT NULL,
            created_at TEXT NOT NULL,
            author_id INTEGER REFERENCES staff(id),
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE culture_events (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            on_date TEXT NOT NULL,
            label TEXT NOT NULL
        );
        CREATE INDEX idx_culture_events_survey ON culture_events(survey_id, on_date);
        CREATE TABLE silo_measurements (
            survey_id INTEGER PRIMARY KEY REFERENCES surveys(id) ON DELETE CASCADE,
            lexicon_version TEXT NOT NULL,
            measured_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m140_actions(db: sqlite_utils.Database) -> None:
    # Closing the loop: improvement actions BRMs attach to concern themes (DESIGN.md section 5).
    # ``started_on`` is the date the action left "planned"; its effect is measured around it.
    db.executescript(
        """
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            theme_id TEXT NOT NULL,
            title TEXT NOT NULL,
            owner TEXT NOT NULL DEFAULT '',
            due_on TEXT,
            status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done')),
            public_note TEXT NOT NULL DEFAULT '',
            started_on TEXT
        );
        CREATE INDEX idx_actions_survey_theme ON actions(survey_id, theme_id);
        CREATE INDEX idx_actions_due ON actions(status, due_on);
        """
    )


@migrations()
def m120_units_fts(db: sqlite_utils.Database) -> None:
    # Full-text search of the redacted units for the BRM responses browser (FTS5, porter stemming).
    # sqlite-utils' update trigger re-indexes a unit on any update; analysis runs rewrite every unit's
    # theme, so the trigger is narrowed to changes of ``text`` to keep those writes short.
    # The browser lists units newest wave first, then by (random) unit id: this index serves that
    # order without sorting a million rows.
    db.table("units").enable_fts(["text"], create_triggers=True, tokenize="porter")
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_units_browse ON units(survey_id, wave_id, id);
        DROP TRIGGER IF EXISTS units_au;
        CREATE TRIGGER units_au AFTER UPDATE OF text ON units BEGIN
          INSERT INTO units_fts (units_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
          INSERT INTO units_fts (rowid, text) VALUES (new.rowid, new.text);
        END;
        """
    )


@migrations()
def m150_page_indexes(db: sqlite_utils.Database) -> None:
    # Staff pages at 1,000,000 responses (bench/pages.py). Flagged units (a few percent of all):
    # silo examples of a wave in random-id order, and the per-term counts joined to unit_flags,
    # read from this small covering index instead of every unit. A theme's least certain units
    # (curation) come straight from the second index instead of sorting the whole theme.
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_units_flagged
            ON units(survey_id, wave_id, id, response_id, flag_count) WHERE flag_count > 0;
        CREATE INDEX IF NOT EXISTS idx_units_theme_fit ON units(survey_id, theme_id, theme_confidence, id);
        """
    )


@migrations()
def m160_wave_scores(db: sqlite_utils.Database) -> None:
    # Staff pages at 1,000,000 responses without reading every response per request.
    # ``wave_response_counts`` is kept by ``record_response`` in the submission's transaction: a count
    # per wave says nothing about time or order. ``wave_scores`` (respondents, mean rating, NPS
    # promoters/passives/detractors per survey x wave) is rewritten by every analysis run; pages
    # show it "as of the last analysis". Both are backfilled here from what is already stored.
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS wave_response_counts (
            wave_id INTEGER PRIMARY KEY REFERENCES waves(id) ON DELETE CASCADE,
            responses INTEGER NOT NULL
        );
        INSERT OR REPLACE INTO wave_response_counts (wave_id, responses)
            SELECT wave_id, COUNT(*) FROM responses GROUP BY wave_id;
        CREATE TABLE IF NOT EXISTS wave_scores (
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            wave_id INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('rating', 'nps')),
            respondents INTEGER NOT NULL,
            answers INTEGER NOT NULL,
            mean REAL,
            promoters INTEGER NOT NULL,
            passives INTEGER NOT NULL,
            detractors INTEGER NOT NULL,
            PRIMARY KEY (survey_id, wave_id, kind)
        ) WITHOUT ROWID;
        INSERT OR REPLACE INTO wave_scores
            SELECT questions.survey_id, responses.wave_id, questions.kind,
                   COUNT(DISTINCT answers.response_id), COUNT(*), AVG(answers.number),
                   SUM(questions.kind = 'nps' AND answers.number >= 9),
                   SUM(questions.kind = 'nps' AND answers.number BETWEEN 7 AND 8),
                   SUM(questions.kind = 'nps' AND answers.number <= 6)
            FROM questions
            JOIN answers ON answers.question_id = questions.id
            JOIN responses ON responses.id = answers.response_id
            WHERE questions.kind IN ('rating', 'nps') AND answers.number IS NOT NULL
            GROUP BY questions.survey_id, responses.wave_id, questions.kind;
        """
    )


@migrations()
def m161_silo_terms(db: sqlite_utils.Database) -> None:
    # The silo dashboard's term table: flags, respondents and wordings (lower-cased wording -> flags,
    # JSON) per survey x wave x lexicon term, rewritten by analysis runs and re-measurements instead
    # of joining every flag to its unit per request. Backfilled from the stored flags.
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS silo_terms (
            survey_id INTEGER NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
            wave_id INTEGER NOT NULL,
            term_id TEXT NOT NULL,
            category TEXT NOT NULL,
            flags INTEGER NOT NULL,
            respondents INTEGER NOT NULL,
            wordings TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (survey_id, wave_id, term_id)
        ) WITHOUT ROWID;
        INSERT OR REPLACE INTO silo_terms
            SELECT u.survey_id, u.wave_id, f.term_id, MIN(f.category), COUNT(*),
                   COUNT(DISTINCT u.response_id), '{}'
            FROM unit_flags AS f JOIN units AS u ON u.id = f.unit_id
            WHERE u.flag_count > 0 GROUP BY u.survey_id, u.wave_id, f.term_id;
        UPDATE silo_terms SET wordings = (
            SELECT json_group_object(wording, n) FROM (
                SELECT lower(f.text) AS wording, COUNT(*) AS n
                FROM units AS u JOIN unit_flags AS f ON f.unit_id = u.id
                WHERE u.survey_id = silo_terms.survey_id AND u.wave_id = silo_terms.wave_id
                  AND u.flag_count > 0 AND f.term_id = silo_terms.term_id
                GROUP BY lower(f.text)));
        """
    )



@migrations()
def m170_drop_unit_theme_overrides(db: sqlite_utils.Database) -> None:
    # Moved units live in the survey's taxonomy (``theme_taxonomies``); this table was never used.
    db.execute("DROP TABLE IF EXISTS unit_theme_overrides")
