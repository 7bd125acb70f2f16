"""The event outbox and its deliveries: record an event for every subscribed endpoint, claim due
deliveries with a lease (so two workers never send the same one), record each attempt's outcome.

Events keep their date only. A new delivery is due at once (``next_attempt_at = 0``, not a time);
only after a failed attempt does it keep the time of its next attempt, and only while it is pending
(a lease of a few seconds marks one being sent). Once delivered or given up, only the date of its
last attempt remains.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from survey.errors import NotFound


@dataclass(frozen=True)
class DueDelivery:
    """A delivery claimed for sending: where, with which secret, and the exact body to sign."""

    id: int
    endpoint_id: int
    url: str
    secret: str
    event_id: str
    event_type: str
    body: str
    attempts: int


@dataclass(frozen=True)
class DeliveryLogEntry:
    """One line of the delivery log on the admin page."""

    id: int
    endpoint_id: int
    url: str
    event_id: str
    event_type: str
    created_on: dt.date
    state: str  # pending | delivered | failed
    attempts: int
    last_status: int | None
    last_error: str
    last_attempt_on: dt.date | None


def _insert_event(conn: sqlite3.Connection, event_type: str, data: dict[str, Any],
                  today: dt.date) -> tuple[int, str]:
    public_id = "evt_" + secrets.token_hex(12)
    body = json.dumps({"id": public_id, "type": event_type, "created": today.isoformat(), "data": data},
                      sort_keys=True, separators=(",", ":"))
    cursor = conn.execute(
        "INSERT INTO webhook_events (public_id, type, payload, created_on) VALUES (?, ?, ?, ?)",
        [public_id, event_type, body, today.isoformat()])
    return int(cursor.lastrowid or 0), public_id


def record_event(conn: sqlite3.Connection, event_type: str, data: dict[str, Any],
                 today: dt.date | None = None) -> str | None:
    """Queue ``event_type`` for every active endpoint subscribed to it, in the caller's transaction.

    Returns the event's public id, or ``None`` (and records nothing) when no endpoint wants it.
    """
    endpoints = [row[0] for row in conn.execute(
        "SELECT id FROM webhook_endpoints WHERE active = 1 AND EXISTS "
        "(SELECT 1 FROM json_each(webhook_endpoints.events) WHERE json_each.value = ?)", [event_type])]
    if not endpoints:
        return None
    event_id, public_id = _insert_event(conn, event_type, data, today or dt.date.today())
    conn.executemany(
        "INSERT INTO webhook_deliveries (endpoint_id, event_id, next_attempt_at) VALUES (?, ?, 0)",
        [(endpoint_id, event_id) for endpoint_id in endpoints])
    return public_id


def record_test_event(db: sqlite_utils.Database, endpoint_id: int, data: dict[str, Any],
                      today: dt.date | None = None) -> int:
    """Queue a ``ping`` event for one endpoint (paused or not); return the delivery's id."""
    with db.conn:
        if db.conn.execute("SELECT 1 FROM webhook_endpoints WHERE id = ?", [endpoint_id]).fetchone() is None:
            raise NotFound(f"There is no webhook endpoint {endpoint_id}.")
        event_id, _ = _insert_event(db.conn, "ping", data, today or dt.date.today())
        cursor = db.conn.execute(
            "INSERT INTO webhook_deliveries (endpoint_id, event_id, next_attempt_at) VALUES (?, ?, 0)",
            [endpoint_id, event_id])
    return int(cursor.lastrowid or 0)


_DUE_SELECT = """
    SELECT d.id, d.endpoint_id, e.url, e.secret, ev.public_id, ev.type, ev.payload, d.attempts
    FROM webhook_deliveries AS d
    JOIN webhook_endpoints AS e ON e.id = d.endpoint_id
    JOIN webhook_events AS ev ON ev.id = d.event_id
"""


def claim_delivery(db: sqlite_utils.Database, delivery_id: int, now: float,
                   lease_seconds: float) -> DueDelivery | None:
    """Take a pending delivery for ``lease_seconds`` unless another worker holds it."""
    with db.conn:
        claimed = db.conn.execute(
            "UPDATE webhook_deliveries SET lease_until = ? WHERE id = ? AND state = 'pending' "
            "AND (lease_until IS NULL OR lease_until < ?)", [now + lease_seconds, delivery_id, now]).rowcount
    if not claimed:
        return None
    row = db.execute(_DUE_SELECT + " WHERE d.id = ?", [delivery_id]).fetchone()
    return DueDelivery(*row) if row else None


def claim_due(db: sqlite_utils.Database, now: float, lease_seconds: float,
              limit: int = 50) -> list[DueDelivery]:
    """Claim up to ``limit`` pending deliveries whose next attempt is due, oldest first."""
    candidates = [row[0] for row in db.execute(
        "SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ? "
        "AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at, id LIMIT ?",
        [now, now, limit])]
    claimed = (claim_delivery(db, delivery_id, now, lease_seconds) for delivery_id in candidates)
    return [delivery for delivery in claimed if delivery is not None]


def record_attempt(db: sqlite_utils.Database, delivery_id: int, *, delivered: bool, status: int | None,
                   error: str, next_attempt_at: float | None, today: dt.date | None = None) -> str:
    """Record one attempt; a failure with ``next_attempt_at`` stays pending, else it has failed.

    Returns the delivery's new state.
    """
    state = "delivered" if delivered else ("pending" if next_attempt_at is not None else "failed")
    with db.conn:
        db.conn.execute(
            "UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?, "
            "lease_until = NULL, last_status = ?, last_error = ?, last_attempt_on = ? WHERE id = ?",
            [state, next_attempt_at if state == "pending" else None, status, error[:300],
             (today or dt.date.today()).isoformat(), delivery_id])
    return state


def _log(db: sqlite_utils.Database, where: str, params: list[Any], limit: int) -> list[DeliveryLogEntry]:
    rows = db.execute(
        "SELECT d.id, d.endpoint_id, e.url, ev.public_id, ev.type, ev.created_on, d.state, d.attempts, "
        "d.last_status, d.last_error, d.last_attempt_on FROM webhook_deliveries AS d "
        "JOIN webhook_endpoints AS e ON e.id = d.endpoint_id JOIN webhook_events AS ev ON ev.id = d.event_id "
        f"{where} ORDER BY d.event_id DESC, d.id DESC LIMIT ?", [*params, limit]).fetchall()
    return [DeliveryLogEntry(row[0], row[1], row[2], row[3], row[4], dt.date.fromisoformat(row[5]), row[6],
                             row[7], row[8], row[9], dt.date.fromisoformat(row[10]) if row[10] else None)
            for row in rows]


def delivery_log(db: sqlite_utils.Database, limit: int = 100,
                 endpoint_id: int | None = None) -> list[DeliveryLogEntry]:
    """The most recent deliveries (newest event first), optionally of one endpoint."""
    if endpoint_id is None:
        return _log(db, "", [], limit)
    return _log(db, "WHERE d.endpoint_id = ?", [endpoint_id], limit)


def get_delivery(db: sqlite_utils.Database, delivery_id: int) -> DeliveryLogEntry:
    """One delivery's log entry, or :class:`NotFound`."""
    entries = _log(db, "WHERE d.id = ?", [delivery_id], 1)
    if not entries:
        raise NotFound(f"There is no webhook delivery {delivery_id}.")
    return entries[0]
