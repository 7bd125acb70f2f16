"""Stored concern themes (table ``themes``): written by analysis runs and by BRM curation."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from nlp.results import ThemeSummary
from survey.errors import NotFound


def replace_themes(db: sqlite_utils.Database, survey_id: int, themes: Sequence[ThemeSummary]) -> None:
    """Replace the survey's themes with an analysis run's (inside the caller's transaction)."""
    db.conn.execute("DELETE FROM themes WHERE survey_id = ?", [survey_id])
    db.conn.executemany(
        "INSERT INTO themes (survey_id, id, name, description, kind, units, responses, share, "
        "mean_sentiment, key_phrases, quote_unit_ids, quote_like_it) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(survey_id, t.id, t.name, t.description, t.kind, t.units, t.responses, t.share,
          t.mean_sentiment, json.dumps(list(t.key_phrases)), json.dumps(list(t.quote_unit_ids)),
          json.dumps(list(t.quote_like_it))) for t in themes],
    )


def stored_theme_row(db: sqlite_utils.Database, survey_id: int, theme_id: str) -> dict[str, Any]:
    """The stored ``themes`` row, or :class:`NotFound`."""
    for row in db.table("themes").rows_where("survey_id = ? AND id = ?", [survey_id, theme_id]):
        return dict(row)
    raise NotFound(f"There is no theme {theme_id!r} in this survey.")


def theme_kinds(db: sqlite_utils.Database, survey_id: int) -> dict[str, str]:
    """Theme id -> kind (``seeded`` or ``emerging``) of the survey's stored themes."""
    return dict(db.execute("SELECT id, kind FROM themes WHERE survey_id = ?", [survey_id]).fetchall())


def delete_theme(db: sqlite_utils.Database, survey_id: int, theme_id: str) -> None:
    """Remove one stored theme (inside the caller's transaction)."""
    db.conn.execute("DELETE FROM themes WHERE survey_id = ? AND id = ?", [survey_id, theme_id])


def sync_seeded_themes(db: sqlite_utils.Database, survey_id: int,
                       active: Iterable[tuple[str, str, str]]) -> None:
    """Make the stored seeded themes match ``(id, name, description)`` of the curated taxonomy.

    Seeded themes no longer in it are removed; emerging proposals stay (inside the caller's
    transaction).
    """
    active = list(active)
    wanted = {theme_id for theme_id, _, _ in active}
    for theme_id, kind in theme_kinds(db, survey_id).items():
        if theme_id not in wanted and kind == "seeded":
            delete_theme(db, survey_id, theme_id)
    db.conn.executemany(
        "INSERT INTO themes (survey_id, id, name, description, kind) VALUES (?, ?, ?, ?, 'seeded') "
        "ON CONFLICT (survey_id, id) DO UPDATE SET name = excluded.name, "
        "description = excluded.description, kind = 'seeded'",
        [(survey_id, theme_id, name, description) for theme_id, name, description in active])


def refresh_theme_sizes(db: sqlite_utils.Database, survey_id: int, min_quote_group_size: int) -> None:
    """Recount units, respondents, share and mean sentiment of every theme from the stored units.

    Quotes of themes that no longer reach ``min_quote_group_size`` respondents are dropped
    (inside the caller's transaction).
    """
    total = db.execute("SELECT COUNT(*) FROM units WHERE survey_id = ?", [survey_id]).fetchone()[0] or 1
    db.conn.execute(
        """
        UPDATE themes SET
          units = (SELECT COUNT(*) FROM units u
                   WHERE u.survey_id = themes.survey_id AND u.theme_id = themes.id),
          responses = (SELECT COUNT(DISTINCT response_id) FROM units u
                       WHERE u.survey_id = themes.survey_id AND u.theme_id = themes.id),
          mean_sentiment = (SELECT AVG(sentiment) FROM units u
                            WHERE u.survey_id = themes.survey_id AND u.theme_id = themes.id)
        WHERE survey_id = ?
        """, [survey_id])
    db.conn.execute("UPDATE themes SET share = units * 1.0 / ? WHERE survey_id = ?", [total, survey_id])
    db.conn.execute("UPDATE themes SET quote_unit_ids = '[]', quote_like_it = '[]' "
                    "WHERE survey_id = ? AND responses < ?",
                    [survey_id, min_quote_group_size])


def set_theme_description(db: sqlite_utils.Database, survey_id: int, theme_id: str,
                          key_phrases: Sequence[str], quote_unit_ids: Sequence[str],
                          quote_like_it: Sequence[int] = ()) -> None:
    """Store a theme's key phrases, representative quotes and how many comments each quote stands
    for (inside the caller's transaction)."""
    db.conn.execute(
        "UPDATE themes SET key_phrases = ?, quote_unit_ids = ?, quote_like_it = ? "
        "WHERE survey_id = ? AND id = ?",
        [json.dumps(list(key_phrases)), json.dumps(list(quote_unit_ids)), json.dumps(list(quote_like_it)),
         survey_id, theme_id])
