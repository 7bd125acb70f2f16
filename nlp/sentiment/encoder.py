"""The sentiment encoder: all-MiniLM-L6-v2 with a sentiment adapter and a three-class head.

General sentence vectors encode topic more than stance: "no complaints this quarter" sits next to
complaints. The adapter (``encoder_adapter.npz``, written by :mod:`nlp.sentiment.training.real_voices`
from ``training_manifest.json``: TweetEval, DynaSent and the domain ``train`` rows) is a low-rank
change to the encoder's weights, trained with a linear head. It is merged at load time and runs on
the same backends as the general embedder (ONNX Runtime, a cached export keyed by the adapter's
digest; torch otherwise). The encoder reads each text's :func:`canonical_text`. The head's three
logits are what the shipped semantic sentiment model reads (:func:`sentiment_logits`);
:func:`semantic_features` (general vectors, then the logits) serves the model-1 design.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlp.embeddings import SemanticEmbedder, default_embedder
from nlp.embeddings.adapter import read_head
from nlp.embeddings.base import resolve_model_cache
from nlp.errors import SentimentModelError

ADAPTER_PATH = Path(__file__).resolve().parent.parent / "data" / "sentiment" / "encoder_adapter.npz"
#: The head reads the unit-length vectors times this (a fixed temperature).
HEAD_SCALE = 10.0
#: Columns the head adds to the general vectors: logits of negative, neutral, positive.
HEAD_WIDTH = 3
#: Width of the general all-MiniLM-L6-v2 vectors the analysis computes for themes.
GENERAL_WIDTH = 384


#: A run of sentence-final marks (and the spaces around them) that the encoder does not read.
_FINAL_MARKS = re.compile(r"[\s.!?\u2026]+$")


def canonical_text(text: str) -> str:
    """``text`` as the encoder reads it: whitespace collapsed, final ``.``/``!``/``?``/``…`` dropped.

    The tokenizer is uncased, so with this a label cannot change when only letter case,
    whitespace or the final stop changes ("as internal customers we should be treated better"
    with and without a full stop). Texts that are only marks stay as they are.
    """
    collapsed = " ".join(text.split())
    return _FINAL_MARKS.sub("", collapsed) or collapsed


def sentiment_embedder(model_cache: str | os.PathLike[str] | None = None) -> SemanticEmbedder:
    """The adapted :class:`nlp.embeddings.SemanticEmbedder`, created once per process and cache.

    Parameters
    ----------
    model_cache
        Folder of the exported ONNX models; None means ``~/.cache/rapport``.

    Raises
    ------
    SentimentModelError
        If the adapter file is missing (train it with ``python -m nlp.sentiment.training.finetune``).
    """
    return _sentiment_embedder(resolve_model_cache(model_cache))


def use_adapter(adapter: Path) -> None:
    """Point this process's sentiment encoder at another adapter file (a checkpoint under evaluation);
    the shipped file is not touched."""
    global ADAPTER_PATH
    ADAPTER_PATH = adapter.resolve()
    _sentiment_embedder.cache_clear()
    _head.cache_clear()


@functools.cache
def _sentiment_embedder(model_cache: Path) -> SemanticEmbedder:
    if not ADAPTER_PATH.exists():
        raise SentimentModelError(
            f"{ADAPTER_PATH} is missing; train it with: make sentiment-model")
    return SemanticEmbedder(adapter=ADAPTER_PATH, model_cache=model_cache)


@functools.cache
def _head() -> tuple[np.ndarray, np.ndarray]:
    head = read_head(ADAPTER_PATH)
    if set(head) != {"weight", "bias"}:
        raise SentimentModelError(
            f"{ADAPTER_PATH} has no sentiment head; retrain: make sentiment-model")
    return head["weight"], head["bias"]


def sentiment_vectors(texts: Sequence[str], model_cache: str | os.PathLike[str] | None = None) -> np.ndarray:
    """Unit-length float32 vectors of the adapted encoder, shape ``(len(texts), 384)``."""
    return sentiment_embedder(model_cache).embed([canonical_text(text) for text in texts])


def sentiment_logits(texts: Sequence[str], model_cache: str | os.PathLike[str] | None = None) -> np.ndarray:
    """The head's (negative, neutral, positive) logits, shape ``(len(texts), 3)``, float32."""
    weight, bias = _head()
    return (sentiment_vectors(texts, model_cache) * HEAD_SCALE @ weight.T + bias).astype(np.float32)


class SentimentLogits:
    """:func:`sentiment_logits` behind the embedder interface (``name``, ``embed``), for caches.

    Parameters
    ----------
    model_cache
        Folder of the exported ONNX models; None means ``~/.cache/rapport``.
    """

    def __init__(self, model_cache: str | os.PathLike[str] | None = None) -> None:
        self.model_cache = model_cache

    @property
    def name(self) -> str:
        """The adapted encoder's name (it includes the adapter's digest), the head and the
        :func:`canonical_text` step."""
        return f"{sentiment_embedder(self.model_cache).name}+head+canonical"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The logits of ``texts``."""
        return sentiment_logits(texts, self.model_cache)


def semantic_features(texts: Sequence[str], vectors: np.ndarray | None = None,
                      model_cache: str | os.PathLike[str] | None = None) -> np.ndarray:
    """What the semantic sentiment model reads: general vectors, then the head's logits.

    Parameters
    ----------
    texts
        The units.
    vectors
        Their general all-MiniLM-L6-v2 embeddings, if the caller has them (else computed).
    model_cache
        Folder of the exported ONNX models; None means ``~/.cache/rapport``.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(texts), 384 + HEAD_WIDTH)``, float32.
    """
    if vectors is None:
        vectors = default_embedder("semantic", model_cache).embed(list(texts))
    return np.hstack([np.asarray(vectors, dtype=np.float32), sentiment_logits(texts, model_cache)])
