"""One call from unit texts to theme or cluster ids: seeded assignment, then discovery."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from nlp.embeddings import Embedder, default_embedder, text_key
from nlp.themes.assign import assign_themes
from nlp.themes.cohesion import split_until_cohesive
from nlp.themes.discover import ConcernClusterer, concern_features
from nlp.themes.labels import ClusterSummary, describe_clusters
from nlp.themes.nonanswers import non_answer_mask
from nlp.themes.taxonomy import Taxonomy

#: Label of units that fit no theme and no cluster (noise, or a dismissed proposal's look-alikes).
UNASSIGNED = "unassigned"
#: Smallest emerging cluster proposed to BRMs.
MIN_PROPOSAL_SIZE = 3


def discover_clusters(
    texts: Sequence[str], vectors: np.ndarray, random_state: int = 0, prefix: str = "cluster-",
    min_cluster_size: int = 5, taken_ids: set[str] | None = None,
    embed: Callable[[list[str]], np.ndarray] | None = None, min_cohesion: float | None = None,
) -> tuple[np.ndarray, list[ClusterSummary]]:
    """Cluster units from scratch; returns labels (``-1`` noise and non-answers) and summaries.

    Non-answers ("n/a", "Nothing really.", one word) are left out of the clustering and labelled
    ``-1``: they are "no content", never a theme.

    Parameters
    ----------
    texts, vectors
        Unit texts and their semantic embeddings.
    random_state
        Seed for the clusterer.
    prefix
        Prefix of the content-derived cluster ids.
    min_cluster_size
        Smallest cluster kept.
    taken_ids
        Ids the new clusters must not reuse.
    embed
        The embedder's ``embed``, to rank name candidates by relevance (optional).
    min_cohesion
        With a value, clusters looser than it are cut until their parts are tight enough
        (:func:`nlp.themes.cohesion.split_until_cohesive`); parts that never are become noise.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    labels = np.full(len(texts), -1, dtype=int)
    keep = np.flatnonzero(~non_answer_mask(texts))
    if keep.size < min_cluster_size:
        return labels, []
    kept_texts = [texts[int(i)] for i in keep]
    features = concern_features(kept_texts, vectors[keep], random_state=random_state)
    clusterer = ConcernClusterer(min_cluster_size=min_cluster_size, random_state=random_state)
    labels[keep] = clusterer.fit(features).labels_
    if min_cohesion is not None:
        labels = split_until_cohesive(labels, vectors, min_cohesion, min_cluster_size)
    return labels, describe_clusters(texts, labels, vectors, prefix=prefix, taken_ids=taken_ids,
                                     embed=embed)


def discover_proposals(
    texts: Sequence[str], vectors: np.ndarray, taxonomy: Taxonomy, embedder: Embedder,
    random_state: int = 0,
) -> list[ClusterSummary]:
    """Emerging-theme proposals: clusters among the units no theme of ``taxonomy`` claims.

    Returns
    -------
    list of ClusterSummary
        Largest first; ``label`` numbers clusters among the unassigned units only.
    """
    assignment = assign_themes(vectors, taxonomy, embedder, [text_key(t) for t in texts])
    pool = np.flatnonzero(assignment.unassigned)
    if pool.size < MIN_PROPOSAL_SIZE:
        return []
    _, summaries = discover_clusters(
        [texts[i] for i in pool.tolist()], np.asarray(vectors)[pool], random_state, "emerging-",
        MIN_PROPOSAL_SIZE, set(taxonomy.ids) | set(taxonomy.aliases), embedder.embed,
    )
    return summaries


def cluster_concerns(
    texts: list[str], themes: Taxonomy | None = None, vectors: np.ndarray | None = None,
    random_state: int = 0,
) -> list[str]:
    """A theme id or cluster id per text; the number of clusters is chosen automatically.

    Parameters
    ----------
    texts
        Unit texts (redacted answers or sentences).
    themes
        ``None`` discovers clusters from scratch (ids ``cluster-<key-phrases>``). With a taxonomy,
        units are assigned to its themes by similarity (BRM overrides honoured) and the rest are
        clustered into proposals (ids ``emerging-<key-phrases>``).
    vectors
        Embeddings of ``texts`` from :func:`nlp.embeddings.default_embedder`; computed if omitted.
    random_state
        Seed; the same inputs and seed give the same ids.

    Returns
    -------
    list of str
        One id per text; :data:`UNASSIGNED` for units in no theme and no cluster.
    """
    if not texts:
        return []
    embedder = default_embedder()
    vectors = embedder.embed(texts) if vectors is None else np.asarray(vectors, dtype=np.float32)
    if themes is None:
        labels, summaries = discover_clusters(texts, vectors, random_state, embed=embedder.embed)
        names = {summary.label: summary.id for summary in summaries}
        return [names.get(int(label), UNASSIGNED) for label in labels]
    assignment = assign_themes(vectors, themes, embedder, [text_key(t) for t in texts])
    result = [theme or UNASSIGNED for theme in assignment.theme_ids]
    # Non-answers belong to no theme, even when a BRM override or a loose seed would claim them.
    for position in np.flatnonzero(non_answer_mask(texts) & ~assignment.overridden):
        result[position] = UNASSIGNED
    pool = np.flatnonzero(assignment.unassigned)
    if pool.size >= MIN_PROPOSAL_SIZE:
        labels, summaries = discover_clusters(
            [texts[i] for i in pool], vectors[pool], random_state, "emerging-",
            MIN_PROPOSAL_SIZE, set(themes.ids) | set(themes.aliases), embedder.embed,
        )
        names = {summary.label: summary.id for summary in summaries}
        for position, label in zip(pool, labels, strict=True):
            result[position] = names.get(int(label), UNASSIGNED)
    return result
