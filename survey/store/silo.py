"""Silo-language measurements (tables ``silo_points`` and ``silo_measurements``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import sqlite_utils

from nlp.results import SiloPoint


def replace_silo_points(db: sqlite_utils.Database, survey_id: int, wave_ids: Mapping[str, int],
                        points: Sequence[SiloPoint]) -> None:
    """Replace the survey's silo-language cells (inside the caller's transaction)."""
    db.conn.execute("DELETE FROM silo_points WHERE survey_id = ?", [survey_id])
    db.conn.executemany(
        "INSERT INTO silo_points (survey_id, wave_id, segment, responses, words, flags, "
        "partnership_terms, rate_per_thousand_words, share_of_responses_flagged, "
        "partnership_to_silo_ratio, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(survey_id, wave_ids[p.wave], p.segment or "", p.responses, p.words, p.flags,
          p.partnership_terms, p.rate_per_thousand_words, p.share_of_responses_flagged,
          p.partnership_to_silo_ratio, int(p.suppressed)) for p in points],
    )


def record_measurement(db: sqlite_utils.Database, survey_id: int, lexicon_version: str) -> None:
    """Note which lexicon version measured the survey last, and when (inside the caller's transaction)."""
    db.conn.execute(
        "INSERT OR REPLACE INTO silo_measurements (survey_id, lexicon_version, measured_at) "
        "VALUES (?, ?, ?)",
        [survey_id, lexicon_version, dt.datetime.now(dt.UTC).date().isoformat()],  # the day only (rule 9)
    )
