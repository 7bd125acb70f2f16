"""Same results, less work? One cold analysis of N bench responses, its CPU time and its results.

Usage:
    .venv/bin/python bench/analysis_same.py --n 2000 --out A.json [--code /work/main]
    .venv/bin/python bench/analysis_same.py --compare A.json B.json

The database is ``bench/analysis.py``'s with seeded response ids, so two runs (e.g. main's code
with ``--code``, then this checkout) analyse identical input. ``--out`` keeps the wall and CPU
seconds of the cold run and every unit's text, sentiment, theme, confidence, flags and
partnership count, every theme row and a digest of the stored embeddings; ``--compare`` prints
how many of them differ and both runs' CPU seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def run(n: int, out: str, code: str) -> None:
    """Build the database, analyse it cold once, write the figures and results to ``out``."""
    seeded = random.Random(5)
    uuid.uuid4 = lambda: uuid.UUID(int=seeded.getrandbits(128), version=4)  # same ids every run
    from analysis import build_database  # bench/analysis.py; it puts this checkout first on the path

    sys.path.insert(0, code)
    from survey.db import open_database
    from survey.services.analysis import run_analysis

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.db")
        survey_id = build_database(path, n)
        db = open_database(path)
        load = os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        run_analysis(db, survey_id)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        units = {row["id"]: row for row in db.query(
            "SELECT id, text, sentiment, sentiment_label, theme_id, theme_confidence, flag_count, "
            "partnership_terms FROM units")}
        flags = sorted(list(row.values()) for row in db.query("SELECT * FROM unit_flags"))
        themes = list(db.query(
            "SELECT id, name, kind, units, key_phrases, quote_unit_ids FROM themes ORDER BY id"))
        digest = hashlib.sha256()
        for row in db.query("SELECT * FROM unit_embeddings ORDER BY 1"):
            digest.update(repr(sorted(row.items())).encode())
    Path(out).write_text(json.dumps({
        "wall": wall, "cpu": cpu, "load": [load, os.getloadavg()[0]], "units": units,
        "flags": flags, "themes": themes, "embeddings": digest.hexdigest()}))
    print(f"code {Path(sys.modules['nlp'].__file__ or '').parent.parent}: {n} responses, {len(units)} "
          f"units: cold {wall:.1f} s wall, {cpu:.1f} s CPU, load {load:.1f} -> {os.getloadavg()[0]:.1f}")


def compare(first: str, second: str) -> None:
    """Print the two runs' CPU seconds and how many results differ."""
    a, b = (json.loads(Path(path).read_text()) for path in (first, second))
    print(f"CPU s: {a['cpu']:.1f} -> {b['cpu']:.1f} ({b['cpu'] / a['cpu'] - 1:+.0%}); "
          f"wall s: {a['wall']:.1f} -> {b['wall']:.1f}; loads {a['load']} / {b['load']}")
    shared = a["units"].keys() & b["units"].keys()
    print(f"units {len(a['units'])} / {len(b['units'])}, {len(shared)} shared ids")
    for field in ("text", "sentiment", "sentiment_label", "theme_id", "theme_confidence",
                  "flag_count", "partnership_terms"):
        differ = sum(a["units"][key][field] != b["units"][key][field] for key in shared)
        print(f"  {field}: {differ} differ")
    for part in ("flags", "themes", "embeddings"):
        print(f"  {part}: {'same' if a[part] == b[part] else 'DIFFER'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--out")
    parser.add_argument("--code", help="run this checkout's code (default: this one)")
    parser.add_argument("--compare", nargs=2, metavar="JSON")
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    sys.path.insert(0, str(BENCH))
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    run(args.n, args.out, os.path.abspath(args.code or BENCH.parent))


if __name__ == "__main__":
    main()
