"""Recall, precision and speed of personal-data redaction on labelled feedback and informal text.

Run ``python -m eval.redaction [PATH]``. The data (``eval/data/redaction.jsonl``) holds IT-partner
feedback sentences with the character spans of their personal data; the ``dev`` split was used
while writing the rules, the ``test`` split is reported as the held-out figure. It then scores
person spans on the informal feedback sets (same format): ``eval/data/redaction_informal.jsonl``
and ``eval/data/redaction_informal_dev2.jsonl`` are dev (all their rows: their test totals were
printed while tuning), ``eval/data/redaction_informal_test3.jsonl`` is the held-out test set, the
third fresh set, written by someone who had seen no model output on it; and on the public sets
WNUT-17 and the Broad Twitter Corpus (:mod:`eval.conll`):
tuned on their train and dev splits, reported on test. ``--dev-only`` prints no test figure.

Recall is the share of gold spans whose every non-space character lies inside a replaced span;
precision is the share of replaced spans that overlap a gold span (per label: a gold span of that
label).
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from eval.redaction_cost import best_of_timings, ner_share, summary
from nlp.redaction import LABELS, Redaction, find_personal_data_many

DEFAULT_DATA = Path(__file__).parent / "data" / "redaction.jsonl"
INFORMAL_DATA = Path(__file__).parent / "data" / "redaction_informal.jsonl"
#: The second informal set, the held-out test set until its figure was read in two tuning sessions: dev now.
INFORMAL_DEV2 = Path(__file__).parent / "data" / "redaction_informal_dev2.jsonl"
#: The held-out informal test set: the third fresh set, written blind on 2026-12-07 (eval/README.md).
INFORMAL_TEST = Path(__file__).parent / "data" / "redaction_informal_test3.jsonl"
QUASI_DATA = Path(__file__).parent / "data" / "quasi_identifiers.jsonl"
#: Person-span sets scored by :func:`evaluate_person_sets`: name -> splits reported.
PUBLIC_SETS = {"wnut17": ("dev", "test"), "btc": ("dev", "test")}
#: Splits the shipped tagger was trained on (:mod:`eval.redaction_model`): printed, but not held out.
TRAINED_ON = frozenset(("wnut17 dev",))


def load_examples(path: Path = DEFAULT_DATA) -> list[dict]:
    """Read the labelled examples (``text``, ``spans``, ``split``) from a JSON-lines file."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _covered(text: str, gold: dict, found: list[Redaction]) -> bool:
    return all(
        any(span.start <= position < span.end for span in found)
        for position in range(gold["start"], gold["end"]) if not text[position].isspace()
    )


def _overlapping(span: Redaction, golds: list[dict], label: str | None = None) -> bool:
    return any(gold["start"] < span.end and span.start < gold["end"] and label in (None, gold["label"])
               for gold in golds)


def score_split(examples: list[dict]) -> dict:
    """Span recall and precision, overall and per label, for one list of examples."""
    found_all = find_personal_data_many([example["text"] for example in examples])
    gold_count, hit_count, found_count, right_count = Counter(), Counter(), Counter(), Counter()
    for example, found in zip(examples, found_all, strict=True):
        ignored = example.get("ignore", ())  # spans scored by neither side (handles, see eval.conll)
        found = [span for span in found if not any(s < span.end and span.start < e for s, e in ignored)]
        for gold in example["spans"]:
            gold_count[gold["label"]] += 1
            hit_count[gold["label"]] += _covered(example["text"], gold, found)
        for span in found:
            found_count[span.label] += 1
            right_count[span.label] += _overlapping(span, example["spans"], span.label)
            right_count["_any"] += _overlapping(span, example["spans"])
    figures = {"examples": len(examples), "gold_spans": sum(gold_count.values()),
               "recall": _ratio(sum(hit_count.values()), sum(gold_count.values())),
               "precision": _ratio(right_count["_any"], sum(found_count.values())), "labels": {}}
    for label in dict.fromkeys((*LABELS, *gold_count)):
        figures["labels"][label] = {
            "gold": gold_count[label], "found": found_count[label],
            "recall": _ratio(hit_count[label], gold_count[label]),
            "precision": _ratio(right_count[label], found_count[label]),
        }
    return figures


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def time_redaction(examples: list[dict], repeats: int = 5) -> dict:
    """Milliseconds per comment of ``redact_personal_data`` (best of ``repeats``), with and without names.

    Reports the mean and median per group (:func:`eval.redaction_cost.best_of_timings`, the same
    measure as ``bench/redaction.py``): the median shows the fast path (patterns and rules only),
    the mean includes the comments whose candidate sentences go through spaCy's NER.
    """
    timings: dict = {}
    for group, wants_name in (("with_names", True), ("without_names", False)):
        texts = [example["text"] for example in examples
                 if any(span["label"] == "NAME" for span in example["spans"]) == wants_name]
        timings[group] = {"comments": len(texts), **summary(best_of_timings(texts, repeats)),
                          "ner_share": round(ner_share(texts), 3)}
    return timings


def evaluate_redaction(path: Path = DEFAULT_DATA) -> dict:
    """All redaction figures as a dict: ``{"dev": ..., "test": ..., "timing": ..., "data": path}``."""
    examples = load_examples(path)
    figures: dict = {"data": str(path)}
    for split in ("dev", "test"):
        figures[split] = score_split([example for example in examples if example["split"] == split])
    figures["timing"] = time_redaction(examples)
    return figures


def informal_splits(informal: Path = INFORMAL_DATA, test: Path | None = INFORMAL_TEST,
                    more_dev: tuple[Path, ...] = (INFORMAL_DEV2,)) -> dict[str, list[dict]]:
    """The informal sets by split: every row of ``informal`` and of ``more_dev`` is dev (their old
    ``test`` rows were scored while tuning), every row of ``test`` (written blind, see
    eval/README.md) is test."""
    splits = {"dev": [example for path in (informal, *more_dev) if path.exists()
                      for example in load_examples(path)]}
    if test is not None and test.exists():
        splits["test"] = load_examples(test)
    return splits


def evaluate_person_sets(informal: Path = INFORMAL_DATA, test: Path | None = INFORMAL_TEST) -> dict:
    """Person-span figures (``NAME`` recall and precision) per informal set and split (no test split
    when ``test`` is None)."""
    from eval.conll import load_set

    figures: dict = {}
    for split, chosen in informal_splits(informal, test).items():
        if chosen:
            labels = score_split(chosen)["labels"]
            figures[f"informal {split}"] = labels["NAME"]
            if labels.get("TICKET", {}).get("gold"):
                figures[f"informal {split} tickets"] = labels["TICKET"]
    wanted = ("dev",) if test is None else ("dev", "test")
    for name, splits in PUBLIC_SETS.items():
        for split in (split for split in splits if split in wanted):
            try:
                examples = load_set(name, split)
            except FileNotFoundError as missing:
                figures[f"{name} {split}"] = {"missing": str(missing.filename)}
                continue
            figures[f"{name} {split}"] = score_split(examples)["labels"]["NAME"]
    return figures


def person_errors(examples: list[dict]) -> list[dict]:
    """Per example with an error: the gold ``NAME`` spans missed and the ``NAME`` spans found outside
    any gold.

    For reading the dev splits (``--show-dev-errors``); handles in ``ignore`` count on neither side."""
    errors = []
    for example, found in zip(examples, find_personal_data_many([e["text"] for e in examples]), strict=True):
        text, ignored = example["text"], example.get("ignore", ())
        names = [span for span in found if span.label == "NAME"
                 and not any(start < span.end and span.start < end for start, end in ignored)]
        golds = [gold for gold in example["spans"] if gold["label"] == "NAME"]
        missed = [text[gold["start"]:gold["end"]] for gold in golds if not _covered(text, gold, names)]
        false = [text[span.start:span.end] for span in names if not _overlapping(span, golds)]
        if missed or false:
            errors.append({"text": text, "missed": missed, "false": false})
    return errors


def _print_dev_errors(informal: Path) -> None:
    from eval.conll import load_set

    sets = {"informal": informal_splits(informal, None)["dev"],
            "wnut17": load_set("wnut17", "dev"), "btc": load_set("btc", "dev")}
    for name, examples in sets.items():
        print(f"Errors on {name} dev (missed / false):")
        for error in person_errors(examples):
            print(f"  missed {error['missed']}  false {error['false']}  in {error['text'][:160]!r}")


def evaluate_quasi_identifiers(path: Path = QUASI_DATA) -> dict:
    """Quasi-identifier figures of the self-identification warning per split (see eval.quasi_identifiers)."""
    from eval.quasi_identifiers import load_examples as load_quasi
    from eval.quasi_identifiers import score

    examples = load_quasi(path)
    return {split: score([example for example in examples if example["split"] == split])
            for split in ("dev", "test")}


def _print_data(informal: Path, test: Path) -> None:
    from eval.conll import FILES, data_root

    root = data_root()
    public = ", ".join(f"{name} {split} {FILES[name, split]}" for name, splits in PUBLIC_SETS.items()
                       for split in splits)
    fresh = ", the third fresh set, written blind" if test.resolve() == INFORMAL_TEST.resolve() else ""
    print(f"Data: informal feedback sets {informal} and {INFORMAL_DEV2} (dev) and {test} (test{fresh}); "
          f"public person sets under "
          f"{root}: {public}; quasi-identifiers {QUASI_DATA}")


def _print_quasi_identifiers(figures: dict) -> None:
    print("Quasi-identifiers (self-identification warning; overlap recall and precision):")
    for split, row in figures.items():
        print(f"  {split:<5} gold {row['gold']:>4}  found {row['found']:>4}  recall {row['recall']}  "
              f"precision {row['precision']}")


def _print_person_sets(figures: dict) -> None:
    print("Person spans (NAME; tickets where marked) on informal text:")
    for name, row in figures.items():
        if "missing" in row:
            print(f"  {name:<14} data not found: {row['missing']}")
            continue
        print(f"  {name:<14} gold {row['gold']:>4}  found {row['found']:>4}  "
              f"recall {row['recall']}  precision {row['precision']}"
              + ("  (the tagger is trained on this split)" if name in TRAINED_ON else ""))


def _print_figures(figures: dict) -> None:
    print(f"Redaction on {figures['data']}")
    for split in ("dev", "test"):
        block = figures[split]
        print(f"{split}: {block['examples']} sentences, {block['gold_spans']} personal-data spans: "
              f"recall {block['recall']}, precision {block['precision']}")
        for label, row in block["labels"].items():
            print(f"  {label:<7} gold {row['gold']:>3}  found {row['found']:>3}  "
                  f"recall {row['recall']}  precision {row['precision']}")
    for group, row in figures["timing"].items():
        print(f"timing {group.replace('_', ' ')} ({row['comments']} comments, one at a time, one process): "
              f"mean {row['mean_ms']} ms, median {row['median_ms']} ms, p99 {row['p99_ms']} ms per comment; "
              f"share sent to spaCy NER {row['ner_share']}")


def main(argv: list[str] | None = None) -> None:
    """Print the redaction figures for the data file given (default: the shipped set)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--informal", type=Path, default=INFORMAL_DATA,
                        help="the informal feedback set (JSON lines, same format as PATH)")
    parser.add_argument("--informal-test", type=Path, default=INFORMAL_TEST,
                        help="the held-out informal test set (JSON lines, same format)")
    parser.add_argument("--dev-only", action="store_true",
                        help="score only the person-span DEV splits (for tuning: prints no test figure)")
    parser.add_argument("--persons-only", action="store_true",
                        help="score only the person-span sets (informal, WNUT-17, BTC)")
    parser.add_argument("--show-dev-errors", action="store_true",
                        help="list the person-name misses and false alarms of the DEV splits, then stop")
    args = parser.parse_args(argv)
    if args.show_dev_errors:
        _print_dev_errors(args.informal)
        return
    if args.dev_only:
        _print_person_sets(evaluate_person_sets(args.informal, None))
        return
    if not args.persons_only:
        _print_figures(evaluate_redaction(args.path))
    _print_data(args.informal, args.informal_test)
    _print_person_sets(evaluate_person_sets(args.informal, args.informal_test))
    if not args.persons_only:
        _print_quasi_identifiers(evaluate_quasi_identifiers())


if __name__ == "__main__":
    main()
