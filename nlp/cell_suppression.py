"""Complementary suppression of the analysis's stored cells (DESIGN.md section 3, rule 5).

Analysis suppresses before it stores, so no stored cell that pages, exports or the API may read
lets a reader difference a small group out: each wave's segment x theme table is protected as a
table (respondents who gave no segment a row of it, though stored nowhere), and each wave's
segments (every theme together, and silo metrics) against the wave total, with respondents who
gave no segment as a group of their own (:func:`nlp.suppression.hidden_segments`).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

from nlp.results import Estimate, SiloPoint, TrendPoint
from nlp.suppression import hidden_segment_theme_pairs, hidden_segments

Point = TypeVar("Point", TrendPoint, SiloPoint)


def suppress_trend_points(points: list[TrendPoint], min_group_size: int) -> list[TrendPoint]:
    """Hide the cells of each wave's segment x theme table, then its segment rows, that differencing
    would give away.

    The table (:func:`nlp.suppression.hidden_segment_theme_pairs`) has every segment and every theme
    of the wave, and a row for the respondents who gave no segment (stored nowhere: a theme's total
    minus its segments). A pair nobody answered is a zero hidden like any small count, and it gets a
    stored cell of its own (hidden), so no page or API answer can tell it apart from other hidden
    cells by its absence.
    """
    result = list(points)
    index = {(p.wave, p.segment, p.theme_id): i for i, p in enumerate(points)}
    for wave in dict.fromkeys(point.wave for point in points):
        respondents = {(p.segment, p.theme_id): p.responses for p in points if p.wave == wave}
        hidden = hidden_segment_theme_pairs(respondents, min_group_size)
        for segment, theme in sorted(pair for pair in hidden if pair[0] is not None):
            i = index.get((wave, segment, theme))
            if i is None:
                result.append(_nobody(wave, segment, theme))
            else:
                result[i] = _hidden_trend(result[i])
    return _suppress_segment_rows(result, min_group_size, _hidden_trend)


def suppress_silo_points(points: list[SiloPoint], min_group_size: int) -> list[SiloPoint]:
    """Hide each wave's segment silo metrics that are small or that differencing would give away."""
    return _suppress_segment_rows(points, min_group_size, _hidden_silo)


def _suppress_segment_rows(points: list[Point], min_group_size: int,
                           hide: Callable[[Point], Point]) -> list[Point]:
    """Hide each wave's segment rows (every theme together: ``theme_id`` None, or silo points) that
    are small or would give a small group away as the wave total minus the segments shown."""
    rows = [(i, point) for i, point in enumerate(points) if getattr(point, "theme_id", None) is None]
    totals = {point.wave: point.responses for _, point in rows if point.segment is None}
    by_wave: dict[str, dict[str, int]] = defaultdict(dict)
    for _, point in rows:
        if point.segment is not None:
            by_wave[point.wave][point.segment] = point.responses
    hidden = {(wave, segment) for wave, counts in by_wave.items()
              for segment in hidden_segments(totals.get(wave, 0), counts, min_group_size)}
    result = list(points)
    for i, point in rows:
        if point.segment is not None and (point.wave, point.segment) in hidden:
            result[i] = hide(point)
    return result


def _hidden_trend(point: TrendPoint) -> TrendPoint:
    """The cell with its figures removed (its respondent count stays, for re-checking thresholds)."""
    return dataclasses.replace(point, share=None, suppressed=True, marker=None, change_p_value=None,
                               sentiment=Estimate(point.sentiment.n, None, None, None, True))


def _nobody(wave: str, segment: str, theme_id: str) -> TrendPoint:
    """The hidden cell of a segment x theme pair that nobody answered (a zero, shown as small)."""
    return TrendPoint(wave=wave, segment=segment, theme_id=theme_id, responses=0, units=0, share=None,
                      sentiment=Estimate(0, None, None, None, True), change_p_value=None, marker=None,
                      suppressed=True)


def _hidden_silo(point: SiloPoint) -> SiloPoint:
    return dataclasses.replace(point, rate_per_thousand_words=None, share_of_responses_flagged=None,
                               partnership_to_silo_ratio=None, suppressed=True)
