"""The sentiment model: logistic regression and ridge regression over text vectors plus lexical evidence.

Two flavours share one estimator. The shipped default (``text_features="embeddings+ngrams"``) reads
the all-MiniLM-L6-v2 unit embeddings that the analysis computes anyway, the three logits of the
fine-tuned sentiment encoder (:func:`nlp.sentiment.encoder.semantic_features`) and hashed word uni-
and bigrams; the fallback for installs without torch (``"hashed_ngrams"``) reads the n-grams only. Both
add the lexical features of :mod:`nlp.sentiment.features`. The three-class label is the classifier's
argmax (log-probabilities plus a per-class bias chosen out-of-fold); the continuous score blends its
``P(positive) - P(negative)`` with a ridge regression on the same design (trained on human ratings
where there are any) and VADER's compound score, then moves into the band of that label
(:func:`nlp.sentiment.labels.score_within_label`). The fitted model is stored
as plain arrays in an ``.npz`` file (no pickles) and predicts with NumPy alone.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from nlp.errors import SentimentModelError
from nlp.sentiment.features import FEATURE_NAMES, lexical_features
from nlp.sentiment.labels import score_within_label

MODEL_DIR = Path(__file__).resolve().parent.parent / "data" / "sentiment"
SHIPPED_MODELS = {"semantic": MODEL_DIR / "model_semantic.npz", "lexical": MODEL_DIR / "model_lexical.npz"}
TEXT_FEATURES = ("embeddings", "hashed_ngrams", "embeddings+ngrams")
CLASSES = ("negative", "neutral", "positive")
#: Regression target of a labelled text that has no human rating.
LABEL_TARGETS = {"negative": -0.6, "neutral": 0.0, "positive": 0.6}


def hashed_ngrams(texts: list[str], n_features: int):
    """Word uni- and bigram counts hashed into ``n_features`` columns, rows L2-normalised (sparse CSR)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    vectorizer = HashingVectorizer(
        n_features=n_features, ngram_range=(1, 2), alternate_sign=False, norm="l2",
        token_pattern=r"(?u)\b\w[\w']*\b",
    )
    return vectorizer.transform([text[:5000] for text in texts])


class SentimentModel:
    """Three-class (negative, neutral, positive) sentiment classifier with a continuous score.

    Parameters
    ----------
    text_features
        ``"embeddings"`` (vectors passed in, or :func:`nlp.sentiment.encoder.semantic_features`),
        ``"hashed_ngrams"`` (no embedding model needed) or ``"embeddings+ngrams"`` (both).
    C
        Inverse L2 regularisation strength of the logistic regression.
    lexical_weight
        Multiplier on the standardised lexical features, i.e. how loud they are next to the
        text vectors under the shared regularisation.
    n_hash_features
        Width of the hashed n-gram space (``text_features="hashed_ngrams"`` only).
    ridge_alpha
        L2 penalty of the ridge regression head.
    regression_weight, vader_weight
        Shares of the ridge output and of VADER's compound in the blended score; the classifier's
        ``P(positive) - P(negative)`` gets the rest.
    score_gain
        Multiplier on the blend before clipping to [-1, 1]; it spreads scores over the five levels.
    class_bias
        Added to the log-probabilities of (negative, neutral, positive) before the argmax that gives
        the label; chosen by out-of-fold accuracy (:mod:`nlp.sentiment.training.tuning`).
    max_iter, random_state
        Passed to :class:`sklearn.linear_model.LogisticRegression`.

    Attributes
    ----------
    classes_ : numpy.ndarray
        The class names, in column order of :meth:`predict_proba`.
    coef_, intercept_ : numpy.ndarray
        Logistic regression weights over ``[text vector, scaled lexical features]``.
    regression_coef_, regression_intercept_ : numpy.ndarray
        Ridge regression weights over the same design.
    lexical_mean_, lexical_scale_ : numpy.ndarray
        Standardisation of the lexical features.
    embedding_width_ : int
        Width of the vectors the model reads (0 for ``hashed_ngrams``).
    """

    def __init__(self, text_features: str = "embeddings", C: float = 1.0, lexical_weight: float = 1.0,
                 n_hash_features: int = 4096, ridge_alpha: float = 1.0, regression_weight: float = 0.0,
                 vader_weight: float = 0.0, score_gain: float = 1.0,
                 class_bias: tuple[float, float, float] = (0.0, 0.0, 0.0), max_iter: int = 2000,
                 random_state: int | None = 0) -> None:
        self.text_features = text_features
        self.C = C
        self.lexical_weight = lexical_weight
        self.n_hash_features = n_hash_features
        self.ridge_alpha = ridge_alpha
        self.regression_weight = regression_weight
        self.vader_weight = vader_weight
        self.score_gain = score_gain
        self.class_bias = class_bias
        self.max_iter = max_iter
        self.random_state = random_state

    def _text_matrix(self, texts: list[str], vectors: np.ndarray | None) -> np.ndarray:
        if self.text_features == "hashed_ngrams":
            return hashed_ngrams(texts, self.n_hash_features)
        if self.text_features not in TEXT_FEATURES:
            raise SentimentModelError(
                f"text_features must be one of {TEXT_FEATURES}, not {self.text_features!r}")
        if vectors is None:
            from nlp.sentiment.encoder import semantic_features

            vectors = semantic_features(texts)
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise SentimentModelError(f"expected one vector per text, got shape {vectors.shape}")
        if hasattr(self, "embedding_width_") and vectors.shape[1] != self.embedding_width_:
            raise SentimentModelError(
                f"this model reads vectors of width {self.embedding_width_}, not {vectors.shape[1]}"
                " (the shipped semantic model: nlp.sentiment.encoder.semantic_features)")
        if self.text_features == "embeddings+ngrams":
            from scipy import sparse

            return sparse.hstack([sparse.csr_matrix(vectors), hashed_ngrams(texts, self.n_hash_features)])
        return vectors

    def _design(self, texts: list[str], vectors: np.ndarray | None, lexical: np.ndarray | None) -> np.ndarray:
        lexical = lexical_features(texts) if lexical is None else lexical
        scaled = (lexical - self.lexical_mean_) / self.lexical_scale_ * self.lexical_weight
        text_matrix = self._text_matrix(texts, vectors)
        if isinstance(text_matrix, np.ndarray):
            return np.hstack([text_matrix, scaled])
        from scipy import sparse

        return sparse.hstack([text_matrix, sparse.csr_matrix(scaled)]).tocsr()

    def fit(self, texts: list[str], labels: list[str], vectors: np.ndarray | None = None,
            sample_weight: np.ndarray | None = None, lexical: np.ndarray | None = None,
            targets: np.ndarray | None = None) -> SentimentModel:
        """Fit on ``texts`` with labels in :data:`CLASSES`; ``lexical`` may pass precomputed features.

        ``targets`` are the regression targets in [-1, 1] (a human rating divided by 4); NaN or a
        missing array means "use :data:`LABEL_TARGETS` of the label".
        """
        from sklearn.linear_model import LogisticRegression, Ridge

        unknown = set(labels) - set(CLASSES)
        if unknown:
            raise SentimentModelError(f"unknown labels {sorted(unknown)}; use {CLASSES}")
        if len(set(labels)) != len(CLASSES):
            raise SentimentModelError(f"training needs examples of each of {CLASSES}")
        lexical = lexical_features(list(texts)) if lexical is None else lexical
        self.__dict__.pop("embedding_width_", None)  # a refit may read vectors of another width
        self.lexical_mean_ = lexical.mean(axis=0)
        self.lexical_scale_ = np.where(lexical.std(axis=0) > 0, lexical.std(axis=0), 1.0)
        design = self._design(list(texts), vectors, lexical)
        classifier = LogisticRegression(C=self.C, max_iter=self.max_iter, random_state=self.random_state)
        classifier.fit(design, list(labels), sample_weight=sample_weight)
        self.classes_ = np.array(classifier.classes_)
        self.coef_ = classifier.coef_.astype(np.float64)
        self.intercept_ = classifier.intercept_.astype(np.float64)
        from_labels = np.array([LABEL_TARGETS[label] for label in labels])
        targets = from_labels if targets is None else np.where(np.isnan(targets), from_labels, targets)
        regression = Ridge(alpha=self.ridge_alpha, solver="sparse_cg", tol=1e-6, max_iter=2000)
        regression.fit(design, targets, sample_weight=sample_weight)
        self.regression_coef_ = np.asarray(regression.coef_, dtype=np.float64)
        self.regression_intercept_ = float(regression.intercept_)
        hashed_width = self.n_hash_features if self.text_features.endswith("ngrams") else 0
        self.embedding_width_ = design.shape[1] - lexical.shape[1] - hashed_width
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise SentimentModelError("this SentimentModel is not fitted yet; call fit() or load()")

    def predict_proba(self, texts: list[str], vectors: np.ndarray | None = None,
                      lexical: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities, shape ``(len(texts), 3)``, columns in :attr:`classes_` order."""
        self._check_fitted()
        if not texts:
            return np.zeros((0, len(self.classes_)))
        return self._proba(self._design(list(texts), vectors, lexical))

    def _proba(self, design) -> np.ndarray:
        logits = np.asarray(design @ self.coef_.T) + self.intercept_
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def labels_from_proba(self, proba: np.ndarray) -> np.ndarray:
        """The label per row of ``proba``: argmax of the log-probabilities plus :attr:`class_bias`."""
        biased = np.log(np.clip(proba, 1e-300, None)) + np.asarray(self.class_bias, dtype=np.float64)
        return self.classes_[biased.argmax(axis=1)].astype(str)

    def predict(self, texts: list[str], vectors: np.ndarray | None = None) -> list[str]:
        """The label per text (the biased argmax, see :meth:`labels_from_proba`)."""
        return [str(label) for label in self.labels_from_proba(self.predict_proba(texts, vectors))]

    def components_and_proba(self, texts: list[str], vectors: np.ndarray | None = None,
                             lexical: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The three scores the blend mixes, shape ``(len(texts), 3)``, and the class probabilities.

        Score columns: the classifier's ``P(positive) - P(negative)``, the ridge output (clipped to
        [-1, 1]) and VADER's compound score.
        """
        self._check_fitted()
        if not texts:
            return np.zeros((0, 3)), np.zeros((0, len(self.classes_)))
        lexical = lexical_features(list(texts)) if lexical is None else lexical
        design = self._design(list(texts), vectors, lexical)
        proba = self._proba(design)
        classes = list(self.classes_)
        classifier = proba[:, classes.index("positive")] - proba[:, classes.index("negative")]
        regression = np.clip(np.asarray(design @ self.regression_coef_).ravel() + self.regression_intercept_,
                             -1.0, 1.0)
        vader = lexical[:, FEATURE_NAMES.index("vader_compound")]
        return np.column_stack([classifier, regression, vader]), proba

    def score_components(self, texts: list[str], vectors: np.ndarray | None = None,
                         lexical: np.ndarray | None = None) -> np.ndarray:
        """The three scores the blend mixes (see :meth:`components_and_proba`)."""
        return self.components_and_proba(texts, vectors, lexical)[0]

    def blend_weights(self) -> np.ndarray:
        """Weights of :meth:`score_components` in the score: classifier, regression, VADER."""
        return np.array([1.0 - self.regression_weight - self.vader_weight, self.regression_weight,
                         self.vader_weight])

    def blended_scores(self, components: np.ndarray, proba: np.ndarray) -> np.ndarray:
        """Scores from precomputed components and probabilities (see :meth:`sentiment_scores`)."""
        blend = np.clip(self.score_gain * (components @ self.blend_weights()), -1.0, 1.0)
        return score_within_label(blend, self.labels_from_proba(proba))

    def sentiment_scores(self, texts: list[str], vectors: np.ndarray | None = None,
                         lexical: np.ndarray | None = None) -> np.ndarray:
        """Continuous scores in [-1, 1] that agree with :meth:`predict` in three-class label.

        The weighted blend of :meth:`score_components` times the gain, moved into the band of the
        classifier's label (:func:`nlp.sentiment.labels.score_within_label`).
        """
        return self.blended_scores(*self.components_and_proba(texts, vectors, lexical))

    def save(self, path: Path, metadata: dict | None = None) -> None:
        """Write the fitted weights and parameters to ``path`` (``.npz``, no pickles)."""
        self._check_fitted()
        np.savez_compressed(
            path, classes=self.classes_.astype(str), coef=self.coef_, intercept=self.intercept_,
            lexical_mean=self.lexical_mean_, lexical_scale=self.lexical_scale_,
            regression_coef=self.regression_coef_, regression_intercept=np.array(self.regression_intercept_),
            embedding_width=np.array(self.embedding_width_),
            feature_names=np.array(FEATURE_NAMES),
            params=np.array(json.dumps(self.get_params(), sort_keys=True)),
            metadata=np.array(json.dumps(metadata or {}, sort_keys=True)),
        )

    @classmethod
    def load(cls, path: Path) -> SentimentModel:
        """Read a model written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as stored:
            if tuple(stored["feature_names"]) != FEATURE_NAMES:
                raise SentimentModelError(f"{path} was trained on other lexical features; retrain it")
            params = json.loads(str(stored["params"]))
            model = cls(**{**params, "class_bias": tuple(params.get("class_bias", (0.0, 0.0, 0.0)))})
            model.classes_ = stored["classes"]
            model.coef_, model.intercept_ = stored["coef"], stored["intercept"]
            model.lexical_mean_, model.lexical_scale_ = stored["lexical_mean"], stored["lexical_scale"]
            model.regression_coef_ = stored["regression_coef"]
            model.regression_intercept_ = float(stored["regression_intercept"])
            model.embedding_width_ = int(stored["embedding_width"])
            model.metadata_ = json.loads(str(stored["metadata"]))
        return model

    def get_params(self, deep: bool = True) -> dict:
        """Constructor arguments, as scikit-learn's ``get_params``."""
        return {name: getattr(self, name) for name in
                ("text_features", "C", "lexical_weight", "n_hash_features", "ridge_alpha",
                 "regression_weight", "vader_weight", "score_gain", "class_bias", "max_iter", "random_state")}

    def set_params(self, **params) -> SentimentModel:
        """Set constructor arguments, as scikit-learn's ``set_params``."""
        for name, value in params.items():
            setattr(self, name, value)
        return self


@functools.cache
def load_shipped_model(kind: str = "semantic") -> SentimentModel:
    """The model shipped in ``nlp/data/sentiment`` (``"semantic"`` or ``"lexical"``), loaded once.

    Raises
    ------
    SentimentModelError
        If ``kind`` is unknown or the file is missing (run ``python -m nlp.sentiment.training.train``).
    """
    if kind not in SHIPPED_MODELS:
        raise SentimentModelError(f"unknown model kind {kind!r}; use one of {sorted(SHIPPED_MODELS)}")
    path = SHIPPED_MODELS[kind]
    if not path.exists():
        raise SentimentModelError(f"{path} is missing; train it with: python -m nlp.sentiment.training.train")
    return SentimentModel.load(path)
