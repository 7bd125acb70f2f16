"""``rapport serve``: the production server (gunicorn), see :mod:`survey.web.server`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.errors import RapportError
from survey.web.server import DEFAULT_THREADS, serve


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (about one per core).")
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker (each slow client holds one; see README 'Running it for real').")
@click.option("--access-log", default="-", show_default=True,
              help="Access log file ('-' for standard output); it never holds client addresses.")
@with_appcontext
def serve_command(host: str, port: int, workers: int, threads: int, access_log: str) -> None:
    """Serve Rapport with gunicorn (production server; needs SECRET_KEY outside development)."""
    try:
        serve(current_app._get_current_object(), host=host, port=port, workers=workers,
              threads=threads, access_log=access_log)
    except RapportError as error:
        raise click.ClickException(str(error)) from error
