"""Per-answer cost of redaction: median, p99 and mean milliseconds of ``redact_personal_data``.

Usage: .venv/bin/python bench/redaction.py [--code DIR] [--repeats 5]

Texts: every line of ``eval/data/redaction.jsonl`` (IT-partner feedback, 185) and
``eval/data/redaction_informal.jsonl`` (informal feedback, 871), all splits: typical partner
answers, with and without names. Each text is redacted ``--repeats`` times, one at a time in one
process after a warm-up over all texts (models and word lists loaded), and its best run is kept;
the figures are over texts. It also prints the share of texts whose redaction runs spaCy's NER
(the costly step; lower is better for the submit budget). The measuring code is
:mod:`eval.redaction_cost`, which ``python -m eval.redaction`` uses too. ``--code DIR`` imports
``nlp`` from another checkout (for example ``/work/main``) so that two versions are measured on the
same texts in the same way.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.redaction_cost import (  # noqa: E402  (imports nlp lazily)
    BENCH_DATA,
    bench_texts,
    best_of_timings,
    ner_share,
    summary,
)


def main() -> None:
    """Print the figures and the data they came from."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose nlp package is measured")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    texts = bench_texts()
    figures = summary(best_of_timings(texts, args.repeats))
    print(f"code: {args.code.resolve()}; texts: {len(texts)} from " + ", ".join(p.name for p in BENCH_DATA)
          + f"; best of {args.repeats} runs each, one at a time, one process")
    print(f"redact_personal_data per answer: median {figures['median_ms']:.3f} ms, "
          f"p99 {figures['p99_ms']:.3f} ms, mean {figures['mean_ms']:.3f} ms, max {figures['max_ms']:.3f} ms")
    print(f"answers sent to spaCy NER: {ner_share(texts):.3f} of {len(texts)}")


if __name__ == "__main__":
    main()
