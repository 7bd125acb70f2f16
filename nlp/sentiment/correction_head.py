"""The per-survey sentiment head that BRM corrections fit: a residual on the shipped model, gated.

:class:`CorrectionAdapter` is a multinomial logistic regression whose logits are the shipped
model's own decision logits (:attr:`HeadInputs.offsets`, whose argmax *is* the shipped label) plus
``X @ coef_.T``, where ``X`` holds the sentiment encoder's three logits and the general MiniLM
unit vector, each measured from the survey's mean. No intercept: corrections are no sample of the
survey's class balance (a BRM corrects what it notices; the simulation draws evenly per class), so
the head keeps the shipped class prior and moves labels only where corrections say units *like
these* are misread. Every weight is pulled towards zero (the shipped model) by an L2 penalty whose
strength is chosen by cross-validated log-loss over the corrections.

The gate decides on the corrections alone whether the head is used at all: the out-of-fold
accuracy of the chosen head on the corrections must beat the shipped model's accuracy on the same
corrections by more than ``gate_standard_errors`` standard errors of the per-correction paired
difference. Otherwise the head is off and every label is the shipped model's, so where the shipped
model already fits the survey (text like its training data) adaptation cannot make it worse beyond
noise, and where it does not (another domain) the corrections move it. It is a SetFit-style few-shot
head on frozen vectors: no encoder fine-tuning, the analysis stays one pass per encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import softmax

from nlp.errors import SentimentModelError
from nlp.sentiment.labels import LABELS

CLASSES = ("negative", "neutral", "positive")
DEFAULT_C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
#: Units scored per block in :meth:`CorrectionAdapter.predict_proba`.
PREDICT_CHUNK = 50_000


@dataclass(frozen=True)
class HeadInputs:
    """What the head reads per unit (one row each).

    ``vectors``: the general unit embeddings the analysis computes for themes. ``offsets``: the
    shipped model's (negative, neutral, positive) decision logits, whose argmax is its label
    (:func:`nlp.sentiment.adaptation.shipped_offsets`, or :func:`nlp.sentiment.adaptation.prior_logits`
    of the score when the encoder's logits are unknown). ``logits``: the sentiment encoder's three
    logits, or shape ``(n, 0)`` when unknown (the lexical fallback).
    """

    vectors: np.ndarray
    offsets: np.ndarray
    logits: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.offsets)
        if (np.ndim(self.vectors) != 2 or np.ndim(self.logits) != 2 or np.shape(self.offsets)[1:] != (3,)
                or not len(self.vectors) == len(self.logits) == n):
            raise SentimentModelError(
                f"expected one vector, three offsets and one logit row per unit; got shapes "
                f"{np.shape(self.vectors)}, {np.shape(self.offsets)} and {np.shape(self.logits)}")

    def __len__(self) -> int:
        return len(self.offsets)

    def take(self, rows: Sequence[int] | np.ndarray | slice) -> HeadInputs:
        """The inputs of ``rows`` only."""
        return HeadInputs(np.asarray(self.vectors)[rows], np.asarray(self.offsets)[rows],
                          np.asarray(self.logits)[rows])


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


def fit_offset_logistic(design: np.ndarray, offset: np.ndarray, targets: np.ndarray, C: float,
                        max_iter: int) -> np.ndarray:
    """Weights (classes x features) of an L2-penalised multinomial logistic regression with a fixed
    offset and no intercept."""
    from scipy.optimize import minimize

    n_classes, width = offset.shape[1], design.shape[1]
    onehot = np.eye(n_classes)[targets]

    def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef = theta.reshape(n_classes, width)
        proba = softmax(offset + design @ coef.T, axis=1)
        loss = -np.sum(onehot * np.log(np.clip(proba, 1e-12, None))) + (theta @ theta) / (2 * C)
        return float(loss), ((proba - onehot).T @ design).ravel() + theta / C

    result = minimize(loss_and_gradient, np.zeros(n_classes * width), jac=True, method="L-BFGS-B",
                      options={"maxiter": max_iter})
    return result.x.reshape(n_classes, width)


class CorrectionAdapter:
    """Few-shot sentiment head fitted on one survey's corrections, offset by the shipped model.

    Parameters
    ----------
    C_grid
        Candidate inverse L2 strengths (positive); the one with the best cross-validated log-loss
        on the corrections is used (ties: the smaller).
    logit_scale, embedding_scale
        Multipliers on the centred encoder logits and on the centred unit vectors, so that both
        share one penalty on comparable terms.
    cv_folds
        Folds of the (stratified) cross-validation over the corrections.
    gate_standard_errors
        How far the head's out-of-fold accuracy on the corrections must beat the shipped model's
        there, in standard errors of the paired per-correction difference, for the head to be used.
    max_iter, random_state
        L-BFGS iterations per fit; seed of the fold shuffle.

    Attributes
    ----------
    classes_ : tuple of str
        ``("negative", "neutral", "positive")``: column order of :meth:`predict_proba`.
    C_ : float
        The chosen strength, ``0.0`` when the gate kept the shipped model.
    adapted_ : bool
        Whether the head is used (the gate opened).
    cv_accuracy_, shipped_accuracy_ : float
        Out-of-fold accuracy of the chosen head and the shipped model's accuracy, on the corrections
        (NaN when there were too few corrections to cross-validate).
    cv_log_loss_ : dict
        Mean held-out log-loss per candidate ``C``.
    coef_ : numpy.ndarray
        Head weights over ``[logit_scale * (logits - logit_center_), embedding_scale * (vectors -
        vector_center_)]`` (zeros when the gate is closed).
    n_corrections_ : int
        Number of corrections the head was fitted on.
    """

    _PARAMS = ("C_grid", "logit_scale", "embedding_scale", "cv_folds", "gate_standard_errors", "max_iter",
               "random_state")

    def __init__(self, C_grid: Sequence[float] = DEFAULT_C_GRID, logit_scale: float = 1.0,
                 embedding_scale: float = 3.0, cv_folds: int = 4, gate_standard_errors: float = 2.0,
                 max_iter: int = 300, random_state: int | None = 0) -> None:
        self.C_grid = C_grid
        self.logit_scale = logit_scale
        self.embedding_scale = embedding_scale
        self.cv_folds = cv_folds
        self.gate_standard_errors = gate_standard_errors
        self.max_iter = max_iter
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict:
        """Constructor arguments, as scikit-learn's ``get_params`` (so ``sklearn.base.clone`` works)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> CorrectionAdapter:
        """Set constructor arguments, as scikit-learn's ``set_params``."""
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def _design(self, inputs: HeadInputs) -> np.ndarray:
        logits = np.asarray(inputs.logits, dtype=np.float64) - self.logit_center_
        vectors = np.asarray(inputs.vectors, dtype=np.float64) - self.vector_center_
        return np.hstack([self.logit_scale * logits, self.embedding_scale * vectors])

    def _splitter(self, targets: np.ndarray) -> Any:
        """Stratified folds, or None when the corrections are too few to cross-validate."""
        from sklearn.model_selection import StratifiedKFold

        counts = np.bincount(targets, minlength=len(CLASSES))
        folds = min(self.cv_folds, int(counts[counts > 0].min()))
        if folds < 2:
            return None
        return StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)

    def _cross_validate(self, design: np.ndarray, offset: np.ndarray, targets: np.ndarray,
                        splitter: Any) -> dict[float, tuple[np.ndarray, np.ndarray]]:
        """Per ``C``: out-of-fold predicted classes and per-correction log-loss."""
        results = {}
        for C in sorted(self.C_grid):
            predicted, loss = np.empty(len(targets), dtype=int), np.empty(len(targets))
            for train, test in splitter.split(design, targets):
                coef = fit_offset_logistic(design[train], offset[train], targets[train], C, self.max_iter)
                proba = softmax(offset[test] + design[test] @ coef.T, axis=1)
                predicted[test] = proba.argmax(axis=1)
                loss[test] = -np.log(np.clip(proba[np.arange(len(test)), targets[test]], 1e-12, None))
            results[float(C)] = (predicted, loss)
        return results

    def fit(self, inputs: HeadInputs, labels: Sequence[str],
            survey: HeadInputs | None = None) -> CorrectionAdapter:
        """Fit the head on corrected units (their inputs and the BRMs' labels) and decide the gate.

        Labels may be five-level ("very negative") or three-class; the head learns three classes.
        ``survey`` (all the survey's units, corrected or not) gives the centres the inputs are
        measured from; the corrected units' own means otherwise.

        Raises
        ------
        SentimentModelError
            On an unknown label or a label count that differs from the inputs'.
        """
        if len(labels) != len(inputs):
            raise SentimentModelError(f"expected one label per correction; got {len(labels)} labels for "
                                      f"{len(inputs)} units")
        targets = np.array([CLASSES.index(three_class_of(label)) for label in labels], dtype=int)
        reference = inputs if survey is None or not len(survey) else survey
        self.classes_, self.n_corrections_ = CLASSES, len(targets)
        self.logit_center_ = np.asarray(reference.logits, dtype=np.float64).mean(axis=0)
        self.vector_center_ = np.asarray(reference.vectors, dtype=np.float64).mean(axis=0)
        design, offset = self._design(inputs), np.asarray(inputs.offsets, dtype=np.float64)
        self.C_, self.adapted_, self.cv_log_loss_ = 0.0, False, {}
        self.cv_accuracy_ = self.shipped_accuracy_ = float("nan")
        self.coef_ = np.zeros((len(CLASSES), design.shape[1]))
        splitter = self._splitter(targets) if len(targets) and len(self.C_grid) else None
        if splitter is None:
            return self
        results = self._cross_validate(design, offset, targets, splitter)
        self.cv_log_loss_ = {C: float(loss.mean()) for C, (_, loss) in results.items()}
        best = min(results, key=lambda C: (self.cv_log_loss_[C], C))
        gain = (results[best][0] == targets).astype(float) - (offset.argmax(axis=1) == targets)
        self.cv_accuracy_ = float(np.mean(results[best][0] == targets))
        self.shipped_accuracy_ = float(np.mean(offset.argmax(axis=1) == targets))
        noise = self.gate_standard_errors * gain.std(ddof=1) / np.sqrt(len(gain))
        if gain.mean() > max(noise, 0.0) + 1e-9:
            self.C_, self.adapted_ = best, True
            self.coef_ = fit_offset_logistic(design, offset, targets, best, self.max_iter)
        return self

    def predict_proba(self, inputs: HeadInputs) -> np.ndarray:
        """Adapted class probabilities, shape ``(n, 3)``, columns in :attr:`classes_` order."""
        if not hasattr(self, "coef_"):
            raise SentimentModelError("this CorrectionAdapter is not fitted yet; call fit()")
        logits = np.array(inputs.offsets, dtype=np.float64)
        if self.adapted_:  # the design's product without building it: (x - c) @ w.T = x @ w.T - c @ w.T
            width = len(self.logit_center_)
            on_logits = self.coef_[:, :width] * self.logit_scale
            on_vectors = self.coef_[:, width:] * self.embedding_scale
            logits -= self.logit_center_ @ on_logits.T + self.vector_center_ @ on_vectors.T
            on_vectors32 = on_vectors.T.astype(np.float32)
            for start in range(0, len(logits), PREDICT_CHUNK):  # bounded memory on a million units
                rows = slice(start, start + PREDICT_CHUNK)
                logits[rows] += np.asarray(inputs.logits[rows], dtype=np.float64) @ on_logits.T
                logits[rows] += np.asarray(inputs.vectors[rows], dtype=np.float32) @ on_vectors32
        return softmax(logits, axis=1)

    def predict(self, inputs: HeadInputs) -> list[str]:
        """The adapted three-class label per unit (the shipped label when the gate is closed)."""
        return [CLASSES[index] for index in self.predict_proba(inputs).argmax(axis=1)]
