"""Per-survey sentiment adaptation from BRM corrections: a small head on top of the shipped model.

A BRM who corrects a comment's sentiment ("this is negative, not positive") teaches the survey's
model. :class:`CorrectionAdapter` is a multinomial logistic regression over the unit embeddings the
analysis already has, with the shipped model's opinion as a fixed *offset*: the head's logits are
``prior_logits(shipped score) + X @ coef_.T`` (plus ``intercept_`` only without ``keep_prior``), a
residual on the shipped logits. ``X`` is measured from the mean vector of the whole survey, so the
residual averages about zero over the survey: it moves labels where the corrections say units
*like these* are misread, and keeps the shipped class prior rather than learning the corrections'
own (a BRM's corrections, or the simulation's even draw per class, are not a sample of the
survey; a free intercept learnt their class balance and cost accuracy). Every weight is pulled
towards zero by an L2 penalty, so with no evidence the head *is* the shipped model, and it
moves away from it only as far as the corrections support. The penalty is chosen per survey by
cross-validated log-loss over the corrections themselves, among a grid that includes "no head at
all"; ties go to the more conservative choice. It is a SetFit-style few-shot head on frozen
sentence vectors (no encoder fine-tuning: the analysis must stay one transformer pass).

:func:`adapt_sentiment` applies it to a survey: corrected units take the BRM's label, the others
the head's, and a survey with no corrections gets the shipped scores back unchanged.
``python -m eval.corrections`` measures the learning curve on real dev sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlp.errors import SentimentModelError
from nlp.sentiment.labels import BAND_MARGIN, LABEL_CUTS, LABELS, score_within_label, sentiment_label

CLASSES = ("negative", "neutral", "positive")
#: Midpoint of the gap between the neutral band and the nearest polar score (see labels.py), so a
#: score on a band edge maps to the label it is in, never to a tie.
PRIOR_EDGE = LABEL_CUTS[2] + BAND_MARGIN / 2
#: Score that stands for a corrected label when the shipped score lies outside that label's band.
LABEL_SCORES = {"very negative": -0.8, "negative": -0.4, "neutral": 0.0, "positive": 0.4,
                "very positive": 0.8}
DEFAULT_C_GRID = (0.0, 0.03, 0.1, 0.3, 1.0)
#: Units scored per block in :meth:`CorrectionAdapter.predict_proba`.
PREDICT_CHUNK = 50_000


def prior_logits(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Logits of (negative, neutral, positive) whose argmax is the three-class label of each score.

    Neutral is the reference (0); negative rises as the score falls below ``-PRIOR_EDGE`` and
    positive as it rises above ``PRIOR_EDGE``, at ``temperature`` logits per unit of score.
    """
    scores = np.asarray(scores, dtype=np.float64)
    return temperature * np.column_stack([-(scores + PRIOR_EDGE), np.zeros_like(scores), scores - PRIOR_EDGE])


def three_class_of(label: str) -> str:
    """``negative``, ``neutral`` or ``positive`` for a five-level (or three-class) label.

    Raises
    ------
    SentimentModelError
        If ``label`` is not one of :data:`nlp.sentiment.labels.LABELS`.
    """
    if label not in LABELS:
        raise SentimentModelError(f"unknown sentiment label {label!r}; use one of {', '.join(LABELS)}")
    return label.split()[-1]


def _softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def _fit_offset_logistic(design: np.ndarray, offset: np.ndarray, targets: np.ndarray, C: float,
                         max_iter: int, fit_intercept: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Weights and intercepts of an L2-penalised multinomial logistic regression with a fixed offset
    (the intercepts stay at zero unless ``fit_intercept``)."""
    from scipy.optimize import minimize

    n_classes, width = offset.shape[1], design.shape[1]
    onehot = np.eye(n_classes)[targets]

    def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef = theta[:n_classes * width].reshape(n_classes, width)
        intercept = theta[n_classes * width:]
        proba = _softmax(offset + design @ coef.T + intercept)
        loss = -np.sum(onehot * np.log(np.clip(proba, 1e-12, None))) + (theta @ theta) / (2 * C)
        residual = proba - onehot
        gradient = np.concatenate([(residual.T @ design).ravel(), residual.sum(axis=0)]) + theta / C
        gradient[n_classes * width:] *= fit_intercept
        return float(loss), gradient

    start = np.zeros(n_classes * (width + 1))
    result = minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    theta = result.x
    return theta[:n_classes * width].reshape(n_classes, width), theta[n_classes * width:]


class CorrectionAdapter:
    """Few-shot sentiment head fitted on one survey's corrections, offset by the shipped model.

    Parameters
    ----------
    C_grid
        Candidate inverse L2 strengths; ``0`` means "no head" (the shipped model alone). The
        smallest whose cross-validated log-loss on the corrections is within ``standard_errors``
        standard errors of the best one's is used (2 since model 2.2: with 1, heads on model 2.2
        fell below it on DynaSent dev in ``eval.corrections``).
    prior_temperature
        Logits per unit of shipped score in :func:`prior_logits`: how sure the shipped model is.
    embedding_scale, score_scale
        Multipliers on the centred unit vectors and on the two score features (the shipped score
        and its magnitude, which let the head reshape the prior: move the neutral band, temper an
        over-confident class), so that all weights share one penalty on comparable terms.
    cv_folds
        Folds of the cross-validation; fewer corrections than ``2 * cv_folds`` use the smallest
        positive ``C`` without cross-validation.
    max_iter, random_state
        L-BFGS iterations per fit; seed of the fold shuffle.
    keep_prior
        No intercepts (the default): the head is a residual that keeps the shipped class prior.
        ``False`` fits per-class intercepts too (the head before model 2.2).
    standard_errors
        How far (in standard errors of the per-correction loss differences) a larger ``C`` must
        beat a smaller one to be chosen; 0 takes the best log-loss.

    Attributes
    ----------
    classes_ : tuple of str
        ``("negative", "neutral", "positive")``: column order of :meth:`predict_proba`.
    C_ : float
        The chosen strength (``0.0``: the head is off and predictions are the shipped model's).
    cv_log_loss_ : dict
        Mean held-out log-loss per candidate ``C`` (empty when not cross-validated).
    coef_, intercept_ : numpy.ndarray
        Head weights over ``[embedding_scale * (vector - center_), score_scale * (score, |score|)]``
        and per-class intercepts.
    center_ : numpy.ndarray
        Mean vector of the survey's units (of the corrected units when the survey is not given).
    n_corrections_ : int
        Number of corrections the head was fitted on.
    """

    def __init__(self, C_grid: Sequence[float] = DEFAULT_C_GRID, prior_temperature: float = 10.0,
                 embedding_scale: float = 3.0, score_scale: float = 0.0, cv_folds: int = 4,
                 max_iter: int = 300, random_state: int | None = 0, standard_errors: float = 2.0,
                 keep_prior: bool = True) -> None:
        self.C_grid = C_grid
        self.keep_prior = keep_prior
        self.standard_errors = standard_errors
        self.prior_temperature = prior_temperature
        self.embedding_scale = embedding_scale
        self.score_scale = score_scale
        self.cv_folds = cv_folds
        self.max_iter = max_iter
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict:
        """Constructor arguments, as scikit-learn's ``get_params`` (so ``sklearn.base.clone`` works)."""
        return {name: getattr(self, name) for name in
                ("C_grid", "prior_temperature", "embedding_scale", "score_scale", "cv_folds", "max_iter",
                 "random_state", "standard_errors", "keep_prior")}

    def set_params(self, **params: Any) -> CorrectionAdapter:
        """Set constructor arguments, as scikit-learn's ``set_params``."""
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def _design(self, vectors: np.ndarray, shipped_scores: np.ndarray) -> np.ndarray:
        """Centred, scaled vectors, then the shipped score and its magnitude (to reshape the prior)."""
        scores = np.asarray(shipped_scores, dtype=np.float64)[:, None]
        return np.hstack([self.embedding_scale * (np.asarray(vectors, dtype=np.float64) - self.center_),
                          self.score_scale * np.hstack([scores, np.abs(scores)])])

    def _held_out_log_loss(self, design: np.ndarray, offset: np.ndarray, targets: np.ndarray,
                           C: float) -> np.ndarray:
        from sklearn.model_selection import KFold, StratifiedKFold

        smallest_class = np.bincount(targets, minlength=len(CLASSES))[np.unique(targets)].min()
        splitter = (StratifiedKFold if smallest_class >= self.cv_folds else KFold)(
            n_splits=self.cv_folds, shuffle=True, random_state=self.random_state)
        losses = []
        for train, test in splitter.split(design, targets):
            logits = offset[test]
            if C > 0:
                coef, intercept = _fit_offset_logistic(design[train], offset[train], targets[train], C,
                                                       self.max_iter, not self.keep_prior)
                logits = logits + design[test] @ coef.T + intercept
            proba = _softmax(logits)[np.arange(len(test)), targets[test]]
            losses.extend(-np.log(np.clip(proba, 1e-12, None)))
        return np.array(losses)

    def _choose_C(self, design: np.ndarray, offset: np.ndarray, targets: np.ndarray) -> float:
        """The smallest ``C`` whose held-out log-loss is within ``standard_errors`` standard errors of
        the best one's (the standard error of the per-correction loss differences, so a head must
        beat "no head" by more than the noise of a few corrections)."""
        losses = {C: self._held_out_log_loss(design, offset, targets, C) for C in sorted(self.C_grid)}
        self.cv_log_loss_: dict[float, float] = {C: float(loss.mean()) for C, loss in losses.items()}
        best = min(losses, key=lambda C: (self.cv_log_loss_[C], C))
        for C, loss in losses.items():
            difference = loss - losses[best]
            if difference.mean() <= self.standard_errors * difference.std() / np.sqrt(len(difference)) + 1e-9:
                return float(C)
        return float(best)

    def fit(self, vectors: np.ndarray, shipped_scores: np.ndarray, labels: Sequence[str],
            survey_vectors: np.ndarray | None = None) -> CorrectionAdapter:
        """Fit the head on corrected units: their vectors, shipped scores and the BRMs' labels.

        Labels may be five-level ("very negative") or three-class; the head learns three classes.
        ``survey_vectors`` (all the survey's units, corrected or not) give the centre the vectors are
        measured from; the corrected units' own mean otherwise.

        Raises
        ------
        SentimentModelError
            On an unknown label or inputs whose lengths disagree.
        """
        vectors = np.asarray(vectors, dtype=np.float64)
        shipped_scores = np.asarray(shipped_scores, dtype=np.float64)
        if vectors.ndim != 2 or not len(vectors) == len(shipped_scores) == len(labels):
            raise SentimentModelError(
                f"expected one vector, score and label per correction; got {vectors.shape}, "
                f"{len(shipped_scores)} scores and {len(labels)} labels")
        targets = np.array([CLASSES.index(three_class_of(label)) for label in labels], dtype=int)
        self.classes_ = CLASSES
        self.n_corrections_ = len(targets)
        survey = vectors if survey_vectors is None else np.asarray(survey_vectors, dtype=np.float64)
        self.center_ = survey.mean(axis=0) if len(survey) else np.zeros(vectors.shape[1])
        design = self._design(vectors, shipped_scores)
        offset = prior_logits(shipped_scores, self.prior_temperature)
        positive = sorted(C for C in self.C_grid if C > 0)
        self.cv_log_loss_ = {}
        if not positive or not len(targets):
            self.C_ = 0.0
        elif len(targets) < 2 * self.cv_folds:
            self.C_ = positive[0]
        else:
            self.C_ = self._choose_C(design, offset, targets)
        if self.C_ > 0:
            self.coef_, self.intercept_ = _fit_offset_logistic(design, offset, targets, self.C_,
                                                               self.max_iter, not self.keep_prior)
        else:
            self.coef_ = np.zeros((len(CLASSES), design.shape[1]))
            self.intercept_ = np.zeros(len(CLASSES))
        return self

    def predict_proba(self, vectors: np.ndarray, shipped_scores: np.ndarray) -> np.ndarray:
        """Adapted class probabilities, shape ``(n, 3)``, columns in :attr:`classes_` order."""
        if not hasattr(self, "coef_"):
            raise SentimentModelError("this CorrectionAdapter is not fitted yet; call fit()")
        vectors = np.asarray(vectors)
        shipped_scores = np.asarray(shipped_scores, dtype=np.float64)
        logits = prior_logits(shipped_scores, self.prior_temperature)
        for start in range(0, len(logits), PREDICT_CHUNK):  # bounded memory on a million units
            rows = slice(start, start + PREDICT_CHUNK)
            logits[rows] += self._design(vectors[rows], shipped_scores[rows]) @ self.coef_.T + self.intercept_
        return _softmax(logits)

    def predict(self, vectors: np.ndarray, shipped_scores: np.ndarray) -> list[str]:
        """The adapted three-class label per unit."""
        proba = self.predict_proba(vectors, shipped_scores)
        return [CLASSES[index] for index in proba.argmax(axis=1)]


@dataclass(frozen=True)
class AdaptedSentiment:
    """Sentiment of a survey's units after its BRM corrections.

    ``scores`` and ``labels`` (five-level, ``labels[i] == sentiment_label(scores[i])``) are per unit;
    ``corrected`` marks units a BRM labelled, ``changed`` those whose label differs from the shipped
    model's; ``n_corrections`` is 0 when the shipped model was used unchanged.
    """

    scores: tuple[float, ...]
    labels: tuple[str, ...]
    corrected: tuple[bool, ...]
    changed: tuple[bool, ...]
    n_corrections: int


def corrected_score(shipped: float, label: str) -> float:
    """The shipped score if it already has the BRM's label, else a score typical of that label.

    Raises
    ------
    SentimentModelError
        If ``label`` is not one of :data:`nlp.sentiment.labels.LABELS`.
    """
    three_class_of(label)
    return shipped if sentiment_label(shipped) == label else LABEL_SCORES[label]


def adapt_sentiment(vectors: np.ndarray, shipped_scores: Sequence[float], corrections: Mapping[int, str],
                    adapter: CorrectionAdapter | None = None) -> AdaptedSentiment:
    """Adapt a survey's unit sentiment to its BRM corrections.

    Parameters
    ----------
    vectors
        The units' embeddings (the analysis's, one row per unit).
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
    vectors = np.asarray(vectors)
    if vectors.ndim != 2 or len(vectors) != len(shipped):
        raise SentimentModelError(f"expected one vector per score; got {vectors.shape} and {len(shipped)}")
    unknown_rows = [row for row in corrections if not 0 <= row < len(shipped)]
    if unknown_rows:
        raise SentimentModelError(f"corrections refer to rows {unknown_rows[:5]} of {len(shipped)} units")
    shipped_labels = tuple(sentiment_label(float(score)) for score in shipped)
    if not corrections:
        return AdaptedSentiment(tuple(float(s) for s in shipped), shipped_labels, (False,) * len(shipped),
                                (False,) * len(shipped), 0)
    rows = sorted(corrections)
    adapter = (adapter or CorrectionAdapter()).fit(vectors[rows], shipped[rows],
                                                   [corrections[row] for row in rows], vectors)
    proba = adapter.predict_proba(vectors, shipped)
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
        n_corrections=len(rows),
    )
