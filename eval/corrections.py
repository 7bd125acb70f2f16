"""Learning curve of BRM corrections: ``python -m eval.corrections [DATA_DIR] [--seeds N] [--sets ...]``.

A BRM corrects a few comments' sentiment and the next analysis adapts a per-survey head
(:mod:`nlp.sentiment.correction_head`: a residual on the shipped model's decision logits over the
sentiment encoder's logits and the MiniLM unit vector, gated on the corrections alone). This
simulates it on real, human-labelled sets: for k in 8, 16, 32, 64 corrections per class, drawn at
random (several seeds) from one set, the head is fitted on those rows (the set's other rows are the
survey: unlabelled, they give only the centre the inputs are measured from) and every other row is
scored before (shipped model) and after adaptation. Printed per set and k: accuracy and macro
recall, mean and standard deviation over seeds, the paired change, its worst seed, a verdict
against noise, and in how many seeds the gate used the head.

Sets (``DATA_DIR`` defaults to ``../shared/data``). The issue's dev sets: TweetEval sentiment ``val``
and DynaSent round-1 and round-2 ``dev``; the shipped model 2.2 was fitted on every one of those
rows (its calibrating regression on TweetEval val and half of each DynaSent dev, its encoder on the
other half), so a linear head has almost nothing left to learn there and they test that the gate
holds. Real text the shipped model never saw: DynaSent round-1 and round-2 ``test``, a seeded
4,000-row sample of TweetEval ``test`` (the shipped model's own domain: nothing to learn either) and
Financial PhraseBank AllAgree (evaluation only; another domain and class balance, as a survey
of IT partners is). Nothing here tunes a shipped model; the head's settings are its defaults,
chosen before these runs (see eval/README.md).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, recall_score

from nlp.sentiment import MODEL_VERSION
from nlp.sentiment.adaptation import CLASSES, CorrectionAdapter, HeadInputs, head_inputs
from nlp.sentiment.scoring import score_sentiment_with_logits

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
CACHE_DIR = REPO_ROOT / "eval" / "out" / "corrections"
PER_CLASS = (8, 16, 32, 64)
#: Seeded sample of TweetEval test (12,284 tweets: the full set costs minutes of encoding).
TWEETEVAL_TEST_SAMPLE = 4000
#: A mean change below minus this many standard errors (over seeds), and below -0.005, is a fall.
NOISE_STANDARD_ERRORS = 2.0
SETS = ("tweeteval-val", "dynasent-r1-dev", "dynasent-r2-dev", "dynasent-r1-test", "dynasent-r2-test",
        "tweeteval-test", "fpb-allagree")


@dataclass(frozen=True)
class LabelledSet:
    """Texts with gold three-class labels, and where they came from."""

    name: str
    source: str
    texts: tuple[str, ...]
    labels: tuple[str, ...]


def read_set(data_dir: Path, name: str) -> LabelledSet:
    """One of :data:`SETS` (read by :func:`nlp.sentiment.training.real_corpus.read_real_set`)."""
    from nlp.sentiment.training.real_corpus import read_real_set, sample_rows

    rows = read_real_set(data_dir, name)
    source = {"tweeteval": "tweeteval/{}_text.txt", "dynasent": "dynasent/dynasent-v1.1-round0{}.jsonl",
              "fpb": "financial_phrasebank/Sentences_AllAgree.txt"}[name.split("-")[0]]
    if name.startswith("tweeteval"):
        source = source.format(name.split("-")[1])
    elif name.startswith("dynasent"):
        round_name, split = name.split("-")[1:]
        source = source.format(("1-yelp-" if round_name == "r1" else "2-dynabench-") + split)
    if name == "tweeteval-test":
        rows = sample_rows(rows, TWEETEVAL_TEST_SAMPLE)
        source += f" (seeded sample of {TWEETEVAL_TEST_SAMPLE})"
    return LabelledSet(name, source, tuple(rows.texts), tuple(rows.labels))


def set_inputs(texts: tuple[str, ...]) -> tuple[HeadInputs, np.ndarray]:
    """The head's inputs (unit vectors, encoder logits, shipped offsets) and the shipped scores, as
    the analysis computes them, cached under eval/out."""
    from nlp.embeddings import default_embedder
    from nlp.sentiment.encoder import SentimentLogits

    embedder, logits_model = default_embedder("semantic"), SentimentLogits()
    digest = hashlib.sha256("\n".join([embedder.name, logits_model.name, MODEL_VERSION, *texts]).encode())
    path = CACHE_DIR / f"{digest.hexdigest()[:16]}.npz"
    if path.exists():
        with np.load(path) as stored:
            vectors, scores, logits = stored["vectors"], stored["scores"], stored["logits"]
    else:
        vectors = embedder.embed(list(texts))
        scored, computed = score_sentiment_with_logits(list(texts), vectors=vectors)
        scores = np.array(scored)
        logits = computed if computed is not None else logits_model.embed(list(texts))
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        np.savez(path, vectors=vectors, scores=scores, logits=logits)
    return head_inputs(vectors, scores, logits), scores


def draw_corrections(gold: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """Row indices of ``per_class`` randomly drawn rows of each class."""
    rng = np.random.default_rng(seed)
    return np.sort(np.concatenate([rng.choice(np.flatnonzero(gold == label), per_class, replace=False)
                                   for label in CLASSES]))


def _figures(gold: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    return (float(accuracy_score(gold, predicted)),
            float(recall_score(gold, predicted, average="macro", labels=list(CLASSES))))


def simulate(inputs: HeadInputs, gold: np.ndarray, per_class: int, seeds: int,
             adapter_params: dict | None = None) -> dict:
    """Before/after accuracy and macro recall on the rows not drawn, one row per seed."""
    shipped = np.array(CLASSES)[np.asarray(inputs.offsets).argmax(axis=1)]
    runs = []
    for seed in range(seeds):
        drawn = draw_corrections(gold, per_class, seed)
        rest = np.setdiff1d(np.arange(len(gold)), drawn)
        adapter = CorrectionAdapter(random_state=seed, **(adapter_params or {}))
        adapter.fit(inputs.take(drawn), list(gold[drawn]), inputs)
        adapted = np.array(adapter.predict(inputs.take(rest)))
        runs.append((*_figures(gold[rest], shipped[rest]), *_figures(gold[rest], adapted), adapter.C_,
                     adapter.adapted_))
    table = np.array(runs)
    return {"before_accuracy": table[:, 0], "before_recall": table[:, 1], "after_accuracy": table[:, 2],
            "after_recall": table[:, 3], "chosen_C": table[:, 4], "adapted": table[:, 5].astype(bool)}


def verdict(change: np.ndarray) -> str:
    """``rises``, ``holds`` (within noise) or ``FALLS`` for paired changes over seeds."""
    noise = NOISE_STANDARD_ERRORS * change.std(ddof=1) / np.sqrt(len(change)) if len(change) > 1 else 0.0
    if change.mean() > noise:
        return "rises"
    if change.mean() >= -max(noise, 0.005):
        return "holds"
    return "FALLS"


def _print_set(labelled: LabelledSet, seeds: int) -> list[str]:
    gold = np.array(labelled.labels)
    counts = " / ".join(f"{np.sum(gold == label)}" for label in CLASSES)
    print(f"\n## {labelled.name}: {labelled.source}, {len(gold)} rows "
          f"(negative / neutral / positive {counts})", flush=True)
    inputs, _ = set_inputs(labelled.texts)
    print(f"{'k/class':>7} {'metric':>12} {'shipped':>15} {'adapted':>15} {'change':>16} {'worst':>7}"
          "  verdict")
    verdicts = []
    for per_class in PER_CLASS:
        result = simulate(inputs, gold, per_class, seeds)
        for metric in ("accuracy", "recall"):
            before, after = result[f"before_{metric}"], result[f"after_{metric}"]
            change = after - before
            verdicts.append(verdict(change))
            print(f"{per_class:>7} {('macro recall' if metric == 'recall' else metric):>12} "
                  f"{before.mean():.3f} +- {before.std(ddof=1):.3f} "
                  f"{after.mean():.3f} +- {after.std(ddof=1):.3f} "
                  f"{change.mean():+.3f} +- {change.std(ddof=1):.3f} {change.min():+.3f}  {verdicts[-1]}")
        chosen = ", ".join(f"{C:g}" for C in result["chosen_C"])
        print(f"{'':>7} {'head used':>12} {int(result['adapted'].sum())} of {seeds} seeds (C: {chosen})")
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--seeds", type=int, default=5, help="simulations per set and k (default 5)")
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS), help="sets to simulate on")
    args = parser.parse_args(argv)
    if not (args.data_dir / "sentiment").is_dir():
        parser.error(f"{args.data_dir}/sentiment not found; pass the shared data directory")
    print("# BRM corrections: learning curve of the per-survey sentiment head")
    print(f"Shipped model: {MODEL_VERSION}")
    print(f"Head: {CorrectionAdapter().get_params()}")
    print(f"{args.seeds} seeds per set and k; corrections drawn per class, scored on every other row "
          "of the set; mean +- sd over seeds; 'change' is paired (adapted - shipped), 'worst' its lowest "
          "seed; 'head used': seeds in which the gate (decided on the corrections alone) used the head.")
    print(f"Verdict: 'FALLS' if the mean change < -max({NOISE_STANDARD_ERRORS:g} standard errors, 0.005); "
          "'rises' if it is above that many standard errors; else 'holds'.")
    verdicts: dict[str, list[str]] = {}
    for name in args.sets:
        verdicts[name] = _print_set(read_set(args.data_dir, name), args.seeds)
    every = [value for values in verdicts.values() for value in values]
    for name, values in verdicts.items():
        print(f"{name}: {values.count('rises')} rise, {values.count('holds')} hold, "
              f"{values.count('FALLS')} fall")
    print(f"\nVerdicts: {every.count('rises')} rise, {every.count('holds')} hold, "
          f"{every.count('FALLS')} fall below the shipped model beyond noise.")
    return 1 if "FALLS" in every else 0


if __name__ == "__main__":
    sys.exit(main())
