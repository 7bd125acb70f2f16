"""Experiment: the general MiniLM model quantised to int8 per channel, for the analysis budget.

``python -m eval.experiments.int8_general [DATA_DIR] [--check fidelity,themes,clustering]``

``python -m eval.experiments.int8_general --general fp32 --check themes,clustering``

Quantises the cached ONNX export of the general model with ONNX Runtime's dynamic int8
quantisation (per tensor, per channel, feed-forward layers only) into ``eval/out/int8/`` and prints,
per variant, its speed against fp32 and the cosine of its vectors to fp32 ones on the informal
redaction sentences and the labelled theme sentences. With ``themes`` and ``clustering`` it then
runs ``eval.themes --split test`` and ``eval.clustering --parts heldout`` (with an embedding cache of
its own) with the general model in the precision ``--general`` names: int8 is what Rapport ships
since this experiment (:mod:`nlp.embeddings.quantised`, the same file as the per-channel variant
here), fp32 gives the figures from before. The sentiment encoder (the export with an adapter) stays
fp32 either way.
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


def with_general_precision(precision: str) -> None:
    """Make every later general embedder of this process (``default_embedder``, ``SemanticEmbedder()``)
    run in ``precision`` (the shipped default is int8); the sentiment encoder stays fp32."""
    import nlp.embeddings
    import nlp.embeddings.default

    class GeneralEmbedder(nlp.embeddings.SemanticEmbedder):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("precision", precision if kwargs.get("adapter") is None else "fp32")
            super().__init__(*args, **kwargs)

    nlp.embeddings.SemanticEmbedder = GeneralEmbedder  # type: ignore[misc]
    nlp.embeddings.default.SemanticEmbedder = GeneralEmbedder  # type: ignore[misc]
    nlp.embeddings.default._cached_embedder.cache_clear()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--check", default="fidelity,themes,clustering")
    parser.add_argument("--general", choices=("int8", "fp32"), default="int8",
                        help="precision of the general model for themes and clustering (shipped: int8)")
    args = parser.parse_args(argv)
    checks = set(args.check.split(","))
    from nlp.embeddings import packaged_model_dir
    from nlp.embeddings.onnx_runtime import cached_onnx_model

    variants = quantised_variants(cached_onnx_model(packaged_model_dir()))
    if "fidelity" in checks:
        fidelity(variants)
    with_general_precision(args.general)
    if "themes" in checks:
        import eval.themes

        print(f"Seeded themes with the {args.general} general model:")
        eval.themes.main(["--split", "test"])
    if "clustering" in checks:
        import eval.clustering

        eval.clustering.cached_embeddings.__defaults__ = (OUT / "embeddings",)
        (OUT / "embeddings").mkdir(parents=True, exist_ok=True)
        print(f"Discovery with the {args.general} general model:")
        eval.clustering.main([args.data_dir, "--parts", "heldout"])


if __name__ == "__main__":
    main()
