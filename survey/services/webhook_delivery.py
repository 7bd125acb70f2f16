"""Signing and delivering webhook events: one attempt, the worker's pass, the test event.

Each request carries ``Rapport-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`` where the MAC is
computed with the endpoint's secret over ``"<t>." + body`` (the Stripe scheme): the receiver
recomputes it, compares in constant time and rejects old timestamps, which stops replays. A 2xx
answer delivers; anything else (a 3xx too: redirects are not followed), a timeout or a refused
connection is retried with exponential back-off (``base * 2**(attempt-1)``, plus up to 25 % jitter)
until ``max_attempts`` attempts have failed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from survey.errors import InvalidInput
from survey.services.webhook_events import TEST_EVENT, announce_wave_changes
from survey.services.webhook_targets import Network, check_target, parse_networks, post
from survey.store.webhooks.outbox import (
    DueDelivery,
    claim_delivery,
    claim_due,
    record_attempt,
    record_test_event,
)

SIGNATURE_HEADER = "Rapport-Signature"
USER_AGENT = "Rapport-Webhooks/1"


@dataclass(frozen=True)
class WebhookSettings:
    """Delivery settings, from the ``WEBHOOK_*`` configuration keys."""

    allowed_networks: tuple[Network, ...] = ()
    timeout_seconds: float = 10.0
    max_attempts: int = 8
    retry_base_seconds: float = 30.0
    ca_file: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WebhookSettings:
        """Read ``WEBHOOK_ALLOWED_NETWORKS``, ``..._TIMEOUT_SECONDS``, ``..._MAX_ATTEMPTS``,
        ``..._RETRY_BASE_SECONDS`` and ``..._CA_FILE``."""
        return cls(parse_networks(config.get("WEBHOOK_ALLOWED_NETWORKS")),
                   float(config.get("WEBHOOK_TIMEOUT_SECONDS", 10)),
                   max(1, int(config.get("WEBHOOK_MAX_ATTEMPTS", 8))),
                   float(config.get("WEBHOOK_RETRY_BASE_SECONDS", 30)), config.get("WEBHOOK_CA_FILE"))


@dataclass(frozen=True)
class AttemptResult:
    """What one attempt did: the delivery's new state, the HTTP status or the error."""

    delivery_id: int
    event_type: str
    state: str
    status: int | None
    error: str


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The ``Rapport-Signature`` header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, header: str, body: bytes, tolerance_seconds: int = 300,
                     now: float | None = None) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance_seconds`` of now
    (what a receiver does; kept here for tests and as the reference for the README)."""
    fields = [item.split("=", 1) for item in header.split(",") if "=" in item]
    timestamps = [value for key, value in fields if key.strip() == "t"]
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        return False
    timestamp = int(timestamps[0])
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, value) for key, value in fields if key.strip() == "v1")


def retry_delay(failed_attempts: int, base_seconds: float) -> float:
    """Seconds to wait after the ``failed_attempts``-th failure: doubling, with a little jitter."""
    return base_seconds * 2 ** (failed_attempts - 1) * random.uniform(1.0, 1.25)


def _send(delivery: DueDelivery, settings: WebhookSettings) -> tuple[int | None, str]:
    body = delivery.body.encode()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               "Rapport-Event": delivery.event_type, "Rapport-Event-Id": delivery.event_id,
               "Rapport-Delivery": str(delivery.id),
               SIGNATURE_HEADER: sign(delivery.secret, body, int(time.time()))}
    try:
        target = check_target(delivery.url, settings.allowed_networks)
        status = post(target, body, headers, settings.timeout_seconds, settings.ca_file)
    except InvalidInput as error:
        return None, str(error)
    except OSError as error:
        return None, f"{error.__class__.__name__}: {error}"[:300]
    return status, "" if 200 <= status < 300 else f"HTTP {status}"


def attempt(db: sqlite_utils.Database, delivery: DueDelivery, settings: WebhookSettings,
            today: dt.date | None = None) -> AttemptResult:
    """Send one claimed delivery and record the outcome (and when to retry it)."""
    status, error = _send(delivery, settings)
    delivered = status is not None and 200 <= status < 300
    failed = delivery.attempts + 1
    retry_at = None
    if not delivered and failed < settings.max_attempts:
        retry_at = time.time() + retry_delay(failed, settings.retry_base_seconds)
    state = record_attempt(db, delivery.id, delivered=delivered, status=status, error=error,
                           next_attempt_at=retry_at, today=today)
    return AttemptResult(delivery.id, delivery.event_type, state, status, error)


def _lease(settings: WebhookSettings) -> float:
    return 2 * settings.timeout_seconds + 30


def deliver_due(db: sqlite_utils.Database, settings: WebhookSettings,
                today: dt.date | None = None) -> list[AttemptResult]:
    """One worker pass: announce wave openings and closings, then send every due delivery."""
    announce_wave_changes(db, today)
    due = claim_due(db, time.time(), _lease(settings))
    return [attempt(db, delivery, settings, today) for delivery in due]


def send_test_event(db: sqlite_utils.Database, endpoint_id: int, settings: WebhookSettings,
                    today: dt.date | None = None) -> AttemptResult:
    """Send a real, signed ``ping`` payload to one endpoint now; a failure is retried like any other."""
    data = {"message": "Test event from Rapport. If you can read this, the endpoint works.",
            "endpoint_id": endpoint_id}
    delivery_id = record_test_event(db, endpoint_id, data, today)
    delivery = claim_delivery(db, delivery_id, time.time(), _lease(settings))
    if delivery is None:  # a worker took it in the meantime: it will report in the log
        return AttemptResult(delivery_id, TEST_EVENT, "pending", None, "")
    return attempt(db, delivery, settings, today)
