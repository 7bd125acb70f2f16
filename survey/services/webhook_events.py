"""The webhook event catalogue and the functions that queue events (issue 15, part 3).

Every event says something about a survey as a whole, never about one response (DESIGN.md section 3,
rule 7): a wave opened or closed, a *batch* of at least k responses was released (counts of
released responses only), an analysis finished, an action changed status. There is no event per
submission: a response is invisible until its batch is released, and so is its existence.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

import sqlite_utils

from survey.store.actions import Action
from survey.store.aggregates import survey_response_total
from survey.store.responses.release import OnRelease
from survey.store.surveys import Wave, get_survey, get_wave, list_surveys, response_counts, waves_for
from survey.store.webhooks.outbox import record_event
from survey.store.webhooks.wave_states import record_wave_status, recorded_wave_statuses

#: Event types an endpoint can subscribe to, with what they mean (admin page, README).
EVENT_TYPES: dict[str, str] = {
    "wave.opened": "A wave opened (its opening date arrived, or its dates were changed).",
    "wave.closed": "A wave closed (its closing date passed).",
    "responses.released": "A batch of at least k responses became visible to staff (counts only).",
    "analysis.finished": "An analysis run of a survey finished.",
    "action.status_changed": "An improvement action moved to another status.",
}
#: Sent only by the "Send test event" button, to one endpoint.
TEST_EVENT = "ping"


def _wave_data(db: sqlite_utils.Database, wave: Wave) -> dict[str, Any]:
    survey = get_survey(db, wave.survey_id)
    return {"survey": {"id": survey.id, "title": survey.title},
            "wave": {"id": wave.id, "label": wave.label, "opens_on": wave.opens_on.isoformat(),
                     "closes_on": wave.closes_on.isoformat()}}


def release_announcer(db: sqlite_utils.Database, today: dt.date | None = None) -> OnRelease:
    """The callback :func:`~survey.store.responses.release.release_waiting` runs for each released
    batch: it queues ``responses.released`` in the release's own transaction."""
    def announce(conn: sqlite3.Connection, wave_id: int, released: int, released_total: int) -> None:
        data = _wave_data(db, get_wave(db, wave_id))
        data["responses"] = {"released": released, "released_total": released_total}
        record_event(conn, "responses.released", data, today)
    return announce


def announce_analysis(db: sqlite_utils.Database, survey_id: int, run_id: int, status: str,
                      themes: int, today: dt.date | None = None) -> str | None:
    """Queue ``analysis.finished`` with the run's outcome and the released response total."""
    survey = get_survey(db, survey_id)
    data = {"survey": {"id": survey.id, "title": survey.title},
            "run": {"id": run_id, "status": status, "themes": themes},
            "responses": {"released_total": survey_response_total(db, survey_id)}}
    with db.conn:
        return record_event(db.conn, "analysis.finished", data, today)


def announce_action_status(db: sqlite_utils.Database, before: Action, after: Action,
                           today: dt.date | None = None) -> str | None:
    """Queue ``action.status_changed`` when an action's status differs from what it was."""
    if before.status == after.status:
        return None
    survey = get_survey(db, after.survey_id)
    data = {"survey": {"id": survey.id, "title": survey.title},
            "action": {"id": after.id, "title": after.title, "theme": after.theme_name,
                       "owner": after.owner, "due_on": after.due_on.isoformat() if after.due_on else None,
                       "previous_status": before.status, "status": after.status}}
    with db.conn:
        return record_event(db.conn, "action.status_changed", data, today)


def announce_wave_changes(db: sqlite_utils.Database, today: dt.date | None = None) -> list[str]:
    """Queue ``wave.opened`` / ``wave.closed`` for every wave whose status changed since last seen.

    A wave never seen counts as scheduled, so a new wave that is already open is announced.
    Returns the event types queued (whether or not an endpoint wanted them).
    """
    today = today or dt.date.today()
    recorded = recorded_wave_statuses(db)
    queued = []
    for survey in list_surveys(db):
        released = response_counts(db, survey.id)
        for wave in waves_for(db, survey.id):
            status, before = wave.status(today), recorded.get(wave.id, "scheduled")
            if status == before and wave.id in recorded:
                continue
            event = {"open": "wave.opened", "closed": "wave.closed"}.get(status) if status != before else None
            with db.conn:
                if event is not None:
                    data = _wave_data(db, wave)
                    data["responses"] = {"released_total": released.get(wave.id, 0)}
                    record_event(db.conn, event, data, today)
                    queued.append(event)
                record_wave_status(db.conn, wave.id, status)
    return queued
