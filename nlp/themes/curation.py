"""Curation steps that connect discovered clusters to the taxonomy (accept, dismiss, sub-split)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlp.embeddings import text_key
from nlp.errors import TaxonomyError
from nlp.themes.discover import ConcernClusterer
from nlp.themes.labels import ClusterSummary, describe_clusters
from nlp.themes.taxonomy import Taxonomy


def proposal_name(summary: ClusterSummary) -> str:
    """A readable default name for a proposal: its two best key phrases."""
    return " / ".join(summary.key_phrases[:2]).capitalize() or summary.id


def accept_proposal(taxonomy: Taxonomy, summary: ClusterSummary, name: str | None = None) -> Taxonomy:
    """Turn a proposed cluster into an active theme seeded by its representative quotes.

    The theme keeps the proposal's content-derived id when it is free, so units already
    shown under the proposal keep their id after acceptance.
    """
    free = summary.id not in taxonomy.ids and summary.id not in taxonomy.aliases
    return taxonomy.add_theme(
        name or proposal_name(summary), summary.quotes,
        description="Key phrases: " + ", ".join(summary.key_phrases),
        theme_id=summary.id if free else None,
    )


def dismiss_proposal(taxonomy: Taxonomy, summary: ClusterSummary) -> Taxonomy:
    """Record a rejected proposal; its quotes keep look-alike units from being proposed again."""
    return taxonomy.dismiss(summary.id, proposal_name(summary), summary.quotes)


def split_by_subclusters(
    taxonomy: Taxonomy, theme_id: str, texts: Sequence[str], vectors: np.ndarray,
    random_state: int = 0,
) -> Taxonomy:
    """Split a theme by clustering its units: the largest part keeps the id, others become themes.

    Parameters
    ----------
    taxonomy
        The taxonomy holding ``theme_id``.
    theme_id
        The theme to split.
    texts, vectors
        The units currently assigned to the theme and their embeddings.
    random_state
        Seed for the sub-clustering.

    Raises
    ------
    TaxonomyError
        If the units form fewer than two clusters.
    """
    clusterer = ConcernClusterer(min_cluster_size=3, random_state=random_state).fit(vectors)
    if clusterer.n_clusters_ < 2:
        raise TaxonomyError(f"The units of {theme_id!r} form a single cluster; nothing to split.")
    summaries = describe_clusters(texts, clusterer.labels_, vectors, taken_ids=set(taxonomy.ids))
    curated = taxonomy
    for summary in summaries[1:]:
        members = np.flatnonzero(clusterer.labels_ == summary.label)
        keys = [text_key(texts[int(i)]) for i in members]
        curated = curated.split(theme_id, proposal_name(summary), summary.quotes, keys)
    return curated
