"""How many people a public-link wave was meant for, per department (table ``wave_populations``).

A public link has no codes to count, so its response rate needs the BRM's own figures: the people
in each department the link was sent to. Rates come from released responses only (rule 7).
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlite_utils

from survey.errors import InvalidInput
from survey.store.responses.release import RELEASED_JOIN
from survey.store.surveys import get_wave

#: Most people one department may hold (a typo guard, not a policy).
MAX_PEOPLE = 1_000_000


def set_wave_population(db: sqlite_utils.Database, wave_id: int, people: Mapping[str, int | None]) -> None:
    """Replace a wave's population per department; an empty or zero entry removes that department."""
    get_wave(db, wave_id)
    for department, count in people.items():
        if count is not None and not 0 <= count <= MAX_PEOPLE:
            raise InvalidInput(f"Enter between 0 and {MAX_PEOPLE:,} people for {department}.")
    with db.conn:
        db.conn.execute("DELETE FROM wave_populations WHERE wave_id = ?", [wave_id])
        db.conn.executemany(
            "INSERT INTO wave_populations (wave_id, department, people) VALUES (?, ?, ?)",
            [(wave_id, department, count) for department, count in people.items() if count])


def wave_population(db: sqlite_utils.Database, wave_id: int) -> dict[str, int]:
    """People per department entered for a wave (empty when none were entered)."""
    return dict(db.execute("SELECT department, people FROM wave_populations WHERE wave_id = ? "
                           "ORDER BY department", [wave_id]).fetchall())


def released_by_department(db: sqlite_utils.Database, wave_id: int) -> dict[str, int]:
    """Released responses of a wave per department picked (no department: key ``""``)."""
    rows = db.execute(f"SELECT COALESCE(responses.segment, ''), COUNT(*) FROM responses {RELEASED_JOIN} "
                      "WHERE responses.wave_id = ? GROUP BY 1", [wave_id]).fetchall()
    return dict(rows)
