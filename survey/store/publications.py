"""What the public "You said, we did" page has shown per wave (table ``published_figures``).

The page records its figures the first time it shows them; when merges, renames or a new analysis
change them later, the row keeps the first date and gains a revision date and what changed, so
partners are told the figures they may have seen were revised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils


@dataclass(frozen=True)
class Publication:
    """When a wave's public figures were first shown and, if they changed since, when and how."""

    first_shown_on: dt.date
    revised_on: dt.date | None
    changes: tuple[str, ...]


def _fingerprint(figures: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(figures, sort_keys=True).encode("utf-8")).hexdigest()


def _what_changed(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    changes = []
    if before.get("responses") != now.get("responses") or before.get("commenters") != now.get("commenters"):
        changes.append("the number of people counted")
    names_before, names_now = dict(before.get("themes", [])), dict(now.get("themes", []))
    if set(names_before) != set(names_now):
        changes.append("the themes listed (themes were merged, split or renamed)")
    elif names_before != names_now:
        changes.append("the share of comments in the themes")
    return changes or ["the figures"]


def record_publication(
    db: sqlite_utils.Database, survey_id: int, wave_id: int, figures: dict[str, Any], today: dt.date
) -> Publication:
    """Record what the page shows for a wave now; return when it was first shown and last revised."""
    fingerprint = _fingerprint(figures)
    row = db.execute(
        "SELECT fingerprint, figures, first_shown_on, revised_on FROM published_figures "
        "WHERE survey_id = ? AND wave_id = ?",
        [survey_id, wave_id],
    ).fetchone()
    if row is None:
        with db.conn:
            db.conn.execute(
                "INSERT OR IGNORE INTO published_figures (survey_id, wave_id, fingerprint, figures, "
                "first_shown_on) VALUES (?, ?, ?, ?, ?)",
                [survey_id, wave_id, fingerprint, json.dumps({"now": figures}), today.isoformat()],
            )
        return Publication(today, None, ())
    stored = json.loads(row[1])
    if row[0] != fingerprint:
        stored = {"now": figures, "changes": _what_changed(stored["now"], figures)}
        with db.conn:
            db.conn.execute(
                "UPDATE published_figures SET fingerprint = ?, figures = ?, revised_on = ? "
                "WHERE survey_id = ? AND wave_id = ?",
                [fingerprint, json.dumps(stored), today.isoformat(), survey_id, wave_id],
            )
        return Publication(dt.date.fromisoformat(row[2]), today, tuple(stored["changes"]))
    revised = dt.date.fromisoformat(row[3]) if row[3] else None
    return Publication(dt.date.fromisoformat(row[2]), revised, tuple(stored.get("changes", ())))
