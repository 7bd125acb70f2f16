"""Scoring entry points: pick the shipped model that fits the available vectors and score texts.

The label helpers live in :mod:`nlp.sentiment.labels` and are re-exported here.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from nlp.embeddings import semantic_backend_available
from nlp.errors import SentimentModelError
from nlp.sentiment.encoder import (
    GENERAL_WIDTH,
    HEAD_WIDTH,
    SentimentLogits,
    semantic_features,
    sentiment_logits,
)
from nlp.sentiment.features import lexical_features
from nlp.sentiment.labels import LABEL_CUTS, LABELS, sentiment_label

if TYPE_CHECKING:
    from nlp.sentiment.model import SentimentModel

log = logging.getLogger(__name__)

__all__ = ["LABELS", "LABEL_CUTS", "score_sentiment", "score_sentiment_with_logits", "sentiment_label"]


def _semantic_model_for(vectors: np.ndarray | None,
                        model_cache: str | os.PathLike[str] | None) -> SentimentModel | None:
    """The semantic model if the caller's vectors (or the installed backend) allow it, else None."""
    from nlp.sentiment.storage import load_shipped_model  # brings scikit-learn: imported on first use

    model = load_shipped_model("semantic")
    general_width = GENERAL_WIDTH if reads_logits_only_of(model) else model.embedding_width_ - HEAD_WIDTH
    if vectors is not None:
        usable = vectors.ndim == 2 and vectors.shape[1] == general_width
        reason = f"vectors of width {vectors.shape[-1]}, not {general_width}"
    else:
        usable = semantic_backend_available()
        reason = "the semantic embedding backend is unavailable"
    if not usable:
        log.warning("Sentiment: %s; using the lexical fallback model.", reason)
        return None
    trained_on = getattr(model, "metadata_", {}).get("vectors")
    expected = SentimentLogits(model_cache).name
    if trained_on and trained_on != expected:
        raise SentimentModelError(f"the semantic sentiment model was trained with {trained_on}, not "
                                  f"{expected}; retrain it: make sentiment-model")
    return model


def reads_logits_only_of(model: SentimentModel) -> bool:
    """Whether ``model`` reads only the sentiment encoder's logits (not the general vectors)."""
    return model.text_features == "head_logits"


def score_sentiment_with_logits(texts: list[str], vectors: np.ndarray | None = None,
                                model_cache: str | os.PathLike[str] | None = None,
                                ) -> tuple[list[float], np.ndarray | None]:
    """:func:`score_sentiment`, and the sentiment encoder's logits it read (shape ``(len(texts), 3)``,
    float32) when the shipped semantic model ran; None for the lexical fallback. The analysis keeps
    the logits for the per-survey correction head (:mod:`nlp.sentiment.correction_head`)."""
    texts = [text if isinstance(text, str) else "" for text in texts]
    if not texts:
        return [], None
    if vectors is not None:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise SentimentModelError(f"expected {len(texts)} vectors, got an array of shape {vectors.shape}")
    from nlp.sentiment.storage import load_shipped_model  # brings scikit-learn: imported on first use

    model = _semantic_model_for(vectors, model_cache)
    logits = None
    if model is None:
        lexical = load_shipped_model("lexical")
        scores = lexical.sentiment_scores(lexical.features(texts))
    else:
        # The lexical features (VADER, cues: pure Python) are made on a side thread while the
        # encoder runs in native code that lets go of the GIL.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sentiment-lexical") as side:
            lexical_rows = side.submit(lexical_features, texts)
            logits = sentiment_logits(texts, model_cache) if reads_logits_only_of(model) else None
            features = logits if logits is not None else semantic_features(texts, vectors, model_cache)
            scores = model.sentiment_scores(model.features(texts, features, lexical_rows.result()))
    return [float(score) for score in np.clip(scores, -1.0, 1.0)], logits


def score_sentiment(texts: list[str], vectors: np.ndarray | None = None,
                    model_cache: str | os.PathLike[str] | None = None) -> list[float]:
    """Score each text in [-1, 1] (negative .. positive) with the shipped domain model.

    Parameters
    ----------
    texts
        Units of feedback (sentences or clauses), already redacted.
    vectors
        Their all-MiniLM-L6-v2 embeddings (L2-normalised, shape ``(len(texts), 384)``) if the
        caller has them; otherwise they are computed with
        :func:`nlp.embeddings.default_embedder` if the model reads them. Vectors of another width
        (the lexical embedding backend) select the lexical model. The semantic model reads the
        fine-tuned sentiment encoder's logits (:mod:`nlp.sentiment.encoder`), computed here; the
        shipped one reads nothing else (``text_features="head_logits"``), so the general vectors
        only say which backend runs.
    model_cache
        Folder of the exported ONNX models (general and sentiment encoder); None means
        ``~/.cache/rapport``.

    Returns
    -------
    list of float
        Per text, the model's blend of the classifier's ``P(positive) - P(negative)``, its ridge
        regression output and VADER's compound score (weights chosen by cross-validation), moved
        into the band of the classifier's label, so ``sentiment_label(score)`` agrees with it.

    Raises
    ------
    SentimentModelError
        If ``vectors`` does not have one row per text, or the shipped model files are missing.
    """
    return score_sentiment_with_logits(texts, vectors, model_cache)[0]
