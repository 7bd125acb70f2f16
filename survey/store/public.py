"""What the public "You said, we did" page reads: a survey by its slug, its finished waves, their themes.

Only stored, already-suppressed trend points are read; emerging proposals are never published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

from survey.errors import NotFound


@dataclass(frozen=True)
class PublicThemeRow:
    """A curated theme's share and marker in one wave (``None`` when suppressed)."""

    theme_id: str
    name: str
    share: float | None
    marker: str | None
    suppressed: bool


def survey_id_for_slug(db: sqlite_utils.Database, slug: str) -> int:
    """The id of the survey behind a public slug, or :class:`NotFound`."""
    row = db.execute("SELECT id FROM surveys WHERE slug = ?", [slug]).fetchone()
    if row is None:
        raise NotFound("There is no survey at this address. Check that you copied the whole link.")
    return row[0]


@dataclass(frozen=True)
class WaveFigures:
    """A finished wave's overall figures (segment "all", every theme)."""

    id: int
    label: str
    responses: int  # responses with at least one comment (the analysis' count)
    suppressed: bool
    change_p_value: float | None
    sentiment_mean: float | None
    released: int = 0  # every released response of the wave, commented or not


def reported_waves(db: sqlite_utils.Database, survey_id: int, today: dt.date) -> list[WaveFigures]:
    """Analysed waves in order; a wave still open is left out unless no wave has closed yet."""
    rows = db.execute(
        "SELECT waves.closes_on, waves.id, waves.label, p.responses, p.suppressed, p.change_p_value, "
        "p.sentiment_mean, COALESCE(c.responses, 0) FROM waves JOIN trend_points AS p "
        "ON p.survey_id = waves.survey_id AND p.wave_id = waves.id AND p.segment = '' AND p.theme_id = '' "
        "LEFT JOIN wave_response_counts AS c ON c.wave_id = waves.id WHERE waves.survey_id = ? "
        "ORDER BY waves.opens_on, waves.label", [survey_id]).fetchall()
    closed = [row for row in rows if dt.date.fromisoformat(row[0]) < today]
    # Partners see a finished wave: partial results of an open wave could sway those still answering.
    return [WaveFigures(wave_id, label, responses, bool(suppressed), p_value, mean, max(released, responses))
            for _, wave_id, label, responses, suppressed, p_value, mean, released in (closed or rows)]


def public_theme_rows(db: sqlite_utils.Database, survey_id: int, wave_id: int) -> list[PublicThemeRow]:
    rows = db.execute(
        "SELECT p.theme_id, themes.name, p.share, p.marker, p.suppressed FROM trend_points AS p "
        "JOIN themes ON themes.survey_id = p.survey_id AND themes.id = p.theme_id "
        "WHERE p.survey_id = ? AND p.wave_id = ? AND p.segment = '' AND p.theme_id != '' "
        # Proposals are named after key phrases of partners' own words: never published.
        "AND themes.kind != 'emerging' "
        "ORDER BY p.share DESC, themes.name", [survey_id, wave_id])
    return [PublicThemeRow(tid, name, None if hidden else share, None if hidden else marker, bool(hidden))
            for tid, name, share, marker, hidden in rows]
