"""Restoring the database from its Litestream replica into a new file, checked before it is used.

The restore goes to a temporary file beside the target; only when ``PRAGMA integrity_check`` says
``ok`` does it take the target's name. The live database is replaced only when asked explicitly
(``force``), and its stale ``-wal`` / ``-shm`` files go with it.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import sqlite_utils

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
    os.makedirs(folder, exist_ok=True)
    staging = os.path.join(folder, f".{os.path.basename(output)}.restoring-{uuid.uuid4().hex[:8]}")
    try:
        restore_replica(settings, staging)
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
        for leftover in (staging, staging + "-wal", staging + "-shm"):
            if os.path.exists(leftover):
                os.remove(leftover)
    return RestoreResult(output, rows)
