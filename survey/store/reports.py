"""Read queries behind the wave report and the unit exports (``rapport report``, web downloads).

Every figure leaves here already checked against the reporting threshold (DESIGN.md section 3,
rule 5): a suppressed figure is ``None``. Redacted text (exported units, quotes) leaves only from
a (wave, segment) group that reaches the threshold after complementary suppression, so that the
groups left out can never be told apart by elimination.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import sqlite_utils

from nlp.suppression import suppress_small_cells
from reports.exports import ExportUnit
from survey.errors import NotFound
from survey.store.result_cells import hidden_segment_theme_cells
from survey.store.surveys import Wave, waves_for
from survey.store.taxonomies import dismissed_theme_ids

#: A trend point is hidden when the analysis suppressed it or it is under the threshold given now.
_HIDDEN = "(suppressed OR responses < ?)"


@dataclass(frozen=True)
class WaveTheme:
    """A concern theme in one wave, all segments together; ``None`` figures are suppressed."""

    theme_id: str
    name: str
    kind: str
    responses: int | None
    share: float | None
    previous_share: float | None
    sentiment_mean: float | None
    marker: str | None
    key_phrases: tuple[str, ...]
    quote_unit_ids: tuple[str, ...]
    suppressed: bool


@dataclass(frozen=True)
class SegmentThemeGrid:
    """Theme shares of one wave, one row per segment; ``values[row][column]`` is ``None`` if suppressed."""

    segments: tuple[str, ...]
    theme_ids: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]


def find_wave(db: sqlite_utils.Database, survey_id: int, label: str | None = None) -> Wave:
    """The survey's wave called ``label``; without a label, the latest analysed wave (or the latest wave).

    Raises :class:`NotFound` naming the survey's waves when there is no such wave.
    """
    waves = waves_for(db, survey_id)
    if label is None:
        analysed = {row[0] for row in db.execute(
            "SELECT DISTINCT wave_id FROM trend_points WHERE survey_id = ?", [survey_id])}
        candidates = [wave for wave in waves if wave.id in analysed] or waves
        if not candidates:
            raise NotFound(f"Survey {survey_id} has no waves yet.")
        return candidates[-1]
    for wave in waves:
        if wave.label == label:
            return wave
    known = ", ".join(repr(wave.label) for wave in waves) or "none"
    raise NotFound(f"Survey {survey_id} has no wave {label!r} (its waves: {known}).")


def waves_until(db: sqlite_utils.Database, wave: Wave) -> list[Wave]:
    """The survey's waves up to and including ``wave``, oldest first (a report never shows later waves)."""
    waves = waves_for(db, wave.survey_id)
    return waves[:[w.id for w in waves].index(wave.id) + 1]


def quotable_segments(db: sqlite_utils.Database, wave_id: int, threshold: int) -> frozenset[str | None]:
    """Segments (``None``: no segment answered) of a wave whose redacted text may be shown.

    A segment qualifies when it has at least ``threshold`` respondents and complementary
    suppression does not hide it: if exactly one group were left out, the wave's total would
    reveal which one, so the next-smallest is left out with it. Nothing qualifies in a wave with
    fewer than ``threshold`` respondents.
    """
    counts = {segment: count for segment, count in db.execute(
        "SELECT responses.segment, COUNT(*) FROM responses JOIN released_responses AS released "
        "ON released.response_id = responses.id WHERE responses.wave_id = ? GROUP BY responses.segment",
        [wave_id])}
    if sum(counts.values()) < threshold:
        return frozenset()
    hidden = suppress_small_cells(counts, min_group_size=threshold).suppressed
    return frozenset(segment for segment in counts if segment not in hidden)


def theme_names(db: sqlite_utils.Database, survey_id: int) -> dict[str, str]:
    """Theme id -> name for the survey's themes, dismissed proposals left out."""
    dismissed = dismissed_theme_ids(db, survey_id)
    return {theme_id: name for theme_id, name in db.execute(
        "SELECT id, name FROM themes WHERE survey_id = ?", [survey_id]) if theme_id not in dismissed}


def export_units(db: sqlite_utils.Database, wave: Wave, threshold: int) -> list[ExportUnit]:
    """The wave's analysed units with theme, sentiment and silo flags, from quotable segments only.

    Units of groups that :func:`quotable_segments` leaves out are not exported at all (blanking the
    segment would still print a small group's words). A unit whose segment x theme cell the wave's
    table hides (:func:`survey.store.result_cells.hidden_segment_theme_cells`) is exported without
    its theme, so counting rows cannot undo the table's suppression. Ordered by random unit id,
    never arrival.
    """
    allowed = quotable_segments(db, wave.id, threshold)
    if not allowed:
        return []
    names = theme_names(db, wave.survey_id)
    hidden = hidden_segment_theme_cells(db, wave.survey_id, threshold, wave.id)
    flags: dict[str, list[str]] = {}
    for unit_id, text in db.execute(
        "SELECT f.unit_id, f.text FROM unit_flags AS f JOIN units AS u ON u.id = f.unit_id "
        "WHERE u.survey_id = ? AND u.wave_id = ? ORDER BY f.unit_id, f.start", [wave.survey_id, wave.id],
    ):
        flags.setdefault(unit_id, []).append(text)
    rows = db.execute(
        "SELECT id, response_id, segment, theme_id, sentiment, sentiment_label, text FROM units "
        "WHERE survey_id = ? AND wave_id = ? ORDER BY id", [wave.survey_id, wave.id])
    return [
        ExportUnit(unit_id=unit_id, response_id=response_id, wave=wave.label, segment=segment,
                   theme=names.get(theme_id) if theme_id and (wave.id, segment, theme_id) not in hidden
                   else None, sentiment_score=sentiment,
                   sentiment_label=label, silo_flags=tuple(flags.get(unit_id, ())), text=text)
        for unit_id, response_id, segment, theme_id, sentiment, label, text in rows
        if segment in allowed
    ]


def wave_themes(
    db: sqlite_utils.Database, wave: Wave, previous: Wave | None, min_group_size: int
) -> list[WaveTheme]:
    """Every theme with a trend point in the wave: reportable ones by share, then the suppressed ones.

    A figure is suppressed where the analysis suppressed it or, should the threshold have been
    raised since the analysis ran, where it covers fewer than ``min_group_size`` respondents.
    """
    dismissed = dismissed_theme_ids(db, wave.survey_id)
    before = {}
    if previous is not None:
        before = {theme_id: None if hidden else share for theme_id, share, hidden in db.execute(
            f"SELECT theme_id, share, {_HIDDEN} FROM trend_points WHERE survey_id = ? AND wave_id = ? "
            "AND segment = '' AND theme_id != ''", [min_group_size, wave.survey_id, previous.id])}
    rows = db.execute(
        "SELECT p.theme_id, t.name, t.kind, p.responses, p.share, p.sentiment_mean, p.marker, "
        "(p.suppressed OR p.responses < ?) AS hidden, t.key_phrases, t.quote_unit_ids "
        "FROM trend_points AS p JOIN themes AS t ON t.survey_id = p.survey_id AND t.id = p.theme_id "
        "WHERE p.survey_id = ? AND p.wave_id = ? AND p.segment = '' AND p.theme_id != '' "
        "ORDER BY hidden, p.share DESC, t.name", [min_group_size, wave.survey_id, wave.id])
    themes = []
    for theme_id, name, kind, responses, share, mean, marker, hidden, phrases, quotes in rows:
        if theme_id in dismissed:
            continue
        themes.append(WaveTheme(
            theme_id=theme_id, name=name, kind=kind, responses=None if hidden else responses,
            share=None if hidden else share, previous_share=before.get(theme_id),
            sentiment_mean=None if hidden else mean, marker=None if hidden else marker,
            key_phrases=tuple(json.loads(phrases)), quote_unit_ids=tuple(json.loads(quotes)),
            suppressed=bool(hidden),
        ))
    return themes


def theme_shares_by_wave(
    db: sqlite_utils.Database, survey_id: int, waves: list[Wave], theme_ids: list[str], min_group_size: int
) -> dict[str, list[float | None]]:
    """Theme id -> its share of units in each wave (``None`` where suppressed, 0 where absent)."""
    rows = db.execute(
        f"SELECT wave_id, theme_id, share, {_HIDDEN} FROM trend_points WHERE survey_id = ? "
        "AND segment = '' AND theme_id != ''", [min_group_size, survey_id])
    cells = {(wave_id, theme_id): None if hidden else share for wave_id, theme_id, share, hidden in rows}
    analysed = {wave_id for wave_id, _ in cells}
    return {
        theme_id: [cells.get((wave.id, theme_id), 0.0) if wave.id in analysed else None for wave in waves]
        for theme_id in theme_ids
    }


def segment_theme_grid(
    db: sqlite_utils.Database, wave: Wave, theme_ids: list[str], min_group_size: int
) -> SegmentThemeGrid:
    """Shares of the given themes per segment in the wave, suppressed as the analysis and today's
    threshold require (:func:`survey.store.result_cells.hidden_segment_theme_cells`)."""
    rows = db.execute(
        f"SELECT segment, theme_id, share, {_HIDDEN} FROM trend_points WHERE survey_id = ? AND wave_id = ? "
        "AND segment != '' AND theme_id != ''", [min_group_size, wave.survey_id, wave.id])
    hidden_pairs = hidden_segment_theme_cells(db, wave.survey_id, min_group_size, wave.id)
    cells = {(segment, theme_id): None if hidden or (wave.id, segment, theme_id) in hidden_pairs else share
             for segment, theme_id, share, hidden in rows}
    segments = sorted({segment for segment, _ in cells})
    # A combination without a trend point is a suppressed cell too: never guess a zero.
    values = tuple(tuple(cells.get((segment, theme_id)) for theme_id in theme_ids) for segment in segments)
    return SegmentThemeGrid(tuple(segments), tuple(theme_ids), values)


def wave_quotes(
    db: sqlite_utils.Database, wave: Wave, theme: WaveTheme, threshold: int, limit: int = 3
) -> list[str]:
    """Up to ``limit`` redacted quotes of a theme in the wave, only where the quote threshold allows.

    The theme needs ``threshold`` respondents in the wave, and each quote comes from a quotable
    segment (:func:`quotable_segments`). The analysis's representative units come first, then the
    units that fit the theme best.
    """
    if theme.suppressed or theme.responses is None or theme.responses < threshold:
        return []
    allowed = quotable_segments(db, wave.id, threshold)
    rows = db.execute(
        "SELECT id, segment, text FROM units WHERE survey_id = ? AND wave_id = ? AND theme_id = ? "
        "ORDER BY theme_confidence DESC, id", [wave.survey_id, wave.id, theme.theme_id]).fetchall()
    usable = {unit_id: text for unit_id, segment, text in rows if segment in allowed}
    chosen = [unit_id for unit_id in theme.quote_unit_ids if unit_id in usable]
    chosen += [unit_id for unit_id in usable if unit_id not in chosen]
    texts: dict[str, str] = {}  # near-duplicates (case, punctuation) are quoted once
    for unit_id in chosen:
        texts.setdefault(" ".join(re.findall(r"\w+", usable[unit_id].lower())), usable[unit_id])
        if len(texts) == limit:
            break
    return list(texts.values())


def has_actions_table(db: sqlite_utils.Database) -> bool:
    """Whether the closing-the-loop schema (the ``actions`` table) is installed."""
    return db.table("actions").exists()


def wave_sentiment_respondents(db: sqlite_utils.Database, survey_id: int) -> dict[int, int]:
    """Wave id -> respondents behind the wave's stored mean sentiment."""
    return dict(db.execute("SELECT wave_id, responses FROM trend_points WHERE survey_id = ? "
                           "AND segment = '' AND theme_id = ''", [survey_id]).fetchall())


def sentiment_change_p_value(db: sqlite_utils.Database, wave: Wave, min_group_size: int) -> float | None:
    """The stored p-value of the change in mean sentiment since the wave before (None if suppressed)."""
    row = db.execute(
        f"SELECT change_p_value, {_HIDDEN} FROM trend_points WHERE survey_id = ? AND wave_id = ? "
        "AND segment = '' AND theme_id = ''", [min_group_size, wave.survey_id, wave.id]).fetchone()
    return None if row is None or row[1] else row[0]
