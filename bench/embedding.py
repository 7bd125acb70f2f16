"""Embedding speed and fidelity: sentence-transformers on torch vs. ONNX Runtime fp32 and int8.

Usage: .venv/bin/python bench/embedding.py [--n 2000] [--rounds 3] [--int8]

Speed: the same texts (``--n`` StackOverflow titles plus ``--n`` domain-like sentences from
``nlp/data/sentiment/domain_labelled.csv`` and the demo corpus) are embedded by each backend in
interleaved rounds (torch, ORT, torch, ORT, ...) because other processes share the CPU; the
median texts/s per backend is printed. Fidelity: 2,000 varied texts (StackOverflow titles,
Banking77 queries, domain sentences, multi-sentence texts over 256 tokens, near-empty ones) are
embedded by each; the minimum and mean cosine between a text's vectors and torch's are printed.
``onnxruntime-int8`` is the shipped general model (per-channel dynamic int8,
:mod:`nlp.embeddings.quantised`); ``--int8`` adds the per-tensor variant (file kept in
``bench/out/``), which is not shipped.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from nlp.embeddings.onnx_runtime import BATCH_SIZE  # noqa: E402

DATA_DIR = Path("/work/shared/data/clustering")
OUT_DIR = ROOT / "bench" / "out"
DOMAIN_CSV = ROOT / "nlp" / "data" / "sentiment" / "domain_labelled.csv"
#: Where the ONNX export is cached (None: ``~/.cache/rapport``), as ``rapport analyze`` reads it.
MODEL_CACHE = os.environ.get("RAPPORT_MODEL_CACHE")
NEAR_EMPTY = [".", "", " ", "?", "!!!", "🙂", "👍👍", "🔥🚀✨", "…", "-", "ok", "[NAME]", "N/A", "😡 😡"]


def stackoverflow_titles() -> list[str]:
    return (DATA_DIR / "stackoverflow" / "title_StackOverflow.txt").read_text(encoding="utf-8").splitlines()


def banking77_queries() -> list[str]:
    with open(DATA_DIR / "banking77" / "test.csv", encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def domain_sentences(n: int) -> list[str]:
    """The labelled IT-feedback sentences, topped up with generated demo answers to ``n``."""
    from survey.demo.corpus import generate_feedback

    with open(DOMAIN_CSV, encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    for response in generate_feedback(n, seed=3):
        texts.extend(str(answer) for key, answer in response.answers.items()
                     if key in ("doing_well", "change") and answer)
        if len(texts) >= n:
            break
    return texts[:n]


def speed_texts(n: int, seed: int = 0) -> list[str]:
    """``n`` random StackOverflow titles and ``n`` domain-like sentences."""
    titles = stackoverflow_titles()
    rng = np.random.default_rng(seed)
    return [titles[i] for i in rng.choice(len(titles), n, replace=False)] + domain_sentences(n)


def fidelity_texts(seed: int = 1) -> list[str]:
    """2,000 varied texts: titles, bank queries, domain sentences, long texts, near-empty texts."""
    rng = np.random.default_rng(seed)
    titles, queries, domain = stackoverflow_titles(), banking77_queries(), domain_sentences(2000)
    long_texts = [" ".join(rng.choice(domain, 40)) for _ in range(50)]  # ~400-600 tokens each
    texts = ([titles[i] for i in rng.choice(len(titles), 650, replace=False)]
             + [queries[i] for i in rng.choice(len(queries), 650, replace=False)]
             + [domain[i] for i in rng.choice(len(domain), 636, replace=False)]
             + long_texts + NEAR_EMPTY)
    return texts


def texts_per_second(embed, texts: list[str]) -> tuple[float, float]:
    """Wall-clock texts/s and CPU seconds (all threads of this process) per 1,000 texts."""
    started, cpu_started = time.perf_counter(), time.process_time()
    embed(texts)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return len(texts) / wall, 1000 * cpu / len(texts)


def cosines(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of two sets of unit vectors (renormalised to be safe)."""
    reference = reference / np.linalg.norm(reference, axis=1, keepdims=True)
    other = other / np.linalg.norm(other, axis=1, keepdims=True)
    return (reference * other).sum(axis=1)


def int8_encoder(model_dir: Path, batch_size: int):
    """An ORT encoder on a per-tensor dynamically int8-quantised copy of the exported model."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from nlp.embeddings.onnx_runtime import OnnxSentenceEncoder, cached_onnx_model

    source = cached_onnx_model(model_dir, MODEL_CACHE)
    target = OUT_DIR / f"{source.stem}-int8.onnx"
    if not target.exists():
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8)
    return OnnxSentenceEncoder(model_dir, batch_size=batch_size, onnx_path=target).load()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="titles and domain sentences each")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--int8", action="store_true",
                        help="also measure per-tensor int8 quantisation (not shipped)")
    args = parser.parse_args()

    from nlp.embeddings import SemanticEmbedder, packaged_model_dir

    torch_embedder = SemanticEmbedder(batch_size=args.batch_size, backend="torch")
    onnx_embedder = SemanticEmbedder(batch_size=args.batch_size, backend="onnx", model_cache=MODEL_CACHE,
                                     precision="fp32")
    shipped = SemanticEmbedder(batch_size=args.batch_size, backend="onnx", model_cache=MODEL_CACHE)
    backends = {"torch": torch_embedder.embed, "onnxruntime": onnx_embedder.embed,
                "onnxruntime-int8": shipped.embed}
    if args.int8:
        backends["ort-int8-tensor"] = int8_encoder(packaged_model_dir(), args.batch_size).encode
    for embed in backends.values():  # load models (and export) before timing
        embed(["warm up"])

    texts = speed_texts(args.n)
    speeds: dict[str, list[float]] = {name: [] for name in backends}
    cpu_costs: dict[str, list[float]] = {name: [] for name in backends}
    for round_number in range(1, args.rounds + 1):
        for name, embed in backends.items():
            speed, cpu_cost = texts_per_second(embed, texts)
            speeds[name].append(speed)
            cpu_costs[name].append(cpu_cost)
            print(f"round {round_number} {name}: {speed:.0f} texts/s", file=sys.stderr, flush=True)

    varied = fidelity_texts()
    reference = backends["torch"](varied)
    print(f"threads: {len(os.sched_getaffinity(0))}; load average before fidelity: {os.getloadavg()}")
    print(f"speed on {len(texts)} texts ({args.n} StackOverflow titles + {args.n} domain sentences), "
          f"median of {args.rounds} interleaved rounds:")
    for name in backends:
        rounds = ", ".join(f"{s:.0f}" for s in speeds[name])
        median = statistics.median(speeds[name])
        ratio = median / statistics.median(speeds["torch"])
        print(f"  {name:17s} {median:7.0f} texts/s  (x{ratio:.2f} vs torch; rounds: {rounds}); "
              f"CPU {statistics.median(cpu_costs[name]):.1f} s per 1,000 texts")
    print(f"fidelity vs torch on {len(varied)} varied texts (cosine per text):")
    for name, embed in backends.items():
        if name != "torch":
            similarity = cosines(reference, embed(varied))
            print(f"  {name:17s} min {similarity.min():.7f}  mean {similarity.mean():.7f}  "
                  f"rows < 0.99999: {(similarity < 0.99999).sum()}")


if __name__ == "__main__":
    main()
