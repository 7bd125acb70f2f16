"""Trend cells (table ``trend_points``): per wave, segment and theme, written by analysis and curation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlite_utils

from nlp.results import TrendPoint


def replace_trend_points(db: sqlite_utils.Database, survey_id: int, wave_ids: Mapping[str, int],
                         points: Sequence[TrendPoint]) -> None:
    """Replace every trend cell of the survey (inside the caller's transaction).

    ``wave_ids`` maps the wave labels the points carry to wave ids.
    """
    db.conn.execute("DELETE FROM trend_points WHERE survey_id = ?", [survey_id])
    db.conn.executemany(
        "INSERT INTO trend_points (survey_id, wave_id, segment, theme_id, responses, units, share, "
        "sentiment_n, sentiment_mean, sentiment_low, sentiment_high, change_p_value, marker, "
        "suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(survey_id, wave_ids[p.wave], p.segment or "", p.theme_id or "", p.responses, p.units,
          p.share, p.sentiment.n, p.sentiment.mean, p.sentiment.low, p.sentiment.high,
          p.change_p_value, p.marker, int(p.suppressed)) for p in points],
    )


def analysed_wave_ids(db: sqlite_utils.Database) -> set[int]:
    """Ids of every wave, of any survey, that has stored trend cells."""
    return {row[0] for row in db.execute("SELECT DISTINCT wave_id FROM trend_points")}
