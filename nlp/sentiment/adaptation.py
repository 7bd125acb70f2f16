"""Per-survey sentiment adaptation from BRM corrections: the shipped model, moved by a gated head.

A BRM who corrects a comment's sentiment ("this is negative, not positive") teaches the survey's
model. :func:`adapt_sentiment` gives corrected units the BRM's label and every other unit the label
of the survey's :class:`~nlp.sentiment.correction_head.CorrectionAdapter` (a residual on the shipped
model's decision logits over the sentiment encoder's logits and the unit vector, used only when the
corrections show it beats the shipped model beyond noise); a survey with no corrections gets the
shipped scores back unchanged. :func:`head_inputs` builds what the head reads from what the
analysis stores: the unit vectors, the shipped scores and, when known, the encoder's logits.
``python -m eval.corrections`` measures the learning curve on real sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from nlp.errors import SentimentModelError
from nlp.sentiment.correction_head import CLASSES, CorrectionAdapter, HeadInputs, three_class_of
from nlp.sentiment.labels import BAND_MARGIN, LABEL_CUTS, score_within_label, sentiment_label

__all__ = ["CLASSES", "AdaptedSentiment", "CorrectionAdapter", "HeadInputs", "adapt_sentiment",
           "corrected_score", "head_inputs", "prior_logits", "shipped_offsets", "three_class_of"]

#: Midpoint of the gap between the neutral band and the nearest polar score (see labels.py), so a
#: score on a band edge maps to the label it is in, never to a tie.
PRIOR_EDGE = LABEL_CUTS[2] + BAND_MARGIN / 2
#: Logits per unit of score in :func:`prior_logits` (the offsets when the encoder's logits are unknown).
PRIOR_TEMPERATURE = 10.0
#: Score that stands for a corrected label when the shipped score lies outside that label's band.
LABEL_SCORES = {"very negative": -0.8, "negative": -0.4, "neutral": 0.0, "positive": 0.4,
                "very positive": 0.8}


def prior_logits(scores: np.ndarray, temperature: float = PRIOR_TEMPERATURE) -> np.ndarray:
    """Logits of (negative, neutral, positive) whose argmax is the three-class label of each score.

    Neutral is the reference (0); negative rises as the score falls below ``-PRIOR_EDGE`` and
    positive as it rises above ``PRIOR_EDGE``, at ``temperature`` logits per unit of score.
    """
    scores = np.asarray(scores, dtype=np.float64)
    return temperature * np.column_stack([-(scores + PRIOR_EDGE), np.zeros_like(scores), scores - PRIOR_EDGE])


def shipped_offsets(encoder_logits: np.ndarray) -> np.ndarray:
    """The shipped semantic model's decision logits (log-probabilities plus its class bias) from the
    sentiment encoder's logits, columns in :data:`CLASSES` order: their argmax is its label.

    Raises
    ------
    SentimentModelError
        If the shipped model reads more than the encoder's logits (then its label needs the texts).
    """
    from nlp.sentiment.storage import load_shipped_model

    model = load_shipped_model("semantic")
    logits = np.asarray(encoder_logits, dtype=np.float64)
    width = logits.shape[1]
    if model.text_features != "head_logits" or np.any(model.coef_[:, width:]):
        raise SentimentModelError("the shipped sentiment model reads more than the encoder's logits")
    from scipy.special import log_softmax

    log_proba = log_softmax(logits @ model.coef_[:, :width].T + model.intercept_, axis=1)
    bias = np.zeros(len(model.classes_)) if model.class_bias is None else np.asarray(model.class_bias, float)
    order = [list(map(str, model.classes_)).index(label) for label in CLASSES]
    return (log_proba + bias)[:, order]


def head_inputs(vectors: np.ndarray, shipped_scores: Sequence[float] | np.ndarray,
                encoder_logits: np.ndarray | None = None) -> HeadInputs:
    """The head's inputs: offsets from the encoder's logits when given (and the shipped model reads
    them), else from the scores (:func:`prior_logits`), whose argmax is the same shipped label."""
    scores = np.asarray(shipped_scores, dtype=np.float64)
    vectors = np.asarray(vectors)
    if encoder_logits is not None and len(encoder_logits) == len(scores):
        try:
            return HeadInputs(vectors, shipped_offsets(encoder_logits), np.asarray(encoder_logits))
        except SentimentModelError:
            pass
    return HeadInputs(vectors, prior_logits(scores), np.zeros((len(scores), 0)))


@dataclass(frozen=True)
class AdaptedSentiment:
    """Sentiment of a survey's units after its BRM corrections.

    ``scores`` and ``labels`` (five-level, ``labels[i] == sentiment_label(scores[i])``) are per unit;
    ``corrected`` marks units a BRM labelled, ``changed`` those whose label differs from the shipped
    model's; ``n_corrections`` is 0 when the shipped model was used unchanged; ``adapted`` says
    whether the head moved uncorrected units (False: the corrections did not show the shipped model
    wrong beyond noise, so only the corrected units changed).
    """

    scores: tuple[float, ...]
    labels: tuple[str, ...]
    corrected: tuple[bool, ...]
    changed: tuple[bool, ...]
    n_corrections: int
    adapted: bool = False


def corrected_score(shipped: float, label: str) -> float:
    """The shipped score if it already has the BRM's label, else a score typical of that label.

    Raises
    ------
    SentimentModelError
        If ``label`` is not one of :data:`nlp.sentiment.labels.LABELS`.
    """
    three_class_of(label)
    return shipped if sentiment_label(shipped) == label else LABEL_SCORES[label]


def adapt_sentiment(inputs: HeadInputs, shipped_scores: Sequence[float] | np.ndarray,
                    corrections: Mapping[int, str],
                    adapter: CorrectionAdapter | None = None) -> AdaptedSentiment:
    """Adapt a survey's unit sentiment to its BRM corrections.

    Parameters
    ----------
    inputs
        The head's inputs for every unit of the survey (:func:`head_inputs`).
    shipped_scores
        The shipped model's scores of the same units (:func:`nlp.sentiment.score_sentiment`).
    corrections
        Row index -> the BRM's label (one of :data:`nlp.sentiment.labels.LABELS`).
    adapter
        An unfitted :class:`CorrectionAdapter` to use (default settings otherwise).

    Returns
    -------
    AdaptedSentiment
        Corrected units carry their BRM's label; the others the head's three-class label, with the
        shipped score kept when the label did not change and ``P(pos) - P(neg)`` moved into the
        new label's band when it did. No corrections: the shipped scores, unchanged.

    Raises
    ------
    SentimentModelError
        On a row index out of range, an unknown label or inputs whose lengths disagree.
    """
    shipped = np.asarray(shipped_scores, dtype=np.float64)
    if len(inputs) != len(shipped):
        raise SentimentModelError(
            f"expected one vector per score; got {len(inputs)} units and {len(shipped)} scores")
    unknown_rows = [row for row in corrections if not 0 <= row < len(shipped)]
    if unknown_rows:
        raise SentimentModelError(f"corrections refer to rows {unknown_rows[:5]} of {len(shipped)} units")
    shipped_labels = tuple(sentiment_label(float(score)) for score in shipped)
    if not corrections:
        return AdaptedSentiment(tuple(float(s) for s in shipped), shipped_labels, (False,) * len(shipped),
                                (False,) * len(shipped), 0)
    rows = sorted(corrections)
    adapter = (adapter or CorrectionAdapter()).fit(inputs.take(rows), [corrections[row] for row in rows],
                                                   inputs)
    new_scores = shipped.copy()
    if adapter.adapted_:
        proba = adapter.predict_proba(inputs)
        adapted = np.array(CLASSES)[proba.argmax(axis=1)]
        polarity = proba[:, 2] - proba[:, 0]
        new_scores = np.where(adapted == np.array([label.split()[-1] for label in shipped_labels]),
                              shipped, score_within_label(polarity, adapted))
    for row in rows:
        new_scores[row] = corrected_score(float(shipped[row]), corrections[row])
    labels = tuple(sentiment_label(float(score)) for score in new_scores)
    return AdaptedSentiment(
        scores=tuple(float(score) for score in new_scores), labels=labels,
        corrected=tuple(row in corrections for row in range(len(shipped))),
        changed=tuple(new != old for new, old in zip(labels, shipped_labels, strict=True)),
        n_corrections=len(rows), adapted=bool(adapter.adapted_),
    )
