"""Domain-aware sentiment for IT-partner feedback: scores in [-1, 1], five-level labels, explanations.

Public API
----------
score_sentiment(texts, vectors=None) -> list[float]
    One score in [-1, 1] per text: a blend of the shipped classifier's P(positive) - P(negative)
    and VADER's compound, placed inside the band of the classifier's three-class label (its
    biased argmax), so score and label never disagree.
sentiment_label(score) -> str
    ``very negative`` .. ``very positive``; cut points in :data:`LABEL_CUTS`.
explain_sentiment(text) -> SentimentExplanation
    Score, label and the phrases that drove it.
SentimentModel, load_shipped_model
    The scikit-learn estimator (:mod:`nlp.sentiment.model`) and the cached loader of the shipped
    weights (:mod:`nlp.sentiment.storage`); both are imported on first use, with scikit-learn.

The semantic model reads the three logits of the sentiment encoder (:mod:`nlp.sentiment.encoder`):
all-MiniLM-L6-v2 with a low-rank adapter trained on real and domain text by
:mod:`nlp.sentiment.training.real_voices` and a classifier fitted on dev rows by
:mod:`nlp.sentiment.training.calibrate` (``make sentiment-model``).

Heavy modules (scikit-learn, VADER, the embedding model) load on first use, not on import.
"""

from __future__ import annotations

import importlib
from typing import Any

from nlp.sentiment.explain import SentimentExplanation, explain_sentiment
from nlp.sentiment.scoring import LABEL_CUTS, LABELS, score_sentiment, sentiment_label

_LAZY = {"SentimentModel": "nlp.sentiment.model", "load_shipped_model": "nlp.sentiment.storage"}

#: Recorded with every analysis run; bump it whenever the shipped models are retrained.
MODEL_VERSION = ("rapport-sentiment-2.4 (label: biased argmax of a logistic regression over the three"
                 " logits of a LoRA-fine-tuned all-MiniLM-L6-v2 trained on TweetEval, DynaSent and domain"
                 " rows, fitted on dev rows; score: blend with VADER inside the label's band)")

__all__ = [
    "LABELS",
    "LABEL_CUTS",
    "MODEL_VERSION",
    "SentimentExplanation",
    "SentimentModel",
    "explain_sentiment",
    "load_shipped_model",
    "score_sentiment",
    "sentiment_label",
]


def __getattr__(name: str) -> Any:
    """Import the estimator and its loader on first use (they bring scikit-learn)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nlp.sentiment' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
