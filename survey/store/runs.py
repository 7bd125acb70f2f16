"""Analysis runs (table ``analysis_runs``): what each run used and found, and when it ran."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from survey.store import inserted_id


@dataclass(frozen=True)
class LastRun:
    """When the analysis of a survey last ran and what it found."""

    started_at: dt.datetime
    status: str
    duration_seconds: float | None
    total_units: int | None
    no_content_units: int | None = None


@dataclass(frozen=True)
class RunRow:
    """One recorded analysis run."""

    id: int
    started_at: dt.datetime
    status: str
    duration_seconds: float | None
    counts: dict
    versions: dict
    message: str


def record_run(
    db: sqlite_utils.Database, survey_id: int, *, status: str, fingerprint: str, duration_seconds: float,
    record: dict[str, Any], counts: dict[str, int],
) -> int:
    """Store a finished run (versions, parameters and seed in ``record``) and return its id."""
    row = {
        # The day only (rule 9): a run's time would place what it released in an arrival window.
        "survey_id": survey_id, "started_at": dt.datetime.now(dt.UTC).date().isoformat(),
        "duration_seconds": round(duration_seconds, 3), "status": status, "fingerprint": fingerprint,
        "record": json.dumps(record, default=str), "counts": json.dumps(counts),
    }
    return inserted_id(db.table("analysis_runs").insert(row))


def last_fingerprint(db: sqlite_utils.Database, survey_id: int) -> str | None:
    """The input fingerprint of the survey's last completed run."""
    row = db.execute(
        "SELECT fingerprint FROM analysis_runs WHERE survey_id = ? AND status = 'done' "
        "ORDER BY id DESC LIMIT 1", [survey_id],
    ).fetchone()
    return row[0] if row else None


def last_counts(db: sqlite_utils.Database, survey_id: int) -> dict[str, int] | None:
    """The counts recorded by the survey's last run (completed or not)."""
    row = db.execute("SELECT counts FROM analysis_runs WHERE survey_id = ? ORDER BY id DESC LIMIT 1",
                     [survey_id]).fetchone()
    return json.loads(row[0] or "{}") if row else None


def last_embedder_name(db: sqlite_utils.Database, survey_id: int) -> str:
    """The embedding model of the survey's last completed run (``""`` if it never completed)."""
    row = db.execute("SELECT record FROM analysis_runs WHERE survey_id = ? AND status = 'done' "
                     "ORDER BY id DESC LIMIT 1", [survey_id]).fetchone()
    return str(json.loads(row[0]).get("embedder", "")) if row else ""


def last_run(db: sqlite_utils.Database, survey_id: int) -> LastRun | None:
    """The most recent analysis run of the survey, or ``None`` if it was never analysed."""
    row = db.execute(
        "SELECT started_at, status, duration_seconds, counts FROM analysis_runs WHERE survey_id = ? "
        "ORDER BY id DESC LIMIT 1", [survey_id]).fetchone()
    if row is None:
        return None
    counts = json.loads(row[3] or "{}")
    return LastRun(dt.datetime.fromisoformat(row[0]), row[1], row[2], counts.get("total_units"),
                   counts.get("no_content"))


def recent_runs(db: sqlite_utils.Database, survey_id: int, limit: int = 10) -> list[RunRow]:
    """The survey's latest analysis runs, newest first, with counts and model versions."""
    rows = db.execute(
        "SELECT id, started_at, status, duration_seconds, counts, record, message FROM analysis_runs "
        "WHERE survey_id = ? ORDER BY id DESC LIMIT ?", [survey_id, limit])
    return [RunRow(run_id, dt.datetime.fromisoformat(started), status, duration, json.loads(counts or "{}"),
                   json.loads(record or "{}"), message or "")
            for run_id, started, status, duration, counts, record, message in rows]
