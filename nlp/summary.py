"""From scored units to the whole picture: emerging themes, theme summaries, trends, silo metrics."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp.embeddings import Embedder
from nlp.results import Analysis, Estimate, RunRecord, SiloPoint, ThemeSummary, TrendPoint, UnitResult

if TYPE_CHECKING:
    from nlp.themes.labels import ClusterSummary

#: Fewer unassigned units than this and no emerging themes are proposed.
MIN_UNITS_FOR_DISCOVERY = 20
#: A proposal needs at least this share of all units (and at least MIN_PROPOSAL_UNITS units).
MIN_PROPOSAL_SHARE = 0.01
MIN_PROPOSAL_UNITS = 5
#: Fewest content words a comment needs to join an emerging-theme proposal: "Legend.", "Smooth
#: now." or "Most things!" answer their question but, read alone, say what about nothing.
MIN_CONTENT_WORDS_FOR_PROPOSALS = 3


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
    previous_proposals: Sequence[Any] = (),
) -> Analysis:
    """Build themes, trends and silo metrics from all units of a survey.

    Units are (re)assigned to the taxonomy's active themes, honouring BRM overrides and merges,
    so curation applies to old waves too; units no theme claims are clustered into
    emerging-theme proposals.

    Parameters
    ----------
    units, vectors
        Every unit of the survey and its embedding (row ``i`` belongs to ``units[i]``).
    waves
        Wave labels in chronological order.
    taxonomy, lexicon
        The curated taxonomy and the silo lexicon (defaults: the shipped ones).
    embedder
        The embedder that produced ``vectors`` (it embeds the theme seeds too).
    min_group_size
        Figures over fewer respondents are suppressed (DESIGN.md section 3, rule 5).
    random_state
        Seed for clustering and bootstrap intervals.
    previous_proposals
        The last run's proposals (:class:`nlp.themes.stability.PreviousProposal`): clusters that
        continue one keep its id and name, and merged-away ones get a redirect.

    Returns
    -------
    Analysis
    """
    from nlp.silo import Lexicon
    from nlp.themes import DEFAULT_THEMES
    from nlp.themes.nonanswers import non_answer_mask

    taxonomy = taxonomy if taxonomy is not None else DEFAULT_THEMES
    lexicon = lexicon if lexicon is not None else Lexicon.load()
    units, emerging, redirects = assign_and_discover(units, vectors, taxonomy, embedder, random_state,
                                                     previous_proposals)
    themes = summarise_themes(units, vectors, taxonomy, emerging, min_group_size, embedder)
    trends = compute_trends(units, waves, min_group_size, random_state)
    silo = compute_silo_points(units, waves, min_group_size)
    run = _run_record(embedder, lexicon, taxonomy, random_state, min_group_size)
    return Analysis(tuple(units), tuple(themes), tuple(trends), tuple(silo), tuple(waves), run,
                    proposal_redirects=tuple(sorted(redirects.items())),
                    no_content_units=int(non_answer_mask([unit.text for unit in units]).sum()))


def _run_record(embedder: Embedder, lexicon: Any, taxonomy: Any, random_state: int,
                min_group_size: int) -> RunRecord:
    """The versions and parameters that make a run reproducible."""
    return RunRecord(
        embedder=embedder.name, spacy_pipeline=_pipeline_version(),
        sentiment_model=_sentiment_version(), lexicon_version=lexicon.version,
        taxonomy_version=str(getattr(taxonomy, "version", "custom")), random_state=random_state,
        min_group_size=min_group_size,
    )


def _pipeline_version() -> str:
    from nlp.pipeline import pipeline_version

    return pipeline_version()


def _sentiment_version() -> str:
    import nlp.sentiment as sentiment

    return str(getattr(sentiment, "MODEL_VERSION", "unknown"))


def assign_and_discover(
    units: Sequence[UnitResult], vectors: np.ndarray, taxonomy: Any, embedder: Embedder,
    random_state: int = 0, previous_proposals: Sequence[Any] = (),
) -> tuple[list[UnitResult], list[ThemeSummary], dict[str, str]]:
    """Assign units to active themes, then cluster the rest into emerging-theme proposals.

    Returns the units (each with its theme or emerging-proposal id, or ``None``), the proposals,
    and redirects from merged-away previous proposals. Units resembling a dismissed proposal
    stay unassigned and are not re-proposed; a cluster continuing one of ``previous_proposals``
    keeps its id and name.
    """
    from nlp.themes import assign_themes
    from nlp.themes.cohesion import loosest_cohesion
    from nlp.themes.concerns import MIN_PROPOSAL_SIZE, discover_clusters
    from nlp.themes.nonanswers import non_answer_mask
    from nlp.themes.quotes import content_words
    from nlp.themes.stability import carry_over

    assignment = assign_themes(vectors, taxonomy, embedder, [unit.text_key for unit in units])
    # Non-answers are "no content": in no theme and no proposal (a BRM's explicit move still wins).
    empty = non_answer_mask([unit.text for unit in units]) & ~assignment.overridden
    units = [
        dataclasses.replace(unit, theme_id=None if blank else theme_id,
                            theme_confidence=0.0 if blank else float(confidence))
        for unit, theme_id, confidence, blank in zip(
            units, assignment.theme_ids, assignment.confidence, empty, strict=True)
    ]
    # Fragments ("Legend.", "Smooth now.") stay unassigned: they make proposals about nothing.
    fragment = np.array([len(content_words(unit.text)) < MIN_CONTENT_WORDS_FOR_PROPOSALS for unit in units],
                        dtype=bool)
    pool = np.flatnonzero(assignment.unassigned & ~empty & ~fragment)
    # Identical texts ("Nothing.", "n/a") belong together: cluster each distinct text once.
    rows_by_text: dict[str, list[int]] = defaultdict(list)
    for row in pool.tolist():
        rows_by_text[units[row].text].append(row)
    distinct = sorted(rows_by_text)
    if len(distinct) < max(MIN_UNITS_FOR_DISCOVERY, MIN_PROPOSAL_SIZE):
        return units, [], {}
    first_rows = [rows_by_text[text][0] for text in distinct]
    # A proposal must hang together as well as the loosest theme this run filled (of proposal size).
    smallest = max(MIN_PROPOSAL_UNITS, round(MIN_PROPOSAL_SHARE * len(units)))
    floor = loosest_cohesion(_rows_by_theme(units).values(), vectors, smallest)
    labels, summaries = discover_clusters(
        distinct, vectors[first_rows], random_state, "emerging-", MIN_PROPOSAL_SIZE,
        set(taxonomy.ids) | set(taxonomy.aliases), embedder.embed, min_cohesion=floor,
    )
    members_by_label: dict[int, list[int]] = defaultdict(list)
    for text, label in zip(distinct, labels, strict=True):
        members_by_label[int(label)].extend(rows_by_text[text])
    carried = carry_over(summaries, {label: {units[r].text_key for r in rows}
                                     for label, rows in members_by_label.items()},
                         previous_proposals, {units[r].text_key for r in pool})
    kept = [summary for summary in carried.summaries if len(members_by_label[summary.label]) >= smallest]
    proposals = [_proposal(units, summary, sorted(members_by_label[summary.label])) for summary in kept]
    kept_ids = {proposal.id for proposal in proposals}
    return units, proposals, {old: new for old, new in carried.redirects.items() if new in kept_ids}


def _rows_by_theme(units: Sequence[UnitResult]) -> dict[str, list[int]]:
    """Rows of ``units`` per assigned theme id."""
    rows: dict[str, list[int]] = defaultdict(list)
    for row, unit in enumerate(units):
        if unit.theme_id is not None:
            rows[unit.theme_id].append(row)
    return rows


def _proposal(units: list[UnitResult], summary: ClusterSummary, members: list[int]) -> ThemeSummary:
    """An emerging-theme proposal from a discovered cluster; its ``members`` rows of ``units`` move
    into it (in place)."""
    for row in members:
        units[row] = dataclasses.replace(units[row], theme_id=summary.id, theme_confidence=0.0)
    first_unit_with_text = {units[row].text: units[row].id for row in reversed(members)}
    return ThemeSummary(
        id=summary.id, name=summary.name or summary.id,
        description="Proposed from feedback that fits no current theme.", kind="emerging",
        units=len(members), responses=len({units[row].response_id for row in members}),
        share=0.0, mean_sentiment=None, key_phrases=tuple(summary.key_phrases),
        quote_unit_ids=tuple(first_unit_with_text[q] for q in summary.quotes if q in first_unit_with_text),
        quote_like_it=tuple(summary.quote_like_it),
    )


def summarise_themes(
    units: Sequence[UnitResult], vectors: np.ndarray, taxonomy: Any,
    emerging: Sequence[ThemeSummary], min_group_size: int, embedder: Embedder | None = None,
) -> list[ThemeSummary]:
    """Size, share, sentiment, key phrases and quotes for every active theme and proposal.

    Key phrases of seeded themes are ranked against the other themes (class-based TF-IDF over
    all themed units). Quotes are kept only for themes with at least ``min_group_size`` respondents.
    """
    from nlp.themes import describe_clusters

    rows_by_theme: dict[str, list[int]] = defaultdict(list)
    for row, unit in enumerate(units):
        if unit.theme_id is not None:
            rows_by_theme[unit.theme_id].append(row)
    total = max(1, len(units))
    active = [theme for theme in taxonomy.active if rows_by_theme.get(theme.id)]
    themed_rows = [row for theme in active for row in rows_by_theme[theme.id]]
    labels = np.array([i for i, theme in enumerate(active) for _ in rows_by_theme[theme.id]], dtype=int)
    described = {
        active[summary.label].id: summary
        for summary in describe_clusters([units[r].text for r in themed_rows], labels,
                                         vectors[themed_rows], embed=embedder.embed if embedder else None)
    } if themed_rows else {}
    summaries = []
    for theme in taxonomy.active:
        rows = rows_by_theme.get(theme.id, [])
        responses = len({units[row].response_id for row in rows})
        found = described.get(theme.id)
        first_unit_with_text = {units[r].text: units[r].id for r in reversed(rows)}
        quotes = tuple(first_unit_with_text[q] for q in found.quotes) if found else ()
        summaries.append(ThemeSummary(
            id=theme.id, name=theme.name, description=theme.description, kind="seeded",
            units=len(rows), responses=responses, share=len(rows) / total,
            mean_sentiment=_mean([units[r].sentiment for r in rows]),
            key_phrases=tuple(found.key_phrases) if found else (),
            quote_unit_ids=quotes if responses >= min_group_size else (),
            quote_like_it=tuple(found.quote_like_it) if found and responses >= min_group_size else (),
        ))
    for proposal in emerging:
        rows = rows_by_theme.get(proposal.id, [])
        summaries.append(dataclasses.replace(
            proposal, share=len(rows) / total, mean_sentiment=_mean([units[r].sentiment for r in rows]),
            quote_unit_ids=proposal.quote_unit_ids if proposal.responses >= min_group_size else (),
            quote_like_it=proposal.quote_like_it if proposal.responses >= min_group_size else (),
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


def _estimate(
    values: list[float], min_group_size: int, random_state: int, with_interval: bool = True
) -> Estimate:
    from nlp.trends import bootstrap_mean_interval

    if len(values) < min_group_size:
        return Estimate(n=len(values), mean=None, low=None, high=None, suppressed=True)
    if not with_interval:
        return Estimate(n=len(values), mean=float(np.mean(values)), low=None, high=None,
                        suppressed=False)
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
    units: Sequence[UnitResult], waves: Sequence[str], min_group_size: int, random_state: int,
) -> list[TrendPoint]:
    """Trend points for every wave: overall, per segment, per theme, and per segment x theme.

    Theme cells carry their share of the wave's (or segment's) units and a rising/falling/new
    marker from a two-proportion test against the previous wave; overall and segment cells
    carry a test of the change in mean sentiment. Cells under ``min_group_size`` respondents are
    suppressed, with complementary suppression on each wave's segment x theme table and on its
    segments against the wave total (:mod:`nlp.cell_suppression`).
    """
    from nlp.cell_suppression import suppress_trend_points
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
                    marker = trend_marker(before.share, cell.share or 0.0, change.significant)
            elif not suppressed and before is not None and before_ok:
                p_value = compare_means(_response_means(before.units), _response_means(cell.units)).p_value
            points.append(TrendPoint(
                wave=wave, segment=segment, theme_id=theme, responses=cell.respondents,
                units=len(cell.units), share=None if suppressed else cell.share,
                # Segment x theme cells feed the heat map, which shows means without intervals.
                sentiment=_estimate(_response_means(cell.units), min_group_size, random_state,
                                    with_interval=segment is None or theme is None),
                change_p_value=p_value, marker=marker, suppressed=suppressed,
            ))
        previous = dict(wave_cells)
    return suppress_trend_points(points, min_group_size)


def compute_silo_points(
    units: Sequence[UnitResult], waves: Sequence[str], min_group_size: int
) -> list[SiloPoint]:
    """Silo metrics per wave and per wave x segment; segments that are small, or that would give a
    small group away as the wave total minus the segments shown, are suppressed."""
    from nlp.cell_suppression import suppress_silo_points
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
    return suppress_silo_points(points, min_group_size)
