"""Opening the one SQLite file: WAL mode, foreign keys, and a connection cached per request."""

from __future__ import annotations

import os

import sqlite_utils
from flask import Flask, current_app, g


def open_database(path: str) -> sqlite_utils.Database:
    """Open (creating if needed) the Rapport database at ``path`` in WAL mode."""
    if path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA busy_timeout = 10000")
    db.conn.execute("PRAGMA foreign_keys = ON")
    db.conn.execute("PRAGMA synchronous = NORMAL")
    if path != ":memory:":
        db.enable_wal()
    return db


def get_db() -> sqlite_utils.Database:
    """Return the request's database connection, opening it on first use."""
    if "db" not in g:
        g.db = open_database(current_app.config["DATABASE"])
    return g.db


def close_db(exception: BaseException | None = None) -> None:
    """Close the request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Register connection teardown with the app."""
    app.teardown_appcontext(close_db)
