"""The last status (scheduled, open, closed) announced for each wave.

Waves open and close by date, not by a click, so the delivery worker compares each wave's status
today with the one recorded here and announces the difference once.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils


def recorded_wave_statuses(db: sqlite_utils.Database) -> dict[int, str]:
    """``{wave_id: status}`` as last announced (waves never seen are missing)."""
    return {int(wave_id): str(status)
            for wave_id, status in db.execute("SELECT wave_id, status FROM webhook_wave_states")}


def record_wave_status(conn: sqlite3.Connection, wave_id: int, status: str) -> None:
    """Remember a wave's announced status, in the caller's transaction (with its event)."""
    conn.execute(
        "INSERT INTO webhook_wave_states (wave_id, status) VALUES (?, ?) "
        "ON CONFLICT (wave_id) DO UPDATE SET status = excluded.status", [wave_id, status])
