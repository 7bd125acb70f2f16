"""Release in batches of k (DESIGN.md section 3, rule 7): what staff may see of a wave's responses.

A submission is stored at once (``record_response``) but stays *waiting*: no staff page, count,
chart, search, export or job reads it. :func:`release_waiting` (run at the start of every analysis)
releases a wave's waiting responses only when at least ``batch_size`` of them are waiting, and then
all of them together, by adding their ids to ``released_responses``. Everything staff see is built
from released responses only: analysis reads only released answers (so units, themes, trends and
silo figures hold nothing else), and the few queries that read ``responses`` or ``answers``
directly join ``released_responses`` (:data:`RELEASED_JOIN`). ``wave_response_counts`` counts
released responses, so counts move by at least ``batch_size`` at a time.

``released_responses`` is keyed by the random response id (``WITHOUT ROWID``): it keeps no order and
no time, only which responses are visible. Nothing tells staff that responses are waiting: a wave
with none released reads "fewer than k so far" whether it holds none or k - 1.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils

#: Called inside a release's transaction with (connection, wave id, released now, released in all):
#: the webhook outbox records its "responses released" event there, so the two commit together.
OnRelease = Callable[[sqlite3.Connection, int, int, int], None]

#: Join that keeps only released responses; ``responses`` must be in the query under that name.
RELEASED_JOIN = "JOIN released_responses AS released ON released.response_id = responses.id"


def release_waiting(db: sqlite_utils.Database, survey_id: int, batch_size: int,
                    on_release: OnRelease | None = None) -> int:
    """Release every wave of the survey that has at least ``batch_size`` waiting responses.

    Returns the number of responses released (0, or at least ``batch_size`` per released wave).
    Each wave is released in one transaction: its responses and their count appear together, and
    ``on_release`` (if given) runs in that transaction once per released wave, never otherwise.
    """
    batch_size = max(1, int(batch_size))
    released = 0
    waves = [row[0] for row in db.execute("SELECT id FROM waves WHERE survey_id = ?", [survey_id])]
    for wave_id in waves:
        with db.conn:
            waiting = db.conn.execute(
                "SELECT COUNT(*) FROM responses WHERE wave_id = ? AND id NOT IN "
                "(SELECT response_id FROM released_responses WHERE wave_id = ?)", [wave_id, wave_id],
            ).fetchone()[0]
            if waiting < batch_size:
                continue
            db.conn.execute(
                "INSERT OR IGNORE INTO released_responses (response_id, wave_id) "
                "SELECT id, wave_id FROM responses WHERE wave_id = ?", [wave_id])
            db.conn.execute(
                "INSERT INTO wave_response_counts (wave_id, responses) VALUES (?, ?) "
                "ON CONFLICT (wave_id) DO UPDATE SET responses = responses + excluded.responses",
                [wave_id, waiting])
            if on_release is not None:
                total = db.conn.execute("SELECT responses FROM wave_response_counts WHERE wave_id = ?",
                                        [wave_id]).fetchone()[0]
                on_release(db.conn, wave_id, waiting, int(total))
            released += waiting
    return released
