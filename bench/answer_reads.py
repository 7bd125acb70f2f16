"""The analysis' reads of stored answers, timed at N responses (DESIGN.md section 8, issue 11).

Usage: ``.venv/bin/python bench/answer_reads.py [--sizes 10000,100000] [--checkout DIR]``

Builds a temp database through the checkout's own migrations: two surveys of four waves, N released
responses each (a department, a rating, an NPS score and one or two texts, as ``bench/submit.py``
sends), inserted in random key order as partners' submissions arrive. Then times, best of
``--repeat``, the store reads that go from a survey to its answers: ``pending_answers`` with every
text answer pending (a cold analysis) and with none pending (a re-run with nothing new),
``save_wave_scores``, and deleting a question of a third survey (its foreign-key check reads
``answers``). Prints each query plan. ``--checkout /work/main`` times another checkout's code on the
same data (its migrations, its store), for a before/after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPARTMENTS = ["Finance", "Sales", "Operations", "HR", "Marketing", "Legal"]
WORDS = ["the", "ticket", "queue", "is", "slow", "and", "new", "laptop", "rollout", "went", "well", "but",
         "portal", "keeps", "timing", "out", "when", "finance", "closes", "month", "nobody", "tells", "us"]


def _survey(db, title: str, waves: int) -> tuple[int, dict[str, list[int]], list[int]]:
    """A survey with a department, a rating, an NPS and two text questions.

    Returns its id, its question ids by kind and its wave ids."""
    from survey.store.surveys import add_question, create_survey, create_wave

    survey = create_survey(db, title)
    kinds: dict[str, list[int]] = {}
    for kind, prompt, options in (("segment", "Department", DEPARTMENTS), ("rating", "Overall", []),
                                  ("nps", "Recommend", []), ("text", "Doing well?", []),
                                  ("text", "Change?", [])):
        kinds.setdefault(kind, []).append(add_question(db, survey.id, kind, prompt, options=options).id)
    wave_ids = []
    for quarter in range(waves):
        opens = dt.date(2025, 1 + 3 * quarter, 1)
        wave_ids.append(create_wave(db, survey.id, f"2025 Q{quarter + 1}", opens,
                                    opens + dt.timedelta(days=80)).id)
    return survey.id, kinds, wave_ids


def _fill(db, n: int, kinds: dict[str, list[int]], wave_ids: list[int], rng: random.Random) -> None:
    """``n`` responses in random key order, inserted in transactions of 5,000 as they would arrive."""
    for start in range(0, n, 5000):
        responses, answers = [], []
        for _ in range(min(5000, n - start)):
            response_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            responses.append((response_id, rng.choice(wave_ids), rng.choice(DEPARTMENTS), "2025-01-02"))
            answers.append((response_id, kinds["rating"][0], None, rng.randint(1, 5)))
            answers.append((response_id, kinds["nps"][0], None, rng.randint(0, 10)))
            answers.append((response_id, kinds["text"][0], " ".join(rng.sample(WORDS, 12)), None))
            if rng.random() < 0.4:
                answers.append((response_id, kinds["text"][1], " ".join(rng.sample(WORDS, 8)), None))
        with db.conn:
            db.conn.executemany("INSERT INTO responses VALUES (?, ?, ?, ?)", responses)
            db.conn.executemany("INSERT INTO answers (response_id, question_id, text, number) "
                                "VALUES (?, ?, ?, ?)", answers)


def _best(function: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def _plans(db, function: Callable[[], object]) -> list[str]:
    """The query plan of every SELECT ``function`` runs (traced with its bound values)."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        function()
    finally:
        db.conn.set_trace_callback(None)
    return ["; ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql))
            for sql in statements if sql.lstrip().upper().startswith("SELECT")]


def measure(n: int, repeat: int, show_plans: bool, analyze: bool) -> None:
    """Build the database for ``n`` responses a survey and print the timings of each read."""
    from survey.db import open_database
    from survey.migrations import migrate
    from survey.store import aggregates, analysis
    from survey.store.responses import recount_wave_responses
    from survey.store.surveys import delete_question

    rng = random.Random(n)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(os.path.join(tmp, "reads.db"))
        migrate(db)
        survey_id, kinds, wave_ids = _survey(db, "Measured pulse", 4)
        other_id, other_kinds, other_waves = _survey(db, "Other pulse", 4)
        _fill(db, n, kinds, wave_ids, rng)
        _fill(db, n, other_kinds, other_waves, rng)
        recount_wave_responses(db)
        unlocked_id, unlocked_kinds, _ = _survey(db, "Draft pulse", 0)
        indexes = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'answers' "
            "AND sql IS NOT NULL")]
        if analyze:
            db.execute("ANALYZE")
        cold_s, pending = _best(lambda: analysis.pending_answers(db, survey_id), repeat)
        scores_s, _ = _best(lambda: aggregates.save_wave_scores(db, survey_id), repeat)
        with db.conn:
            db.conn.executemany("INSERT OR IGNORE INTO analysed_answers (response_id, question_id) "
                                "VALUES (?, ?)", [(a.response_id, a.question_id) for a in pending])
        warm_s, nothing = _best(lambda: analysis.pending_answers(db, survey_id), repeat)
        started = time.perf_counter()
        delete_question(db, unlocked_kinds["rating"][0])
        delete_s = time.perf_counter() - started
        scores = aggregates.wave_scores(db, survey_id)
        print(f"{n:>9,} {len(pending):>9,} {cold_s * 1000:>10.1f} {warm_s * 1000:>10.1f} {len(nothing):>5} "
              f"{scores_s * 1000:>10.1f} {delete_s * 1000:>10.1f}  {','.join(indexes) or '-'}", flush=True)
        if show_plans:
            _print_plans(db, survey_id)
        del other_id, unlocked_id, scores


def _print_plans(db, survey_id: int) -> None:
    from survey.store import aggregates, analysis

    for label, function in (("pending_answers", lambda: analysis.pending_answers(db, survey_id)),
                            ("save_wave_scores", lambda: aggregates.save_wave_scores(db, survey_id))):
        for plan in _plans(db, function):
            print(f"  plan, {label}: {plan}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="responses per survey (two surveys)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each read (best kept)")
    parser.add_argument("--analyze", action="store_true",
                        help="run ANALYZE first (the app never does: its plans come without statistics)")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the checkout whose code is timed")
    args = parser.parse_args()
    sys.path.insert(0, str(args.checkout.resolve()))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    statistics = "; ANALYZE first" if args.analyze else ""
    print(f"code: {args.checkout.resolve()}{statistics}; load average {os.getloadavg()[0]:.1f}; "
          f"best of {args.repeat}")
    print(f"{'responses':>9} {'texts':>9} {'pending ms':>10} {'re-run ms':>10} {'left':>5} {'scores ms':>10} "
          f"{'delete q ms':>10}  answers' indexes")
    for index, size in enumerate(int(size) for size in args.sizes.split(",")):
        measure(size, args.repeat, show_plans=index == 0, analyze=args.analyze)
    print(f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
