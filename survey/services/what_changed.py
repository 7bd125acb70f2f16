"""The overview's "what changed" paragraph: plain sentences on what moved between the last two waves.

A change is stated only when the analysis found it significant; otherwise, or when a figure is
suppressed, the sentence says there are not enough responses to tell.
"""

from __future__ import annotations

import sqlite_utils

from survey.store.insights import (
    SIGNIFICANCE_LEVEL,
    ThemeCell,
    analysed_wave_ids,
    latest_theme_cells,
    overall_sentiment,
    stored_themes,
    theme_cells,
)

#: How many of the latest wave's largest themes get a sentence even when they did not move.
STEADY_SENTENCES = 3


def what_changed(db: sqlite_utils.Database, survey_id: int, min_group_size: int) -> list[str]:
    """Plain sentences on what moved between the last two analysed waves.

    A change is stated only when the analysis found it significant; otherwise, or when a figure is
    suppressed, the sentence says there are not enough responses to tell.
    """
    waves = analysed_wave_ids(db, survey_id)
    if len(waves) < 2:
        return []
    before_id, now_id = waves[-2], waves[-1]
    sentences = [_sentiment_sentence(db, survey_id, before_id, now_id)]
    names = {theme.id: theme.name for theme in stored_themes(db, survey_id, min_group_size)}
    before = {cell.theme_id: cell for cell in theme_cells(db, survey_id, wave_id=before_id)}
    moved: list[str] = []
    steady: list[str] = []
    for cell in latest_theme_cells(db, survey_id, min_group_size):
        if cell.theme_id not in names:
            continue
        sentence, significant = _theme_sentence(names[cell.theme_id], before.get(cell.theme_id), cell)
        (moved if significant else steady).append(sentence)
    return [s for s in sentences if s] + moved + steady[:STEADY_SENTENCES]


def _percent(share: float | None) -> str:
    return f"{100 * (share or 0.0):.0f}%"


def _theme_sentence(name: str, before: ThemeCell | None, now: ThemeCell) -> tuple[str, bool]:
    """One sentence for a theme and whether it reports a significant change."""
    if now.suppressed or (before is not None and before.suppressed):
        return f"{name}: not enough responses to tell how it moved.", False
    if before is None or now.marker == "new":
        return f"{name} is new this wave ({_percent(now.share)} of comments).", True
    direction = {"rising": "rose", "falling": "fell"}.get(now.marker or "")
    if direction:
        return f"{name} {direction} from {_percent(before.share)} to {_percent(now.share)} of comments " \
               "(significant).", True
    if _percent(before.share) == _percent(now.share):
        return f"{name} held at {_percent(now.share)} of comments.", False
    return (f"{name} went from {_percent(before.share)} to {_percent(now.share)} of comments: not enough "
            "responses to tell whether that is a real change."), False


def _sentiment_sentence(db: sqlite_utils.Database, survey_id: int, before_id: int, now_id: int) -> str:
    rows = overall_sentiment(db, survey_id, [before_id, now_id])
    (old, _, old_hidden), (new, p_value, new_hidden) = rows.get(before_id, (None, None, True)), \
        rows.get(now_id, (None, None, True))
    if old_hidden or new_hidden or old is None or new is None:
        return "Mean sentiment: not enough responses to tell how it moved."
    if p_value is not None and p_value < SIGNIFICANCE_LEVEL:
        verb = "rose" if new > old else "fell"
        return f"Mean sentiment {verb} from {old:+.2f} to {new:+.2f} (significant)."
    if f"{old:+.2f}" == f"{new:+.2f}":
        return f"Mean sentiment held at {new:+.2f}."
    return (f"Mean sentiment went from {old:+.2f} to {new:+.2f}: not enough responses to tell whether "
            "that is a real change.")
