"""all-MiniLM-L6-v2 sentence embeddings on ONNX Runtime, matching sentence-transformers.

The packaged transformer is exported once with ``torch.onnx.export`` into a cache directory (the
caller's ``cache_dir``, default ``~/.cache/rapport/``) under a name keyed by a hash of the weights
file (and of the low-rank adapter merged into it, if any: :mod:`nlp.embeddings.adapter`), so a
changed model re-exports and an unchanged one is reused. Inference then needs
only ``onnxruntime`` and ``tokenizers``: the texts are tokenised like the SentenceTransformer does
(truncated to its ``max_seq_length``), batched by length, mean-pooled over the attention mask and
L2-normalised.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nlp.embeddings.base import resolve_model_cache

if TYPE_CHECKING:
    import onnxruntime
    import torch
    from tokenizers import Tokenizer

#: Bump when the export itself changes (inputs, opset, ...) so caches made by older code re-export.
EXPORT_FORMAT = "minilm-onnx-v1"
ONNX_OPSET = 17
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
#: Texts per ONNX Runtime call (the vectors are bit-identical for any batch size). On a quiet
#: machine 64 length-sorted texts a call analyse 10,000 responses in 97.4 s (158.6 s CPU) against
#: 106.8 s (170.0 s CPU) for 16 (``bench/analysis.py --sizes 10000``, back to back, 2026-12-07);
#: under a load of 4-15, 16 used 14-17% less CPU (bench/README.md). Those figures are of one batch
#: at a time on two ORT threads; the batches now run in parallel, one thread each.
BATCH_SIZE = 64


def weights_digest(model_dir: Path) -> str:
    """A short SHA-256 of the model's weights file and the export format: the cache key.

    Parameters
    ----------
    model_dir : Path
        A sentence-transformers model folder holding ``model.safetensors`` (or
        ``pytorch_model.bin``).

    Returns
    -------
    str
        16 hex digits.
    """
    digest = hashlib.sha256(EXPORT_FORMAT.encode("utf-8"))
    weights = next(
        path for path in (model_dir / "model.safetensors", model_dir / "pytorch_model.bin") if path.exists()
    )
    with open(weights, "rb") as handle:
        for block in iter(functools.partial(handle.read, 1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def export_transformer(model_dir: Path, target: Path, adapter: Path | None = None) -> Path:
    """Export the model's transformer to ONNX at ``target``, atomically (temp file, then rename).

    Parameters
    ----------
    model_dir : Path
        The sentence-transformers model folder; loaded offline with ``transformers.AutoModel``.
    target : Path
        The ``.onnx`` file to write; its folder is created if needed.
    adapter : Path, optional
        A low-rank adapter file merged into the weights before the export (:mod:`nlp.embeddings.adapter`).

    Returns
    -------
    Path
        ``target``.
    """
    import torch
    from transformers.utils import logging as transformers_logging

    sample = (
        torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]]),
        torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]]),
        torch.zeros((2, 4), dtype=torch.long),
    )
    dynamic_axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUT_NAMES, "last_hidden_state")}
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".onnx.tmp", dir=target.parent)
    os.close(handle)
    bars_were_on = transformers_logging.is_progress_bar_enabled()
    # The one-off export would print transformers' "Loading weights" bar in the middle of the
    # caller's own progress bars (the first `rapport analyze` on a fresh install).
    transformers_logging.disable_progress_bar()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # The TorchScript exporter warns that it is deprecated and about traced shape
            # arithmetic; the output is verified against sentence-transformers by the tests.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _last_hidden_state(model_dir, adapter).eval(), sample, temporary,
                input_names=list(INPUT_NAMES), output_names=["last_hidden_state"], dynamic_axes=dynamic_axes,
                opset_version=ONNX_OPSET, dynamo=False,
            )
        os.replace(temporary, target)
    finally:
        if bars_were_on:
            transformers_logging.enable_progress_bar()
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def _last_hidden_state(model_dir: Path, adapter: Path | None) -> torch.nn.Module:
    """The transformer with positional inputs and one output, as the exporter traces it."""
    import torch
    from transformers import AutoModel

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = AutoModel.from_pretrained(str(model_dir), local_files_only=True)
            if adapter is not None:
                from nlp.embeddings.adapter import merge_adapter

                merge_adapter(self.transformer, adapter)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

    return LastHiddenState()


def cached_onnx_model(model_dir: Path, cache_dir: Path | None = None, adapter: Path | None = None) -> Path:
    """The exported ONNX file for ``model_dir`` (with ``adapter`` merged in), exporting it on first use.

    Parameters
    ----------
    model_dir : Path
        The sentence-transformers model folder.
    cache_dir : Path, optional
        Defaults to ``~/.cache/rapport`` (:func:`nlp.embeddings.base.default_model_cache`).
    adapter : Path, optional
        A low-rank adapter file (:mod:`nlp.embeddings.adapter`).

    Returns
    -------
    Path
        ``<cache_dir>/<name of the folder holding the model>-<weights digest>[-adapter-<digest>].onnx``.
    """
    from nlp.embeddings.adapter import adapter_digest

    model_dir = Path(model_dir)
    cache_dir = resolve_model_cache(cache_dir)
    suffix = "" if adapter is None else f"-adapter-{adapter_digest(adapter)}"
    target = cache_dir / f"{model_dir.parent.name}-{weights_digest(model_dir)}{suffix}.onnx"
    if not target.exists():
        export_transformer(model_dir, target, adapter)
    return target


def max_seq_length(model_dir: Path) -> int:
    """The truncation length sentence-transformers uses for this model (256 for MiniLM-L6-v2)."""
    config = Path(model_dir) / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text(encoding="utf-8"))["max_seq_length"])
    return 512


class OnnxSentenceEncoder:
    """Mean-pooled, normalised sentence vectors from an exported transformer on ONNX Runtime.

    The batches run in parallel, one per usable core, each on one ONNX Runtime thread (the session
    is thread-safe), rather than one batch at a time on all cores: the vectors are bit-identical and
    the cores synchronise once per batch instead of once per operator.

    Parameters
    ----------
    model_dir : Path
        The sentence-transformers model folder (``tokenizer.json``, weights, configs).
    batch_size : int
        Texts per ONNX Runtime call; texts are sorted by token count first, so batches pad little.
    cache_dir : Path, optional
        Where the exported model lives; defaults to ``~/.cache/rapport``.
    onnx_path : Path, optional
        Use this ONNX file (e.g. an int8-quantised copy) instead of the cached export.
    adapter : Path, optional
        A low-rank adapter merged into the weights of the export (:mod:`nlp.embeddings.adapter`).
    """

    def __init__(self, model_dir: Path, batch_size: int = BATCH_SIZE, cache_dir: Path | None = None,
                 onnx_path: Path | None = None, adapter: Path | None = None) -> None:
        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self.onnx_path = onnx_path
        self.adapter = adapter

    def load(self) -> OnnxSentenceEncoder:
        """Open the session and the tokenizer now (exporting the model if needed); returns self."""
        _ = self.session, self.tokenizer
        return self

    @functools.cached_property
    def session(self) -> onnxruntime.InferenceSession:
        """The ONNX Runtime session (exports the model first if it is not cached)."""
        import onnxruntime

        path = self.onnx_path or cached_onnx_model(self.model_dir, self.cache_dir, self.adapter)
        options = onnxruntime.SessionOptions()
        # one thread per call, the calls in parallel (see encode): no intra-op worker threads
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    @functools.cached_property
    def tokenizer(self) -> Tokenizer:
        """The model's fast tokenizer, truncating like sentence-transformers and not padding."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=max_seq_length(self.model_dir))
        tokenizer.no_padding()  # padded per batch below, to the batch's longest text
        return tokenizer

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``.

        Parameters
        ----------
        texts : sequence of str
            Any strings, including empty ones.

        Returns
        -------
        numpy.ndarray
            Shape ``(len(texts), 384)``, float32, rows of unit length, in the order given.
        """
        encodings = self.tokenizer.encode_batch([text.strip() for text in texts])
        order = np.argsort([-len(encoding.ids) for encoding in encodings], kind="stable")
        width = self.session.get_outputs()[0].shape[-1]
        vectors = np.zeros((len(texts), width if isinstance(width, int) else 384), dtype=np.float32)
        batches = [order[start:start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        workers = max(1, min(len(os.sched_getaffinity(0)), len(batches)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="onnx-batch") as pool:
            encoded = pool.map(lambda rows: self._encode_batch([encodings[row].ids for row in rows]), batches)
            for rows, batch_vectors in zip(batches, encoded, strict=True):
                vectors[rows] = batch_vectors
        return vectors

    def _encode_batch(self, token_ids: list[list[int]]) -> np.ndarray:
        longest = max(len(ids) for ids in token_ids)
        input_ids = np.zeros((len(token_ids), longest), dtype=np.int64)
        attention_mask = np.zeros_like(input_ids)
        for row, ids in enumerate(token_ids):
            input_ids[row, :len(ids)] = ids
            attention_mask[row, :len(ids)] = 1
        (hidden,) = self.session.run(None, {
            "input_ids": input_ids, "attention_mask": attention_mask,
            "token_type_ids": np.zeros_like(input_ids),
        })
        return mean_pool_and_normalise(hidden, attention_mask)


def mean_pool_and_normalise(hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """Average token vectors over the attention mask, then scale rows to unit length.

    Parameters
    ----------
    hidden : numpy.ndarray
        ``(batch, sequence, width)`` token vectors.
    attention_mask : numpy.ndarray
        ``(batch, sequence)``, 1 for real tokens and 0 for padding.

    Returns
    -------
    numpy.ndarray
        ``(batch, width)`` float32.
    """
    mask = attention_mask[:, :, None].astype(np.float32)
    pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
