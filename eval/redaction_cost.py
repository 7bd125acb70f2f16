"""Per-answer cost of redaction, shared by ``bench/redaction.py`` and :mod:`eval.redaction`.

Two figures: milliseconds per answer of ``redact_personal_data`` (best of a few runs each, one
answer at a time in one process, after a warm-up) and the share of answers that reach spaCy's NER,
the costly step, which runs only when the rules leave a capitalised word unexplained that the
tagger is unsure of. ``nlp`` is imported inside the functions, not at module level, so that
``bench/redaction.py --code DIR`` can measure another checkout's ``nlp`` with this same code.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

#: The answers both cost scripts time: IT-partner feedback (185) and informal feedback (871), all rows.
BENCH_DATA = (Path(__file__).parent / "data" / "redaction.jsonl",
              Path(__file__).parent / "data" / "redaction_informal.jsonl")


def bench_texts() -> list[str]:
    """Every text of :data:`BENCH_DATA`, in file order."""
    texts: list[str] = []
    for path in BENCH_DATA:
        with open(path, encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle if line.strip()]
    return texts


def best_of(step: Callable[[str], object], texts: list[str], repeats: int = 5,
            clock: Callable[[], float] = time.perf_counter) -> list[float]:
    """Per text, the shortest of ``repeats`` runs of ``step(text)`` in seconds of ``clock``."""
    best = []
    for text in texts:
        runs = []
        for _ in range(repeats):
            started = clock()
            step(text)
            runs.append(clock() - started)
        best.append(min(runs))
    return best


def best_of_timings(texts: list[str], repeats: int = 5) -> list[float]:
    """Best-of-``repeats`` milliseconds of ``redact_personal_data`` per text, after one warm-up pass."""
    from nlp.redaction import redact_personal_data

    for text in texts:
        redact_personal_data(text)
    return [seconds * 1000 for seconds in best_of(redact_personal_data, texts, repeats)]


def summary(timings: list[float]) -> dict[str, float]:
    """Median, p99, mean and max of per-text milliseconds, rounded to microseconds."""
    p99 = statistics.quantiles(timings, n=100)[98] if len(timings) > 1 else timings[0]
    return {"median_ms": round(statistics.median(timings), 3), "p99_ms": round(p99, 3),
            "mean_ms": round(statistics.fmean(timings), 3), "max_ms": round(max(timings), 3)}


def sends_to_ner(text: str) -> bool:
    """Whether redacting ``text`` runs spaCy's NER on part of it.

    The same steps as :func:`nlp.redaction.names.find_names` takes before NER: the pattern spans,
    the rules' unexplained capitalised words, and those the tagger is unsure of."""
    from nlp.redaction.names import rule_names
    from nlp.redaction.patterns import pattern_spans
    from nlp.redaction.tagger import lexicons, scored_tokens, still_uncertain, tagger_model

    model = tagger_model()
    _, candidates = rule_names(text, pattern_spans(text))
    if not candidates:
        return False
    return bool(still_uncertain(candidates, scored_tokens(text, lexicons(), model), model.threshold))


def ner_share(texts: list[str]) -> float:
    """The share of ``texts`` whose redaction runs spaCy's NER (lower is cheaper)."""
    return sum(map(sends_to_ner, texts)) / len(texts) if texts else 0.0
