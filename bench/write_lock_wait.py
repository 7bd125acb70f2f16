"""How long Rapport's group commits wait for the database write lock another worker holds.

``bench/submit.py`` on a quiet machine leaves it 7% idle in Rapport's rounds (1% in the bare
endpoint's): time in which requests wait rather than compute. One candidate is the write lock: each
gunicorn worker leads its own group commits (``survey.store.responses.group_commit``), so two
workers' ``BEGIN IMMEDIATE`` collide, and SQLite's busy handler then sleeps 1, 2, 5, 10... ms
between tries while the other worker holds the lock for about 0.2 ms.

This starts Rapport as ``bench/submit.py`` does (gunicorn, same options, temporary database), with
each worker's ``BEGIN IMMEDIATE`` of a group commit timed (a wrapper around the connection, added
in the worker only: the code measured is unchanged), runs ``bench/submit.py``'s load, and prints per
submission the time spent waiting for the lock, how many transactions waited longer than 0.5 ms,
and the batch sizes. ``--retry-pause SECONDS`` instead begins with SQLite's busy timeout at 0 and
retries in Python after that pause, doubling up to 2 ms (an experiment, not Rapport's code), to see
whether shorter waits show on a quiet machine. Loopback only; quote ``uptime`` with the figures.

Usage: ``.venv/bin/python bench/write_lock_wait.py [--clients 8] [--duration 10] [--workers 3]
[--retry-pause 0.0001]``
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import servers  # noqa: E402  (bench/servers.py)
import submit  # noqa: E402  (bench/submit.py)


class TimedBegin:
    """A connection whose ``BEGIN IMMEDIATE`` is timed into ``stats``; everything else passes through."""

    def __init__(self, conn, stats: dict, retry_pause: float | None) -> None:
        self._conn, self._stats, self._retry_pause = conn, stats, retry_pause

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def execute(self, sql, *args):
        if sql != "BEGIN IMMEDIATE":
            return self._conn.execute(sql, *args)
        started = time.perf_counter()
        try:
            return self._begin() if self._retry_pause else self._conn.execute(sql)
        finally:
            waited = time.perf_counter() - started
            self._stats["transactions"] += 1
            self._stats["waited"] += waited
            self._stats["over_half_ms"] += waited > 0.0005

    def _begin(self):
        import sqlite3

        self._conn.execute("PRAGMA busy_timeout = 0")
        pause, deadline = self._retry_pause, time.monotonic() + 10
        try:
            while True:
                try:
                    return self._conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as error:
                    if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                        raise
                time.sleep(pause)
                pause = min(2 * pause, 0.002)
        finally:
            self._conn.execute("PRAGMA busy_timeout = 10000")


def _instrument_worker(out_dir: str, retry_pause: float | None) -> None:
    """In a forked worker: time each group commit's BEGIN; write the totals after each commit (outside
    the lock), so that the files are exact whenever the load stops."""
    from survey.store.responses import group_commit

    stats = {"transactions": 0, "waited": 0.0, "over_half_ms": 0, "submissions": 0}
    commit = group_commit._commit

    def timed_commit(conn, batch):
        stats["submissions"] += len(batch)
        try:
            return commit(TimedBegin(conn, stats, retry_pause), batch)
        finally:
            Path(out_dir, f"worker-{os.getpid()}.json").write_text(json.dumps(stats))

    group_commit._commit = timed_commit


def _serve(database: str, port: int, workers: int, out_dir: str, retry_pause: float | None) -> None:
    """The server process: Rapport under gunicorn as bench/servers.py starts it, workers instrumented."""
    from survey.cli.serve import RapportServer, gunicorn_options

    app = servers._application("rapport", database)
    options = gunicorn_options(host="127.0.0.1", port=port, workers=workers, threads=64, access_log=None)
    options["post_fork"] = lambda _server, _worker: _instrument_worker(out_dir, retry_pause)
    RapportServer(app, options).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="load-generator processes")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)) + 1)
    parser.add_argument("--retry-pause", type=float, default=None,
                        help="experiment: retry BEGIN in Python after this many seconds (doubling to 2 ms)")
    parser.add_argument("--serve", nargs=3, metavar=("DATABASE", "PORT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve[0], int(args.serve[1]), args.workers, args.serve[2], args.retry_pause)
        return
    begin = "retried in Python" if args.retry_pause else "as Rapport runs it"
    print(f"load average {os.getloadavg()[0]:.2f}; {args.clients} clients x {args.duration:.0f} s; "
          f"{args.workers} workers; BEGIN {begin}")
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        database = os.path.join(tmp, "rapport.db")
        token = submit.build_database(database)
        port = servers.free_port()
        env = {**os.environ, "RAPPORT_DATABASE": database, "RAPPORT_SECRET_KEY": "bench-" + "x" * 32,
               "RAPPORT_ENV": "production", "RAPPORT_INSTANCE_PATH": tmp,
               "RAPPORT_SUBMISSION_RATE_LIMIT": "1000000 per minute"}
        command = [sys.executable, __file__, "--workers", str(args.workers),
                   "--serve", database, str(port), tmp]
        if args.retry_pause:
            command += ["--retry-pause", str(args.retry_pause)]
        server = subprocess.Popen(command, env=env, start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            time.sleep(0.5)
            submit.run_load(port, f"/s/{token}", "rapport", args.clients, 2.0)  # warm-up
            time.sleep(0.5)
            before = _totals(tmp)
            result = submit.run_load(port, f"/s/{token}", "rapport", args.clients, args.duration)
            time.sleep(0.5)
            after = _totals(tmp)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
    done = {key: after[key] - before.get(key, 0) for key in after}
    print(f"{result.acknowledged / result.elapsed:.1f} submissions/s, errors {result.errors}; "
          f"load average now {os.getloadavg()[0]:.2f}")
    if not done.get("transactions"):
        raise SystemExit("no worker reported a group commit")
    print(f"group commits {done['transactions']}, submissions in them {done['submissions']}; "
          f"waiting for the write lock: {1000 * done['waited'] / done['submissions']:.3f} ms a submission, "
          f"{1000 * done['waited'] / done['transactions']:.3f} ms a commit on average; "
          f"{100 * done['over_half_ms'] / done['transactions']:.1f}% of commits waited over 0.5 ms")


def _totals(folder: str) -> dict:
    """The workers' totals so far, summed."""
    totals: dict = {}
    for path in glob.glob(os.path.join(folder, "worker-*.json")):
        for key, value in json.loads(Path(path).read_text()).items():
            totals[key] = totals.get(key, 0) + value
    return totals


if __name__ == "__main__":
    main()
