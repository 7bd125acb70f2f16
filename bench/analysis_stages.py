"""Where a cold analysis spends its time: wall and CPU seconds per stage, for N responses.

Usage: .venv/bin/python bench/analysis_stages.py [--n 10000]

Builds the same database as ``bench/analysis.py`` (realistic demo feedback, every sentence new),
then runs one cold ``run_analysis`` with a wall-and-CPU timer around each stage: splitting into
units, the general embedding, the sentiment encoder, siloing language, storing, summarising (themes,
trends). The timers only measure (each wraps the real function and calls it unchanged). Unlike a
profiler they add no cost inside a stage, so the stages add up to the run's own time, except
siloing language: it runs on a side thread beside the two encoders (``nlp.analysis.analyse_units``),
so its wall seconds overlap theirs, and CPU seconds (the process's, all threads) overlap wherever
stages run at once.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _timed(spent: dict[str, list[float]], label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` unchanged, adding its wall and CPU seconds and calls to ``spent[label]``."""

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            figures = spent.setdefault(label, [0.0, 0.0, 0])
            figures[0] += time.perf_counter() - wall
            figures[1] += time.process_time() - cpu
            figures[2] += 1

    return timed


def _stages() -> list[tuple[ModuleType, str, str]]:
    """(module, function name, stage label) of each stage, patched where the caller looks it up."""
    import nlp.analysis
    import nlp.sentiment.scoring
    import nlp.silo
    import nlp.units
    import survey.services.analysis as service

    return [
        (nlp.units, "split_into_units", "splitting into units (spaCy)"),
        (nlp.analysis, "embed_with_cache", "general embedding (MiniLM, ONNX)"),
        (nlp.sentiment.scoring, "score_sentiment_with_logits", "sentiment (encoder + head)"),
        (nlp.silo, "analyse_silo_language", "siloing language (spaCy)"),
        (service.store, "save_units", "storing new units"),
        (service, "save_sentiment_logits", "storing sentiment logits"),
        (service, "_units_and_vectors", "loading all units (and their vectors)"),
        (service, "adapt_survey_sentiment", "BRM corrections"),
        (service, "summarise", "summarising (themes, trends, silo metrics)"),
        (service.store, "save_summary", "storing the summary"),
        (service.aggregates, "save_wave_scores", "wave scores"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="responses")
    args = parser.parse_args()
    from bench.analysis import build_database
    from survey.db import open_database
    from survey.services.analysis import run_analysis

    spent: dict[str, list[float]] = {}
    for module, name, label in _stages():
        setattr(module, name, _timed(spent, label, getattr(module, name)))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.db")
        survey_id = build_database(path, args.n)
        db = open_database(path)
        print(f"Data: {args.n:,} responses of demo feedback, every sentence new (bench/analysis.py); "
              f"load average {os.getloadavg()[0]:.1f}")
        wall, cpu = time.perf_counter(), time.process_time()
        summary = run_analysis(db, survey_id)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"cold run: {summary.total_units:,} units, {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"(load average now {os.getloadavg()[0]:.1f})")
    print(f"{'wall s':>8} {'CPU s':>8} {'share':>6}  stage")
    for label, (stage_wall, stage_cpu, _) in sorted(spent.items(), key=lambda item: -item[1][0]):
        print(f"{stage_wall:>8.1f} {stage_cpu:>8.1f} {stage_wall / wall:>6.0%}  {label}")
    rest = wall - sum(figures[0] for figures in spent.values())
    print(f"{rest:>8.1f} {'':>8} {rest / wall:>6.0%}  everything else (release, reads, aggregates)")


if __name__ == "__main__":
    main()
