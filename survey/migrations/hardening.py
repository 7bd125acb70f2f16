"""Issue 11: throttle counters, import ids, staff session versions."""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations


@migrations()
def m200_hardening(db: sqlite_utils.Database) -> None:
    """Throttle counters (keyed hashes, coarse expiry), import ids, staff session versions."""
    db.executescript(
        """
        CREATE TABLE throttle_hits (
            key TEXT PRIMARY KEY,
            expires INTEGER NOT NULL,
            hits INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX idx_throttle_hits_expires ON throttle_hits(expires);
        CREATE TABLE imports (
            id TEXT PRIMARY KEY,
            wave_id INTEGER NOT NULL REFERENCES waves(id) ON DELETE CASCADE,
            responses INTEGER NOT NULL,
            imported_on TEXT NOT NULL
        ) WITHOUT ROWID;
        ALTER TABLE staff ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
        """
    )

