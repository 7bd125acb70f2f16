"""Curated theme taxonomies (table ``theme_taxonomies``): one per survey, the record of curation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlite_utils

if TYPE_CHECKING:
    from nlp.themes import Taxonomy


def load_taxonomy(db: sqlite_utils.Database, survey_id: int) -> Taxonomy:
    """The survey's curated taxonomy, or the shipped default for a survey never curated."""
    # nlp.themes pulls in scikit-learn (~90 MB): web workers load it only when a page curates.
    from nlp.themes import DEFAULT_THEMES, Taxonomy

    row = db.execute("SELECT taxonomy FROM theme_taxonomies WHERE survey_id = ?", [survey_id]).fetchone()
    return Taxonomy.from_json(row[0]) if row else DEFAULT_THEMES


def save_taxonomy(db: sqlite_utils.Database, survey_id: int, taxonomy: Taxonomy) -> None:
    """Persist a curated taxonomy for the survey."""
    with db.conn:
        db.conn.execute(
            "INSERT OR REPLACE INTO theme_taxonomies (survey_id, taxonomy) VALUES (?, ?)",
            [survey_id, taxonomy.to_json()],
        )


def dismissed_theme_ids(db: sqlite_utils.Database, survey_id: int) -> set[str]:
    """Ids of proposals the BRM dismissed (kept in the taxonomy so they are not proposed again)."""
    sql = """
        SELECT json_extract(theme.value, '$.id')
        FROM theme_taxonomies, json_each(taxonomy, '$.themes') AS theme
        WHERE survey_id = ? AND json_extract(theme.value, '$.status') = 'dismissed'
    """
    return {row[0] for row in db.execute(sql, [survey_id])}
