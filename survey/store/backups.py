"""The record of database copies made by ``rapport backup``, and the integrity check of a copy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class BackupRecord:
    """One copy: where it was written, its size in bytes, and when (UTC, to the second)."""

    path: str
    bytes: int
    made_at: str


def record_backup(db: sqlite_utils.Database, path: str, size: int) -> BackupRecord:
    """Note that a copy of the database was written to ``path``."""
    made_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    with db.conn:
        db.execute("INSERT INTO backups (path, bytes, made_at) VALUES (?, ?, ?)", [path, size, made_at])
    return BackupRecord(path, size, made_at)


def latest_backup(db: sqlite_utils.Database) -> BackupRecord | None:
    """The most recent copy, or ``None`` when ``rapport backup`` never ran on this database."""
    row = db.execute("SELECT path, bytes, made_at FROM backups ORDER BY id DESC LIMIT 1").fetchone()
    return BackupRecord(row[0], int(row[1]), row[2]) if row else None


def integrity_problems(db: sqlite_utils.Database) -> list[str]:
    """What ``PRAGMA integrity_check`` finds wrong with the file (an empty list when it says ``ok``)."""
    rows = [str(row[0]) for row in db.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def row_counts(db: sqlite_utils.Database, tables: tuple[str, ...]) -> dict[str, int]:
    """Rows per table, for the tables of ``tables`` that exist (a restored copy may be older)."""
    return {table: db[table].count for table in tables if db[table].exists()}
