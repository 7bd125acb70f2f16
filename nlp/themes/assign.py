"""Assign units to seeded themes by embedding similarity, with a confidence per unit."""

from __future__ import annotations

import json
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from nlp.embeddings import Embedder
from nlp.themes.taxonomy import Taxonomy

#: How many of a theme's closest seed phrasings are averaged into its score; the off-topic
#: examples (``nlp/data/off_topic.json``: canteen, pay, parking...) are scored the same way, as an
#: "other" class. Chosen with the taxonomy's threshold on the dev split of
#: ``eval/data/themes_labelled.csv`` (``python -m eval.themes --sweep``): the setting with the best
#: mean of the full-taxonomy accuracy and the leave-one-theme-out accuracy, where a comment whose
#: theme is missing must stay unassigned instead of being absorbed by its nearest neighbour.
TOP_SEEDS = 5
#: A unit whose "other" score (mean similarity to its closest off-topic examples) beats its best
#: theme's score by more than this margin stays unassigned, free to form an emerging theme.
#: 0: off-topic is simply one more class (the dev sweep found no margin that did better).
OFF_TOPIC_MARGIN = 0.0
#: Softmax temperature turning theme scores into the confidence of the chosen theme.
TEMPERATURE = 0.05

_seed_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True, eq=False)
class Assignment:
    """Seeded-theme assignment of a batch of units.

    Attributes
    ----------
    theme_ids
        Per unit, the assigned active theme id, or ``None`` when nothing passed the threshold.
    scores
        Per unit, the similarity score of the best theme (active or dismissed), in [-1, 1].
    confidence
        Per unit, softmax probability of the best theme against the others, in [0, 1].
    best_ids
        Per unit, the best-scoring theme id whether or not it passed the threshold.
    dismissed
        Per unit, whether its best match is a dismissed proposal (kept out of discovery).
    overridden
        Per unit, whether a BRM override decided the theme.
    """

    theme_ids: tuple[str | None, ...]
    scores: np.ndarray
    confidence: np.ndarray
    best_ids: tuple[str, ...]
    dismissed: np.ndarray
    overridden: np.ndarray

    @property
    def unassigned(self) -> np.ndarray:
        """Boolean mask of units to hand to discovery (no theme, not a dismissed proposal)."""
        return np.array([t is None for t in self.theme_ids], dtype=bool) & ~self.dismissed


def seed_vectors(taxonomy: Taxonomy, embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    """Embed every theme's seed texts; returns ``(vectors, theme_index_per_row)``.

    For stateless (non-fitted) embedders the vectors are cached per embedder and per theme's seed
    texts, so a curated taxonomy (one theme renamed, merged or added) embeds only what changed.
    """
    cacheable = not hasattr(embedder, "fit")
    cache: dict = _seed_cache.setdefault(embedder, {}) if cacheable else {}
    seeds = [theme.seed_texts() for theme in taxonomy.themes]
    if not seeds:
        return np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=int)
    missing = list(dict.fromkeys(texts for texts in seeds if texts not in cache))
    if missing:
        flat = [text for texts in missing for text in texts]
        vectors = np.asarray(embedder.embed(flat), dtype=np.float32)
        start = 0
        for texts in missing:
            cache[texts] = vectors[start:start + len(texts)]
            start += len(texts)
    owners = np.concatenate([np.full(len(texts), index) for index, texts in enumerate(seeds)])
    return np.vstack([cache[texts] for texts in seeds]), owners.astype(int)


@cache
def off_topic_examples() -> tuple[str, ...]:
    """The shipped workplace comments that are not about IT."""
    text = resources.files("nlp").joinpath("data/off_topic.json").read_text(encoding="utf-8")
    return tuple(json.loads(text)["examples"])


def off_topic_scores(vectors: np.ndarray, embedder: Embedder, top: int = TOP_SEEDS) -> np.ndarray:
    """Per unit, the mean cosine to its ``top`` closest off-topic examples (cached per embedder)."""
    cacheable = not hasattr(embedder, "fit")
    cached = _seed_cache.setdefault(embedder, {}).get("off-topic") if cacheable else None
    if cached is None:
        cached = np.asarray(embedder.embed(list(off_topic_examples())), dtype=np.float32)
        if cacheable:
            _seed_cache[embedder]["off-topic"] = cached
    similarity = np.asarray(vectors, dtype=np.float32) @ cached.T
    top = min(top, similarity.shape[1])
    return np.sort(similarity, axis=1)[:, -top:].mean(axis=1)


def theme_scores(vectors: np.ndarray, seeds: np.ndarray, owners: np.ndarray, n_themes: int,
                 top_seeds: int = TOP_SEEDS) -> np.ndarray:
    """Score each unit against each theme: the mean of its ``top_seeds`` best seed similarities.

    Averaging the closest few seeds (rather than taking one centroid) lets a theme cover
    several distinct phrasings while a single lucky seed match counts for less. A theme with
    fewer seeds (an accepted proposal) averages all of them.
    """
    similarity = np.asarray(vectors, dtype=np.float32) @ seeds.T
    scores = np.full((similarity.shape[0], n_themes), -1.0, dtype=np.float32)
    for theme in range(n_themes):
        columns = similarity[:, owners == theme]
        if columns.shape[1] == 0:
            continue
        top = min(top_seeds, columns.shape[1])
        scores[:, theme] = np.sort(columns, axis=1)[:, -top:].mean(axis=1)
    return scores


def _best_theme(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per unit: the best theme's index, its score, and a softmax confidence over all themes."""
    best = scores.argmax(axis=1)
    best_scores = scores[np.arange(scores.shape[0]), best]
    shifted = np.exp((scores - best_scores[:, None]) / TEMPERATURE)
    return best, best_scores, 1.0 / shifted.sum(axis=1)


def _apply_overrides(taxonomy: Taxonomy, unit_keys: Sequence[str] | None, ids: list[str | None],
                     dismissed: np.ndarray) -> np.ndarray:
    """Put units a BRM moved (``taxonomy.overrides``) where they were moved, in ``ids`` and
    ``dismissed`` in place; returns which units were moved."""
    overridden = np.zeros(len(ids), dtype=bool)
    if unit_keys is None or not taxonomy.overrides:
        return overridden
    for position, key in enumerate(unit_keys):
        if key in taxonomy.overrides:
            ids[position] = taxonomy.resolve(taxonomy.overrides[key])
            overridden[position] = True
            dismissed[position] = False
    return overridden


def assign_themes(
    vectors: np.ndarray,
    taxonomy: Taxonomy,
    embedder: Embedder,
    unit_keys: Sequence[str] | None = None,
    threshold: float | None = None,
    *,
    top_seeds: int = TOP_SEEDS,
    off_topic_margin: float | None = OFF_TOPIC_MARGIN,
) -> Assignment:
    """Assign each unit vector to its most similar active theme if the score passes a threshold.

    Parameters
    ----------
    vectors
        Unit embeddings from ``embedder`` (L2-normalised rows).
    taxonomy
        Themes to assign; dismissed proposals absorb their look-alikes without being assigned.
    embedder
        The embedder that produced ``vectors``; it embeds the theme seeds too.
    unit_keys
        Optional :func:`nlp.embeddings.text_key` per unit, so BRM overrides (moved units) apply.
    threshold
        Minimum score for an assignment; defaults to ``taxonomy.threshold``.
    top_seeds
        How many of a theme's closest seeds are averaged into its score.
    off_topic_margin
        Units closer to the off-topic examples than to their best theme by this margin stay
        unassigned (and go to discovery); ``None`` turns the check off.

    Returns
    -------
    Assignment
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    n_units = vectors.shape[0]
    themes = taxonomy.themes
    if n_units == 0 or not themes:
        empty = np.zeros(n_units, dtype=np.float32)
        return Assignment((None,) * n_units, empty, empty, ("",) * n_units,
                          np.zeros(n_units, bool), np.zeros(n_units, bool))
    seeds, owners = seed_vectors(taxonomy, embedder)
    best, best_scores, confidence = _best_theme(theme_scores(vectors, seeds, owners, len(themes), top_seeds))
    cutoff = taxonomy.threshold if threshold is None else threshold
    passed = best_scores >= cutoff
    if off_topic_margin is not None:
        passed &= off_topic_scores(vectors, embedder, top_seeds) <= best_scores + off_topic_margin
    dismissed = np.array([themes[i].status == "dismissed" for i in best]) & passed
    ids: list[str | None] = [
        themes[i].id if ok and not gone else None
        for i, ok, gone in zip(best, passed, dismissed, strict=True)
    ]
    overridden = _apply_overrides(taxonomy, unit_keys, ids, dismissed)
    confidence = np.where(overridden, 1.0, confidence)
    return Assignment(tuple(ids), best_scores, confidence.astype(np.float32),
                      tuple(themes[i].id for i in best), dismissed, overridden)
