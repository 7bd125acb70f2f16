"""What one submission's write costs the database, alone and in group commits of k (DESIGN.md section 8).

Counts WAL frames (pages written) and times the write transaction per submission when submissions
are committed one by one (``record_response`` without a writer) and in group commits of k
(``survey.store.responses.group_commit``: one transaction, a savepoint each), on a database that
already holds ``--existing`` responses (so B-trees have their real depth). Submissions look like
``bench/submit.py``'s (two texts, a rating, an NPS score, a department) and all come from one
client address, as in that bench. Frame counts do not depend on the machine's load; times do.

Usage: ``.venv/bin/python bench/submit_pages.py [--existing 20000] [--submissions 2000]
[--without-index idx_responses_wave_segment]``
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from submit import DEPARTMENTS, SENTENCES, build_database  # noqa: E402  (bench/submit.py)


def prepared_submissions(db, count: int, rng: random.Random) -> list:
    """``count`` prepared submissions to the bench survey's open wave (text already "redacted")."""
    from survey.store import throttle
    from survey.store.invitations import hash_secret
    from survey.store.responses.submission import PreparedResponse
    from survey.store.surveys import get_wave_by_token, questions_for

    token = db.execute("SELECT token FROM waves").fetchone()[0]
    wave = get_wave_by_token(db, token)
    by_kind: dict[str, list[int]] = {}
    for question in questions_for(db, wave.survey_id):
        by_kind.setdefault(question.kind, []).append(question.id)
    limits = (throttle.Limit(10**9, 600),)
    ticket = throttle.ticket("bench-" + "x" * 32, f"submission:{wave.id}", "127.0.0.1", limits)
    today = dt.date.today()
    submissions = []
    for _ in range(count):
        rows = [(by_kind["text"][0], " ".join(rng.sample(SENTENCES, 2)), None),
                (by_kind["rating"][0], None, rng.randint(1, 5)),
                (by_kind["nps"][0], None, rng.randint(0, 10))]
        if rng.random() < 0.4:
            rows.append((by_kind["text"][1], rng.choice(SENTENCES), None))
        submissions.append(PreparedResponse(wave, str(uuid.uuid4()), rng.choice(DEPARTMENTS), rows, today,
                                            None, hash_secret(uuid.uuid4().hex), ticket))
    return submissions


def write_in_groups(conn, submissions: list, k: int) -> tuple[int, float, float]:
    """Write ``submissions`` in transactions of ``k``; return (WAL frames, wall s, CPU s)."""
    from survey.store.responses.submission import write_prepared

    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    started, cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(submissions), k):
        conn.execute("BEGIN IMMEDIATE")
        for prepared in submissions[first:first + k]:
            if write_prepared(conn, prepared) is not None:
                raise SystemExit("a bench submission was refused")
        conn.execute("COMMIT")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    frames = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    return frames, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--existing", type=int, default=20_000, help="responses stored before measuring")
    parser.add_argument("--submissions", type=int, default=2_000, help="submissions per group size")
    parser.add_argument("--groups", default="1,2,4,8", help="group sizes to measure")
    parser.add_argument("--without-index", action="append", default=[],
                        help="drop this index first (to see what it costs a submission)")
    args = parser.parse_args()
    from survey.db import open_database

    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        path = os.path.join(tmp, "pages.db")
        build_database(path)
        db = open_database(path)
        db.conn.execute("PRAGMA wal_autocheckpoint = 0")
        for index in args.without_index:
            db.conn.execute(f"DROP INDEX {index}")
        write_in_groups(db.conn, prepared_submissions(db, args.existing, rng), 500)
        dropped = ", ".join(args.without_index) or "none"
        print(f"{args.existing:,} responses stored before; {args.submissions:,} submissions per row; "
              f"indexes dropped: {dropped}; load average {os.getloadavg()[0]:.2f}")
        print("group size | WAL pages per submission | write ms per submission (wall / CPU)")
        for k in (int(size) for size in args.groups.split(",")):
            frames, wall, cpu = write_in_groups(db.conn, prepared_submissions(db, args.submissions, rng), k)
            print(f"{k:10d} | {frames / args.submissions:24.2f} | "
                  f"{1000 * wall / args.submissions:.3f} / {1000 * cpu / args.submissions:.3f}")
        db.close()


if __name__ == "__main__":
    main()
