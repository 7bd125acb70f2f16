"""From scored units to the whole picture: emerging themes, theme summaries, trends, silo metrics."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from nlp.embed import Embedder
from nlp.results import Analysis, Estimate, RunRecord, SiloPoint, ThemeSummary, TrendPoint, UnitResult

#: Fewer unassigned units than this and no emerging themes are proposed.
MIN_UNITS_FOR_DISCOVERY = 20


def summarise(
    units: Sequence[UnitResult],
    vectors: np.ndarray,
    *,
    waves: Sequence[str],
    taxonomy: Any = None,
    lexicon: Any = None,
    embedder: Embedder,
    min_group_size: int = 5,
    random_state: int = 0,
) -> Analysis:
    """Build themes, trends and silo metrics from all units of a survey.

    Parameters
    ----------
    units, vectors
        Every unit of the survey and its embedding (row ``i`` belongs to ``units[i]``).
    waves
        Wave labels in chronological order.
    min_group_size
        Figures over fewer respondents are suppressed (DESIGN.md section 3, rule 5).

    Returns
    -------
    Analysis
    """
    from nlp.silo import Lexicon
    from nlp.themes import DEFAULT_THEMES

    taxonomy = taxonomy if taxonomy is not None else DEFAULT_THEMES
    lexicon = lexicon if lexicon is not None else Lexicon.load()
    units, emerging = propose_emerging_themes(units, vectors, random_state=random_state)
    themes = summarise_themes(units, vectors, taxonomy, emerging, min_group_size)
    trends = compute_trends(units, waves, [theme.id for theme in themes], min_group_size, random_state)
    silo = compute_silo_points(units, waves, min_group_size)
    run = RunRecord(
        embedder=embedder.name, spacy_pipeline=_pipeline_version(),
        sentiment_model=_sentiment_version(), lexicon_version=lexicon.version,
        taxonomy_version=getattr(taxonomy, "version", "custom"), random_state=random_state,
        min_group_size=min_group_size,
    )
    return Analysis(tuple(units), tuple(themes), tuple(trends), tuple(silo), tuple(waves), run)


def _pipeline_version() -> str:
    from nlp.pipeline import pipeline_version

    return pipeline_version()


def _sentiment_version() -> str:
    import nlp.sentiment as sentiment

    return getattr(sentiment, "MODEL_VERSION", "unknown")


def propose_emerging_themes(
    units: Sequence[UnitResult], vectors: np.ndarray, *, random_state: int = 0
) -> tuple[list[UnitResult], list[ThemeSummary]]:
    """Cluster units that fit no theme; label them as emerging-theme proposals.

    Returns the units (those clustered now carry their emerging theme id) and the proposals.
    """
    from nlp.themes import ConcernClusterer, describe_clusters

    units = list(units)
    open_rows = [i for i, unit in enumerate(units) if unit.theme_id is None]
    if len(open_rows) < MIN_UNITS_FOR_DISCOVERY:
        return units, []
    open_vectors = vectors[open_rows]
    clusterer = ConcernClusterer(random_state=random_state).fit(open_vectors)
    texts = [units[i].text for i in open_rows]
    summaries = describe_clusters(texts, clusterer.labels_, open_vectors)
    proposals = []
    for summary in summaries:
        members = [open_rows[j] for j, label in enumerate(clusterer.labels_) if label == summary.label]
        theme_id = summary.id
        for row in members:
            units[row] = dataclasses.replace(units[row], theme_id=theme_id, theme_confidence=0.0)
        quotes = tuple(units[open_rows[j]].id for j in summary.quote_indices)
        proposals.append(ThemeSummary(
            id=theme_id, name=" / ".join(summary.key_phrases[:2]) or theme_id,
            description="Proposed from feedback that fits no current theme.", kind="emerging",
            units=len(members), responses=len({units[row].response_id for row in members}),
            share=0.0, mean_sentiment=None, key_phrases=tuple(summary.key_phrases),
            quote_unit_ids=quotes,
        ))
    return units, proposals


def summarise_themes(
    units: Sequence[UnitResult], vectors: np.ndarray, taxonomy: Any,
    emerging: Sequence[ThemeSummary], min_group_size: int,
) -> list[ThemeSummary]:
    """Size, share, sentiment, key phrases and quotes for every theme with units."""
    from nlp.themes import describe_clusters

    rows_by_theme: dict[str, list[int]] = defaultdict(list)
    for row, unit in enumerate(units):
        if unit.theme_id is not None:
            rows_by_theme[unit.theme_id].append(row)
    total = max(1, len(units))
    emerging_by_id = {theme.id: theme for theme in emerging}
    summaries = []
    for theme in taxonomy.themes:
        rows = rows_by_theme.get(theme.id, [])
        responses = len({units[row].response_id for row in rows})
        key_phrases: tuple[str, ...] = ()
        quotes: tuple[str, ...] = ()
        if rows:
            described = describe_clusters([units[r].text for r in rows], [0] * len(rows), vectors[rows])
            if described:
                key_phrases = tuple(described[0].key_phrases)
                if responses >= min_group_size:
                    quotes = tuple(units[rows[j]].id for j in described[0].quote_indices)
        summaries.append(ThemeSummary(
            id=theme.id, name=theme.name, description=theme.description, kind="seeded",
            units=len(rows), responses=responses, share=len(rows) / total,
            mean_sentiment=_mean([units[r].sentiment for r in rows]),
            key_phrases=key_phrases, quote_unit_ids=quotes,
        ))
    for theme_id, proposal in emerging_by_id.items():
        rows = rows_by_theme.get(theme_id, [])
        summaries.append(dataclasses.replace(
            proposal, share=len(rows) / total, mean_sentiment=_mean([units[r].sentiment for r in rows]),
            quote_unit_ids=proposal.quote_unit_ids if proposal.responses >= min_group_size else (),
        ))
    return summaries


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(np.mean(values)) if values else None


def _response_means(units: Iterable[UnitResult]) -> list[float]:
    """Sentiment rolled up per response (mean of its units), so each respondent counts once."""
    by_response: dict[str, list[float]] = defaultdict(list)
    for unit in units:
        by_response[unit.response_id].append(unit.sentiment)
    return [float(np.mean(scores)) for _, scores in sorted(by_response.items())]


def _estimate(values: list[float], min_group_size: int, random_state: int) -> Estimate:
    from nlp.trends import bootstrap_mean_interval

    if len(values) < min_group_size:
        return Estimate(n=len(values), mean=None, low=None, high=None, suppressed=True)
    interval = bootstrap_mean_interval(values, random_state=random_state)
    return Estimate(n=len(values), mean=interval.mean, low=interval.low, high=interval.high,
                    suppressed=False)


@dataclasses.dataclass
class _Cell:
    """Working numbers for one (wave, segment, theme) cell before it becomes a TrendPoint."""

    units: list[UnitResult]
    base_units: int

    @property
    def respondents(self) -> int:
        return len({unit.response_id for unit in self.units})

    @property
    def share(self) -> float | None:
        return len(self.units) / self.base_units if self.base_units else None


def _cells_by_wave(units: Sequence[UnitResult]) -> dict[str, dict[tuple[str | None, str | None], _Cell]]:
    grouped: dict[str, dict[tuple[str | None, str | None], list[UnitResult]]] = defaultdict(
        lambda: defaultdict(list))
    for unit in units:
        for key in {(None, None), (unit.segment, None), (None, unit.theme_id), (unit.segment, unit.theme_id)}:
            grouped[unit.wave][key].append(unit)
    cells: dict[str, dict[tuple[str | None, str | None], _Cell]] = {}
    for wave, groups in grouped.items():
        cells[wave] = {
            (segment, theme): _Cell(members, len(groups[(segment, None)]) if theme is not None else 0)
            for (segment, theme), members in groups.items()
        }
    return cells


def compute_trends(
    units: Sequence[UnitResult], waves: Sequence[str], theme_ids: Sequence[str],
    min_group_size: int, random_state: int,
) -> list[TrendPoint]:
    """Trend points for every wave: overall, per segment, per theme, and per segment x theme.

    Theme cells carry their share of the wave's (or segment's) units and a rising/falling/new
    marker from a two-proportion test against the previous wave; overall and segment cells
    carry a test of the change in mean sentiment. Cells under ``min_group_size`` respondents are
    suppressed, with complementary suppression on each wave's segment x theme table.
    """
    from nlp.trends import compare_means, compare_shares, trend_marker

    cells = _cells_by_wave(units)
    points: list[TrendPoint] = []
    previous: dict[tuple[str | None, str | None], _Cell] = {}
    for wave in waves:
        wave_cells = cells.get(wave, {})
        ordered = sorted(wave_cells.items(), key=lambda item: (str(item[0][0]), str(item[0][1])))
        for (segment, theme), cell in ordered:
            suppressed = cell.respondents < min_group_size
            before = previous.get((segment, theme))
            before_ok = before is not None and before.respondents >= min_group_size
            p_value, marker = None, None
            if not suppressed and theme is not None:
                if before is None:
                    marker = "new" if wave != waves[0] else None
                elif before_ok:
                    change = compare_shares(
                        len(before.units), before.base_units, len(cell.units), cell.base_units
                    )
                    p_value = change.p_value
                    marker = trend_marker(before.share, cell.share, change.significant)
            elif not suppressed and before_ok:
                p_value = compare_means(_response_means(before.units), _response_means(cell.units)).p_value
            points.append(TrendPoint(
                wave=wave, segment=segment, theme_id=theme, responses=cell.respondents,
                units=len(cell.units), share=None if suppressed else cell.share,
                sentiment=_estimate(_response_means(cell.units), min_group_size, random_state),
                change_p_value=p_value, marker=marker, suppressed=suppressed,
            ))
        previous = dict(wave_cells)
    return _suppress_complements(points, min_group_size)


def _suppress_complements(points: list[TrendPoint], min_group_size: int) -> list[TrendPoint]:
    """Complementary suppression on each wave's segment x theme table (blocks differencing)."""
    from nlp.suppression import suppress_small_cells

    result = list(points)
    by_wave: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    index: dict[tuple[str, str, str], int] = {}
    for i, point in enumerate(points):
        if point.segment is not None and point.theme_id is not None:
            by_wave[point.wave][(point.segment, point.theme_id)] = point.responses
            index[(point.wave, point.segment, point.theme_id)] = i
    for wave, counts in by_wave.items():
        suppressed = suppress_small_cells(counts, min_group_size=min_group_size).suppressed
        for segment, theme in suppressed:
            i = index[(wave, segment, theme)]
            point = result[i]
            result[i] = dataclasses.replace(
                point, share=None, suppressed=True, marker=None, change_p_value=None,
                sentiment=Estimate(point.sentiment.n, None, None, None, True),
            )
    return result


def compute_silo_points(
    units: Sequence[UnitResult], waves: Sequence[str], min_group_size: int
) -> list[SiloPoint]:
    """Silo metrics per wave and per wave x segment."""
    from nlp.silo import partnership_to_silo_ratio, silo_rate_per_thousand_words

    groups: dict[tuple[str, str | None], list[UnitResult]] = defaultdict(list)
    for unit in units:
        groups[(unit.wave, None)].append(unit)
        if unit.segment is not None:
            groups[(unit.wave, unit.segment)].append(unit)
    points = []
    for wave in waves:
        for (group_wave, segment), members in sorted(groups.items(), key=lambda kv: str(kv[0][1])):
            if group_wave != wave:
                continue
            responses = {u.response_id for u in members}
            flagged = {u.response_id for u in members if u.flags}
            words = sum(u.words for u in members)
            flags = sum(len(u.flags) for u in members)
            partners = sum(u.partnership_terms for u in members)
            suppressed = len(responses) < min_group_size
            points.append(SiloPoint(
                wave=wave, segment=segment, responses=len(responses), words=words, flags=flags,
                partnership_terms=partners,
                rate_per_thousand_words=None if suppressed else silo_rate_per_thousand_words(flags, words),
                share_of_responses_flagged=None if suppressed else len(flagged) / len(responses),
                partnership_to_silo_ratio=None if suppressed else partnership_to_silo_ratio(partners, flags),
                suppressed=suppressed,
            ))
    return points
