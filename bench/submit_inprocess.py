"""Server CPU per submission, in one process: where ``bench/submit.py``'s gap to the bare endpoint is.

Runs the same virtual partners as ``bench/submit.py`` (GET the form, POST realistic answers, some
naming people) through Flask's test client against Rapport (production config, throttle on) and the
bare Flask + WTForms + sqlite-utils endpoint, alternating rounds of 100 submissions so a busy machine
slows both alike. Prints CPU milliseconds (``time.process_time``) per GET and per POST, median of the
rounds, and the ratio bare / Rapport (the throughput ratio ``bench/submit.py`` would see if the
server had the CPU to itself, minus the HTTP server's own share). It also times redaction alone
(``nlp.redaction.redact_many``, as ``record_response`` calls it) on the free-text answers of 100
Rapport submissions per round: the part of a POST the bare endpoint has no counterpart for.
``--profile`` adds a cProfile of Rapport's requests (cumulative time), to find what to cut.

Usage: ``.venv/bin/python bench/submit_inprocess.py [--rounds 8] [--profile 40]``
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from submit import _answers, bare_app, build_database  # noqa: E402  (bench/submit.py)

HIDDEN = re.compile(r'name="(csrf_token|form_token)" type="hidden" value="([^"]*)"')
FIELDS = re.compile(r'name="(q\d+)"')


def clients(tmp: str) -> dict:
    """``{"rapport": (client, path), "bare": (client, path)}`` on fresh databases in ``tmp``."""
    import sqlite_utils

    database = os.path.join(tmp, "rapport.db")
    token = build_database(database)
    bare_database = os.path.join(tmp, "bare.db")
    bare_db = sqlite_utils.Database(bare_database)
    bare_db.enable_wal()
    bare_db["bare"].create({"text": str, "rating": int})
    bare_db.close()
    os.environ.update(RAPPORT_DATABASE=database, RAPPORT_SECRET_KEY="bench-" + "x" * 32,
                      RAPPORT_ENV="production", RAPPORT_INSTANCE_PATH=tmp,
                      RAPPORT_SUBMISSION_RATE_LIMIT="1000000 per minute")
    from survey import create_app
    from survey.cli.serve import prepare_for_serving

    app = create_app()
    prepare_for_serving(app)
    return {"rapport": (app.test_client(), f"/s/{token}"),
            "bare": (bare_app(bare_database).test_client(), "/bare")}


def submission(kind: str, client, path: str, rng: random.Random) -> tuple[float, float]:
    """One partner (a new browser session): CPU seconds of the GET and of the POST."""
    client.delete_cookie("rapport_partner", path="/s/")
    started = time.process_time()
    html = client.get(path).get_data(as_text=True)
    got = time.process_time()
    form = dict(HIDDEN.findall(html))
    names = sorted(set(FIELDS.findall(html)), key=lambda name: int(name[1:]))
    form.update(_answers(kind, names, rng, "".join(rng.choice(string.ascii_lowercase) for _ in range(10))))
    body = urlencode(form)
    posting = time.process_time()
    reply = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    posted = time.process_time()
    if reply.status_code != 303:
        raise SystemExit(f"{kind}: POST answered {reply.status_code}")
    return got - started, posted - posting


def redaction_seconds(rng: random.Random) -> float:
    """CPU seconds of redacting one Rapport submission's free-text answers."""
    from nlp.redaction import redact_many

    answers = _answers("rapport", ["q1", "q2", "q3", "q4", "q5"], rng,
                       "".join(rng.choice(string.ascii_lowercase) for _ in range(10)))
    texts = [answers[name] for name in ("q1", "q4") if name in answers]
    started = time.process_time()
    redact_many(texts)
    return time.process_time() - started


def measure(apps: dict, rounds: int, rng: random.Random) -> dict[str, list[tuple[float, float]]]:
    """Per app, per round: mean CPU seconds of a GET and of a POST (and of redaction alone, as
    ``"redaction"``: ``(0, seconds)``)."""
    for kind, (client, path) in apps.items():
        for _ in range(50):  # warm-up: first compilations, caches
            submission(kind, client, path, rng)
    results: dict[str, list[tuple[float, float]]] = {kind: [] for kind in [*apps, "redaction"]}
    for _ in range(rounds):
        for kind, (client, path) in apps.items():
            times = [submission(kind, client, path, rng) for _ in range(100)]
            results[kind].append((statistics.mean(get for get, _ in times),
                                  statistics.mean(post for _, post in times)))
        results["redaction"].append((0.0, statistics.mean(redaction_seconds(rng) for _ in range(100))))
    return results


def report(results: dict[str, list[tuple[float, float]]]) -> None:
    print(f"{len(results['rapport'])} rounds x 100 submissions per app; "
          f"load average {os.getloadavg()[0]:.2f}")
    for kind, values in results.items():
        if kind == "redaction":
            print(f"of Rapport's POST, redaction alone (same answers, median of rounds): "
                  f"{1000 * statistics.median(v[1] for v in values):.2f} ms")
            continue
        get = 1000 * statistics.median(v[0] for v in values)
        post = 1000 * statistics.median(v[1] for v in values)
        print(f"{kind:8s} CPU per submission: GET {get:.2f} ms  POST {post:.2f} ms  "
              f"total {get + post:.2f} ms")
    pairs = zip(results["rapport"], results["bare"], strict=True)
    ratio = statistics.median(sum(bare) / sum(rapport) for rapport, bare in pairs)
    print(f"ratio bare / rapport CPU (median of rounds): {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="rounds of 100 submissions per app")
    parser.add_argument("--profile", type=int, default=0, help="print this many cProfile lines")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        apps = clients(tmp)
        report(measure(apps, args.rounds, rng))
        if args.profile:
            profiler = cProfile.Profile()
            client, path = apps["rapport"]
            profiler.runcall(lambda: [submission("rapport", client, path, rng) for _ in range(300)])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
