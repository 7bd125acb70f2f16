"""A counter of changes to survey definitions, so partner pages can cache them (DESIGN.md section 8)."""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations

#: The tables a partner page is built from; any change to them bumps the counter.
DEFINITION_TABLES = ("surveys", "questions", "waves")


@migrations()
def submit_budget_2_definition_version(db: sqlite_utils.Database) -> None:
    """One row counting every insert, update and delete of a survey, question or wave (triggers)."""
    statements = [
        "CREATE TABLE definition_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
        "INSERT INTO definition_version (id, version) VALUES (1, 0)",
    ]
    for table in DEFINITION_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_definition_{event.lower()} AFTER {event} ON {table} "
                "BEGIN UPDATE definition_version SET version = version + 1 WHERE id = 1; END"
            )
    db.executescript(";\n".join(statements) + ";")
