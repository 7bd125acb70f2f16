"""What the data can honestly say about an action: its theme before and after the action started.

The effect compares the theme in the last wave that closed before the action started with the
latest wave that opened on or after it, from the stored trend points (never a suppressed figure).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlite_utils

from survey.store.actions import Action, ThemeInWave, theme_by_wave


@dataclass(frozen=True)
class Effect:
    """The theme around an action's start, and what the data can honestly say about the change."""

    waves: tuple[ThemeInWave, ...]
    before: ThemeInWave | None
    after: ThemeInWave | None
    share_verdict: str
    sentiment_verdict: str | None


def format_p_value(p_value: float) -> str:
    """``p < 0.001``, ``p < 0.01`` or ``p = 0.04`` (two significant digits)."""
    if p_value < 0.001:
        return "p < 0.001"
    if p_value < 0.01:
        return "p < 0.01"
    rounded = f"{p_value:.2g}"
    if p_value < 0.05 <= float(rounded):
        return "p < 0.05"  # 0.0496 must not read as "p = 0.05" next to a significant change
    return f"p = {rounded}"


def percent(share: float) -> str:
    """``0.183`` -> ``18%``."""
    return f"{share * 100:.0f}%"


def action_effect(db: sqlite_utils.Database, action: Action, min_group_size: int = 5) -> Effect:
    """Compare the theme in the last wave before the action started with the latest wave after it."""
    points = theme_by_wave(db, action)
    before = next((p for p in reversed(points) if p.period == "before"), None)
    after = next((p for p in reversed(points) if p.period == "after"), None)
    if action.started_on is None:
        return Effect(tuple(points), None, None,
                      "Not started yet: the effect is measured from the day the action starts.", None)
    if before is None:
        return Effect(tuple(points), None, after, "No survey wave closed before the action started, "
                      "so there is nothing to compare with.", None)
    if after is None:
        return Effect(tuple(points), before, None, "No survey wave has opened since the action started "
                      f"on {action.started_on:%d %B %Y}; the effect can be read after the next wave.", None)
    for point in (before, after):
        if point.suppressed:
            return Effect(tuple(points), before, after, "Not enough responses to tell: fewer than "
                          f"{min_group_size} people raised this theme in {point.wave_label}.", None)
    return Effect(tuple(points), before, after, _share_verdict(before, after),
                  _sentiment_verdict(before, after))


def _share_verdict(before: ThemeInWave, after: ThemeInWave) -> str:
    # nlp.trends loads SciPy (~60 MB): only workers that show an action's effect pay for it.
    from nlp.trends import compare_shares

    change = compare_shares(before.units, before.wave_units, after.units, after.wave_units)
    shares = f"{percent(before.share or 0)} to {percent(after.share or 0)} of comments"
    between = f"between {before.wave_label} and {after.wave_label}"
    if change.significant:
        direction = "Fell" if change.difference < 0 else "Rose"
        return f"{direction} from {shares} {between} ({format_p_value(change.p_value)})."
    return f"No clear change yet: {shares} {between} ({format_p_value(change.p_value)})."


def _welch_p_value(before: ThemeInWave, after: ThemeInWave) -> float:
    """Welch's t test from the stored means, 95% bootstrap intervals and respondent counts.

    The standard deviation is recovered from the interval width (normal approximation), so a list
    of actions costs no read of the units table, even with a million responses.
    """
    # SciPy (~60 MB) loads only when an action page compares sentiment.
    from scipy import stats

    def spread(point: ThemeInWave) -> float:
        width = (point.sentiment_high or 0.0) - (point.sentiment_low or 0.0)
        return width / (2 * 1.959964) * math.sqrt(point.respondents)

    first, second = spread(before), spread(after)
    if first == 0 and second == 0:
        return 0.0 if before.sentiment_mean != after.sentiment_mean else 1.0
    return float(stats.ttest_ind_from_stats(
        before.sentiment_mean, first, before.respondents, after.sentiment_mean, second, after.respondents,
        equal_var=False).pvalue)


def _sentiment_verdict(before: ThemeInWave, after: ThemeInWave) -> str | None:
    # nlp.trends loads SciPy (~60 MB): only workers that show an action's effect pay for it.
    from nlp.trends import ALPHA

    if before.sentiment_mean is None or after.sentiment_mean is None:
        return None
    means = f"{before.sentiment_mean:+.2f} to {after.sentiment_mean:+.2f}"
    p_value = _welch_p_value(before, after)
    if p_value < ALPHA:
        direction = "improved" if after.sentiment_mean > before.sentiment_mean else "worsened"
        return f"Sentiment {direction} from {means} ({format_p_value(p_value)})."
    return f"No clear change in sentiment yet: {means} ({format_p_value(p_value)})."
