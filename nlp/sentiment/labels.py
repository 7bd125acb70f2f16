"""Five-level sentiment labels and the score bands that keep a score consistent with its label.

The label a unit gets is always ``sentiment_label(score)``: the analysis, the stored units, the
exports and the web pages all derive it from the score. The model decides the three-class label
(negative, neutral, positive) with its classifier and then places the score inside that label's band
(:func:`score_within_label`), so the score and the label never contradict each other in sign.
"""

from __future__ import annotations

import numpy as np

LABELS = ("very negative", "negative", "neutral", "positive", "very positive")
#: Upper bounds of the first four labels: score < -0.6 is very negative, -0.6 <= score < -0.2
#: negative, -0.2 <= score <= 0.2 neutral, 0.2 < score <= 0.6 positive, above 0.6 very positive.
LABEL_CUTS = (-0.6, -0.2, 0.2, 0.6)
#: Smallest distance of a negative or positive score from the neutral band.
BAND_MARGIN = 0.01
#: Closed score interval of each three-class label.
LABEL_BANDS = {
    "negative": (-1.0, LABEL_CUTS[1] - BAND_MARGIN),
    "neutral": (LABEL_CUTS[1], LABEL_CUTS[2]),
    "positive": (LABEL_CUTS[2] + BAND_MARGIN, 1.0),
}


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


def three_class(score: float) -> str:
    """Negative, neutral or positive: :func:`sentiment_label` without the "very"."""
    return sentiment_label(score).split()[-1]


def score_within_label(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Move each score into the band of its three-class label (see :data:`LABEL_BANDS`).

    A score that already agrees with its label is kept, so its magnitude still separates "positive"
    from "very positive"; one that disagrees is clipped to the nearest edge of the label's band.

    Parameters
    ----------
    scores
        Continuous scores in [-1, 1].
    labels
        One of ``negative``, ``neutral``, ``positive`` per score.

    Returns
    -------
    numpy.ndarray
        Scores ``s`` with ``three_class(s) == label`` for every row.
    """
    labels = np.asarray(labels)
    low = np.array([LABEL_BANDS[str(label)][0] for label in labels])
    high = np.array([LABEL_BANDS[str(label)][1] for label in labels])
    return np.clip(np.asarray(scores, dtype=np.float64), low, high)
