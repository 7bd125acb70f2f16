"""Where old theme links lead (table ``theme_redirects``): a proposal merged away by a later run,
or a theme a BRM merged into another, keeps its URL working by pointing at the theme that holds
its comments now."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

#: Longest chain of redirects followed (a -> b -> c ...); longer chains are cut, never looped.
MAX_HOPS = 10


def record_redirects(db: sqlite_utils.Database, survey_id: int, pairs: Iterable[tuple[str, str]]) -> None:
    """Point each ``old id`` at ``new id`` (inside the caller's transaction); a theme that exists
    again under its old id stops redirecting (see :func:`forget_live_ids`)."""
    db.conn.executemany(
        "INSERT INTO theme_redirects (survey_id, old_id, new_id) VALUES (?, ?, ?) "
        "ON CONFLICT (survey_id, old_id) DO UPDATE SET new_id = excluded.new_id",
        [(survey_id, old, new) for old, new in pairs if old != new])


def forget_live_ids(db: sqlite_utils.Database, survey_id: int) -> None:
    """Drop redirects whose old id names a theme that exists (inside the caller's transaction)."""
    db.conn.execute(
        "DELETE FROM theme_redirects WHERE survey_id = ? AND old_id IN "
        "(SELECT id FROM themes WHERE survey_id = ?)", [survey_id, survey_id])


def redirect_target(db: sqlite_utils.Database, survey_id: int, old_id: str) -> str | None:
    """The existing theme an old id now leads to, following chains; ``None`` if it leads nowhere."""
    seen = {old_id}
    current = old_id
    for _ in range(MAX_HOPS):
        row = db.execute("SELECT new_id FROM theme_redirects WHERE survey_id = ? AND old_id = ?",
                         [survey_id, current]).fetchone()
        if row is None or row[0] in seen:
            break
        current = row[0]
        seen.add(current)
        if db.execute("SELECT 1 FROM themes WHERE survey_id = ? AND id = ?", [survey_id, current]).fetchone():
            return current
    return None
