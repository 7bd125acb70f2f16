"""Evaluate siloing-language detection on the labelled set: span precision/recall, stance, speed.

Run ``.venv/bin/python -m eval.silo [PATH] [--show-dev-errors]``. A predicted flag is correct
when it overlaps a gold span of the same category; a gold span is found when a predicted flag of
its category overlaps it. Tune on ``dev`` only; ``test`` is reported, never tuned on.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from nlp.silo import Lexicon, SiloFlag, default_lexicon, find_silo_language

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "silo_labelled.jsonl"
#: Ordinary partner feedback (the themes set) for a second throughput figure; skipped if absent.
FEEDBACK_CORPUS = Path(__file__).resolve().parent / "data" / "themes_labelled.csv"
SPLITS = ("dev", "test")


def load_labelled(path: str | Path = DEFAULT_DATA) -> list[dict[str, Any]]:
    """Read the labelled JSONL set.

    Each line: ``text``, ``flags`` (``start``, ``end``, ``category``, optional per-flag ``stance``),
    optional ``stance`` for all its flags, and ``split`` (``dev`` or ``test``).
    """
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _overlaps(flag: SiloFlag, gold: dict[str, Any]) -> bool:
    return flag.category == gold["category"] and flag.start < gold["end"] and gold["start"] < flag.end


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def score_split(rows: list[dict[str, Any]], predictions: list[list[SiloFlag]]) -> dict[str, Any]:
    """Return precision, recall, per-category figures and stance accuracy for one split."""
    counts: dict[str, Counter] = {name: Counter() for name in ("tp_pred", "pred", "found", "gold")}
    stance_right = stance_total = 0
    for row, flags in zip(rows, predictions, strict=True):
        for flag in flags:
            counts["pred"][flag.category] += 1
            counts["tp_pred"][flag.category] += any(_overlaps(flag, gold) for gold in row["flags"])
        for gold in row["flags"]:
            counts["gold"][gold["category"]] += 1
            matching = [flag for flag in flags if _overlaps(flag, gold)]
            counts["found"][gold["category"]] += bool(matching)
            expected = gold.get("stance", row.get("stance"))
            if matching and expected:
                stance_total += 1
                stance_right += matching[0].stance == expected
    categories = sorted(set(counts["pred"]) | set(counts["gold"]))
    return {
        "texts": len(rows),
        "gold_spans": sum(counts["gold"].values()),
        "predicted_flags": sum(counts["pred"].values()),
        "precision": _ratio(sum(counts["tp_pred"].values()), sum(counts["pred"].values())),
        "recall": _ratio(sum(counts["found"].values()), sum(counts["gold"].values())),
        "stance_accuracy": _ratio(stance_right, stance_total),
        "stance_labelled": stance_total,
        "per_category": {
            category: {
                "precision": _ratio(counts["tp_pred"][category], counts["pred"][category]),
                "recall": _ratio(counts["found"][category], counts["gold"][category]),
                "gold": counts["gold"][category],
                "predicted": counts["pred"][category],
            }
            for category in categories
        },
    }


def evaluate_silo(path: str | Path = DEFAULT_DATA, lexicon: Lexicon | None = None) -> dict[str, Any]:
    """Return every figure of the siloing-language evaluation as a dict.

    Keys: ``data``, ``lexicon_version``, ``dev`` and ``test`` (see :func:`score_split`),
    ``throughput_texts_per_s`` (warm pipeline, all labelled texts in one batch),
    ``feedback_throughput_texts_per_s`` (the same on ordinary feedback, ``None`` if absent) and
    ``_predictions`` (the flags per labelled text, for error listings).
    """
    lexicon = lexicon or default_lexicon()
    rows = load_labelled(path)
    texts = [row["text"] for row in rows]
    find_silo_language(texts[:8], lexicon)  # warm-up: load the pipeline, compile the matcher
    started = time.perf_counter()
    predictions = find_silo_language(texts, lexicon)
    elapsed = time.perf_counter() - started
    result: dict[str, Any] = {"data": str(path), "lexicon_version": lexicon.version}
    for split in SPLITS:
        chosen = [index for index, row in enumerate(rows) if row["split"] == split]
        result[split] = score_split([rows[i] for i in chosen], [predictions[i] for i in chosen])
    result["throughput_texts_per_s"] = round(len(texts) / elapsed, 1)
    result["feedback_throughput_texts_per_s"] = _feedback_throughput(FEEDBACK_CORPUS, lexicon)
    result["_predictions"] = predictions
    return result


def _feedback_throughput(path: Path, lexicon: Lexicon) -> float | None:
    """Texts per second on ordinary feedback, where few sentences contain a candidate phrase."""
    if not path.exists():
        return None
    with open(path, encoding="utf-8", newline="") as rows:
        texts = [row["text"] for row in csv.DictReader(rows)]
    started = time.perf_counter()
    find_silo_language(texts, lexicon)
    return round(len(texts) / (time.perf_counter() - started), 1)


def dev_errors(path: str | Path, predictions: list[list[SiloFlag]]) -> Iterable[str]:
    """Describe false positives, misses and stance errors on the dev split only."""
    for row, flags in zip(load_labelled(path), predictions, strict=True):
        if row["split"] != "dev":
            continue
        for flag in flags:
            if not any(_overlaps(flag, gold) for gold in row["flags"]):
                yield f"FP   {flag.category:18} {flag.text!r:28} | {row['text']}"
            else:
                expected = _expected_stance(row, flag)
                if expected and flag.stance != expected:
                    yield f"STANCE {flag.stance} != {expected} {flag.text!r} | {row['text']}"
        for gold in row["flags"]:
            if not any(_overlaps(flag, gold) for flag in flags):
                span = row["text"][gold["start"] : gold["end"]]
                yield f"MISS {gold['category']:18} {span!r:28} | {row['text']}"


def _expected_stance(row: dict[str, Any], flag: SiloFlag) -> str | None:
    for gold in row["flags"]:
        if _overlaps(flag, gold):
            return gold.get("stance", row.get("stance"))
    return None


def _print_report(result: dict[str, Any]) -> None:
    print(f"Siloing language: {result['data']} (lexicon {result['lexicon_version']})")
    for split in SPLITS:
        figures = result[split]
        print(
            f"{split:5} texts={figures['texts']} gold={figures['gold_spans']} "
            f"predicted={figures['predicted_flags']} precision={figures['precision']} "
            f"recall={figures['recall']} stance_accuracy={figures['stance_accuracy']} "
            f"(n={figures['stance_labelled']})"
        )
        for category, scores in figures["per_category"].items():
            print(
                f"      {category:18} precision={scores['precision']} recall={scores['recall']} "
                f"gold={scores['gold']} predicted={scores['predicted']}"
            )
    print(f"throughput: {result['throughput_texts_per_s']} texts/s on the labelled set, "
          f"{result['feedback_throughput_texts_per_s']} texts/s on {FEEDBACK_CORPUS.name} "
          "(warm, one batch, 1 process)")


def main(argv: list[str] | None = None) -> None:
    """Command line entry point: print the figures (and dev errors on request)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=DEFAULT_DATA, help="labelled JSONL set")
    parser.add_argument("--show-dev-errors", action="store_true", help="list dev-split errors")
    args = parser.parse_args(argv)
    result = evaluate_silo(args.path)
    _print_report(result)
    if args.show_dev_errors:
        for line in dev_errors(args.path, result["_predictions"]):
            print(line)


if __name__ == "__main__":
    main()
