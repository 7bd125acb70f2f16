"""The sentiment model: a scikit-learn classifier and a regression head over text vectors and lexicon.

Two flavours share one estimator. The shipped default (``text_features="embeddings+ngrams"``) reads
the all-MiniLM-L6-v2 unit embeddings that the analysis computes anyway, the three logits of the
fine-tuned sentiment encoder (:func:`nlp.sentiment.encoder.semantic_features`) and hashed word uni-
and bigrams; the fallback for installs without torch (``"hashed_ngrams"``) reads the n-grams only. Both
add the lexical features of :mod:`nlp.sentiment.features`.

:meth:`SentimentModel.features` turns texts into the numeric matrix the estimator reads
(``[text block | lexical block]``); ``fit``, ``predict``, ``predict_proba`` and the score methods take
that matrix, as scikit-learn estimators do. The three-class label is the classifier's argmax
(log-probabilities plus a per-class bias chosen out-of-fold); the continuous score blends its
``P(positive) - P(negative)`` with a ridge regression on the same design (trained on human ratings
where there are any) and VADER's compound score, then moves into the band of that label
(:func:`nlp.sentiment.labels.score_within_label`). Fitted models are stored as plain arrays in an
``.npz`` file (no pickles) by :mod:`nlp.sentiment.storage`.

scikit-learn is imported with this module (the estimator derives from its base classes), so
:mod:`nlp.sentiment` imports it only on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from nlp.errors import SentimentModelError
from nlp.sentiment.features import FEATURE_NAMES, lexical_features
from nlp.sentiment.labels import score_within_label

TEXT_FEATURES = ("embeddings", "hashed_ngrams", "embeddings+ngrams", "head_logits")
CLASSES = ("negative", "neutral", "positive")
#: Regression target of a labelled text that has no human rating (other labels: 0).
LABEL_TARGETS = {"negative": -0.6, "neutral": 0.0, "positive": 0.6}
#: Position of VADER's compound score in the lexical block.
VADER_COLUMN = FEATURE_NAMES.index("vader_compound")


class SentimentModelNotFitted(SentimentModelError, NotFittedError):
    """A :class:`SentimentModel` was asked to predict before ``fit`` or ``load``."""


def hashed_ngrams(texts: Sequence[str], n_features: int) -> sparse.csr_matrix:
    """Word uni- and bigram counts hashed into ``n_features`` columns, rows L2-normalised (sparse CSR)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    vectorizer = HashingVectorizer(
        n_features=n_features, ngram_range=(1, 2), alternate_sign=False, norm="l2",
        token_pattern=r"(?u)\b\w[\w']*\b",
    )
    return vectorizer.transform([text[:5000] for text in texts])


class SentimentModel(ClassifierMixin, BaseEstimator):
    """Sentiment classifier (negative, neutral, positive) with a continuous score.

    ``X`` is ``[text block | lexical block]`` as :meth:`features` builds it: the text vectors
    and/or hashed n-grams, then the last ``n_lexical_features`` columns of lexical evidence
    (:data:`~nlp.sentiment.features.FEATURE_NAMES`, VADER's compound first), which the model
    standardises and scales by ``lexical_weight``. Any class labels work for ``fit`` and
    ``predict``; the score methods need the classes ``negative`` and ``positive``.

    Parameters
    ----------
    text_features
        What :meth:`features` puts in the text block: ``"embeddings"`` (vectors passed in, or
        :func:`nlp.sentiment.encoder.semantic_features`), ``"hashed_ngrams"`` (no embedding model
        needed), ``"embeddings+ngrams"`` (both) or ``"head_logits"`` (only the sentiment encoder's
        three logits, :func:`nlp.sentiment.encoder.sentiment_logits`, passed in as ``vectors`` or
        computed).
    C
        Inverse L2 regularisation strength of the logistic regression.
    lexical_weight
        Multiplier on the standardised lexical features, i.e. how loud they are next to the
        text vectors under the shared regularisation.
    n_hash_features
        Width of the hashed n-gram space.
    ridge_alpha
        L2 penalty of the ridge regression head.
    regression_weight, vader_weight
        Shares of the ridge output and of VADER's compound in the blended score; the classifier's
        ``P(positive) - P(negative)`` gets the rest.
    score_gain
        Multiplier on the blend before clipping to [-1, 1]; it spreads scores over the five levels.
    class_bias
        Added to the log-probabilities of each class (in :attr:`classes_` order) before the argmax
        that gives the label; None adds nothing. Chosen out of fold (``nlp.sentiment.training.tuning``).
    n_lexical_features
        Width of the lexical block at the end of ``X``.
    max_iter
        Passed to :class:`sklearn.linear_model.LogisticRegression`.
    random_state
        Seed (or ``RandomState``) of the logistic regression, resolved in :meth:`fit`.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The class labels, in column order of :meth:`predict_proba`.
    coef_, intercept_ : numpy.ndarray
        Logistic regression weights over ``[text block, scaled lexical features]``, one row per class
        (a two-class problem gets two opposite rows, so the softmax equals the logistic function).
    regression_coef_, regression_intercept_ : numpy.ndarray, float
        Ridge regression weights over the same design.
    lexical_mean_, lexical_scale_ : numpy.ndarray
        Standardisation of the lexical features.
    embedding_width_ : int
        Width of the vectors the model reads (0 for ``hashed_ngrams``).
    n_features_in_ : int
        Width of ``X``.
    n_iter_ : int
        Iterations the logistic regression ran (not kept by :meth:`save`).
    """

    def __init__(self, text_features: str = "embeddings", C: float = 1.0, lexical_weight: float = 1.0,
                 n_hash_features: int = 4096, ridge_alpha: float = 1.0, regression_weight: float = 0.0,
                 vader_weight: float = 0.0, score_gain: float = 1.0,
                 class_bias: Sequence[float] | None = None, n_lexical_features: int = len(FEATURE_NAMES),
                 max_iter: int = 2000, random_state: int | np.random.RandomState | None = 0) -> None:
        self.text_features = text_features
        self.C = C
        self.lexical_weight = lexical_weight
        self.n_hash_features = n_hash_features
        self.ridge_alpha = ridge_alpha
        self.regression_weight = regression_weight
        self.vader_weight = vader_weight
        self.score_gain = score_gain
        self.class_bias = class_bias
        self.n_lexical_features = n_lexical_features
        self.max_iter = max_iter
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags: sparse ``X`` (the hashed n-grams) is accepted."""
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def features(self, texts: Sequence[str], vectors: np.ndarray | None = None,
                 lexical: np.ndarray | None = None) -> np.ndarray | sparse.csr_matrix:
        """The matrix ``X`` this model reads for ``texts``: text block, then raw lexical features.

        Parameters
        ----------
        texts
            The units.
        vectors
            Their text vectors (``text_features`` with embeddings); computed with
            :func:`nlp.sentiment.encoder.semantic_features` when omitted.
        lexical
            Their :func:`~nlp.sentiment.features.lexical_features`, if already computed.

        Raises
        ------
        SentimentModelError
            If ``text_features`` is unknown or ``vectors`` do not fit the texts or the fitted model.
        """
        texts = list(texts)
        lexical = lexical_features(texts) if lexical is None else np.asarray(lexical, dtype=np.float64)
        text_block = self._text_block(texts, vectors)
        if isinstance(text_block, np.ndarray):
            return np.hstack([text_block, lexical])
        return sparse.hstack([text_block, sparse.csr_matrix(lexical)]).tocsr()

    def _text_block(self, texts: list[str], vectors: np.ndarray | None) -> np.ndarray | sparse.csr_matrix:
        if self.text_features not in TEXT_FEATURES:
            raise SentimentModelError(
                f"text_features must be one of {TEXT_FEATURES}, not {self.text_features!r}")
        if self.text_features == "hashed_ngrams":
            return hashed_ngrams(texts, self.n_hash_features)
        if vectors is None:
            from nlp.sentiment.encoder import semantic_features, sentiment_logits

            logits_only = self.text_features == "head_logits"
            vectors = sentiment_logits(texts) if logits_only else semantic_features(texts)
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise SentimentModelError(f"expected one vector per text, got shape {vectors.shape}")
        if hasattr(self, "embedding_width_") and vectors.shape[1] != self.embedding_width_:
            raise SentimentModelError(
                f"this model reads vectors of width {self.embedding_width_}, not {vectors.shape[1]}"
                " (the shipped semantic model: nlp.sentiment.encoder.sentiment_logits)")
        if self.text_features == "embeddings+ngrams":
            return sparse.hstack([sparse.csr_matrix(vectors), hashed_ngrams(texts, self.n_hash_features)])
        return vectors

    def _design(self, X: np.ndarray | sparse.csr_matrix) -> np.ndarray | sparse.csr_matrix:
        """``X`` with its lexical block standardised and weighted: what the linear heads read."""
        text_block, lexical = _split_lexical(X, self.n_lexical_features)
        scaled = (lexical - self.lexical_mean_) / self.lexical_scale_ * self.lexical_weight
        if not sparse.issparse(text_block):
            return np.hstack([text_block, scaled])
        return sparse.hstack([text_block, sparse.csr_matrix(scaled)]).tocsr()

    def fit(self, X: np.ndarray | sparse.csr_matrix, y: Sequence[Any],
            sample_weight: np.ndarray | None = None, targets: np.ndarray | None = None) -> SentimentModel:
        """Fit the classifier and the regression head on ``X`` (see :meth:`features`) and labels ``y``.

        ``targets`` are the regression targets in [-1, 1] (a human rating divided by 4); NaN or a
        missing array means "use :data:`LABEL_TARGETS` of the label".
        """
        from sklearn.linear_model import LogisticRegression, Ridge

        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32])
        check_classification_targets(y)
        random_state = check_random_state(self.random_state)
        if not 0 <= self.n_lexical_features <= X.shape[1]:
            raise SentimentModelError(f"n_lexical_features={self.n_lexical_features} does not fit X with "
                                      f"{X.shape[1]} columns")
        lexical = _split_lexical(X, self.n_lexical_features)[1]
        self.lexical_mean_ = lexical.mean(axis=0)
        self.lexical_scale_ = np.where(lexical.std(axis=0) > 0, lexical.std(axis=0), 1.0)
        design = self._design(X)
        classifier = LogisticRegression(C=self.C, max_iter=self.max_iter, random_state=random_state)
        classifier.fit(design, y, sample_weight=sample_weight)
        self.classes_ = classifier.classes_
        self.coef_, self.intercept_ = _one_row_per_class(classifier.coef_, classifier.intercept_)
        self.n_iter_ = int(np.max(classifier.n_iter_))
        from_labels = np.array([LABEL_TARGETS.get(str(label), 0.0) for label in y])
        targets = from_labels if targets is None else np.where(np.isnan(targets), from_labels, targets)
        regression = Ridge(alpha=self.ridge_alpha, solver="sparse_cg", tol=1e-6, max_iter=2000)
        regression.fit(design, targets, sample_weight=sample_weight)
        self.regression_coef_ = np.asarray(regression.coef_, dtype=np.float64)
        self.regression_intercept_ = float(regression.intercept_)
        hashed_width = self.n_hash_features if self.text_features.endswith("ngrams") else 0
        self.embedding_width_ = max(0, X.shape[1] - self.n_lexical_features - hashed_width)
        return self

    def _checked(self, X: np.ndarray | sparse.csr_matrix) -> np.ndarray | sparse.csr_matrix:
        if not hasattr(self, "coef_"):
            raise SentimentModelNotFitted("this SentimentModel is not fitted yet; call fit() or load()")
        return validate_data(self, X, reset=False, accept_sparse="csr", dtype=[np.float64, np.float32])

    def predict_proba(self, X: np.ndarray | sparse.csr_matrix) -> np.ndarray:
        """Class probabilities, shape ``(n_samples, n_classes)``, columns in :attr:`classes_` order."""
        return self._proba(self._design(self._checked(X)))

    def _proba(self, design: np.ndarray | sparse.csr_matrix) -> np.ndarray:
        logits = np.asarray(design @ self.coef_.T) + self.intercept_
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def labels_from_proba(self, proba: np.ndarray) -> np.ndarray:
        """The label per row of ``proba``: argmax of the log-probabilities plus :attr:`class_bias`."""
        bias = np.zeros(len(self.classes_)) if self.class_bias is None else np.asarray(self.class_bias, float)
        if bias.shape != (len(self.classes_),):
            raise SentimentModelError(f"class_bias needs one value per class {list(self.classes_)}")
        biased = np.log(np.clip(proba, 1e-300, None)) + bias
        return np.asarray(self.classes_)[biased.argmax(axis=1)]

    def predict(self, X: np.ndarray | sparse.csr_matrix) -> np.ndarray:
        """The label per row (the biased argmax, see :meth:`labels_from_proba`)."""
        return self.labels_from_proba(self.predict_proba(X))

    def components_and_proba(self, X: np.ndarray | sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """The three scores the blend mixes, shape ``(n_samples, 3)``, and the class probabilities.

        Score columns: the classifier's ``P(positive) - P(negative)``, the ridge output (clipped to
        [-1, 1]) and VADER's compound score.

        Raises
        ------
        SentimentModelError
            If the model was not fitted with the classes ``negative`` and ``positive``.
        """
        X = self._checked(X)
        classes = [str(label) for label in self.classes_]
        if not {"negative", "positive"} <= set(classes):
            raise SentimentModelError(f"scores need the classes negative and positive, not {classes}")
        design = self._design(X)
        proba = self._proba(design)
        classifier = proba[:, classes.index("positive")] - proba[:, classes.index("negative")]
        regression = np.clip(np.asarray(design @ self.regression_coef_).ravel() + self.regression_intercept_,
                             -1.0, 1.0)
        lexical = _split_lexical(X, self.n_lexical_features)[1]
        vader = lexical[:, VADER_COLUMN] if lexical.shape[1] > VADER_COLUMN else np.zeros(len(proba))
        return np.column_stack([classifier, regression, vader]), proba

    def score_components(self, X: np.ndarray | sparse.csr_matrix) -> np.ndarray:
        """The three scores the blend mixes (see :meth:`components_and_proba`)."""
        return self.components_and_proba(X)[0]

    def blend_weights(self) -> np.ndarray:
        """Weights of :meth:`score_components` in the score: classifier, regression, VADER."""
        return np.array([1.0 - self.regression_weight - self.vader_weight, self.regression_weight,
                         self.vader_weight])

    def blended_scores(self, components: np.ndarray, proba: np.ndarray) -> np.ndarray:
        """Scores from precomputed components and probabilities (see :meth:`sentiment_scores`)."""
        blend = np.clip(self.score_gain * (components @ self.blend_weights()), -1.0, 1.0)
        return score_within_label(blend, self.labels_from_proba(proba))

    def sentiment_scores(self, X: np.ndarray | sparse.csr_matrix) -> np.ndarray:
        """Continuous scores in [-1, 1] that agree with :meth:`predict` in three-class label.

        The weighted blend of :meth:`score_components` times the gain, moved into the band of the
        classifier's label (:func:`nlp.sentiment.labels.score_within_label`).
        """
        return self.blended_scores(*self.components_and_proba(X))


def _split_lexical(X: np.ndarray | sparse.csr_matrix, width: int) -> tuple[Any, np.ndarray]:
    """``X`` as (text block, dense lexical block of ``width`` columns)."""
    text_columns = X.shape[1] - width
    block = X[:, text_columns:]
    lexical = np.asarray(block) if isinstance(block, np.ndarray) else block.toarray()
    return X[:, :text_columns], lexical.astype(np.float64)


def _one_row_per_class(coef: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A logistic regression's weights with one row per class (a binary one has one row: split it)."""
    coef, intercept = np.asarray(coef, dtype=np.float64), np.asarray(intercept, dtype=np.float64)
    if coef.shape[0] == 1:
        return np.vstack([-coef / 2, coef / 2]), np.concatenate([-intercept / 2, intercept / 2])
    return coef, intercept
