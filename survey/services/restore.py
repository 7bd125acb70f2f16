"""Restoring the database from its Litestream replica into a new file, checked before it is used.

The restore goes to a temporary file beside the target; only when ``PRAGMA integrity_check`` says
``ok`` does it take the target's name. The live database is replaced only when asked explicitly
(``force``), and its stale ``-wal`` / ``-shm`` files go with it. Like a freshly created database,
the restored file is the service account's alone (``0600``, in a folder created ``0700``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass

import sqlite_utils

from survey.db import create_private_folder, make_private
from survey.errors import InvalidInput
from survey.services.replication import ReplicaSettings, restore_replica
from survey.store.backups import integrity_problems, row_counts

#: Tables whose row counts the restore reports, so an operator sees what came back.
REPORTED_TABLES = ("surveys", "waves", "responses", "answers", "staff")


@dataclass(frozen=True)
class RestoreResult:
    """The restored file and the rows it holds per table."""

    path: str
    rows: dict[str, int]


def _check_target(settings: ReplicaSettings, output: str, force: bool) -> None:
    if os.path.abspath(output) == os.path.abspath(settings.database) and not force:
        raise InvalidInput(
            f"{output} is the live database. Restore to a new file and check it, or "
            "stop the server and add --force to replace the live database."
        )
    if os.path.exists(output) and not force:
        raise InvalidInput(f"{output} already exists; choose a new file name (or add --force).")


def restore_database(settings: ReplicaSettings, output: str, force: bool = False) -> RestoreResult:
    """Restore the replica's newest state to ``output`` and verify it.

    Raises
    ------
    InvalidInput
        When the target is refused, litestream fails, or the restored file fails the integrity check
        (nothing is left behind then).
    """
    _check_target(settings, output, force)
    folder = os.path.dirname(os.path.abspath(output))
    create_private_folder(folder)
    # litestream writes with the process umask: restore into a folder only this account can enter,
    # and make the file private before SQLite opens it (-wal and -shm take the database's mode).
    staging_folder = tempfile.mkdtemp(prefix=f".{os.path.basename(output)}.restoring-", dir=folder)
    staging = os.path.join(staging_folder, os.path.basename(output))
    try:
        restore_replica(settings, staging)
        make_private(staging)
        db = sqlite_utils.Database(staging)
        try:
            problems = integrity_problems(db)
            rows = row_counts(db, REPORTED_TABLES)
        finally:
            db.close()
        if problems:
            raise InvalidInput(
                "The restored copy fails SQLite's integrity check, so it was not kept: "
                + "; ".join(problems[:5])
            )
        for suffix in ("-wal", "-shm"):
            if os.path.exists(output + suffix):
                os.remove(output + suffix)
        os.replace(staging, output)
    finally:
        shutil.rmtree(staging_folder, ignore_errors=True)
    return RestoreResult(output, rows)
