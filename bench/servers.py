"""The server configurations the HTTP benchmarks compare, each started in its own process.

A configuration is a name such as ``gunicorn-gthread:2x4`` (``server-kind:WORKERSxTHREADS``):

- ``gunicorn-sync``: gunicorn's sync workers (one request at a time per process),
- ``gunicorn-gthread``: gunicorn's threaded workers (``rapport serve``'s historical default),
- ``gunicorn-gevent``: gunicorn with gevent greenlets (THREADS is the connection limit / 10),
- ``waitress``: one process, THREADS worker threads behind an async I/O loop that buffers bodies,
- ``granian``: the Rust server, WORKERS processes each with THREADS blocking threads.

Both benchmarks (``slow_clients.py``, ``submit.py``) run ``python bench/servers.py`` as the server
process, so every configuration serves exactly the app ``rapport serve`` prepares.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

KINDS = ("gunicorn-sync", "gunicorn-gthread", "gunicorn-gevent", "waitress", "granian", "rapport-serve")


def parse_configuration(name: str) -> tuple[str, int, int]:
    """``"waitress:1x16"`` -> ``("waitress", 1, 16)``."""
    kind, _, shape = name.partition(":")
    if kind not in KINDS:
        raise SystemExit(f"unknown server {kind!r}; choose from {', '.join(KINDS)}")
    workers, _, threads = (shape or "2x4").partition("x")
    return kind, int(workers), int(threads or 1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(configuration: str, app_kind: str, database: str, tmp: str,
          log: str | None = None, code: str | None = None) -> tuple[subprocess.Popen, int]:
    """Start one server process (``app_kind`` is ``rapport`` or ``bare``); return it and its port.
    ``code``: another checkout to serve from (its ``.venv`` and its ``bench/servers.py``)."""
    port = free_port()
    env = {**os.environ, "RAPPORT_DATABASE": database, "RAPPORT_SECRET_KEY": "bench-" + "x" * 32,
           "RAPPORT_ENV": "production", "RAPPORT_INSTANCE_PATH": tmp,
           # The throttle stays on (its cost is part of the figure) with a limit no run reaches.
           "RAPPORT_SUBMISSION_RATE_LIMIT": "1000000 per minute"}
    command = [sys.executable, __file__, configuration, app_kind, database, str(port)]
    if code is not None:
        command[:2] = [os.path.join(code, ".venv", "bin", "python"),
                       os.path.join(code, "bench", "servers.py")]
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed with the process)
    server = subprocess.Popen(command, env=env, stdout=output, stderr=output, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            time.sleep(0.5)  # let every worker come up
            return server, port
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"{configuration} exited with {server.returncode}") from None
            time.sleep(0.2)
    stop(server)
    raise SystemExit(f"{configuration} did not start")


def stop(server: subprocess.Popen) -> None:
    """Stop a server process and its workers (its own process group)."""
    import signal

    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def _application(app_kind: str, database: str):
    if app_kind == "bare":
        import sqlite_utils
        from submit import bare_app

        bare_db = sqlite_utils.Database(database)
        bare_db.enable_wal()
        bare_db["bare"].create({"text": str, "rating": int}, if_not_exists=True)
        bare_db.close()
        return bare_app(database)
    from survey import create_app
    from survey.cli.serve import prepare_for_serving

    app = create_app()
    prepare_for_serving(app)
    return app


def _serve(configuration: str, app_kind: str, database: str, port: int) -> None:
    kind, workers, threads = parse_configuration(configuration)
    if kind == "gunicorn-gevent":
        from gevent import monkey

        monkey.patch_all()
    sys.path.insert(0, str(ROOT / "bench"))
    if kind == "rapport-serve":
        from survey import create_app
        from survey.cli.serve import serve

        serve(create_app(), host="127.0.0.1", port=port, workers=workers, threads=threads,
              access_log=None)
        return
    app = _application(app_kind, database)
    if kind.startswith("gunicorn"):
        from survey.cli.serve import RapportServer, gunicorn_options

        options = gunicorn_options(host="127.0.0.1", port=port, workers=workers, threads=threads,
                                   access_log=None)
        options["worker_class"] = {"gunicorn-sync": "sync", "gunicorn-gthread": "gthread",
                                   "gunicorn-gevent": "gevent"}[kind]
        if kind == "gunicorn-gevent":
            options["worker_connections"] = threads * 10
        RapportServer(app, options).run()
    elif kind == "waitress":
        import waitress

        # Waitress buffers each body before a thread sees it; past connection_limit it stops
        # accepting, so the limit is raised (poll() lifts select()'s 1,024-descriptor ceiling).
        waitress.serve(app, host="127.0.0.1", port=port, threads=threads, _quiet=True,
                       connection_limit=1000, asyncore_use_poll=True)
    else:
        _serve_granian(app, port, workers, threads)


def _serve_granian(app, port: int, workers: int, threads: int) -> None:
    from granian.constants import Interfaces
    from granian.server import Server

    global _GRANIAN_APP
    _GRANIAN_APP = app
    Server("servers:granian_target", address="127.0.0.1", port=port, interface=Interfaces.WSGI,
           workers=workers, blocking_threads=threads, log_enabled=False).serve(
        target_loader=lambda _target: _GRANIAN_APP)


_GRANIAN_APP = None


def main() -> None:
    parser = argparse.ArgumentParser(description="serve one benchmark configuration (internal)")
    parser.add_argument("configuration")
    parser.add_argument("app_kind", choices=["rapport", "bare"])
    parser.add_argument("database")
    parser.add_argument("port", type=int)
    args = parser.parse_args()
    _serve(args.configuration, args.app_kind, args.database, args.port)


if __name__ == "__main__":
    main()
