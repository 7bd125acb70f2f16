"""Readable names and key phrases for clusters: noun phrases scored against the cluster.

Candidates are the noun chunks of a cluster's most central members (spaCy) plus its class-based
TF-IDF n-grams. Each candidate is scored by its c-TF-IDF weight in the cluster and by the cosine
of its embedding to the cluster centroid, then picked with maximal marginal relevance, as
BERTopic's KeyBERT-inspired representation does. Filler, stop and repeated words never make it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that carry no topic in feedback ("feels like", "really great", "a lot"): never in a
#: name or key phrase, nor at the edge of one.
FILLER_WORDS = _word_set("""
like likes liked feel feels felt feeling really honestly basically actually literally just also
lot lots bit thing things stuff way ways kind sort pretty quite very much many thanks thank
good great bad better worse best worst nice fine okay ok wrong right sure maybe perhaps
get gets got getting make makes made go goes going went want wants wanted need needs needed
say says said think thinks thought know knows knew seem seems seemed use used using come
today yesterday people person someone everyone
anyone one ones etc overall general generally usually always never sometimes often still
yes no not dont don't cant can't wont won't isn't doesn't didn't im i'm ive i've hard easy
xxxx xx xxxxxxxx name email phone url number
""")
#: Weight of the embedding relevance against the c-TF-IDF score of a candidate.
RELEVANCE_WEIGHT = 0.5
#: MMR trade-off: 1 keeps only relevance, 0 only diversity.
MMR_LAMBDA = 0.7
#: Longest name or key phrase, in words.
MAX_PHRASE_WORDS = 4
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#'.-]*[A-Za-z0-9+#]|[A-Za-z]")


def phrase_words(phrase: str) -> list[str]:
    """Lower-case words of a phrase, as the filters see them."""
    return [w.lower() for w in _WORD.findall(phrase)]


def is_clean_phrase(phrase: str) -> bool:
    """True when a phrase is fit to show: 1-4 words, no repeated word, no filler or stop word at
    an edge, and at least one content word (no filler anywhere)."""
    words = phrase_words(phrase)
    if not words or len(words) > MAX_PHRASE_WORDS or len(set(words)) < len(words):
        return False
    if any(w in FILLER_WORDS for w in words):
        return False
    if words[0] in ENGLISH_STOP_WORDS or words[-1] in ENGLISH_STOP_WORDS:
        return False
    return any(w not in ENGLISH_STOP_WORDS and len(w) > 1 for w in words)


def noun_chunk_candidates(texts: Sequence[str]) -> list[str]:
    """Noun phrases of ``texts``: each noun chunk trimmed of determiners, pronouns and stop words
    at the edges, and its shorter tails that keep the head noun ("laptop provisioning delays",
    "provisioning delays", "delays")."""
    from nlp.pipeline import load_pipeline

    found: list[str] = []
    pipeline = load_pipeline()
    for doc in pipeline.pipe([t[:600] for t in texts], batch_size=64):
        for chunk in doc.noun_chunks:
            tokens = [t for t in chunk if not t.is_punct and not t.like_num]
            while tokens and (tokens[0].is_stop or tokens[0].pos_ in ("DET", "PRON", "ADV", "CCONJ")):
                tokens = tokens[1:]
            if not tokens or tokens[-1].pos_ not in ("NOUN", "PROPN") or tokens[-1].is_stop:
                continue
            words = [t.text.lower() for t in tokens][-MAX_PHRASE_WORDS:]
            found.extend(" ".join(words[start:]) for start in range(len(words)))
    return found


def cluster_phrases(
    texts: Sequence[str], labels: np.ndarray, candidates: dict[int, list[str]],
    centroids: dict[int, np.ndarray], embed: Callable[[list[str]], np.ndarray] | None, top: int = 5,
) -> dict[int, list[str]]:
    """Rank each cluster's candidate phrases; returns up to ``top`` per cluster label, best first.

    A phrase's lexical score is its document frequency in the cluster times the log of that over
    its frequency in the other clusters (class-based TF-IDF on phrases); with ``embed``, half of
    the score is the cosine of the phrase to the cluster centroid; MMR then picks diverse phrases.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    labels = np.asarray(labels)
    clean = {c: [p for p in dict.fromkeys(" ".join(phrase_words(x)) for x in found) if is_clean_phrase(p)]
             for c, found in candidates.items()}
    vocabulary = sorted({p for phrases in clean.values() for p in phrases})
    if not vocabulary:
        return {c: [] for c in candidates}
    vectorizer = CountVectorizer(vocabulary=vocabulary, ngram_range=(1, MAX_PHRASE_WORDS), binary=True,
                                 lowercase=True, token_pattern=_WORD.pattern)
    present = vectorizer.transform(texts).tocsc()
    column = {p: i for i, p in enumerate(vocabulary)}
    totals = np.asarray(present.sum(axis=0)).ravel()
    ranked: dict[int, list[str]] = {}
    for cluster, phrases in clean.items():
        members = labels == cluster
        size, others = int(members.sum()), max(1, int((~members).sum()))
        if not phrases or size == 0:
            ranked[cluster] = []
            continue
        columns = [column[p] for p in phrases]
        inside = np.asarray(present[members][:, columns].sum(axis=0)).ravel() / size
        outside = (totals[columns] - inside * size) / others
        ranked[cluster] = rank_phrases(phrases, inside, outside, centroids.get(cluster), embed, top)
    return ranked


def rank_phrases(
    phrases: Sequence[str], inside: np.ndarray, outside: np.ndarray, centroid: np.ndarray | None,
    embed: Callable[[list[str]], np.ndarray] | None, top: int = 5,
) -> list[str]:
    """Pick up to ``top`` diverse phrases by c-TF-IDF (``inside`` / ``outside`` document rates)
    and, with ``embed``, cosine to ``centroid``."""
    keep = inside > 0
    phrases = [p for p, k in zip(phrases, keep, strict=True) if k]
    inside, outside = inside[keep], outside[keep]
    if not phrases:
        return []
    lengths = np.array([len(p.split()) for p in phrases], dtype=float)
    # Frequent in the cluster, rare elsewhere; a longer phrase is a little more readable.
    lexical = inside * np.log1p(inside / (outside + 0.01)) * (1 + 0.15 * (lengths - 1))
    lexical = lexical / max(float(lexical.max()), 1e-12)
    order = np.argsort(-lexical, kind="stable")[:40]
    phrases, lexical = [phrases[i] for i in order], lexical[order]
    vectors = None
    scores = lexical
    if centroid is not None and embed is not None:
        vectors = np.asarray(embed(list(phrases)), dtype=np.float32)
        relevance = vectors @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
        scores = (1 - RELEVANCE_WEIGHT) * lexical + RELEVANCE_WEIGHT * relevance
    return _mmr(list(phrases), scores, vectors, top)


def _mmr(phrases: list[str], scores: np.ndarray, vectors: np.ndarray | None, top: int) -> list[str]:
    """Maximal marginal relevance; without vectors, word overlap stands in for similarity."""
    chosen: list[int] = []
    remaining = list(range(len(phrases)))
    while remaining and len(chosen) < top:
        best, best_value = -1, -np.inf
        for i in remaining:
            if chosen:
                if vectors is not None:
                    similarity = float(max(vectors[i] @ vectors[j] for j in chosen))
                else:
                    similarity = max(_overlap(phrases[i], phrases[j]) for j in chosen)
                if any(set(phrases[i].split()) & set(phrases[j].split()) for j in chosen):
                    continue  # no word twice across a theme's key phrases
            else:
                similarity = 0.0
            value = MMR_LAMBDA * float(scores[i]) - (1 - MMR_LAMBDA) * similarity
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        remaining.remove(best)
    return [phrases[i] for i in chosen]


def _overlap(a: str, b: str) -> float:
    words_a, words_b = set(a.split()), set(b.split())
    return len(words_a & words_b) / max(1, min(len(words_a), len(words_b)))


def display_name(phrases: Sequence[str]) -> str:
    """A short noun-phrase name from the best phrase: "laptop provisioning delays" ->
    "Laptop provisioning delays"."""
    if not phrases:
        return ""
    return phrases[0][:1].upper() + phrases[0][1:]
