"""Flask-free storage functions: each takes a ``sqlite_utils.Database`` and returns plain data.

Views, CLI commands, the demo seeder and benchmarks all go through these functions.
"""

from typing import cast

from sqlite_utils.db import Table


def inserted_id(table: Table) -> int:
    """The integer primary key of the row ``table.insert(...)`` just wrote."""
    return cast(int, table.last_pk)
