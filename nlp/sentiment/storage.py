"""Fitted sentiment models on disk: plain arrays in an ``.npz`` file (no pickles), and the shipped pair.

A file holds the fitted attributes of a :class:`~nlp.sentiment.model.SentimentModel`, its constructor
arguments as JSON, the lexical feature names it was trained on (a model trained on other features is
refused) and free-form metadata (seed, data digests, the encoder its vectors came from).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np

from nlp.errors import SentimentModelError
from nlp.sentiment.features import FEATURE_NAMES
from nlp.sentiment.model import SentimentModel

MODEL_DIR = Path(__file__).resolve().parent.parent / "data" / "sentiment"
SHIPPED_MODELS = {"semantic": MODEL_DIR / "model_semantic.npz", "lexical": MODEL_DIR / "model_lexical.npz"}


def save_model(model: SentimentModel, path: Path, metadata: dict[str, Any] | None = None) -> None:
    """Write the fitted weights and parameters of ``model`` to ``path`` (``.npz``, no pickles).

    Raises
    ------
    SentimentModelError
        If ``model`` is not fitted.
    """
    if not hasattr(model, "coef_"):
        raise SentimentModelError("this SentimentModel is not fitted yet; call fit() first")
    params = {**model.get_params(), "random_state": model.random_state
              if isinstance(model.random_state, int | None) else None}
    np.savez_compressed(
        path, classes=np.asarray(model.classes_).astype(str), coef=model.coef_, intercept=model.intercept_,
        lexical_mean=model.lexical_mean_, lexical_scale=model.lexical_scale_,
        regression_coef=model.regression_coef_, regression_intercept=np.array(model.regression_intercept_),
        embedding_width=np.array(model.embedding_width_),
        feature_names=np.array(FEATURE_NAMES),
        params=np.array(json.dumps(params, sort_keys=True)),
        metadata=np.array(json.dumps(metadata or {}, sort_keys=True)),
    )


def load_model(path: Path) -> SentimentModel:
    """Read a model written by :func:`save_model`.

    Raises
    ------
    SentimentModelError
        If it was trained on other lexical features than :data:`~nlp.sentiment.features.FEATURE_NAMES`.
    """
    with np.load(path, allow_pickle=False) as stored:
        if tuple(stored["feature_names"]) != FEATURE_NAMES:
            raise SentimentModelError(f"{path} was trained on other lexical features; retrain it")
        params = json.loads(str(stored["params"]))
        if params.get("class_bias") is not None:
            params["class_bias"] = tuple(params["class_bias"])
        model = SentimentModel(**params)
        model.classes_ = stored["classes"]
        model.coef_, model.intercept_ = stored["coef"], stored["intercept"]
        model.lexical_mean_, model.lexical_scale_ = stored["lexical_mean"], stored["lexical_scale"]
        model.regression_coef_ = stored["regression_coef"]
        model.regression_intercept_ = float(stored["regression_intercept"])
        model.embedding_width_ = int(stored["embedding_width"])
        model.n_features_in_ = int(model.coef_.shape[1])
        model.metadata_ = json.loads(str(stored["metadata"]))
    return model


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
    return load_model(path)
