"""The one place where the schema is created and changed: ``sqlite_utils`` migrations.

Anonymity (DESIGN.md section 3) is built into the schema: responses, answers, invitation codes and
used form tokens live in ``WITHOUT ROWID`` tables keyed by random values, so storage order says
nothing about arrival order, and no table has a column for an address, agent, cookie or time of day.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("rapport")


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


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    pending = [migration.name for migration in migrations.pending(db)]
    migrations.apply(db)
    return pending
