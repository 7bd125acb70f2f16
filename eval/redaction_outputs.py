"""Exact redaction outputs on every text we hold: the guard for a change meant to be faster, not different.

Run ``python -m eval.redaction_outputs --write FILE`` on the code before a change and
``python -m eval.redaction_outputs --compare FILE`` after it: the second prints every text whose spans
changed (none may, for a speed-up) and exits non-zero if any did. The texts: every ``eval/data``
JSONL set, WNUT-17 and the Broad Twitter Corpus (all splits found under the data root,
:mod:`eval.conll`), 3,000 ``bench/submit.py`` partners' answers and 3,000 demo responses
(``survey.demo.corpus``); about 39,000 texts, redacted two at a time as a submission's answers are.
The output file holds the texts (personal data in the public sets): keep it in a temp folder.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent


def texts() -> list[str]:
    """Every text the guard redacts, in a fixed order."""
    from eval.conll import load_set
    from survey.demo.corpus import generate_feedback

    sys.path.insert(0, str(ROOT / "bench"))
    from submit import _answers  # bench/submit.py's partner answers

    found: list[str] = []
    for path in sorted((ROOT / "eval" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if isinstance(row.get("text"), str):
                found.append(row["text"])
    for name in ("wnut17", "btc"):
        for split in ("train", "dev", "test"):
            try:
                found += [example["text"] for example in load_set(name, split)]
            except (OSError, KeyError) as error:
                print(f"skipped {name} {split}: {error}", file=sys.stderr)
    rng = random.Random(3)
    for _ in range(3000):
        marker = "".join(rng.choice(string.ascii_lowercase) for _ in range(10))
        answers = _answers("rapport", ["q1", "q2", "q3", "q4", "q5"], rng, marker)
        found += [answers[name] for name in ("q1", "q4") if name in answers]
    for item in generate_feedback(3000, seed=4, waves=["A", "B"], departments=["Finance", "HR"]):
        found += [text for text in item.answers.values() if text]
    return found


def outputs(all_texts: list[str]) -> list[str]:
    """One JSON line per text: the text and its spans (start, end, label)."""
    from nlp.redaction import find_personal_data_many

    lines = []
    for start in range(0, len(all_texts), 2):
        batch = all_texts[start:start + 2]
        for text, spans in zip(batch, find_personal_data_many(batch), strict=True):
            lines.append(json.dumps([text, [(s.start, s.end, s.label) for s in spans]]))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, help="write the outputs of this code to this file")
    action.add_argument("--compare", type=Path, help="compare this code's outputs with this file")
    args = parser.parse_args(argv)
    lines = outputs(texts())
    if args.write:
        args.write.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines):,} texts written to {args.write}")
        return
    before = args.compare.read_text(encoding="utf-8").splitlines()
    changed = [(old, new) for old, new in zip(before, lines, strict=False) if old != new]
    for old, new in changed[:20]:
        print(f"was {old}\nnow {new}")
    print(f"{len(lines):,} texts ({len(before):,} before), {len(changed)} with other spans")
    if changed or len(before) != len(lines):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
