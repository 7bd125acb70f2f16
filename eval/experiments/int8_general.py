"""Experiment: the general MiniLM model quantised to int8 per channel, for the analysis budget.

``python -m eval.experiments.int8_general [DATA_DIR] [--check fidelity,themes,clustering]``

Quantises the cached ONNX export of the general model with ONNX Runtime's dynamic int8
quantisation (per tensor, per channel, feed-forward layers only) into ``eval/out/int8/`` and prints,
per variant, its speed against fp32 and the cosine of its vectors to fp32 ones on the informal
redaction sentences and the labelled theme sentences. With ``themes`` and ``clustering`` it then
runs ``eval.themes --split test`` and ``eval.clustering --parts heldout`` (with an embedding cache of
its own) with the per-channel file in place of the general model's export; the sentiment encoder
(the export with an adapter) is left as shipped. Nothing here changes what Rapport ships.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "eval" / "out" / "int8"
SENTENCES = (REPO / "eval" / "data" / "redaction_informal_dev2.jsonl",
             REPO / "eval" / "data" / "themes_labelled.csv")


def _sentences(limit: int = 1500) -> list[str]:
    texts = [json.loads(line)["text"] for line in SENTENCES[0].read_text(encoding="utf-8").splitlines()]
    with SENTENCES[1].open(encoding="utf-8") as rows:
        texts += [row["text"] for row in csv.DictReader(rows)]
    return texts[:limit]


def quantised_variants(source: Path) -> dict[str, Path]:
    """The int8 copies of ``source`` (made once): per tensor, feed-forward only, per channel."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    matmuls = [node.name for node in onnx.load(str(source)).graph.node if node.op_type == "MatMul"]
    feed_forward = [name for name in matmuls
                    if "intermediate" in name or ("output" in name and "attention" not in name)]
    settings: dict[str, dict[str, Any]] = {
        "per tensor": {}, "feed-forward only": {"nodes_to_quantize": feed_forward},
        "per channel": {"per_channel": True}}
    OUT.mkdir(parents=True, exist_ok=True)
    variants = {}
    for label, options in settings.items():
        target = OUT / f"{source.stem}-{label.replace(' ', '-')}.onnx"
        if not target.exists():
            quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, **options)
        variants[label] = target
    return variants


def fidelity(variants: dict[str, Path]) -> None:
    """Speed against fp32 and cosine to fp32 vectors, per variant."""
    from nlp.embeddings import packaged_model_dir
    from nlp.embeddings.onnx_runtime import OnnxSentenceEncoder

    texts = _sentences()
    print(f"Data: {len(texts)} sentences ({SENTENCES[0].name}, then {SENTENCES[1].name})")
    fp32 = OnnxSentenceEncoder(packaged_model_dir()).load()
    fp32.encode(texts[:64])
    started = time.perf_counter()
    reference = fp32.encode(texts)
    seconds = time.perf_counter() - started
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    for label, path in variants.items():
        encoder = OnnxSentenceEncoder(packaged_model_dir(), onnx_path=path).load()
        encoder.encode(texts[:64])
        started = time.perf_counter()
        vectors = encoder.encode(texts)
        speed = seconds / (time.perf_counter() - started)
        cosine = (reference * vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).sum(axis=1)
        print(f"  {label:18s} x{speed:.2f} fp32's speed; cosine to fp32 mean {cosine.mean():.4f}, "
              f"min {cosine.min():.4f}, 1st percentile {np.percentile(cosine, 1):.4f}")


def with_general_model(path: Path) -> None:
    """Make every later export lookup of the general model (no adapter) return ``path``."""
    import nlp.embeddings.onnx_runtime as onnx_runtime

    shipped = onnx_runtime.cached_onnx_model

    def lookup(model_dir: Path, cache_dir: Path | None = None, adapter: Path | None = None) -> Path:
        return path if adapter is None else shipped(model_dir, cache_dir, adapter)

    onnx_runtime.cached_onnx_model = lookup


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--check", default="fidelity,themes,clustering")
    args = parser.parse_args(argv)
    checks = set(args.check.split(","))
    from nlp.embeddings import packaged_model_dir
    from nlp.embeddings.onnx_runtime import cached_onnx_model

    variants = quantised_variants(cached_onnx_model(packaged_model_dir()))
    if "fidelity" in checks:
        fidelity(variants)
    with_general_model(variants["per channel"])
    if "themes" in checks:
        import eval.themes

        print("Seeded themes with the per-channel int8 general model:")
        eval.themes.main(["--split", "test"])
    if "clustering" in checks:
        import eval.clustering

        eval.clustering.cached_embeddings.__defaults__ = (OUT / "embeddings",)
        (OUT / "embeddings").mkdir(parents=True, exist_ok=True)
        print("Discovery with the per-channel int8 general model:")
        eval.clustering.main([args.data_dir, "--parts", "heldout"])


if __name__ == "__main__":
    main()
