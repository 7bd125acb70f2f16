"""Paired check of two sentiment models on the domain ``test`` rows.

``python -m eval.experiments.sentiment_paired [--commit a4a0263]`` reads the shipped semantic model and
adapter and those at a git commit (default ``a4a0263``, model 2.1), labels the 711 domain ``test``
rows with each from the encoder logits that ``python -m eval.sentiment`` cached in
``eval/out/sentiment/`` (run it with each model first), and prints both accuracies, the rows only
one of them gets right and the exact McNemar p-value.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from scipy.stats import binomtest

from nlp.sentiment.storage import load_model
from nlp.sentiment.training.corpus import read_domain_set

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / "eval" / "out" / "sentiment"
DATA = "nlp/data/sentiment"


def git_blob(commit: str, path: str) -> bytes:
    """A file's bytes at ``commit``."""
    command = ["git", "show", f"{commit}:{path}"]
    return subprocess.run(command, cwd=REPO, capture_output=True, check=True).stdout


def labels(model_path: Path, adapter_bytes: bytes, texts: list[str]) -> np.ndarray:
    """Labels of ``texts`` from a model and the cached logits of its adapter."""
    digest = hashlib.sha256(adapter_bytes).hexdigest()[:12]
    cached = sorted(CACHE.glob(f"embeddings-domain_labelled-test-*adapter-{digest}_head*.npy"))
    if not cached:
        raise SystemExit(f"no cached logits for adapter {digest}; run python -m eval.sentiment with it first")
    model = load_model(model_path)
    return np.asarray(model.predict(model.features(texts, np.load(cached[0]))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commit", default="a4a0263")
    args = parser.parse_args()
    rows = read_domain_set("test")
    gold, texts = np.array(rows.labels), list(rows.texts)
    with tempfile.TemporaryDirectory() as folder:
        old_model = Path(folder) / "model_semantic.npz"
        old_model.write_bytes(git_blob(args.commit, f"{DATA}/model_semantic.npz"))
        old = labels(old_model, git_blob(args.commit, f"{DATA}/encoder_adapter.npz"), texts)
    shipped = REPO / DATA
    new = labels(shipped / "model_semantic.npz", (shipped / "encoder_adapter.npz").read_bytes(), texts)
    only_old = int(np.sum((old == gold) & (new != gold)))
    only_new = int(np.sum((old != gold) & (new == gold)))
    p = binomtest(only_new, only_old + only_new).pvalue if only_old + only_new else 1.0
    print(f"domain test ({len(gold)} rows): {args.commit} accuracy {np.mean(old == gold):.3f}, shipped "
          f"{np.mean(new == gold):.3f}; only {args.commit} right {only_old}, only shipped right {only_new}; "
          f"exact McNemar p {p:.2f}")


if __name__ == "__main__":
    main()
