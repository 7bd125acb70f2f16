"""CPU cost of each step of redaction per answer: patterns, rules, tagger, informal cues, whole.

Run ``python -m eval.redaction_parts [--code DIR] [--repeats 5]``. Texts: the same 1,056 answers as
``bench/redaction.py`` (``eval/data/redaction.jsonl`` and ``eval/data/redaction_informal.jsonl``, all
rows). Each step runs on one answer at a time, best of ``--repeats`` runs, after a warm-up pass; the
clock is the process's CPU time (``time.process_time``), so other processes on a shared machine
disturb it less than wall time. The steps are the internal functions that
:func:`nlp.redaction.names.find_names` calls (private names, read only here): a change of their
signatures must be followed here. ``--code DIR`` imports ``nlp`` from another checkout (for example
``/work/main``) so that two versions are compared on the same texts. Where the rules and the tagger
share one tokenisation (as :func:`~nlp.redaction.names.find_names` makes it), it is timed as a step
of its own and the two are timed from ready tokens; an older checkout is timed as it was.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from eval.redaction_cost import BENCH_DATA, bench_texts, best_of

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def cpu_microseconds(step: Callable[[str], object], texts: list[str], repeats: int = 5) -> dict[str, float]:
    """Median and mean over ``texts`` of the best-of-``repeats`` CPU microseconds of ``step(text)``."""
    best = [seconds * 1e6 for seconds in best_of(step, texts, repeats, time.process_time)]
    return {"median_us": round(statistics.median(best), 1), "mean_us": round(statistics.fmean(best), 1)}


def steps() -> dict[str, Callable[[str], object]]:
    """The measured steps, imported from whichever ``nlp`` is first on ``sys.path``."""
    import inspect

    from nlp.redaction import features, names, patterns, redact_personal_data, tagger

    model, lexicons = tagger.tagger_model(), tagger.lexicons()
    if "tokens" not in inspect.signature(names.rule_names).parameters:  # before one shared tokenisation
        return {
            "patterns": patterns.pattern_spans,
            "rules": lambda text: names.rule_names(text, []),
            "tagger": lambda text: tagger.scored_tokens(text, lexicons, model),
            "informal cues": lambda text: names._informal_names(text, []),
            "whole redaction": redact_personal_data,
        }
    tokens = functools.lru_cache(maxsize=None)(features.tokenize)  # made once, as find_names does
    return {
        "patterns": patterns.pattern_spans,
        "tokenising": features.tokenize,
        "rules": lambda text: names.rule_names(text, [], tokens(text)),
        "tagger": lambda text: tagger.scored_tokens(text, lexicons, model, tokens(text)),
        "informal cues": lambda text: names._informal_names(text, []),
        "whole redaction": redact_personal_data,
    }


def main(argv: list[str] | None = None) -> None:
    """Print the CPU microseconds per answer of each step and the data they came from."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1],
                        help="checkout whose nlp package is measured")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.code.resolve()))
    texts = bench_texts()
    measured = steps()
    for text in texts:
        measured["whole redaction"](text)
    print(f"code: {args.code.resolve()}; texts: {len(texts)} from " + ", ".join(p.name for p in BENCH_DATA)
          + f"; CPU time, best of {args.repeats} runs each, one at a time, one process")
    for name, step in measured.items():
        figures = cpu_microseconds(step, texts, args.repeats)
        print(f"  {name:<16} median {figures['median_us']:>6} us  mean {figures['mean_us']:>6} us per answer")


if __name__ == "__main__":
    main()
