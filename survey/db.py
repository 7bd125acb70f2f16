"""Opening the one SQLite file: WAL mode, foreign keys, and the connections the app keeps.

``open_database`` and ``open_migrated`` are for commands, jobs and scripts; ``get_db`` caches a
connection per request (staff pages); ``partner_db`` keeps one per server thread (partner pages).
"""

from __future__ import annotations

import contextlib
import os
import threading

import sqlite_utils
from flask import Flask, current_app, g

from survey.migrations import migrate

_thread_state = threading.local()
#: The database file and the folder Rapport creates for it belong to the service account alone
#: (SQLite gives ``-wal`` and ``-shm`` the database's mode): their times show when the last write,
#: perhaps a submission, happened, so other accounts on the server must not even ``stat`` them.
PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700
#: WAL pages after which a partner connection's commit checkpoints by itself: a safety net, ten times
#: SQLite's default, in case the checkpoint thread falls behind (readers keeping the WAL from restarting).
PARTNER_AUTOCHECKPOINT = 10_000


def open_database(path: str) -> sqlite_utils.Database:
    """Open (creating if needed, readable by this account only) the Rapport database at ``path``
    in WAL mode."""
    if path != ":memory:":
        _create_privately(path)
    db = sqlite_utils.Database(path)
    # Connection settings, not queries: wait for writers, enforce foreign keys, fsync at checkpoints.
    db.conn.execute("PRAGMA busy_timeout = 10000")
    db.conn.execute("PRAGMA foreign_keys = ON")
    db.conn.execute("PRAGMA synchronous = NORMAL")
    if path != ":memory:":
        db.enable_wal()
    return db


def create_private_file(path: str) -> None:
    """Create an empty file at ``path`` that only this account can read (FileExistsError if there)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))


def create_private_folder(folder: str) -> None:
    """Create ``folder`` (and its parents) if needed; a folder created here only this account can enter."""
    os.makedirs(folder, mode=PRIVATE_FOLDER_MODE, exist_ok=True)


def make_private(path: str) -> None:
    """Make the existing file at ``path`` readable by this account only, as a new database would be."""
    os.chmod(path, PRIVATE_FILE_MODE)


def _create_privately(path: str) -> None:
    create_private_folder(os.path.dirname(os.path.abspath(path)))
    if not os.path.exists(path):
        with contextlib.suppress(FileExistsError):
            create_private_file(path)


def shared_database_paths(path: str) -> list[str]:
    """The database's folder and files that other accounts may enter, read or ``stat``."""
    folder = os.path.dirname(os.path.abspath(path))
    candidates = [(folder, 0o077)] + [(path + suffix, 0o077) for suffix in ("", "-wal", "-shm")]
    return [name for name, bits in candidates if os.path.exists(name) and os.stat(name).st_mode & bits]


def shared_database_warning(path: str) -> str | None:
    """A warning naming the database's folder and files that other accounts can reach, if any."""
    shared = shared_database_paths(path)
    if not shared:
        return None
    return (f"Warning: other accounts on this server can open {', '.join(shared)}. File times show when "
            "the last answer may have arrived: make them the service account's alone (chmod 700 the "
            "folder, chmod 600 the files).")


def open_migrated(path: str) -> sqlite_utils.Database:
    """Open the database at ``path``, migrated to the current schema."""
    db = open_database(path)
    migrate(db)
    return db


def get_db() -> sqlite_utils.Database:
    """Return the request's database connection, opening it on first use."""
    if "db" not in g:
        g.db = open_database(current_app.config["DATABASE"])
    return g.db


def partner_db() -> sqlite_utils.Database:
    """This thread's long-lived connection to the configured database.

    Partner pages are the hot path (DESIGN.md section 8). Opening SQLite for each request, and the
    WAL checkpoint that runs whenever the last connection closes, cost more than the request's own
    work, so each server thread keeps one connection (reopened if the configured file changes).
    Its commits (group commits of submissions, throttle counts) leave WAL checkpoints to the
    checkpoint thread (``survey.store.responses.group_commit``) unless the WAL grows past
    :data:`PARTNER_AUTOCHECKPOINT` pages, so a request rarely waits for one.
    """
    return partner_db_for(current_app.config["DATABASE"])


def partner_db_for(path: str) -> sqlite_utils.Database:
    """:func:`partner_db` for the database at ``path``, outside a Flask request."""
    if getattr(_thread_state, "path", None) != path:
        if getattr(_thread_state, "db", None) is not None:
            _thread_state.db.close()
        db = open_database(path)
        db.conn.execute(f"PRAGMA wal_autocheckpoint = {PARTNER_AUTOCHECKPOINT}")
        _thread_state.db, _thread_state.path = db, path
    return _thread_state.db


def close_db(exception: BaseException | None = None) -> None:
    """Close the request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Register connection teardown with the app."""
    app.teardown_appcontext(close_db)
