"""Read model of the released result cells (table ``trend_points``) for the REST API.

The same cells the staff pages read through :mod:`survey.store.insights` and
:mod:`survey.store.reports`, all at once: per wave, per segment or all segments, per theme or all
themes. Only released responses are in them (analysis reads nothing else), and every figure leaves
here already checked against the reporting threshold: a suppressed figure is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from nlp.suppression import hidden_segment_theme_pairs, hidden_segments
from survey.store.taxonomies import dismissed_theme_ids


@dataclass(frozen=True)
class TrendCell:
    """One stored result cell: a wave, all segments or one, all themes or one; ``None`` when suppressed."""

    wave_id: int
    wave: str
    segment: str | None
    theme_id: str | None
    theme: str | None
    respondents: int | None
    units: int | None
    share: float | None
    sentiment_mean: float | None
    sentiment_low: float | None
    sentiment_high: float | None
    change_p_value: float | None
    marker: str | None
    suppressed: bool


def trend_cells(
    db: sqlite_utils.Database, survey_id: int, min_group_size: int, *, wave_id: int | None = None,
    segment: str | None = None, theme_id: str | None = None,
) -> list[TrendCell]:
    """Every stored cell of the last analysis (released responses only), in wave order.

    A cell is suppressed where the analysis suppressed it (with complementary suppression on each
    wave's segment x theme table, re-checked by :func:`hidden_segment_theme_cells`) or, should the
    threshold have been raised since, where it covers fewer than ``min_group_size`` respondents. A
    segment's row of every theme together gets complementary suppression against the wave total too
    (:func:`_hidden_segment_rows`), so the total minus the segments shown never gives a small
    segment away. Dismissed proposals are left out.
    """
    sql = """
        SELECT p.wave_id, waves.label, p.segment, p.theme_id, themes.name, p.responses, p.units, p.share,
               p.sentiment_mean, p.sentiment_low, p.sentiment_high, p.change_p_value, p.marker,
               (p.suppressed OR p.responses < ?)
        FROM trend_points AS p JOIN waves ON waves.id = p.wave_id
        LEFT JOIN themes ON themes.survey_id = p.survey_id AND themes.id = p.theme_id
        WHERE p.survey_id = ?
    """
    params: list = [min_group_size, survey_id]
    for column, value in (("p.wave_id", wave_id), ("p.segment", segment), ("p.theme_id", theme_id)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    sql += " ORDER BY waves.opens_on, waves.label, p.segment, p.theme_id"
    dismissed = dismissed_theme_ids(db, survey_id)
    hidden_rows = _hidden_segment_rows(db, survey_id, min_group_size)
    hidden_pairs = hidden_segment_theme_cells(db, survey_id, min_group_size, wave_id)
    cells, stored = [], set()
    for row in db.execute(sql, params):
        (wave, label, cell_segment, cell_theme, name, responses, units, share, mean, low, high, p_value,
         marker, hidden) = row
        stored.add((wave, cell_segment, cell_theme))
        if cell_theme in dismissed or (cell_theme and name is None):
            continue
        hidden = (hidden or (not cell_theme and (wave, cell_segment) in hidden_rows)
                  or (wave, cell_segment, cell_theme) in hidden_pairs)
        shown = not hidden
        cells.append(TrendCell(
            wave, label, cell_segment or None, cell_theme or None, name, responses if shown else None,
            units if shown else None, share if shown else None, mean if shown else None,
            low if shown else None, high if shown else None, p_value if shown else None,
            marker if shown else None, bool(hidden)))
    missing = {(wave, cell_segment, cell_theme) for wave, cell_segment, cell_theme in hidden_pairs - stored
               if cell_segment is not None  # the row of respondents without a segment is shown nowhere
               and segment in (None, cell_segment) and theme_id in (None, cell_theme)
               and cell_theme not in dismissed}
    if not missing:
        return cells
    return _with_cells_nobody_answered(db, survey_id, cells, missing)


def _with_cells_nobody_answered(db: sqlite_utils.Database, survey_id: int, cells: list[TrendCell],
                                missing: set[tuple[int, str, str]]) -> list[TrendCell]:
    """``cells`` and a suppressed cell for each (wave id, segment, theme id) pair without a stored
    cell (stored before analysis kept them), in wave, segment and theme order: leaving a pair out
    would say that nobody in the segment named the theme."""
    waves = db.execute("SELECT id, label FROM waves WHERE survey_id = ? ORDER BY opens_on, label",
                       [survey_id]).fetchall()
    rank = {wave: i for i, (wave, _) in enumerate(waves)}
    labels = dict(waves)
    names = dict(db.execute("SELECT id, name FROM themes WHERE survey_id = ?", [survey_id]).fetchall())
    cells = cells + [TrendCell(wave, labels[wave], cell_segment, cell_theme, names[cell_theme],
                               respondents=None, units=None, share=None, sentiment_mean=None,
                               sentiment_low=None, sentiment_high=None, change_p_value=None, marker=None,
                               suppressed=True)
                     for wave, cell_segment, cell_theme in missing if cell_theme in names]
    return sorted(cells, key=lambda cell: (rank[cell.wave_id], cell.segment or "", cell.theme_id or ""))


def _hidden_segment_rows(
    db: sqlite_utils.Database, survey_id: int, min_group_size: int
) -> set[tuple[int, str]]:
    """(wave id, segment) rows of every theme together to hide: small ones and their complements.

    Analysis stores these rows suppressed already (:mod:`nlp.cell_suppression`); this repeats the
    check against today's threshold, which may have been raised since the last analysis.
    """
    totals: dict[int, int] = {}
    segments: dict[int, dict[str | None, int]] = {}
    for wave_id, segment, responses in db.execute(
        "SELECT wave_id, segment, responses FROM trend_points WHERE survey_id = ? AND theme_id = ''",
        [survey_id],
    ):
        if segment:
            segments.setdefault(wave_id, {})[segment] = responses
        else:
            totals[wave_id] = responses
    return {(wave_id, segment) for wave_id, counts in segments.items()
            for segment in hidden_segments(totals.get(wave_id, 0), counts, min_group_size)
            if segment is not None}


def hidden_segment_theme_cells(
    db: sqlite_utils.Database, survey_id: int, min_group_size: int, wave_id: int | None = None
) -> set[tuple[int, str | None, str]]:
    """(wave id, segment, theme id) cells of each wave's segment x theme table to hide today.

    The table (:func:`nlp.suppression.hidden_segment_theme_pairs`) has every segment and every theme
    of the wave, and a row (segment ``None``) for the respondents who gave no segment: no page shows
    it, but a theme's total minus the segment cells shown must not give it away, and exports leave
    the theme out of its units where it is hidden. A pair without a stored cell (nobody answered it)
    is a zero, hidden like any small count. Analysis stores the cells suppressed already
    (:mod:`nlp.cell_suppression`); this repeats the check against today's threshold and for cells
    stored before pairs nobody answered were kept.
    """
    respondents: dict[int, dict[tuple[str | None, str | None], int]] = {}
    sql = "SELECT wave_id, segment, theme_id, responses FROM trend_points WHERE survey_id = ?"
    params: list = [survey_id]
    if wave_id is not None:
        sql += " AND wave_id = ?"
        params.append(wave_id)
    for wave, segment, theme_id, responses in db.execute(sql, params):
        respondents.setdefault(wave, {})[(segment or None, theme_id or None)] = responses
    return {(wave, segment, theme_id) for wave, counts in respondents.items()
            for segment, theme_id in hidden_segment_theme_pairs(counts, min_group_size)}
