"""Survey submissions per second through the real HTTP stack (DESIGN.md section 8).

Starts Rapport under one server configuration of ``bench/servers.py`` on a temporary database
holding a demo-like survey, then runs a load generator on the same machine: several processes, each
a stream of virtual partners who GET the form (CSRF and one-time form token), then POST realistic
answers, some naming people. It prints submissions/s, p50/p99 latency and errors, checks that every
acknowledged response is in the database, and measures a bare Flask + WTForms + sqlite-utils insert
endpoint the same way in the same run, printing the ratio. Both servers run at once and are measured
in alternating rounds, so a change in the machine's load during the run hurts both alike.

Usage: ``.venv/bin/python bench/submit.py [--duration 15] [--clients 6] [--server waitress:1x8]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import multiprocessing
import os
import random
import re
import string
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import servers  # bench/servers.py: the compared server configurations

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

OUT = ROOT / "bench" / "out"
DEPARTMENTS = ["Finance", "HR", "Sales", "Operations", "Legal", "Marketing"]
SENTENCES = [
    "The new CRM rollout slipped again and nobody told us until the week before go-live.",
    "Service desk tickets get closed without anyone checking that the problem is actually fixed.",
    "IT listens in the quarterly meetings, but nothing changes afterwards.",
    "The project team was helpful but clearly understaffed during the ERP upgrade.",
    "We still wait three weeks for a laptop for new starters, which is embarrassing.",
    "Communication about outages has improved a lot since the spring.",
    "It feels like we are treated as an internal customer rather than a partner.",
    "Access requests take far too long and the approval chain is unclear.",
    "Training on the reporting tool would help my team use the data properly.",
    "Costs for small changes are high and the estimates are hard to follow.",
]
NAMED = [
    "Ask {first} {last} about it, she fixed the same thing for us in March.",
    "Please contact me at {first_lower}.{last_lower}@example.com if you need details.",
    "{first} {last} from the service desk was fantastic last month.",
    "Call me on +44 20 7946 0{digits} and I can explain.",
]
FIRST = ["Priya", "Marcus", "Ingrid", "Tomasz", "Aiko", "Fernando", "Leila", "Oskar"]
LAST = ["Raman", "Okafor", "Lindqvist", "Nowak", "Tanaka", "Alvarez", "Haddad", "Berg"]
MARKER = re.compile(r"\bzq([a-z]{10})\b")


@dataclass(frozen=True)
class Result:
    acknowledged: int
    errors: int
    post_latencies: list[float]
    get_latencies: list[float]
    markers: list[str]
    elapsed: float
    client_cpu: float = 0.0


# --- the two servers --------------------------------------------------------------------------

def build_database(path: str) -> str:
    """Create a demo-like survey with an open public wave; return the wave's link token."""
    from survey.db import open_database
    from survey.migrations import migrate
    from survey.store.surveys import add_question, create_survey, create_wave

    db = open_database(path)
    migrate(db)
    survey = create_survey(db, "IT partnership pulse", "Five short questions about working with IT.")
    add_question(db, survey.id, "text", "What should IT start, stop or continue doing?", required=True)
    add_question(db, survey.id, "rating", "How well does IT understand your priorities?", required=True)
    add_question(db, survey.id, "nps", "How likely are you to recommend working with IT?")
    add_question(db, survey.id, "text", "Anything else you want us to know?")
    add_question(db, survey.id, "segment", "Your department", options=DEPARTMENTS)
    today = dt.date.today()
    wave = create_wave(db, survey.id, "Bench", today, today + dt.timedelta(days=7))
    db.close()
    return wave.token


def bare_app(database: str):
    """The baseline: Flask + Flask-WTF (CSRF) + sqlite-utils, one insert per POST, nothing else."""
    import sqlite_utils
    from flask import Flask, redirect
    from flask_wtf import FlaskForm
    from wtforms import IntegerField, TextAreaField

    app = Flask(__name__)
    app.config.update(SECRET_KEY="bench-bare", DATABASE=database)

    class BareForm(FlaskForm):
        text = TextAreaField()
        rating = IntegerField()

    # Compiled once, as any app with template files gets from Jinja's cache (render_template_string
    # would compile it on every GET and make the baseline slower than a real minimal app).
    page = app.jinja_env.from_string(
        '<form method="post">{{ form.csrf_token }}{{ form.text }}{{ form.rating }}'
        '<button>Send</button></form>')

    connections = threading.local()

    def get_db() -> sqlite_utils.Database:
        # One connection per server thread, as Rapport's partner pages do, so the ratio measures
        # the application's own work rather than connection handling.
        if not hasattr(connections, "db"):
            connections.db = sqlite_utils.Database(database)
            connections.db.conn.execute("PRAGMA busy_timeout = 10000")
            connections.db.conn.execute("PRAGMA synchronous = NORMAL")
        return connections.db

    @app.route("/bare", methods=["GET", "POST"])
    def submit():
        form = BareForm()
        if form.validate_on_submit():
            get_db()["bare"].insert({"text": form.text.data, "rating": form.rating.data})
            return redirect("/bare/thanks", code=303)
        return page.render(form=form)

    return app


# --- the load generator -----------------------------------------------------------------------

def answer_text(rng: random.Random, marker: str) -> str:
    """One realistic comment; about one in four names someone or gives contact details."""
    parts = rng.sample(SENTENCES, rng.randint(1, 3))
    if rng.random() < 0.25:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        parts.append(rng.choice(NAMED).format(first=first, last=last, first_lower=first.lower(),
                                              last_lower=last.lower(), digits=rng.randint(100, 999)))
    # The storage-check marker goes last: placed mid-text, "(ref zq1) Printer..." made the next
    # capitalised word look mid-sentence and sent one bench answer in four to NER (demo: one in eight).
    parts.append(f"(ref zq{marker})")
    return " ".join(parts)


def virtual_partners(port: int, path: str, kind: str, seconds: float, seed: int,
                     connections: str = "keep-alive") -> Result:
    """One client process: partners one after another. With ``connections="per-partner"`` each
    partner opens its own connection for the GET and the POST and closes it, as a partner's browser
    does (nginx by default goes further: a new upstream connection for every request); with
    ``"keep-alive"`` all its partners share one connection (a proxy's upstream keep-alive pool)."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    posts, gets, markers, errors = [], [], [], 0
    hidden = re.compile(r'name="(csrf_token|form_token)" type="hidden" value="([^"]*)"')
    fields = re.compile(r'name="(q\d+)"')
    started, cpu_started = time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        if connections == "per-partner":
            connection.close()  # the previous partner's browser leaves; the next one connects anew
        try:
            t0 = time.perf_counter()
            connection.request("GET", path)
            page = connection.getresponse()
            html = page.read().decode()
            # Every cookie the page set (Rapport's partner cookie, the bare endpoint's session), as a
            # browser sends them back to the same path.
            cookie = "; ".join(header.split(";", 1)[0] for header in page.headers.get_all("Set-Cookie", []))
            gets.append(time.perf_counter() - t0)
            if page.status != 200:
                errors += 1
                continue
            marker = "".join(rng.choice(string.ascii_lowercase) for _ in range(10))
            form = dict(hidden.findall(html))
            names = sorted(set(fields.findall(html)), key=lambda name: int(name[1:]))
            form.update(_answers(kind, names, rng, marker))
            t1 = time.perf_counter()
            connection.request("POST", path, body=urlencode(form), headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            reply = connection.getresponse()
            reply.read()
            posts.append(time.perf_counter() - t1)
            if reply.status == 303:
                markers.append(marker)
            else:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
    connection.close()
    return Result(len(markers), errors, posts, gets, markers, time.perf_counter() - started,
                  time.process_time() - cpu_started)


def _answers(kind: str, names: list[str], rng: random.Random, marker: str) -> dict[str, str]:
    if kind == "bare":
        return {"text": answer_text(rng, marker), "rating": str(rng.randint(1, 5))}
    first_text, rating, nps, second_text, segment = names
    answers = {first_text: answer_text(rng, marker), rating: str(rng.randint(1, 5)),
               nps: str(rng.randint(0, 10)), segment: rng.choice(DEPARTMENTS)}
    if rng.random() < 0.4:
        answers[second_text] = rng.choice(SENTENCES)
    return answers


def _run_client(args: tuple) -> Result:
    return virtual_partners(*args)


def run_load(port: int, path: str, kind: str, clients: int, seconds: float,
             connections: str = "keep-alive") -> Result:
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        jobs = [(port, path, kind, seconds, 1000 * n + 7, connections) for n in range(clients)]
        parts = pool.map(_run_client, jobs)
    return Result(
        sum(p.acknowledged for p in parts), sum(p.errors for p in parts),
        [x for p in parts for x in p.post_latencies], [x for p in parts for x in p.get_latencies],
        [m for p in parts for m in p.markers], max(p.elapsed for p in parts),
        sum(p.client_cpu for p in parts),
    )


def stored_markers(database: str, kind: str) -> tuple[int, set[str]]:
    import sqlite_utils

    db = sqlite_utils.Database(database)
    if kind == "bare":
        count = db.execute("SELECT COUNT(*) FROM bare").fetchone()[0]
        texts = [row[0] for row in db.execute("SELECT text FROM bare")]
    else:
        count = db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
        texts = [row[0] for row in db.execute("SELECT text FROM answers WHERE text IS NOT NULL")]
    db.close()
    return count, {m for text in texts for m in MARKER.findall(text)}


def server_cpu_seconds(master_pid: int) -> dict[int, float]:
    """User + system CPU seconds used so far by a gunicorn master and each of its live workers, by pid."""
    used = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if master_pid in (pid, ppid):
            used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return used


def machine_idle_seconds() -> float:
    """Seconds all cores have spent idle (``/proc/stat``), to tell a CPU-bound run from a stalled one."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return (int(fields[4]) + int(fields[5])) / os.sysconf("SC_CLK_TCK")  # idle + iowait


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


@dataclass
class App:
    """One of the two apps under test: its server, and what its measured rounds added up to."""

    kind: str
    database: str
    server: object
    port: int
    path: str
    label: str = ""
    warm_count: int = 0
    results: list[Result] = field(default_factory=list)
    server_cpu: dict[int, float] = field(default_factory=dict)  # by process
    idle: float = 0.0


def start_app(kind: str, path_for, args: argparse.Namespace, tmp: str, code: str | None = None) -> App:
    database = os.path.join(tmp, f"{kind}-{'versus' if code else 'this'}.db")
    token = build_database(database) if kind == "rapport" else None
    server, port = servers.start(args.server, kind, database, tmp, code=code)
    return App(kind, database, server, port, path_for(token), label=f"{kind} ({code})" if code else kind)


def measure_round(app: App, args: argparse.Namespace, seconds: float) -> Result:
    """``seconds`` of load on ``app``, adding its server CPU and the machine's idle time to the totals."""
    cpu_before, idle_before = server_cpu_seconds(app.server.pid), machine_idle_seconds()
    result = run_load(app.port, app.path, app.kind, args.clients, seconds, args.connections)
    for pid, used in server_cpu_seconds(app.server.pid).items():
        app.server_cpu[pid] = app.server_cpu.get(pid, 0.0) + used - cpu_before.get(pid, 0.0)
    app.idle += machine_idle_seconds() - idle_before
    app.results.append(result)
    return result


def report(app: App) -> float:
    """Print one app's figures over all its rounds; return its submissions per second."""
    count, found = stored_markers(app.database, app.kind)
    acknowledged = sum(r.acknowledged for r in app.results)
    elapsed = sum(r.elapsed for r in app.results)
    missing = {m for r in app.results for m in r.markers} - found
    rate = acknowledged / elapsed
    post = [x for r in app.results for x in r.post_latencies]
    get = [x for r in app.results for x in r.get_latencies]
    label = app.label or app.kind
    print(f"{label:8s} submissions/s {rate:7.1f}  POST p50 {1000 * percentile(post, .5):6.1f} ms"
          f"  p99 {1000 * percentile(post, .99):6.1f} ms  (GET p50 {1000 * percentile(get, .5):5.1f} ms"
          f"  p99 {1000 * percentile(get, .99):5.1f} ms)  errors {sum(r.errors for r in app.results)}")
    cpu_ms = 1000 * sum(app.server_cpu.values()) / max(acknowledged, 1)
    print(f"{'':8s} acknowledged {acknowledged}, stored {count - app.warm_count} new rows, "
          f"acknowledged but missing from the database: {len(missing)}")
    print(f"{'':8s} server CPU per submission (GET + POST) {cpu_ms:.2f} ms, so at most "
          f"{2000 / cpu_ms:.0f} submissions/s if the server had both cores to itself")
    client_ms = 1000 * sum(r.client_cpu for r in app.results) / max(acknowledged, 1)
    idle = app.idle / (elapsed * (os.cpu_count() or 1))
    print(f"{'':8s} load generator CPU per submission {client_ms:.2f} ms; machine idle {100 * idle:.0f}% "
          "of the run")
    # One worker serving most keep-alive connections is held to one core by its GIL.
    shares = sorted((used for used in app.server_cpu.values() if used > 0), reverse=True)
    print(f"{'':8s} server CPU by process (workers, master): "
          + " / ".join(f"{100 * used / sum(shares):.0f}%" for used in shares))
    return rate


def measure_both(args: argparse.Namespace, tmp: str) -> tuple[App, App]:
    """Both apps up at once, measured in alternating rounds (ABBA...) so a change in the machine's
    load during the run hurts both alike."""
    rapport = start_app("rapport", lambda token: f"/s/{token}", args, tmp)
    try:
        bare = (start_app("rapport", lambda token: f"/s/{token}", args, tmp, code=args.versus) if args.versus
                else start_app("bare", lambda _token: "/bare", args, tmp))
    except BaseException:
        servers.stop(rapport.server)
        raise
    apps = (rapport, bare)
    try:
        for app in apps:
            # warm-up, not counted
            run_load(app.port, app.path, app.kind, args.clients, 2.0, args.connections)
            app.warm_count = stored_markers(app.database, app.kind)[0]
        for number in range(args.rounds):
            for app in apps if number % 2 == 0 else apps[::-1]:
                measure_round(app, args, args.duration / args.rounds)
    finally:
        for app in apps:
            servers.stop(app.server)
    return rapport, bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=16.0, help="seconds of measured load per app")
    parser.add_argument("--rounds", type=int, default=4,
                        help="alternating rounds the duration is split into (Rapport, bare, bare, ...)")
    parser.add_argument("--clients", type=int, default=8, help="load-generator processes")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)) + 1,
                        help="gunicorn workers (default: as rapport serve, one per core plus one)")
    parser.add_argument("--threads", type=int, default=64,
                        help="threads per gunicorn worker (rapport serve's default)")
    parser.add_argument("--versus", metavar="DIR",
                        help="instead of the bare endpoint, Rapport served from another checkout "
                             "(its .venv), to compare two versions under the same load")
    parser.add_argument("--connections", choices=("keep-alive", "per-partner"), default="keep-alive",
                        help="keep-alive (default, as every figure in bench/README.md): each client process "
                             "sends all its partners over one connection, pinned to the worker that accepted "
                             "it; per-partner: each virtual partner opens its own connection for its GET "
                             "and POST, as a browser does")
    parser.add_argument("--server", help="server configuration from bench/servers.py, e.g. waitress:1x8 "
                        "(default: gunicorn-gthread:WORKERSxTHREADS)")
    args = parser.parse_args()
    args.server = args.server or f"gunicorn-gthread:{args.workers}x{args.threads}"
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"load: {args.clients} client processes ({args.connections} connections) x "
          f"{args.duration:.0f} s per app in {args.rounds} "
          f"alternating rounds; server {args.server}; cores {os.cpu_count()}; "
          f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        apps = measure_both(args, tmp)
        rapport, bare = (report(app) for app in apps)
    per_round = [r.acknowledged / r.elapsed / (b.acknowledged / b.elapsed)
                 for r, b in zip(apps[0].results, apps[1].results, strict=True)]
    print("ratio per round: " + ", ".join(f"{ratio:.2f}" for ratio in per_round)
          + f"; load average now {os.getloadavg()[0]:.2f}")
    if args.versus:
        print(f"ratio this checkout / {args.versus}: {rapport / bare:.2f}")
        return
    print(f"ratio rapport / bare: {rapport / bare:.2f}  (budget, DESIGN.md section 8: >= 0.8, POST p99 "
          "< 100 ms, zero errors, nothing acknowledged and lost)")


if __name__ == "__main__":
    main()
