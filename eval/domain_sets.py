"""Counts and seeded samples of the hand-written domain evaluation and training sets.

Run ``python -m eval.domain_sets``. It prints, for each set described in ``eval/data/README.md``,
its size per split and per label, shape, voice or kind, the person-span figures of the informal
redaction sets, and five seeded random rows (none of the held-out redaction test set).
``tests/test_domain_sets.py`` uses the loaders and :func:`text_key` to validate the files.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDACTION_INFORMAL = ROOT / "eval" / "data" / "redaction_informal.jsonl"
#: The second informal set: the held-out test set until its figure was read while tuning, dev now.
REDACTION_INFORMAL_DEV2 = ROOT / "eval" / "data" / "redaction_informal_dev2.jsonl"
#: The held-out informal test set, the third fresh one, written blind (eval/README.md).
REDACTION_INFORMAL_TEST3 = ROOT / "eval" / "data" / "redaction_informal_test3.jsonl"
QUASI_IDENTIFIERS = ROOT / "eval" / "data" / "quasi_identifiers.jsonl"
NON_ANSWERS = ROOT / "eval" / "data" / "non_answers.csv"
SENTIMENT_HARD = ROOT / "nlp" / "data" / "sentiment" / "domain_hard.csv"
SENTIMENT_DOMAIN = ROOT / "nlp" / "data" / "sentiment" / "domain_labelled.csv"

SAMPLE_SEED = 20261201


def load_jsonl(path: Path) -> list[dict]:
    """Read one JSON object per non-empty line."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV file with a header row into dicts."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def text_key(text: str) -> str:
    """Comparison key: lower-case words and numbers only, so that case, punctuation and spacing
    variants of one text collide; a text with no word ("-", "?") keys as itself, stripped."""
    words = re.findall(r"[^\W_]+", text.lower())
    return " ".join(words) if words else text.strip()


def _spans(record: dict, field: str) -> list[str]:
    return [span[field] for span in record["spans"]]


def describe_redaction(records: list[dict]) -> dict:
    """Sizes and person-span figures of the informal redaction set."""
    names = [(record["text"][span["start"]:span["end"]], span.get("origin"))
             for record in records for span in record["spans"] if span["label"] == "NAME"]
    without_person = sum("NAME" not in _spans(record, "label") for record in records)
    return {
        "records": len(records),
        "splits": dict(Counter(record["split"] for record in records)),
        "spans": dict(Counter(label for record in records for label in _spans(record, "label"))),
        "records_without_person": without_person,
        "share_without_person": round(without_person / len(records), 3),
        "person_spans": len(names),
        "share_lower_case_start": round(sum(name[:1].islower() for name, _ in names) / len(names), 3),
        "share_non_anglo": round(sum(origin == "non_anglo" for _, origin in names) / len(names), 3),
        "origins": dict(Counter(origin for _, origin in names)),
    }


def describe_sentiment(rows: list[dict[str, str]]) -> dict:
    """Sizes of the hard-shape sentiment set per split, label, shape and voice."""
    return {
        "rows": len(rows),
        "splits": dict(Counter(row["split"] for row in rows)),
        "labels": dict(Counter(row["label"] for row in rows)),
        "voices": dict(Counter(row["voice"] for row in rows)),
        "shapes": {shape: {"rows": count,
                           "labels": dict(Counter(row["label"] for row in rows if row["shape"] == shape)),
                           "splits": dict(Counter(row["split"] for row in rows if row["shape"] == shape))}
                   for shape, count in sorted(Counter(row["shape"] for row in rows).items())},
    }


def describe_non_answers(rows: list[dict[str, str]]) -> dict:
    """Sizes of the non-answer set per split and class."""
    return {"rows": len(rows),
            "splits": dict(Counter(row["split"] for row in rows)),
            "by_split_and_class": {f"{split}/{flag}": count for (split, flag), count in sorted(
                Counter((row["split"], row["is_non_answer"]) for row in rows).items())}}


def describe_quasi_identifiers(records: list[dict]) -> dict:
    """Sizes of the quasi-identifier set per split and span kind."""
    without = sum(not record["spans"] for record in records)
    return {"records": len(records),
            "splits": dict(Counter(record["split"] for record in records)),
            "kinds": dict(Counter(kind for record in records for kind in _spans(record, "kind"))),
            "records_without_identifier": without,
            "share_without_identifier": round(without / len(records), 3)}


def sample(rows: list, count: int = 5, seed: int = SAMPLE_SEED) -> list:
    """``count`` rows drawn with a fixed seed, for reading the data rather than its totals."""
    return random.Random(seed).sample(rows, count)


def main() -> None:
    sets = (
        (REDACTION_INFORMAL, load_jsonl, describe_redaction),
        (REDACTION_INFORMAL_DEV2, load_jsonl, describe_redaction),
        (REDACTION_INFORMAL_TEST3, load_jsonl, describe_redaction),
        (SENTIMENT_HARD, load_csv, describe_sentiment),
        (NON_ANSWERS, load_csv, describe_non_answers),
        (QUASI_IDENTIFIERS, load_jsonl, describe_quasi_identifiers),
    )
    for path, load, describe in sets:
        rows = load(path)
        print(f"== {path.relative_to(ROOT)}")
        for key, value in describe(rows).items():
            if key == "shapes":
                for shape, figures in value.items():
                    print(f"  shape {shape}: {json.dumps(figures)}")
            else:
                print(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
        if path == REDACTION_INFORMAL_TEST3:
            print("-- rows not shown: the held-out redaction test set stays unread while tuning")
            continue
        print(f"-- 5 rows sampled with seed {SAMPLE_SEED}:")
        for row in sample(rows):
            print("  ", json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
