"""Registered webhook endpoints: URL, signing secret (shown once), subscribed event types."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass

import sqlite_utils

from survey.errors import InvalidInput, NotFound
from survey.store import inserted_id

SECRET_PREFIX = "whsec_"


@dataclass(frozen=True)
class Endpoint:
    """A receiver of signed event payloads (its secret is read only by the delivery worker)."""

    id: int
    url: str
    events: tuple[str, ...]
    description: str
    active: bool
    created_on: dt.date
    secret_hint: str  # the secret's last four characters, to tell endpoints apart


def _endpoint(row: dict) -> Endpoint:
    return Endpoint(row["id"], row["url"], tuple(json.loads(row["events"])), row["description"],
                    bool(row["active"]), dt.date.fromisoformat(row["created_on"]), row["secret"][-4:])


def create_endpoint(db: sqlite_utils.Database, url: str, events: list[str], description: str = "",
                    today: dt.date | None = None) -> tuple[Endpoint, str]:
    """Register an endpoint; return it with its new signing secret (the only time it is shown)."""
    if not events:
        raise InvalidInput("Pick at least one event to send to this endpoint.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    row = {"url": url, "secret": secret, "events": json.dumps(sorted(set(events))),
           "description": description.strip()[:200], "active": 1,
           "created_on": (today or dt.date.today()).isoformat()}
    endpoint_id = inserted_id(db.table("webhook_endpoints").insert(row))
    return get_endpoint(db, endpoint_id), secret


def get_endpoint(db: sqlite_utils.Database, endpoint_id: int) -> Endpoint:
    """One endpoint, or :class:`NotFound`."""
    rows = list(db.table("webhook_endpoints").rows_where("id = ?", [endpoint_id]))
    if not rows:
        raise NotFound(f"There is no webhook endpoint {endpoint_id}.")
    return _endpoint(rows[0])


def list_endpoints(db: sqlite_utils.Database) -> list[Endpoint]:
    """Every endpoint, oldest first."""
    return [_endpoint(row) for row in db.table("webhook_endpoints").rows_where(order_by="id")]


def endpoint_secret(db: sqlite_utils.Database, endpoint_id: int) -> str:
    """The signing secret of an endpoint (for the sender only, never for a page)."""
    row = db.execute("SELECT secret FROM webhook_endpoints WHERE id = ?", [endpoint_id]).fetchone()
    if row is None:
        raise NotFound(f"There is no webhook endpoint {endpoint_id}.")
    return str(row[0])


def set_endpoint_active(db: sqlite_utils.Database, endpoint_id: int, active: bool) -> Endpoint:
    """Pause or resume an endpoint; a paused endpoint gets no new events."""
    get_endpoint(db, endpoint_id)
    with db.conn:
        db.conn.execute("UPDATE webhook_endpoints SET active = ? WHERE id = ?", [int(active), endpoint_id])
    return get_endpoint(db, endpoint_id)


def delete_endpoint(db: sqlite_utils.Database, endpoint_id: int) -> None:
    """Remove an endpoint with its deliveries (the events stay for other endpoints)."""
    get_endpoint(db, endpoint_id)
    with db.conn:
        db.conn.execute("DELETE FROM webhook_deliveries WHERE endpoint_id = ?", [endpoint_id])
        db.conn.execute("DELETE FROM webhook_endpoints WHERE id = ?", [endpoint_id])
