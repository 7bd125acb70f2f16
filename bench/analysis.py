"""Analysis speed and memory: cold run, warm re-run with nothing new, peak RSS, for N responses.

Usage: .venv/bin/python bench/analysis.py [--sizes 1000,10000] [--with-100k]

Each size runs in a fresh subprocess (so peak memory is per run) on a temp SQLite file filled
with realistic demo feedback (``survey.demo.corpus.generate_feedback``), written straight to the
database as if partners had submitted it. "cold CPU s" is the process's CPU time (all threads)
during the cold run: on a shared machine it moves much less with the load than the wall clock.
Budget (DESIGN.md section 8): 10,000 responses cold <= 90 s, re-analysis with nothing new <= 10 s,
100,000 cold <= 300 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


_SENTENCE_END = re.compile(r"([.!?]+)(\s+|$)")


class DistinctTexts:
    """Make every sentence of a repeated comment new, so the analysis embeds and scores it.

    The demo pool holds about 2,200 comments; at 10,000 responses most would repeat, and the
    analysis embeds each distinct sentence once, which would time a tenth of the real work. A
    repeated comment gets a number before each sentence's end ("... for days #4127."): the same
    words, new sentences, as new partners would write.
    """

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.count = 0

    def __call__(self, text: str) -> str:
        if text not in self.seen:
            self.seen.add(text)
            return text
        tagged = _SENTENCE_END.sub(self._tag, text)
        return tagged if tagged != text else f"{text} #{self._next()}"

    def _next(self) -> int:
        self.count += 1
        return self.count

    def _tag(self, match: re.Match[str]) -> str:
        return f" #{self._next()}{match.group(1)}{match.group(2)}"


def build_database(path: str, n: int, seed: int = 11) -> int:
    """Create a survey with 4 waves and ``n`` stored responses; return the survey id."""
    from survey.db import open_database
    from survey.demo.corpus import generate_feedback
    from survey.migrations import migrate
    from survey.store.responses import recount_wave_responses
    from survey.store.surveys import add_question, create_survey, create_wave

    db = open_database(path)
    migrate(db)
    survey = create_survey(db, "Benchmark pulse")
    departments = ["Finance", "Sales", "Operations", "HR", "Marketing", "Legal"]
    segment = add_question(db, survey.id, "segment", "Department", options=departments)
    rating = add_question(db, survey.id, "rating", "Overall")
    nps = add_question(db, survey.id, "nps", "Recommend")
    texts = {
        "doing_well": add_question(db, survey.id, "text", "What is IT doing well?"),
        "change": add_question(db, survey.id, "text", "What should IT change?"),
    }
    labels = ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    waves = {}
    for quarter, label in enumerate(labels):
        opens = dt.date(2026, 1 + 3 * quarter, 1)
        waves[label] = create_wave(db, survey.id, label, opens, opens + dt.timedelta(days=80))
    del segment
    responses, answers = [], []
    distinct = DistinctTexts()
    for item in generate_feedback(n, seed=seed, waves=labels, departments=departments):
        response_id = str(uuid.uuid4())
        wave = waves[item.wave]
        responses.append((response_id, wave.id, item.department, wave.opens_on.isoformat()))
        answers.append((response_id, rating.id, None, item.rating))
        answers.append((response_id, nps.id, None, item.nps))
        for key, question in texts.items():
            text = item.answers.get(key)
            if text:
                answers.append((response_id, question.id, distinct(text), None))
    with db.conn:
        db.conn.executemany("INSERT INTO responses VALUES (?, ?, ?, ?)", sorted(responses))
        db.conn.executemany(
            "INSERT INTO answers (response_id, question_id, text, number) VALUES (?, ?, ?, ?)",
            sorted(answers, key=lambda row: (row[0], row[1])),
        )
    recount_wave_responses(db)  # what record_response keeps current; this bulk insert bypasses it
    return survey.id


def measure(n: int) -> dict:
    """Run cold and warm analysis on ``n`` responses in this process; return the figures."""
    from survey.db import open_database
    from survey.services.analysis import run_analysis

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.db")
        survey_id = build_database(path, n)
        db = open_database(path)
        started, cpu_started = time.perf_counter(), time.process_time()
        cold = run_analysis(db, survey_id)
        cold_seconds = time.perf_counter() - started
        cold_cpu = time.process_time() - cpu_started
        started = time.perf_counter()
        warm = run_analysis(db, survey_id)
        warm_seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {
            "responses": n, "units": cold.total_units, "themes": cold.themes,
            "emerging": cold.emerging, "cold_seconds": round(cold_seconds, 1),
            "cold_cpu_seconds": round(cold_cpu, 1),
            "warm_seconds": round(warm_seconds, 2), "warm_status": warm.status,
            "peak_rss_mb": round(peak_mb),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--with-100k", action="store_true", help="also run 100,000 responses")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    sizes = [int(size) for size in args.sizes.split(",")] + ([100_000] if args.with_100k else [])
    print(f"{'responses':>10} {'units':>8} {'themes':>7} {'cold s':>8} {'cold CPU s':>10} {'warm s':>8} "
          f"{'peak MB':>8}")
    for size in sizes:
        output = subprocess.run(
            [sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True
        ).stdout.strip().splitlines()[-1]
        row = json.loads(output)
        print(f"{row['responses']:>10,} {row['units']:>8,} {row['themes']:>7} {row['cold_seconds']:>8} "
              f"{row['cold_cpu_seconds']:>10} {row['warm_seconds']:>8} {row['peak_rss_mb']:>8}", flush=True)
    try:
        import bertopic  # noqa: F401
    except ImportError:
        print("BERTopic is not installed: no side-by-side run (pip install bertopic to compare).")
    print("Budget (DESIGN.md section 8): 10,000 responses cold <= 90 s; "
          "re-analysis with nothing new <= 10 s; "
          "100,000 cold <= 300 s.")


if __name__ == "__main__":
    main()
