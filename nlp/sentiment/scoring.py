"""Scoring entry points: pick the shipped model that fits the available vectors and score texts."""

from __future__ import annotations

import logging

import numpy as np

from nlp.errors import SentimentModelError
from nlp.sentiment.model import SentimentModel, load_shipped_model

log = logging.getLogger(__name__)

LABELS = ("very negative", "negative", "neutral", "positive", "very positive")
#: Upper bounds of the first four labels: score < -0.6 is very negative, -0.6 <= score < -0.2
#: negative, -0.2 <= score <= 0.2 neutral, 0.2 < score <= 0.6 positive, above 0.6 very positive.
LABEL_CUTS = (-0.6, -0.2, 0.2, 0.6)


def sentiment_label(score: float) -> str:
    """The five-level label of a score in [-1, 1] (see :data:`LABEL_CUTS`).

    Parameters
    ----------
    score
        A sentiment score; values outside [-1, 1] are clipped.
    """
    very_negative, negative, positive, very_positive = LABEL_CUTS
    if score < very_negative:
        return LABELS[0]
    if score < negative:
        return LABELS[1]
    if score <= positive:
        return LABELS[2]
    if score <= very_positive:
        return LABELS[3]
    return LABELS[4]


def _semantic_model_for(vectors: np.ndarray | None) -> SentimentModel | None:
    """The semantic model if it can be used with ``vectors`` (or with fresh embeddings), else None."""
    from nlp.embed import SemanticEmbedder, default_embedder, semantic_backend_available

    model = load_shipped_model("semantic")
    if vectors is not None:
        usable = vectors.ndim == 2 and vectors.shape[1] == model.embedding_width_
        reason = f"vectors of width {vectors.shape[-1]}, not {model.embedding_width_}"
    else:
        usable = semantic_backend_available() and isinstance(default_embedder(), SemanticEmbedder)
        reason = "the semantic embedding backend is unavailable"
    if not usable:
        log.warning("Sentiment: %s; using the lexical fallback model.", reason)
        return None
    return model


def score_sentiment(texts: list[str], vectors: np.ndarray | None = None) -> list[float]:
    """Score each text in [-1, 1] (negative .. positive) with the shipped domain model.

    Parameters
    ----------
    texts
        Units of feedback (sentences or clauses), already redacted.
    vectors
        Their all-MiniLM-L6-v2 embeddings (L2-normalised, shape ``(len(texts), 384)``) if the
        caller has them; otherwise they are computed with :func:`nlp.embed.default_embedder`.
        Vectors of another width (the lexical embedding backend) select the lexical model.

    Returns
    -------
    list of float
        Per text, the model's blend of the classifier's ``P(positive) - P(negative)``, its ridge
        regression output and VADER's compound score (weights chosen by cross-validation).

    Raises
    ------
    SentimentModelError
        If ``vectors`` does not have one row per text, or the shipped model files are missing.
    """
    texts = [text if isinstance(text, str) else "" for text in texts]
    if not texts:
        return []
    if vectors is not None:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise SentimentModelError(f"expected {len(texts)} vectors, got an array of shape {vectors.shape}")
    model = _semantic_model_for(vectors)
    if model is None:
        model, vectors = load_shipped_model("lexical"), None
    scores = model.sentiment_scores(texts, vectors)
    return [float(score) for score in np.clip(scores, -1.0, 1.0)]
