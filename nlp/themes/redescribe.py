"""Describe a curated group of units again without parsing: for curation inside a web request.

The analysis job names clusters from the noun chunks spaCy finds
(:func:`nlp.themes.labels.describe_clusters`). A curation (merge, move, split) changes a theme's
units between runs; re-parsing them would load spaCy (and its models) in a web worker. Here the
candidate phrases are the key phrases the analysis already stored for the themes involved plus each
group's class-based TF-IDF n-grams; they are ranked by the same rule
(:func:`nlp.themes.names.cluster_phrases`), and quotes are chosen by the same
:func:`nlp.themes.quotes.select_quotes`. The next analysis run describes the themes in full again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.preprocessing import normalize

from nlp.themes.labels import ClusterSummary, class_tfidf_phrases, cluster_id
from nlp.themes.names import PhraseRanking, choose_name, cluster_phrases
from nlp.themes.quotes import select_quotes

#: c-TF-IDF n-grams per group added to the stored key phrases as candidates.
NGRAM_CANDIDATES = 20


def describe_groups(
    texts: Sequence[str], labels: np.ndarray, vectors: np.ndarray, stored_phrases: Sequence[str] = (),
    prefix: str = "emerging-", taken_ids: set[str] | None = None, top: int = 5,
) -> list[ClusterSummary]:
    """Summaries (largest group first) like :func:`~nlp.themes.labels.describe_clusters`, with no
    spaCy: candidates are ``stored_phrases`` and each group's c-TF-IDF n-grams.

    Parameters
    ----------
    texts, labels, vectors
        Unit texts, their group labels (``-1`` skipped) and embeddings.
    stored_phrases
        Key phrases the analysis stored for the themes the units come from.
    prefix, taken_ids
        As for :func:`~nlp.themes.labels.cluster_id`.
    top
        Key phrases per group.
    """
    labels = np.asarray(labels)
    groups = sorted(int(g) for g in set(labels.tolist()) if g >= 0)
    if not groups:
        return []
    unit = normalize(np.asarray(vectors, dtype=np.float32))
    ngrams = class_tfidf_phrases(texts, labels, top=NGRAM_CANDIDATES)
    centroids = {g: unit[labels == g].mean(axis=0) for g in groups}
    # The analysis's own (noun-phrase) key phrases first; n-grams only fill the places left.
    own = {g: list(stored_phrases) for g in groups}
    stored = cluster_phrases(texts, labels, own, centroids, None, top)
    filler = cluster_phrases(texts, labels, {g: list(ngrams.get(g, ())) for g in groups}, centroids, None,
                             top)
    ranked = {g: _fill(stored.get(g) or [], filler.get(g) or [], top) for g in groups}
    taken = set() if taken_ids is None else taken_ids
    sizes = {g: int((labels == g).sum()) for g in groups}
    summaries = []
    for group in sorted(groups, key=lambda g: (-sizes[g], g)):
        members = np.flatnonzero(labels == group)
        phrases = tuple(ranked.get(group) or ())
        member_texts = [texts[int(i)] for i in members]
        quotes = select_quotes(member_texts, unit[members])
        # The analysis's naming rule (no bare generic word), without an embedder in a web request.
        name = choose_name(PhraseRanking(phrases, phrases), member_texts, centroids[group])
        summaries.append(ClusterSummary(
            id=cluster_id(phrases, taken, prefix), label=group, size=sizes[group], key_phrases=phrases,
            quotes=tuple(q.text for q in quotes), name=name,
            quote_like_it=tuple(q.like_it for q in quotes),
        ))
    return summaries


def _fill(chosen: list[str], more: list[str], top: int) -> list[str]:
    """``chosen`` topped up to ``top`` with phrases of ``more`` that share no word with those chosen."""
    result = list(chosen[:top])
    for phrase in more:
        if len(result) >= top:
            break
        if not set(phrase.split()) & {word for taken in result for word in taken.split()}:
            result.append(phrase)
    return result
