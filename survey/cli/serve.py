"""``rapport serve``: the production server (gunicorn) with logs that cannot identify a partner.

The access log records the date (no time of day), method, path (without the query string, which
may carry an invitation code), status, size and duration: never the client address, user agent,
referrer or anything from the form (DESIGN.md section 3, rules 6 and 9). The error log keeps the
date only and loses addresses and query strings; both escape control characters
(:mod:`survey.cli.log_privacy`).
"""

from __future__ import annotations

import gc
import importlib.abc
import os
import sys
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from gunicorn.app.base import BaseApplication

from nlp.redaction import redact_personal_data
from survey.cli.log_privacy import ACCESS_LOG_FORMAT, PrivateErrorFilter, PrivateLogger
from survey.config import require_secret_key_for
from survey.db import open_migrated
from survey.errors import RapportError

__all__ = ["ACCESS_LOG_FORMAT", "PrivateErrorFilter", "PrivateLogger", "gunicorn_options", "serve"]
from survey.services.models import spacy_model_from_config
from survey.services.replication import ReplicaSettings, start_replication, stop_replication
from survey.store.throttle import parse_limits

#: Templates of the partner pages, compiled before the workers fork.
PARTNER_TEMPLATES = ("partner/survey.html", "partner/thanks.html", "partner/already.html",
                     "partner/closed.html", "partner/code.html", "error.html")

#: Threads per worker. Each client still sending its request holds one thread, and gunicorn does not
#: spread connections evenly over workers, so each worker gets enough threads for all 50 slow
#: clients of the budget (bench/slow_clients.py; README "Running it for real").
DEFAULT_THREADS = 64
#: Worker processes: one per core plus one. A submission's commit and checkpoint leave a worker
#: waiting on the disk, and the extra worker uses that time: on 2 cores, 3 workers kept the machine
#: 6-9% idle during bench/submit.py against 15-16% for 2, and reached 0.66-0.68 of the bare endpoint
#: against 0.62-0.65 (quiet, back to back, 2026-12-07; bench/README.md).
DEFAULT_WORKERS = len(os.sched_getaffinity(0)) + 1


def gunicorn_options(
    host: str = "127.0.0.1", port: int = 5000, workers: int = DEFAULT_WORKERS, threads: int = DEFAULT_THREADS,
    access_log: str | None = "-",
) -> dict[str, Any]:
    """The gunicorn settings ``rapport serve`` and ``bench/submit.py`` both use."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "keepalive": 5,
        "accesslog": access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "info",
        "logger_class": PrivateLogger,
        # Load the app (and the redaction model) once in the master; workers share its memory.
        "preload_app": True,
        "forwarded_allow_ips": "127.0.0.1",
        "limit_request_line": 8190,
        "graceful_timeout": 10,
        # No shared control socket in $HOME: several servers (tests, benchmarks) may run at once.
        "control_socket_disable": True,
        "when_ready": freeze_preloaded_heap,
    }


def freeze_preloaded_heap(_arbiter: Any) -> None:
    """Move everything the master loaded (the app, spaCy, the tagger) out of the garbage collector's
    reach before the workers fork. A worker's full collection otherwise walks those ~250,000
    objects (0.1-0.3 s, stalling every request of that worker: DESIGN.md section 8's p99), and
    touching them copies shared pages into each worker (``gc.freeze``, Python's advice for
    pre-fork servers)."""
    gc.freeze()


class RapportServer(BaseApplication):
    """Gunicorn running an already-built Flask app with :func:`gunicorn_options`."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


class _KeepTorchOut(importlib.abc.MetaPathFinder):
    """Makes ``import torch`` fail in web processes.

    Web workers never embed text (analysis runs in its own process), but spaCy's thinc imports
    torch whenever it is installed, which costs ~180 MB per worker. Refusing the import keeps a
    worker under the 300 MB budget; spaCy works without torch.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError(f"{name} is not loaded in web workers", name=name)
        return None


def keep_torch_out_of_web_workers() -> None:
    """Install :class:`_KeepTorchOut` once (before anything imports spaCy)."""
    if "torch" not in sys.modules and not any(isinstance(f, _KeepTorchOut) for f in sys.meta_path):
        sys.meta_path.insert(0, _KeepTorchOut())


def prepare_for_serving(app: Flask) -> None:
    """Refuse to serve without a secret key, migrate the database, and warm up redaction.

    Raises
    ------
    ConfigurationError
        Outside development and testing when ``SECRET_KEY`` is missing.
    """
    require_secret_key_for(app)
    keep_torch_out_of_web_workers()
    open_migrated(app.config["DATABASE"]).close()
    # Load the NER pipeline in the master so forked workers share it instead of each paying
    # seconds on their first comment that names someone.
    spacy_model_from_config(app.config)
    redact_personal_data("Warm-up: please ask Quenterby Zorblat, or q.zorblat@example.com.")
    # Import matplotlib (through the chart functions) in the master too: otherwise each worker pays
    # about a second on its first chart page, even when the chart itself comes from the shared cache.
    import reports.charts  # noqa: F401

    _warm_partner_path(app)


def _warm_partner_path(app: Flask) -> None:
    """Compile the partner templates and parse the throttle limits (importing ``limits``) in the
    master, so no worker pays for them on its first partner request (bench/submit.py's p99)."""
    for name in PARTNER_TEMPLATES:
        app.jinja_env.get_template(name)
    parse_limits(app.config.get("SUBMISSION_RATE_LIMIT"))


def serve(app: Flask, **options: Any) -> None:
    """Serve ``app`` under gunicorn until interrupted; ``options`` go to :func:`gunicorn_options`."""
    prepare_for_serving(app)
    replication, server_pid = None, os.getpid()
    if app.config["REPLICATE_WITH_SERVE"]:
        # Continuous backup beside the server (README "Continuous backup"); stopped with it.
        replication = start_replication(ReplicaSettings.from_config(app.config))
    try:
        RapportServer(app, gunicorn_options(**options)).run()
    finally:
        if replication is not None and os.getpid() == server_pid:  # not in a forked worker
            stop_replication(replication)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=DEFAULT_WORKERS, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (default: one per core plus one).")
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker (each slow client holds one; see README 'Running it for real').")
@click.option("--access-log", default="-", show_default=True,
              help="Access log file ('-' for standard output); it never holds client addresses.")
@with_appcontext
def serve_command(host: str, port: int, workers: int, threads: int, access_log: str) -> None:
    """Serve Rapport with gunicorn (production server; needs SECRET_KEY outside development)."""
    try:
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        serve(app, host=host, port=port, workers=workers, threads=threads, access_log=access_log)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
