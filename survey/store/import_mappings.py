"""Saved column mappings of LimeSurvey and Qualtrics imports: column key -> question, per survey.

A mapping holds column keys of the export (``Q1``, ``Q2[SQ001]``, ``QID4_TEXT``) and question ids,
never anything from a response. ``None`` as the question means "leave this column out".
"""

from __future__ import annotations

import sqlite_utils


def saved_mapping(db: sqlite_utils.Database, survey_id: int, layout: str) -> dict[str, int | None]:
    """The mapping saved by the last import of ``layout`` into ``survey_id`` (empty if none)."""
    rows = db.execute("SELECT column_key, question_id FROM import_mappings WHERE survey_id = ? "
                      "AND layout = ? ORDER BY column_key", [survey_id, layout]).fetchall()
    return {row[0]: row[1] for row in rows}


def save_mapping(db: sqlite_utils.Database, survey_id: int, layout: str,
                 mapping: dict[str, int | None]) -> None:
    """Replace the saved mapping of ``layout`` for ``survey_id`` by ``mapping``."""
    with db.conn:
        db.execute("DELETE FROM import_mappings WHERE survey_id = ? AND layout = ?", [survey_id, layout])
        db.conn.executemany(
            "INSERT INTO import_mappings (survey_id, layout, column_key, question_id) VALUES (?, ?, ?, ?)",
            [(survey_id, layout, key, question_id) for key, question_id in sorted(mapping.items())])
