"""Plain, frozen results of an analysis run: what reports and the web app consume.

Nothing here holds a spaCy ``Doc`` or a model; every field is a str, number, tuple or another
frozen dataclass, so results can be stored, compared and rendered anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AnswerInput:
    """One redacted free-text answer to analyse."""

    response_id: str
    question_id: int
    wave: str
    segment: str | None
    text: str


@dataclass(frozen=True)
class FlagResult:
    """A siloing-language flag inside one unit (offsets are relative to the unit text)."""

    text: str
    start: int
    end: int
    category: str
    term_id: str
    suggestion: str
    stance: str


@dataclass(frozen=True)
class UnitResult:
    """A sentence (or contrast clause) of an answer, with everything the analysis found in it."""

    id: str
    response_id: str
    question_id: int
    position: int
    wave: str
    segment: str | None
    text: str
    text_key: str
    sentiment: float
    sentiment_label: str
    drivers: tuple[str, ...]
    theme_id: str | None
    theme_confidence: float
    flags: tuple[FlagResult, ...]
    partnership_terms: int
    words: int
    #: The sentiment encoder's (negative, neutral, positive) logits, when the analysis computed them
    #: (kept for the per-survey correction head; empty for the lexical fallback or stored units).
    sentiment_logits: tuple[float, ...] = ()


@dataclass(frozen=True)
class ThemeSummary:
    """A seeded or emerging theme as the analysis saw it."""

    id: str
    name: str
    description: str
    kind: str  # "seeded" | "emerging"
    units: int
    responses: int
    share: float
    mean_sentiment: float | None
    key_phrases: tuple[str, ...]
    quote_unit_ids: tuple[str, ...]
    #: Per quote, how many other comments of the theme are nearest to it ("and 14 like it").
    quote_like_it: tuple[int, ...] = ()


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% bootstrap interval over ``n`` respondents; ``None`` values if suppressed."""

    n: int
    mean: float | None
    low: float | None
    high: float | None
    suppressed: bool


@dataclass(frozen=True)
class TrendPoint:
    """One cell of the trend tables: a wave, optionally narrowed to a segment and/or a theme."""

    wave: str
    segment: str | None
    theme_id: str | None
    responses: int
    units: int
    share: float | None
    sentiment: Estimate
    change_p_value: float | None
    marker: str | None  # "rising" | "falling" | "steady" | "new" | None
    suppressed: bool


@dataclass(frozen=True)
class SiloPoint:
    """Siloing-language metrics for a wave, optionally narrowed to a segment."""

    wave: str
    segment: str | None
    responses: int
    words: int
    flags: int
    partnership_terms: int
    rate_per_thousand_words: float | None
    share_of_responses_flagged: float | None
    partnership_to_silo_ratio: float | None
    suppressed: bool


@dataclass(frozen=True)
class RunRecord:
    """What an analysis run used, so that the same inputs give the same outputs."""

    embedder: str
    spacy_pipeline: str
    sentiment_model: str
    lexicon_version: str
    taxonomy_version: str
    random_state: int
    min_group_size: int
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Analysis:
    """The whole analysis of a set of responses."""

    units: tuple[UnitResult, ...]
    themes: tuple[ThemeSummary, ...]
    trends: tuple[TrendPoint, ...]
    silo: tuple[SiloPoint, ...]
    waves: tuple[str, ...]
    run: RunRecord
    #: Previous emerging-proposal ids merged away in this run, each with the id that now holds
    #: most of its comments (for redirecting old links).
    proposal_redirects: tuple[tuple[str, str], ...] = ()
    #: Units that say nothing ("n/a", "Nothing really."), counted as "no content", in no theme.
    no_content_units: int = 0
