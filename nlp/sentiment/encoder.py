"""The sentiment encoder: all-MiniLM-L6-v2 with a domain-sentiment adapter and a three-class head.

General sentence vectors encode topic more than stance: "no complaints this quarter" sits next to
complaints. The adapter (``encoder_adapter.npz``, written by :mod:`nlp.sentiment.finetune`) is a
low-rank change to the encoder's weights, trained with a linear head on the domain ``train`` rows.
It is merged at load time and runs on the same backends as the general embedder (ONNX Runtime, a
cached export keyed by the adapter's digest; torch otherwise). The head's three logits join the
general vectors as features of the semantic sentiment model (:func:`semantic_features`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nlp.errors import SentimentModelError

ADAPTER_PATH = Path(__file__).resolve().parent.parent / "data" / "sentiment" / "encoder_adapter.npz"
#: The head reads the unit-length vectors times this (a fixed temperature).
HEAD_SCALE = 10.0
#: Columns the head adds to the general vectors: logits of negative, neutral, positive.
HEAD_WIDTH = 3


@functools.cache
def sentiment_embedder():
    """The adapted :class:`nlp.embed.SemanticEmbedder`, created once per process.

    Raises
    ------
    SentimentModelError
        If the adapter file is missing (train it with ``python -m nlp.sentiment.finetune``).
    """
    from nlp.embed import SemanticEmbedder

    if not ADAPTER_PATH.exists():
        raise SentimentModelError(
            f"{ADAPTER_PATH} is missing; train it with: python -m nlp.sentiment.finetune")
    return SemanticEmbedder(adapter=ADAPTER_PATH)


@functools.cache
def _head() -> tuple[np.ndarray, np.ndarray]:
    from nlp.adapter import read_head

    head = read_head(ADAPTER_PATH)
    if set(head) != {"weight", "bias"}:
        raise SentimentModelError(
            f"{ADAPTER_PATH} has no sentiment head; retrain: python -m nlp.sentiment.finetune")
    return head["weight"], head["bias"]


def sentiment_vectors(texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 vectors of the adapted encoder, shape ``(len(texts), 384)``."""
    return sentiment_embedder().embed(list(texts))


def sentiment_logits(texts: Sequence[str]) -> np.ndarray:
    """The head's (negative, neutral, positive) logits, shape ``(len(texts), 3)``, float32."""
    weight, bias = _head()
    return (sentiment_vectors(texts) * HEAD_SCALE @ weight.T + bias).astype(np.float32)


class SentimentLogits:
    """:func:`sentiment_logits` behind the embedder interface (``name``, ``embed``), for caches."""

    @property
    def name(self) -> str:
        """The adapted encoder's name (it includes the adapter's digest) plus the head."""
        return f"{sentiment_embedder().name}+head"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The logits of ``texts``."""
        return sentiment_logits(texts)


def semantic_features(texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
    """What the semantic sentiment model reads: general vectors, then the head's logits.

    Parameters
    ----------
    texts
        The units.
    vectors
        Their general all-MiniLM-L6-v2 embeddings, if the caller has them (else computed).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(texts), 384 + HEAD_WIDTH)``, float32.
    """
    if vectors is None:
        from nlp.embed import default_embedder

        vectors = default_embedder().embed(list(texts))
    return np.hstack([np.asarray(vectors, dtype=np.float32), sentiment_logits(texts)])
