"""Describe clusters for BRMs: key phrases by class-based TF-IDF and representative quotes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

#: Placeholders written by redaction; never useful as key phrases.
_PLACEHOLDERS = {"name", "email", "phone", "url", "number"}


@dataclass(frozen=True)
class ClusterSummary:
    """A discovered cluster as shown to a BRM.

    Attributes
    ----------
    id
        Content-derived id (``emerging-<key-phrase-slug>``), stable when the same cluster recurs.
    label
        The integer cluster label in the clusterer's output.
    size
        Number of units in the cluster.
    key_phrases
        Up to five words or bigrams that distinguish the cluster (class-based TF-IDF).
    quotes
        Up to three distinct unit texts closest to the cluster centroid.
    """

    id: str
    label: int
    size: int
    key_phrases: tuple[str, ...]
    quotes: tuple[str, ...]


def class_tfidf_phrases(texts: Sequence[str], labels: np.ndarray, top: int = 5) -> dict[int, tuple[str, ...]]:
    """Key phrases per cluster label by class-based TF-IDF (as in BERTopic).

    Each cluster's texts are pooled into one document; a term scores
    ``tf(term, cluster) * log(1 + mean words per cluster / frequency of term overall)``.
    Unigrams already contained in a chosen bigram are skipped.

    Parameters
    ----------
    texts
        Unit texts.
    labels
        Cluster label per text; ``-1`` (noise) is ignored.
    top
        Number of phrases per cluster.

    Returns
    -------
    dict
        Cluster label to its phrases, best first.
    """
    labels = np.asarray(labels)
    clusters = sorted(int(c) for c in set(labels.tolist()) if c >= 0)
    if not clusters:
        return {}
    vectorizer = CountVectorizer(ngram_range=(1, 2), stop_words="english", min_df=1,
                                 token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9+#.-]*[a-zA-Z0-9+#]\b")
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # only stop words or empty texts
        return {cluster: () for cluster in clusters}
    membership = np.zeros((len(clusters), len(texts)), dtype=np.float32)
    for row, cluster in enumerate(clusters):
        membership[row, labels == cluster] = 1.0
    per_cluster = np.asarray(counts.T.dot(membership.T).T)
    term_frequency = per_cluster.sum(axis=0)
    mean_words = per_cluster.sum() / len(clusters)
    scores = normalize(per_cluster, norm="l1") * np.log1p(mean_words / np.maximum(term_frequency, 1))
    vocabulary = vectorizer.get_feature_names_out()
    phrases: dict[int, tuple[str, ...]] = {}
    for row, cluster in enumerate(clusters):
        chosen: list[str] = []
        for column in np.argsort(-scores[row], kind="stable"):
            if scores[row, column] <= 0 or len(chosen) == top:
                break
            term = str(vocabulary[column])
            if set(term.split()) & _PLACEHOLDERS or any(term in phrase.split() for phrase in chosen):
                continue
            chosen.append(term)
        phrases[cluster] = tuple(chosen)
    return phrases


def representative_quotes(texts: Sequence[str], vectors: np.ndarray, members: np.ndarray,
                          count: int = 3) -> tuple[str, ...]:
    """The ``count`` distinct texts among ``members`` closest (cosine) to their centroid."""
    member_vectors = normalize(np.asarray(vectors, dtype=np.float32)[members])
    centroid = normalize(member_vectors.mean(axis=0, keepdims=True))[0]
    order = np.argsort(-(member_vectors @ centroid), kind="stable")
    quotes: list[str] = []
    for position in order:
        text = texts[int(members[position])]
        if text not in quotes:
            quotes.append(text)
        if len(quotes) == count:
            break
    return tuple(quotes)


def cluster_id(key_phrases: Sequence[str], taken: set[str], prefix: str = "emerging-") -> str:
    """A readable id derived from the top key phrases, unique within ``taken`` (which it extends)."""
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(key_phrases[:2]).lower()).strip("-")[:40].strip("-")
    base = prefix + (slug or "cluster")
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def describe_clusters(
    texts: Sequence[str], labels: np.ndarray, vectors: np.ndarray, prefix: str = "emerging-",
    taken_ids: set[str] | None = None,
) -> list[ClusterSummary]:
    """Summarise every cluster (largest first) with key phrases and three representative quotes.

    Parameters
    ----------
    texts, labels, vectors
        Unit texts, their cluster labels (``-1`` = noise, skipped) and embeddings.
    prefix
        Prefix of the content-derived ids.
    taken_ids
        Ids that must not be reused (e.g. the taxonomy's); extended with the new ids.

    Returns
    -------
    list of ClusterSummary
    """
    labels = np.asarray(labels)
    phrases = class_tfidf_phrases(texts, labels)
    taken = set() if taken_ids is None else taken_ids
    sizes = {cluster: int((labels == cluster).sum()) for cluster in phrases}
    summaries = []
    # Ids are handed out largest cluster first, ties by label, so they do not depend on dict order.
    for cluster in sorted(phrases, key=lambda c: (-sizes[c], c)):
        members = np.flatnonzero(labels == cluster)
        summaries.append(ClusterSummary(
            id=cluster_id(phrases[cluster], taken, prefix), label=cluster, size=sizes[cluster],
            key_phrases=phrases[cluster], quotes=representative_quotes(texts, vectors, members),
        ))
    return summaries
