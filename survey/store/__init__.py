"""Flask-free storage functions: each takes a ``sqlite_utils.Database`` and returns plain data.

Views, CLI commands, the demo seeder and benchmarks all go through these functions.
"""

from typing import Any, cast

import sqlite_utils
from sqlite_utils.db import Table


def inserted_id(table: Table) -> int:
    """The integer primary key of the row ``table.insert(...)`` just wrote."""
    return cast(int, table.last_pk)


def select_rows(db: sqlite_utils.Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """Rows of one SELECT as dicts keyed by column name.

    Cheaper than ``Table.rows_where``, which first asks SQLite whether the table exists: the partner
    pages read a wave, its survey and its questions on every request (DESIGN.md section 8).
    """
    cursor = db.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]
