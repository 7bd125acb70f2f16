"""Read side of the silo-language dashboard, and the dated event notes culture leads add to it.

Every figure leaves here already checked against the reporting threshold (DESIGN.md section 3,
rule 5): a suppressed figure is ``None`` with ``suppressed=True``, never a number. Segment rows get
complementary suppression per wave, so the wave total minus the shown segments reveals nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlite_utils

from nlp.suppression import hidden_segments
from survey.errors import InvalidInput
from survey.store import inserted_id
from survey.store.aggregates import silo_term_counts
from survey.store.surveys import Wave, waves_for

MAX_EVENT_LABEL = 80


@dataclass(frozen=True)
class SiloCell:
    """Silo metrics for a wave (``segment`` None) or a wave x segment; figures None when suppressed."""

    wave: str
    segment: str | None
    responses: int | None
    rate_per_thousand_words: float | None
    share_of_responses_flagged: float | None
    partnership_to_silo_ratio: float | None
    suppressed: bool


@dataclass(frozen=True)
class TermWave:
    """One term in one wave: responses using it and its flags per 1,000 words (None when suppressed)."""

    wave: str
    responses: int | None
    rate_per_thousand_words: float | None
    change: float | None  # rate minus the previous wave's, when both are shown
    suppressed: bool


@dataclass(frozen=True)
class TermTrend:
    """A lexicon term's use across the waves, with its most common wording."""

    term_id: str
    category: str
    wording: str
    flags: int
    waves: tuple[TermWave, ...]


@dataclass(frozen=True)
class FlagSpan:
    """A flagged phrase inside an example unit (offsets relative to the unit text)."""

    start: int
    end: int
    category: str
    suggestion: str


@dataclass(frozen=True)
class SiloExample:
    """A redacted unit with its flags; ``segment`` None when only the wave reaches the threshold."""

    unit_id: str
    segment: str | None
    text: str
    flags: tuple[FlagSpan, ...]


@dataclass(frozen=True)
class CultureEvent:
    """A dated note shown on the charts, such as "language workshop"."""

    id: int
    survey_id: int
    on_date: dt.date
    label: str


def silo_cells(db: sqlite_utils.Database, survey_id: int, min_group_size: int) -> list[SiloCell]:
    """Stored silo points of a survey (waves in order, the whole wave first), suppression applied."""
    rows = db.execute(
        "SELECT w.label, p.segment, p.responses, p.rate_per_thousand_words, "
        "p.share_of_responses_flagged, p.partnership_to_silo_ratio, p.suppressed "
        "FROM silo_points AS p JOIN waves AS w ON w.id = p.wave_id WHERE p.survey_id = ? "
        "ORDER BY w.opens_on, w.label, p.segment != '', p.segment", [survey_id],
    ).fetchall()
    by_wave: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_wave[row[0]].append(row)
    cells = []
    for wave, wave_rows in by_wave.items():
        hidden = _hidden_segments(wave_rows, min_group_size)
        for _, segment, responses, rate, share, ratio, suppressed in wave_rows:
            key = segment or None
            hide = bool(suppressed) or responses < min_group_size or key in hidden
            cells.append(SiloCell(
                wave=wave, segment=key, responses=None if hide else responses,
                rate_per_thousand_words=None if hide else rate,
                share_of_responses_flagged=None if hide else share,
                partnership_to_silo_ratio=None if hide else ratio, suppressed=hide,
            ))
    return cells


def _hidden_segments(wave_rows: list[tuple], min_group_size: int) -> frozenset:
    """Segments to hide in one wave against today's threshold (analysis stored them suppressed
    against its own): small ones plus complements, respondents without a segment as a group."""
    total = next((row[2] for row in wave_rows if not row[1]), 0)
    return hidden_segments(total, {row[1]: row[2] for row in wave_rows if row[1]}, min_group_size)


def term_trends(
    db: sqlite_utils.Database, survey_id: int, min_group_size: int, limit: int = 10
) -> list[TermTrend]:
    """The ``limit`` most frequent flagged terms and their rate per wave (thresholds applied)."""
    waves = [(wave.id, wave.label) for wave in waves_for(db, survey_id)]
    wave_sizes = {row[0]: (row[1], row[2]) for row in db.execute(
        "SELECT wave_id, responses, words FROM silo_points WHERE survey_id = ? AND segment = ''",
        [survey_id])}
    # Counts per wave x term as of the last analysis or re-measurement (``silo_terms``), not a join of
    # every flag to its unit per page view.
    usage: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    categories: dict[str, str] = {}
    wordings: dict[str, Counter] = defaultdict(Counter)
    for count in silo_term_counts(db, survey_id):
        usage[count.term_id][count.wave_id] = (count.flags, count.respondents)
        categories[count.term_id] = count.category
        wordings[count.term_id].update(dict(count.wordings))
    totals = {term_id: sum(f for f, _ in per_wave.values()) for term_id, per_wave in usage.items()}
    top = sorted(totals, key=lambda term_id: (-totals[term_id], term_id))[:limit]
    return [
        TermTrend(term_id, categories[term_id], _most_common(wordings[term_id]), totals[term_id],
                  _term_waves(usage[term_id], waves, wave_sizes, min_group_size))
        for term_id in top
    ]


def _most_common(wordings: Counter) -> str:
    """The most frequent wording; ties go to the alphabetically first, so pages are stable."""
    return min(wordings.items(), key=lambda item: (-item[1], item[0]))[0]


def _term_waves(per_wave: dict[int, tuple[int, int]], waves: list[tuple[int, str]],
                wave_sizes: dict[int, tuple[int, int]], min_group_size: int) -> tuple[TermWave, ...]:
    # A term's figures in a wave are shown only when the wave and the group of respondents who used
    # the term both reach the threshold; "not used at all" (0) is shown as 0.
    cells: list[TermWave] = []
    previous: float | None = None
    for wave_id, label in waves:
        flags, responses = per_wave.get(wave_id, (0, 0))
        wave_responses, words = wave_sizes.get(wave_id, (0, 0))
        shown = wave_responses >= min_group_size and words > 0 and (
            responses == 0 or responses >= min_group_size)
        rate = 1000 * flags / words if shown else None
        change = rate - previous if rate is not None and previous is not None else None
        cells.append(TermWave(label, responses if shown else None, rate, change, not shown))
        previous = rate
    return tuple(cells)


def silo_examples(
    db: sqlite_utils.Database, survey_id: int, wave_id: int, min_quote_group_size: int, limit: int = 12
) -> list[SiloExample]:
    """Flagged units of a wave from groups at or above the quote threshold, in random-id order.

    Group sizes are the respondents with analysed comments per wave and segment, stored with the silo
    points by the same analysis run that stored the units (never more than all respondents, so the
    threshold is applied at least as strictly as on every response, without counting a million rows).
    """
    groups = dict(db.execute(
        "SELECT segment, responses FROM silo_points WHERE survey_id = ? AND wave_id = ?",
        [survey_id, wave_id]))
    wave_size = groups.pop("", 0)
    if wave_size < min_quote_group_size:
        return []
    rows = db.execute(
        "SELECT id, segment, text FROM units WHERE survey_id = ? AND wave_id = ? AND flag_count > 0 "
        "ORDER BY id", [survey_id, wave_id],
    )
    examples = []
    for unit_id, segment, text in rows:
        if segment is not None and groups.get(segment, 0) < min_quote_group_size:
            continue
        flags = tuple(FlagSpan(*row) for row in db.execute(
            'SELECT start, "end", category, suggestion FROM unit_flags WHERE unit_id = ? ORDER BY start',
            [unit_id]))
        examples.append(SiloExample(unit_id, segment, text, flags))
        if len(examples) >= limit:
            break
    return examples


def add_event(db: sqlite_utils.Database, survey_id: int, on_date: dt.date, label: str) -> CultureEvent:
    """Store a dated event note for a survey's charts; :class:`InvalidInput` if the label is empty or long."""
    label = " ".join(label.split())
    if not label:
        raise InvalidInput("Describe the event in a few words, e.g. “language workshop”.")
    if len(label) > MAX_EVENT_LABEL:
        raise InvalidInput(f"Keep the event note under {MAX_EVENT_LABEL} characters.")
    event_id = inserted_id(db.table("culture_events").insert(
        {"survey_id": survey_id, "on_date": on_date.isoformat(), "label": label}))
    return CultureEvent(event_id, survey_id, on_date, label)


def events_for(db: sqlite_utils.Database, survey_id: int) -> list[CultureEvent]:
    """The survey's event notes in date order."""
    return [
        CultureEvent(row["id"], row["survey_id"], dt.date.fromisoformat(row["on_date"]), row["label"])
        for row in db.table("culture_events").rows_where("survey_id = ?", [survey_id], order_by="on_date, id")
    ]


def delete_event(db: sqlite_utils.Database, survey_id: int, event_id: int) -> None:
    """Remove one event note of the survey (nothing happens if it is already gone)."""
    with db.conn:
        db.conn.execute("DELETE FROM culture_events WHERE id = ? AND survey_id = ?", [event_id, survey_id])


def wave_after(event: CultureEvent, waves: list[Wave]) -> Wave | None:
    """The first wave opening on or after the event: the chart marker sits just before it."""
    return next((wave for wave in waves if wave.opens_on >= event.on_date), None)


def measured_with(db: sqlite_utils.Database, survey_id: int) -> tuple[str, str] | None:
    """(lexicon version, UTC time) of the survey's last re-measurement, if any."""
    row = db.execute("SELECT lexicon_version, measured_at FROM silo_measurements WHERE survey_id = ?",
                     [survey_id]).fetchone()
    return (row[0], row[1]) if row else None
