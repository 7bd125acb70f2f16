"""The small interface every embedding backend implements, and helpers they share."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    @property
    def name(self) -> str:
        """Identifies the backend and its version; stored with cached vectors."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape ``(len(texts), dim)``, float32, rows of unit length."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to unit length (zero rows stay zero); returns float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


def text_key(text: str) -> str:
    """A stable cache key for a unit's text (SHA-1 of the UTF-8 bytes)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def default_model_cache() -> Path:
    """Where exported models live unless the caller names a folder: ``~/.cache/rapport/``."""
    return Path.home() / ".cache" / "rapport"


def resolve_model_cache(model_cache: str | os.PathLike[str] | None) -> Path:
    """``model_cache`` as a :class:`Path` with ``~`` expanded, or :func:`default_model_cache` for None."""
    return default_model_cache() if model_cache is None else Path(model_cache).expanduser()
