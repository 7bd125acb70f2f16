"""How well the partner form's self-identification warning finds quasi-identifiers.

Run ``python -m eval.quasi_identifiers [PATH]``. The data (``eval/data/quasi_identifiers.jsonl``,
described in ``eval/data/README.md``) holds feedback sentences with spans of kind ``role``,
``unique_group``, ``date_event``, ``small_project`` and ``contact``; the ``dev`` split was used while
writing the rules, ``test`` is the held-out figure. A gold span counts as found when a finding
overlaps it (the warning points at a phrase; exact boundaries do not matter to the partner); a
finding counts as right when it overlaps a gold span. Records without spans are the traps:
the share of them that raise no warning is reported too.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from nlp.quasi_identifiers import find_quasi_identifiers

DEFAULT_DATA = Path(__file__).parent / "data" / "quasi_identifiers.jsonl"
#: Detector kind -> the data set's kind.
KIND_MAP = {"role": "role", "unique": "unique_group", "team": "unique_group", "date": "date_event",
            "event": "date_event", "project": "small_project", "contact": "contact", "place": "unique_group"}


def load_examples(path: Path = DEFAULT_DATA) -> list[dict]:
    """The labelled records (``text``, ``spans``, ``split``)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(examples: list[dict]) -> dict:
    """Overlap recall and precision, recall per gold kind, and the quiet share of span-less records."""
    gold, hit, found, right = Counter(), Counter(), 0, 0
    quiet = empty = 0
    for example in examples:
        findings = find_quasi_identifiers(example["text"])
        for span in example["spans"]:
            gold[span["kind"]] += 1
            hit[span["kind"]] += any(f.start < span["end"] and span["start"] < f.end for f in findings)
        found += len(findings)
        right += sum(any(f.start < s["end"] and s["start"] < f.end for s in example["spans"])
                     for f in findings)
        if not example["spans"]:
            empty += 1
            quiet += not findings
    return {"records": len(examples), "gold": sum(gold.values()), "found": found,
            "recall": _ratio(sum(hit.values()), sum(gold.values())), "precision": _ratio(right, found),
            "quiet_on_traps": _ratio(quiet, empty),
            "kinds": {kind: _ratio(hit[kind], gold[kind]) for kind in sorted(gold)}}


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def main(argv: list[str] | None = None) -> None:
    """Print the figures per split, and the time per check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_DATA)
    examples = load_examples(parser.parse_args(argv).path)
    for split in ("dev", "test"):
        row = score([example for example in examples if example["split"] == split])
        print(f"{split}: {row['records']} records, {row['gold']} spans, {row['found']} findings: "
              f"recall {row['recall']}, precision {row['precision']}, "
              f"no warning on {row['quiet_on_traps']} of the records without one")
        print("  recall by kind: " + ", ".join(f"{kind} {value}" for kind, value in row["kinds"].items()))
    started = time.perf_counter()
    for example in examples:
        find_quasi_identifiers(example["text"])
    elapsed = (time.perf_counter() - started) * 1000 / max(len(examples), 1)
    print(f"time: {elapsed:.3f} ms per record ({len(examples)} records, one process)")


if __name__ == "__main__":
    main()
