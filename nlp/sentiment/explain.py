"""Explanations: the phrases that pushed a unit's sentiment up or down."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nlp.sentiment.features import analyse_text, vader_analyzer

#: Domain lexicon weights (-2.5..2.5) are divided by this to share a scale with VADER's (-1..1).
DOMAIN_WEIGHT_SCALE = 2.5
#: Drivers with a smaller absolute weight are left out of explanations.
MIN_DRIVER_WEIGHT = 0.05


@dataclass(frozen=True)
class SentimentExplanation:
    """A unit's score, its five-level label, and the signed phrases that drove it.

    ``drivers`` holds ``(phrase, weight)`` pairs, strongest first; a weight is in [-1, 1] and
    negative when the phrase pulls the score down. Phrases come from the domain lexicon
    (negated ones read ``"not ... partner"``), VADER's lexicon, the main clause after a
    contrast (``"but: ..."``) and sarcastic openers (``"sarcasm: great"``).
    """

    score: float
    label: str
    drivers: tuple[tuple[str, float], ...]


def explanation_drivers(text: str) -> tuple[tuple[str, float], ...]:
    """The signed phrases behind ``text``'s sentiment, strongest first (see :class:`SentimentExplanation`)."""

    evidence = analyse_text(text)
    drivers = [(phrase, weight / DOMAIN_WEIGHT_SCALE) for phrase, weight in evidence.domain_hits]
    covered = " ".join(phrase for phrase, _ in drivers)
    drivers += [(word, weight) for word, weight in evidence.vader_hits
                if word.split(" ... ")[-1] not in covered.split()]
    if evidence.sarcasm:
        drivers = [item for item in drivers if item[0] != evidence.sarcasm]
        drivers.append((f"sarcasm: {evidence.sarcasm}", -0.5))
    if evidence.contrast:
        main_clause = evidence.contrast[1]
        drivers.append((f"but: {main_clause}", vader_analyzer().polarity_scores(main_clause)["compound"]))
    drivers = [(phrase, float(np.clip(weight, -1, 1))) for phrase, weight in drivers
               if abs(weight) >= MIN_DRIVER_WEIGHT]
    return tuple(sorted(drivers, key=lambda item: -abs(item[1])))


def explain_sentiment(text: str, vector: np.ndarray | None = None) -> SentimentExplanation:
    """Score one text and say why.

    Parameters
    ----------
    text
        One unit of feedback.
    vector
        Its embedding, if already computed (shape ``(384,)``).

    Returns
    -------
    SentimentExplanation
    """
    from nlp.sentiment.scoring import score_sentiment, sentiment_label

    vectors = None if vector is None else np.asarray(vector, dtype=np.float32).reshape(1, -1)
    score = score_sentiment([text], vectors)[0]
    return SentimentExplanation(score=score, label=sentiment_label(score), drivers=explanation_drivers(text))
