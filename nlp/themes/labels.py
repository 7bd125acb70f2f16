"""Describe clusters for BRMs: a noun-phrase name, key phrases and representative quotes.

Key phrases are noun chunks and class-based TF-IDF n-grams ranked by :mod:`nlp.themes.names`;
quotes are diverse complete sentences from :mod:`nlp.themes.quotes`. :func:`class_tfidf_phrases`
alone is the plain c-TF-IDF representation (the label-quality baseline in ``eval.themes``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from nlp.themes.names import PhraseRanking, choose_name, rank_member_phrases, text_candidates
from nlp.themes.nonanswers import is_non_answer
from nlp.themes.quotes import select_quotes

#: Central members per cluster whose noun chunks become candidate phrases (spaCy parses only these).
PHRASE_SAMPLE = 150

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
        Up to five noun phrases or n-grams that distinguish the cluster, best first.
    quotes
        Up to three diverse, complete sentences near the cluster centre.
    name
        A short readable name (the best key phrase, capitalised).
    quote_like_it
        Per quote, how many other members of the cluster are nearest to it ("and 14 like it").
    """

    id: str
    label: int
    size: int
    key_phrases: tuple[str, ...]
    quotes: tuple[str, ...]
    name: str = ""
    quote_like_it: tuple[int, ...] = field(default=())


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
    """Up to ``count`` texts among ``members``: diverse complete sentences (:func:`select_quotes`)
    first, topped up with the distinct texts nearest the centroid (seeds for an accepted theme)."""
    members = np.asarray(members, dtype=int)
    member_vectors = normalize(np.asarray(vectors, dtype=np.float32)[members])
    chosen = [q.text for q in select_quotes([texts[int(i)] for i in members], member_vectors, count)]
    centroid = member_vectors.mean(axis=0)
    for position in np.argsort(-(member_vectors @ centroid), kind="stable"):
        if len(chosen) >= count:
            break
        text = texts[int(members[position])]
        if text not in chosen and not is_non_answer(text):
            chosen.append(text)
    return tuple(chosen[:count])


def cluster_id(key_phrases: Sequence[str], taken: set[str], prefix: str = "emerging-") -> str:
    """A readable id derived from the top key phrases, unique within ``taken`` (which it extends)."""
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(key_phrases[:1]).lower()).strip("-")[:40].strip("-")
    base = prefix + (slug or "cluster")
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def key_phrases(
    texts: Sequence[str], labels: np.ndarray, vectors: np.ndarray,
    embed: Callable[[list[str]], np.ndarray] | None = None, top: int = 5,
) -> dict[int, tuple[str, ...]]:
    """Key phrases per cluster label: noun and verb-object phrases of its central members, ranked
    by class-based TF-IDF, embedding relevance (with ``embed``) and MMR diversity."""
    described = _phrases_and_centroids(texts, labels, vectors, embed, top)
    return {c: ranking.key_phrases for c, (ranking, _) in described.items()}


def _phrases_and_centroids(
    texts: Sequence[str], labels: np.ndarray, vectors: np.ndarray,
    embed: Callable[[list[str]], np.ndarray] | None, top: int = 5,
) -> dict[int, tuple[PhraseRanking, np.ndarray]]:
    """Per cluster label, its ranked phrases and its centroid (mean of the unit vectors)."""
    labels = np.asarray(labels)
    unit = normalize(np.asarray(vectors, dtype=np.float32))
    clusters = sorted(int(c) for c in set(labels.tolist()) if c >= 0)
    central: dict[int, np.ndarray] = {}
    centroids: dict[int, np.ndarray] = {}
    for cluster in clusters:
        members = np.flatnonzero(labels == cluster)
        centroids[cluster] = unit[members].mean(axis=0)
        order = np.argsort(-(unit[members] @ centroids[cluster]), kind="stable")
        central[cluster] = members[order[:PHRASE_SAMPLE]]
    sampled = [int(i) for cluster in clusters for i in central[cluster]]
    parsed = dict(zip(sampled, text_candidates([texts[i] for i in sampled]), strict=True))
    candidates = {cluster: [parsed[int(i)] for i in central[cluster]] for cluster in clusters}
    ranked = rank_member_phrases(candidates, centroids, embed, top)
    return {c: (ranked.get(c) or PhraseRanking(), centroids[c]) for c in clusters}


def describe_clusters(
    texts: Sequence[str], labels: np.ndarray, vectors: np.ndarray, prefix: str = "emerging-",
    taken_ids: set[str] | None = None, embed: Callable[[list[str]], np.ndarray] | None = None,
) -> list[ClusterSummary]:
    """Summarise every cluster (largest first) with a name, key phrases and up to three quotes.

    Parameters
    ----------
    texts, labels, vectors
        Unit texts, their cluster labels (``-1`` = noise, skipped) and embeddings.
    prefix
        Prefix of the content-derived ids.
    taken_ids
        Ids that must not be reused (e.g. the taxonomy's); extended with the new ids.
    embed
        The embedder's ``embed`` function, to score phrases by relevance; ``None`` ranks them
        by c-TF-IDF alone.

    Returns
    -------
    list of ClusterSummary
    """
    labels = np.asarray(labels)
    described = _phrases_and_centroids(texts, labels, vectors, embed)
    phrases = {c: ranking.key_phrases for c, (ranking, _) in described.items()}
    taken = set() if taken_ids is None else taken_ids
    sizes = {cluster: int((labels == cluster).sum()) for cluster in phrases}
    summaries = []
    # Ids are handed out largest cluster first, ties by label, so they do not depend on dict order.
    for cluster in sorted(phrases, key=lambda c: (-sizes[c], c)):
        members = np.flatnonzero(labels == cluster)
        member_texts = [texts[int(i)] for i in members]
        ranking, centroid = described[cluster]
        quotes = select_quotes(member_texts, np.asarray(vectors)[members])
        summaries.append(ClusterSummary(
            id=cluster_id(phrases[cluster], taken, prefix), label=cluster, size=sizes[cluster],
            key_phrases=phrases[cluster], quotes=tuple(q.text for q in quotes),
            name=choose_name(ranking, member_texts, centroid, embed),
            quote_like_it=tuple(q.like_it for q in quotes),
        ))
    return summaries
