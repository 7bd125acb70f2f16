"""What BRM corrections add to an analysis run: keeping the encoder's logits, and adapting a survey.

Usage: .venv/bin/python bench/corrections.py [--units 25000] [--corrections 192] [--rounds 3]

Times, best of ``--rounds``, on a temporary migrated SQLite file: writing ``--units`` text keys'
sentiment-encoder logits (what every run now adds, :func:`survey.store.analysis.save_embeddings`),
reading them back, and fitting the gated correction head on ``--corrections`` corrections and
relabelling every unit (:func:`nlp.sentiment.adaptation.adapt_sentiment`; only surveys with
corrections pay this). Inputs are random unit vectors and logits of the real shapes (384 and 3);
25,000 units is the 10,000-response bench's volume. No model is loaded: the encoder passes
themselves are unchanged (the logits were computed by the analysis already).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402


def best_of(rounds: int, action) -> float:
    """The fastest of ``rounds`` wall times of ``action()``, in seconds."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    from nlp.sentiment.adaptation import HeadInputs, adapt_sentiment, prior_logits
    from survey.db import open_migrated
    from survey.store.analysis import load_embeddings, save_embeddings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=25_000)
    parser.add_argument("--corrections", type=int, default=192)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(args.units, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    logits = rng.normal(size=(args.units, 3)).astype(np.float32)
    keys = [f"key-{index:07d}" for index in range(args.units)]
    with tempfile.TemporaryDirectory() as folder:
        db = open_migrated(str(Path(folder) / "bench.db"))
        counter = iter(range(1_000_000))

        def write() -> None:  # a fresh model name each round, so every row is really written
            save_embeddings(db, dict(zip(keys, logits, strict=True)), f"bench-logits-{next(counter)}")

        print(f"{args.units} units, {args.corrections} corrections, best of {args.rounds}")
        print(f"  keep the logits (every run):        {best_of(args.rounds, write):.3f} s")
        print(f"  read them back (adapting runs):     "
              f"{best_of(args.rounds, lambda: load_embeddings(db, keys, 'bench-logits-0')):.3f} s")
        db.close()
    scores = np.tanh(logits[:, 2] - logits[:, 0]).astype(np.float64)
    inputs = HeadInputs(vectors, prior_logits(scores), logits)
    rows = rng.choice(args.units, args.corrections, replace=False)
    labels = np.array(["negative", "neutral", "positive"])[rng.integers(0, 3, args.corrections)]
    corrections = dict(zip(rows.tolist(), labels.tolist(), strict=True))
    seconds = best_of(args.rounds, lambda: adapt_sentiment(inputs, scores, corrections))
    print(f"  fit the gated head and relabel:     {seconds:.3f} s")


if __name__ == "__main__":
    main()
