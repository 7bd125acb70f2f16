"""Time every staff page under gunicorn with N stored, analysed responses (DESIGN.md section 8).

1. A 2,000-response sample of the demo survey (text from ``survey.demo.corpus.generate_feedback``,
   stored through ``record_response``) is analysed by the real ``run_analysis``; cached in
   ``bench/out/pages-sample-2000.db``.
2. The sample's responses, answers, units and flags are replicated with new random ids up to N
   (default 1,000,000), and the stored aggregates (themes, trend and silo points) are scaled by the
   same factor, so distributions and per-cell shares stay those of the real analysis; cached in
   ``bench/out/pages-N.db``.
3. ``rapport serve`` (gunicorn, 2 workers) serves that database; a few concurrent signed-in admin
   clients request every GET route under ``/staff`` (discovered from ``app.url_map``, arguments
   filled with the survey, wave, theme, question and action ids) ``--repeats`` times each.

Prints p50/p95/max per page, the worst page, and the RSS/PSS of each gunicorn worker.
Budgets: p95 < 300 ms per page, worker memory < 300 MB.
Usage: ``.venv/bin/python bench/pages.py [--responses 1000000] [--repeats 20] [--clients 4]``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid

import httpx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from survey import create_app  # noqa: E402
from survey.db import open_database  # noqa: E402
from survey.migrations import migrate  # noqa: E402

OUT = os.path.join(ROOT, "bench", "out")
SAMPLE_SIZE = 2000
USERNAME, PASSWORD = "bench-admin", "bench password 123"
BUDGET_MS, BUDGET_MB = 300.0, 300.0
#: Routes that are downloads or POST-only flows, not pages someone browses.
SKIPPED_ENDPOINTS = {"auth.login", "auth.logout", "downloads.report"}


def build_sample(path: str) -> None:
    """Store and analyse a realistic 2,000-response demo survey with the real code paths."""
    from survey.demo.corpus import generate_feedback
    from survey.demo.seed import create_demo_survey, store_demo_responses
    from survey.services.analysis import run_analysis
    from survey.store.staff import create_staff_user

    db = open_database(path)
    migrate(db)
    create_staff_user(db, USERNAME, PASSWORD, "admin")
    demo = create_demo_survey(db)
    corpus = generate_feedback(SAMPLE_SIZE, seed=11, waves=tuple(demo.waves),
                               departments=demo.questions["department"].options)
    store_demo_responses(db, demo, corpus, seed=11, today=dt.date(2026, 12, 31))
    print(f"sample: {SAMPLE_SIZE} responses stored, analysing...", flush=True)
    summary = run_analysis(db, demo.survey.id)
    print(f"sample: {summary.total_units} units, {summary.themes} themes", flush=True)
    db.close()


def _rows(db, sql: str) -> list[tuple]:
    return [tuple(row) for row in db.execute(sql).fetchall()]


def replicate(sample_path: str, path: str, total: int, seed: int = 0) -> None:
    """Copy the sample and add copies of its responses with new ids until ``total`` responses.

    Indexes and the full-text triggers are dropped during the bulk insert and rebuilt after it
    (from their own stored SQL), which is several times faster than maintaining them row by row.
    """
    shutil.copyfile(sample_path, path)
    db = open_database(path)
    migrate(db)  # new tables are created (and backfilled) on the small sample, refreshed below
    responses = _rows(db, "SELECT id, wave_id, segment, submitted_on FROM responses ORDER BY id")
    answers = _grouped(_rows(db, "SELECT response_id, question_id, text, number FROM answers"))
    units = _grouped(_rows(db, "SELECT response_id, * FROM units"))
    flags = _grouped(_rows(db, 'SELECT unit_id, start, "end", text, category, term_id, suggestion, '
                               "stance FROM unit_flags"))
    copies = max(1, total // len(responses))
    rng = random.Random(seed)
    schema = _rows(db, "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN "
                       "('index', 'trigger') AND tbl_name IN ('responses', 'answers', 'units', 'unit_flags')")
    db.conn.execute("PRAGMA synchronous = OFF")
    db.conn.execute("PRAGMA cache_size = -400000")
    for kind, name, _ in schema:
        db.conn.execute(f"DROP {kind} {name}")
    for copy in range(1, copies):
        batch = _copy_batch(rng, responses, answers, units, flags)
        with db.conn:
            db.conn.executemany("INSERT INTO responses VALUES (?, ?, ?, ?)", sorted(batch["responses"]))
            db.conn.executemany("INSERT INTO answers VALUES (?, ?, ?, ?)", sorted(batch["answers"]))
            db.conn.executemany("INSERT INTO analysed_answers VALUES (?, ?)", batch["analysed"])
            db.conn.executemany(f"INSERT INTO units VALUES ({','.join('?' * 16)})", sorted(batch["units"]))
            db.conn.executemany("INSERT INTO unit_flags VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                sorted(batch["flags"]))
        if copy % 50 == 0 or copy == copies - 1:
            print(f"replicated {(copy + 1) * len(responses):,} responses", flush=True)
    print("rebuilding indexes and full-text index...", flush=True)
    with db.conn:
        db.conn.execute("INSERT INTO units_fts (units_fts) VALUES ('rebuild')")
        for _, _, sql in schema:
            db.conn.execute(sql)
    _scale_aggregates(db, copies)
    migrate(db)
    _refresh_precomputed(db)
    db.conn.execute("ANALYZE")
    db.close()


def _grouped(rows: list[tuple]) -> dict[str, list[tuple]]:
    grouped: dict[str, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return grouped


def _copy_batch(rng, responses, answers, units, flags) -> dict[str, list[tuple]]:
    """One copy of every sample response under a fresh uuid4 (units and flags follow)."""
    batch: dict[str, list[tuple]] = {"responses": [], "answers": [], "analysed": [], "units": [], "flags": []}
    for old_id, wave_id, segment, submitted_on in responses:
        new_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        batch["responses"].append((new_id, wave_id, segment, submitted_on))
        for _, question_id, text, number in answers.get(old_id, ()):
            batch["answers"].append((new_id, question_id, text, number))
        for row in units.get(old_id, ()):
            unit = list(row[1:])
            new_unit_id = unit[0].replace(old_id, new_id)
            unit[0], unit[3] = new_unit_id, new_id
            batch["units"].append(tuple(unit))
            for flag in flags.get(row[1], ()):
                batch["flags"].append((new_unit_id, *flag[1:]))
            batch["analysed"].append((new_id, unit[4]))
    batch["analysed"] = sorted(set(batch["analysed"]))
    return batch


def _scale_aggregates(db, factor: int) -> None:
    """Scale stored counts by the replication factor; shares, means and markers are unchanged."""
    with db.conn:
        db.conn.execute("UPDATE themes SET units = units * ?, responses = responses * ?", [factor, factor])
        db.conn.execute("UPDATE trend_points SET responses = responses * ?, units = units * ?, "
                        "sentiment_n = sentiment_n * ?", [factor] * 3)
        db.conn.execute("UPDATE silo_points SET responses = responses * ?, words = words * ?, "
                        "flags = flags * ?, partnership_terms = partnership_terms * ?", [factor] * 4)


def _refresh_precomputed(db) -> None:
    """Recount what ``record_response`` and ``run_analysis`` keep up to date (the bulk insert
    bypassed both): responses per wave, rating/NPS figures per wave and silo-term counts."""
    from survey.store.aggregates import save_silo_terms, save_wave_scores
    from survey.store.responses import recount_wave_responses

    print("recounting responses per wave, wave scores and silo terms...", flush=True)
    recount_wave_responses(db)
    for (survey_id,) in _rows(db, "SELECT id FROM surveys"):
        save_wave_scores(db, survey_id)
        save_silo_terms(db, survey_id)


def database_for(total: int) -> str:
    """The cached benchmark database for ``total`` responses, built if missing."""
    os.makedirs(OUT, exist_ok=True)
    sample = os.path.join(OUT, f"pages-sample-{SAMPLE_SIZE}.db")
    if not os.path.exists(sample):
        build_sample(sample + ".partial")
        os.replace(sample + ".partial", sample)
    path = os.path.join(OUT, f"pages-{total}.db")
    if not os.path.exists(path):
        started = time.perf_counter()
        replicate(sample, path + ".partial", total)
        os.replace(path + ".partial", path)
        print(f"built {path} in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def discover_pages(path: str) -> dict[str, str]:
    """Every GET route under /staff, its arguments filled with ids from the database."""
    app = create_app({"DATABASE": path, "SECRET_KEY": "bench", "SERVER_NAME": "bench.local"})
    db = open_database(path)
    ids = {
        "survey_id": db.execute("SELECT MIN(id) FROM surveys").fetchone()[0],
        "wave_id": db.execute("SELECT MAX(id) FROM waves").fetchone()[0],
        "question_id": db.execute("SELECT MIN(id) FROM questions").fetchone()[0],
        "theme_id": db.execute("SELECT id FROM themes ORDER BY units DESC LIMIT 1").fetchone()[0],
        "action_id": (db.execute("SELECT MIN(id) FROM actions").fetchone() or [None])[0],
        "term_id": _first_term_id(),
    }
    pages: dict[str, str] = {}
    with app.app_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or not rule.rule.startswith("/staff"):
                continue
            if rule.endpoint in SKIPPED_ENDPOINTS or any(ids.get(arg) is None for arg in rule.arguments):
                continue
            url = url_for(rule.endpoint, **{arg: ids[arg] for arg in rule.arguments})
            pages[f"{rule.endpoint} {rule.rule}"] = url.replace("http://bench.local", "")
    return pages


def _first_term_id() -> str | None:
    from survey.store.lexicons import current_lexicon

    db = open_database(":memory:")
    migrate(db)
    terms = current_lexicon(db).terms
    return terms[0].id if terms else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(path: str, port: int) -> subprocess.Popen:
    """``rapport serve`` on ``path``; returns once it answers."""
    env = dict(os.environ, RAPPORT_DATABASE=path, RAPPORT_SECRET_KEY="bench-" + uuid.uuid4().hex,
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    with open(os.path.join(OUT, "serve-pages.log"), "w") as errors:
        server = subprocess.Popen(
            [os.path.join(ROOT, ".venv", "bin", "rapport"), "serve", "--port", str(port),
             "--access-log", os.path.join(OUT, "access-pages.log")],
            env=env, stdout=subprocess.DEVNULL, stderr=errors,
        )
    for _ in range(3000):  # migrations may create indexes on millions of rows first
        try:
            httpx.get(f"http://127.0.0.1:{port}/staff/login", timeout=2)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("rapport serve did not start: see bench/out/serve-pages.log")


def signed_in_client(base: str) -> httpx.Client:
    """An HTTP client with a staff session (CSRF token taken from the login form)."""
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/staff/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    response = client.post("/staff/login", data={"csrf_token": token, "username": USERNAME,
                                                   "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"sign-in failed: {response.status_code}")
    return client


def time_page(clients: list[httpx.Client], url: str, repeats: int) -> tuple[list[float], set[int]]:
    """``repeats`` requests for ``url`` spread over the concurrent clients; times in ms."""
    with contextlib.suppress(httpx.TimeoutException):
        clients[0].get(url)  # first request warms the worker's caches

    def one(index: int) -> tuple[float, int]:
        started = time.perf_counter()
        try:
            status = clients[index % len(clients)].get(url).status_code
        except httpx.TimeoutException:
            status = 0  # printed as status 0: the page took longer than the client timeout
        return 1000 * (time.perf_counter() - started), status

    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        results = list(pool.map(one, range(repeats)))
    return sorted(ms for ms, _ in results), {status for _, status in results}


def worker_memory(server: subprocess.Popen) -> list[tuple[int, float, float]]:
    """(pid, RSS MB, PSS MB) of each gunicorn worker (children of the master)."""
    with open(f"/proc/{server.pid}/task/{server.pid}/children") as listing:
        children = listing.read().split()
    memory = []
    for pid in map(int, children):
        rss = _kib(f"/proc/{pid}/status", "VmRSS:")
        pss = _kib(f"/proc/{pid}/smaps_rollup", "Pss:")
        memory.append((pid, rss / 1024, pss / 1024))
    return memory


def _kib(path: str, field: str) -> float:
    with open(path) as lines:
        return float(next(line.split()[1] for line in lines if line.startswith(field)))


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(path: str, repeats: int, client_count: int) -> None:
    """Serve ``path``, time every staff page and print the table, worst page and worker memory."""
    pages = discover_pages(path)
    port = _free_port()
    server = start_server(path, port)
    try:
        clients = [signed_in_client(f"http://127.0.0.1:{port}") for _ in range(client_count)]
        print(f"{len(pages)} staff pages, {repeats} requests each, {client_count} concurrent clients")
        print(f"{'page':62} {'status':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        results = {}
        for name, url in sorted(pages.items()):
            times, statuses = time_page(clients, url, repeats)
            results[name] = percentile(times, 0.95)
            status = ",".join(map(str, sorted(statuses)))
            print(f"{name[:62]:62} {status:>7} {percentile(times, 0.5):8.1f} {results[name]:8.1f} "
                  f"{times[-1]:8.1f}", flush=True)
        worst = max(results, key=results.get)
        verdict = "within" if results[worst] < BUDGET_MS else "OVER"
        print(f"worst page: {worst} p95 {results[worst]:.1f} ms ({verdict} the {BUDGET_MS:.0f} ms budget)")
        for pid, rss, pss in worker_memory(server):
            verdict = "within" if rss < BUDGET_MB else "OVER"
            print(f"gunicorn worker {pid}: RSS {rss:.0f} MB, PSS {pss:.0f} MB "
                  f"({verdict} the {BUDGET_MB:.0f} MB budget)")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="stored responses")
    parser.add_argument("--repeats", type=int, default=20, help="requests per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent signed-in clients")
    args = parser.parse_args()
    path = database_for(args.responses)
    db = open_database(path)
    counts = [db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("responses", "units")]
    db.close()
    print(f"{counts[0]:,} responses, {counts[1]:,} units in {path}")
    report(path, args.repeats, args.clients)


if __name__ == "__main__":
    main()
