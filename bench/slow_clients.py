"""Do slow clients delay everyone else? (DESIGN.md section 8: 50 trickling clients, p99 < 1 s).

Starts Rapport under one server configuration (see ``bench/servers.py``) on a temporary database
with an open public wave, then, on loopback only and bounded in count and time:

1. a quiet phase: ``--normal`` client threads submit the survey (GET the form, POST answers) for
   ``--quiet`` seconds, paced by ``--pause``;
2. a slow phase: ``--slow`` connections each send a POST's headers announcing a body, then trickle
   one byte every ``--trickle`` seconds for ``--duration`` seconds and hang up; while they trickle
   the same normal load runs again.

Prints, for each phase, the normal requests' count, p50/p99/max latency and errors (a request that
takes longer than ``--timeout`` counts as an error at that latency), and the machine load.

Usage: ``.venv/bin/python bench/slow_clients.py --server gunicorn-gthread:2x4 [--slow 50] [--duration 20]``
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import servers  # noqa: E402
from submit import DEPARTMENTS, answer_text, build_database, percentile  # noqa: E402

from survey.cli.serve import DEFAULT_THREADS, DEFAULT_WORKERS  # noqa: E402

HIDDEN = re.compile(r'name="(csrf_token|form_token)" type="hidden" value="([^"]*)"')
FIELDS = re.compile(r'name="(q\d+)"')


def trickle(port: int, path: str, seconds: float, every: float, stop: threading.Event) -> None:
    """One slow client: announce a 100 kB body, send a byte every ``every`` s, give up at the end."""
    try:
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        return
    deadline = time.monotonic() + seconds
    try:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                           "application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n".encode())
        while time.monotonic() < deadline and not stop.is_set():
            connection.sendall(b"a")
            stop.wait(every)
    except OSError:
        pass
    finally:
        connection.close()


def submit_once(port: int, path: str, rng: random.Random, timeout: float) -> tuple[float, bool]:
    """One partner on a fresh connection: GET the form, POST answers. Returns (seconds, ok)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        page = connection.getresponse()
        html = page.read().decode()
        cookie = "; ".join(h.split(";", 1)[0] for h in page.headers.get_all("Set-Cookie", []))
        form = dict(HIDDEN.findall(html))
        names = sorted(set(FIELDS.findall(html)), key=lambda name: int(name[1:]))
        if page.status != 200 or len(names) < 5:
            return time.perf_counter() - started, False
        form.update({names[0]: answer_text(rng, "slowbench"), names[1]: str(rng.randint(1, 5)),
                     names[2]: str(rng.randint(0, 10)), names[4]: rng.choice(DEPARTMENTS)})
        connection.request("POST", path, body=urlencode(form), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        reply = connection.getresponse()
        reply.read()
        return time.perf_counter() - started, reply.status == 303
    except (OSError, http.client.HTTPException):
        return max(time.perf_counter() - started, timeout), False
    finally:
        connection.close()


def normal_load(port: int, path: str, clients: int, seconds: float, pause: float,
                timeout: float) -> tuple[list[float], int]:
    """``clients`` threads submitting for ``seconds``; returns latencies and the error count."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            took, ok = submit_once(port, path, rng, timeout)
            with lock:
                latencies.append(took)
                errors[0] += not ok
            time.sleep(pause)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 2 * timeout + 5)
    return latencies, errors[0]


def report(label: str, latencies: list[float], errors: int) -> None:
    print(f"  {label:28s} requests {len(latencies):5d}  p50 {1000 * percentile(latencies, .5):7.1f} ms"
          f"  p99 {1000 * percentile(latencies, .99):7.1f} ms  max {1000 * max(latencies or [0]):7.1f} ms"
          f"  errors {errors}")


def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="rapport-slow-") as tmp:
        database = os.path.join(tmp, "rapport.db")
        path = f"/s/{build_database(database)}"
        server, port = servers.start(args.server, "rapport", database, tmp)
        try:
            normal_load(port, path, args.normal, 2.0, args.pause, args.timeout)  # warm-up
            quiet = normal_load(port, path, args.normal, args.quiet, args.pause, args.timeout)
            stop = threading.Event()
            slow = [threading.Thread(target=trickle, args=(port, path, args.duration, args.trickle, stop))
                    for _ in range(args.slow)]
            for thread in slow:
                thread.start()
            time.sleep(1.0)  # every slow client has sent its headers
            loaded = normal_load(port, path, args.normal, args.duration - 2.0, args.pause, args.timeout)
            stop.set()
            for thread in slow:
                thread.join(10)
        finally:
            servers.stop(server)
    print(f"{args.server}: {args.normal} normal clients (pause {args.pause} s), {args.slow} slow clients "
          f"trickling 1 byte / {args.trickle} s for {args.duration:.0f} s; load {os.getloadavg()[0]:.2f}")
    report("quiet", *quiet)
    report(f"while {args.slow} clients trickle", *loaded)
    budget = percentile(loaded[0], .99) < 1.0 and loaded[1] == 0
    print(f"  budget (p99 < 1 s while they trickle, no error): {'met' if budget else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=f"rapport-serve:{DEFAULT_WORKERS}x{DEFAULT_THREADS}",
                        help="configuration (default: rapport serve's own), e.g. gunicorn-gthread:2x4, "
                             "waitress:1x8, granian:2x4")
    parser.add_argument("--slow", type=int, default=50, help="slow clients (at most 200)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds the slow clients trickle")
    parser.add_argument("--trickle", type=float, default=0.5, help="seconds between trickled bytes")
    parser.add_argument("--quiet", type=float, default=8.0, help="seconds of normal load before")
    parser.add_argument("--normal", type=int, default=4, help="normal client threads")
    parser.add_argument("--pause", type=float, default=0.05, help="pause between a client's submissions")
    parser.add_argument("--timeout", type=float, default=10.0, help="a normal request's time limit")
    args = parser.parse_args()
    args.slow = min(args.slow, 200)
    args.duration = min(max(args.duration, 5.0), 120.0)
    print(f"uptime before: {os.getloadavg()}")
    run(args)
    print(f"uptime after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
