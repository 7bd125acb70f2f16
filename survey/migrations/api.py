"""Issue 15, part 2: API tokens for the REST API (``survey/web/api``)."""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations


@migrations()
def api_m300_tokens(db: sqlite_utils.Database) -> None:
    """API tokens: a name, a scope, the SHA-256 of the secret (never the secret), dates only."""
    db.executescript(
        """
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
            secret_hash TEXT NOT NULL UNIQUE,
            hint TEXT NOT NULL,
            created_by INTEGER REFERENCES staff(id) ON DELETE SET NULL,
            created_on TEXT NOT NULL,
            last_used_on TEXT,
            revoked_on TEXT
        );
        """
    )
