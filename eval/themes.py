"""Seeded-theme assignment accuracy on Rapport's own labelled partner-feedback sentences.

Run: ``.venv/bin/python -m eval.themes [--split dev|test|all] [--sweep] [--quality] [--non-answers]
[--stability]``.
``--quality`` adds names against gold class names, quote diversity and proposal stability on the
public clustering sets (:mod:`eval.theme_quality`); ``--non-answers`` scores the non-answer filter
on ``eval/data/non_answers.csv`` (``text,is_non_answer,split``). The seeded-assignment data file
``eval/data/themes_labelled.csv`` holds ``text,theme,split``; ``theme`` is a taxonomy id or
``other`` (fits no seeded theme, so it must stay unassigned). Tune on ``dev`` (``--sweep`` prints
accuracy over thresholds and seeds averaged per theme) and report on ``test``.

Besides accuracy on the full taxonomy it prints the leave-one-theme-out figures: each theme in turn
is left out of the taxonomy and its sentences must then stay unassigned (an uncovered concern goes
to discovery) instead of being absorbed by the nearest remaining theme, as greedy assignment does.
``--stability`` measures emerging proposals across a 1% growth of the data
(:mod:`eval.theme_stability`).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import time
from pathlib import Path

import numpy as np

from nlp.embeddings import Embedder, default_embedder
from nlp.themes import DEFAULT_THEMES, Taxonomy, assign_themes
from nlp.themes.assign import OFF_TOPIC_MARGIN, TOP_SEEDS

DATA_FILE = Path(__file__).resolve().parent / "data" / "themes_labelled.csv"
NON_ANSWERS_FILE = Path(__file__).resolve().parent / "data" / "non_answers.csv"
OTHER = "other"


def load_labelled(split: str = "all", path: Path = DATA_FILE) -> tuple[list[str], list[str]]:
    """Texts and gold theme ids (``other`` for none) of one split, or of all rows."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if split in ("all", row["split"])]
    return [row["text"] for row in rows], [row["theme"] for row in rows]


def assignment_figures(
    texts: list[str], gold: list[str], taxonomy: Taxonomy = DEFAULT_THEMES,
    embedder: Embedder | None = None, threshold: float | None = None, top_seeds: int = TOP_SEEDS,
    vectors: np.ndarray | None = None, off_topic_margin: float | None = OFF_TOPIC_MARGIN,
) -> dict[str, float]:
    """Accuracy (``other`` = unassigned counts as a class), accuracy on in-taxonomy sentences,
    and precision/recall of the "fits no theme" decision."""
    embedder = embedder or default_embedder()
    vectors = embedder.embed(texts) if vectors is None else vectors
    assignment = assign_themes(vectors, taxonomy, embedder, threshold=threshold,
                               top_seeds=top_seeds, off_topic_margin=off_topic_margin)
    predicted = np.array([theme or OTHER for theme in assignment.theme_ids])
    truth = np.array(gold)
    seeded = truth != OTHER
    flagged_other = predicted == OTHER
    return {
        "n": float(len(texts)),
        "accuracy": float((predicted == truth).mean()),
        "accuracy_seeded": float((predicted[seeded] == truth[seeded]).mean()),
        "top1_seeded_ignoring_threshold": float(
            (np.array(assignment.best_ids)[seeded] == truth[seeded]).mean()),
        "other_precision": float((truth[flagged_other] == OTHER).mean()) if flagged_other.any() else 0.0,
        "other_recall": float((predicted[~seeded] == OTHER).mean()) if (~seeded).any() else 0.0,
    }


def leave_one_theme_out(
    texts: list[str], gold: list[str], taxonomy: Taxonomy = DEFAULT_THEMES,
    embedder: Embedder | None = None, vectors: np.ndarray | None = None, **options: object,
) -> dict[str, float]:
    """Leave each theme out in turn: the share of its sentences left unassigned (not absorbed by
    another theme), and accuracy over all sentences with the left-out theme's gold set to ``other``;
    both averaged over themes."""
    embedder = embedder or default_embedder()
    vectors = embedder.embed(texts) if vectors is None else vectors
    truth = np.array(gold)
    unassigned, accuracy = [], []
    for theme in taxonomy.active:
        held = truth == theme.id
        if not held.any():
            continue
        reduced = Taxonomy(tuple(t for t in taxonomy.themes if t.id != theme.id), taxonomy.threshold)
        assignment = assign_themes(vectors, reduced, embedder, **options)  # type: ignore[arg-type]
        predicted = np.array([t or OTHER for t in assignment.theme_ids])
        unassigned.append(float((predicted[held] == OTHER).mean()))
        accuracy.append(float((predicted == np.where(held, OTHER, truth)).mean()))
    return {"left_out_unassigned": float(np.mean(unassigned)), "left_out_accuracy": float(np.mean(accuracy))}


def non_answer_figures(split: str = "test", path: Path = NON_ANSWERS_FILE) -> dict[str, float]:
    """Precision, recall and accuracy of :func:`nlp.themes.nonanswers.is_non_answer` on a split."""
    from nlp.themes.nonanswers import is_non_answer

    with open(path, encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if split in ("all", row["split"])]
    truth = np.array([row["is_non_answer"].strip().lower() == "true" for row in rows])
    predicted = np.array([is_non_answer(row["text"]) for row in rows])
    hits = int((truth & predicted).sum())
    return {"n": float(len(rows)), "non_answers": float(truth.sum()),
            "precision": hits / max(int(predicted.sum()), 1), "recall": hits / max(int(truth.sum()), 1),
            "accuracy": float((truth == predicted).mean())}


def _sweep(embedder: Embedder) -> dict[str, dict[str, float]]:
    """Accuracy and leave-one-theme-out accuracy on dev over top seeds, threshold and margin."""
    texts, gold = load_labelled("dev")
    vectors = embedder.embed(texts)
    results = {}
    for top_seeds, threshold, margin in itertools.product(
            (3, 5, 8, 12), np.arange(0.2, 0.401, 0.02), (None, -0.02, 0.0, 0.03, 0.07)):
        options = {"threshold": float(threshold), "top_seeds": top_seeds, "off_topic_margin": margin}
        figures = assignment_figures(texts, gold, embedder=embedder, vectors=vectors, **options)
        figures.update(leave_one_theme_out(texts, gold, embedder=embedder, vectors=vectors, **options))
        results[f"dev@{top_seeds}/{threshold:.3f}/{margin}"] = figures
        print(f"dev top seeds {top_seeds:2d} threshold {threshold:.2f} off-topic margin {margin}: accuracy "
              f"{figures['accuracy']:.3f}  seeded {figures['accuracy_seeded']:.3f}  other P/R "
              f"{figures['other_precision']:.2f}/{figures['other_recall']:.2f}  left out: unassigned "
              f"{figures['left_out_unassigned']:.3f} accuracy {figures['left_out_accuracy']:.3f}  mean "
              f"{(figures['accuracy'] + figures['left_out_accuracy']) / 2:.4f}")
    return results


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Print the figures for the requested split; with ``--sweep`` a threshold sweep on dev."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("dev", "test", "all"))
    parser.add_argument("--sweep", action="store_true", help="threshold sweep on the dev split")
    parser.add_argument("--quality", action="store_true",
                        help="also names, quotes and stability on the public clustering sets")
    parser.add_argument("--non-answers", nargs="?", const=str(NON_ANSWERS_FILE), default=None,
                        metavar="CSV", help="also score the non-answer filter "
                        "(default eval/data/non_answers.csv)")
    parser.add_argument("--data-dir", default=None, help="public data directory for --quality")
    parser.add_argument("--stability", action="store_true",
                        help="also proposal stability after adding 1%% new data (eval.theme_stability)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    embedder = default_embedder()
    results: dict[str, dict[str, float]] = {}
    if args.sweep:
        return _sweep(embedder)
    started = time.perf_counter()
    texts, gold = load_labelled(args.split)
    vectors = embedder.embed(texts)
    figures = assignment_figures(texts, gold, embedder=embedder, vectors=vectors)
    figures.update(leave_one_theme_out(texts, gold, embedder=embedder, vectors=vectors))
    results[args.split] = figures
    print(f"Seeded-theme assignment, {DATA_FILE.name} split={args.split} ({len(texts)} sentences, "
          f"{len(set(gold)) - 1} themes + other), embedder {embedder.name}, "
          f"threshold {DEFAULT_THEMES.threshold}, top seeds {TOP_SEEDS}, "
          f"off-topic margin {OFF_TOPIC_MARGIN}:")
    for key, value in figures.items():
        print(f"  {key:32s} {value:.3f}")
    print(f"  wall time {time.perf_counter() - started:.1f} s")
    if args.non_answers:
        figures = non_answer_figures(args.split, Path(args.non_answers))
        results["non_answers"] = figures
        print(f"Non-answers, {Path(args.non_answers).name} split={args.split} ({figures['n']:.0f} answers, "
              f"{figures['non_answers']:.0f} non-answers): precision {figures['precision']:.3f}, "
              f"recall {figures['recall']:.3f}, accuracy {figures['accuracy']:.3f}")
    if args.quality:
        from eval.clustering import DEFAULT_DATA_DIR
        from eval.theme_quality import quality_figures

        part = "dev" if args.split == "dev" else "heldout"
        quality = quality_figures(Path(args.data_dir or DEFAULT_DATA_DIR), part, verbose=True)
        results.update(quality)
    if args.stability:
        from eval.theme_stability import stability_figures

        results.update(stability_figures(args.data_dir))
    return results


if __name__ == "__main__":
    main()
