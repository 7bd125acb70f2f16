"""Fixed-window counters shared by every worker, keyed by a short-lived keyed hash (issue 11).

A counter's key is ``HMAC(secret, scope | subject | window start)``: the subject (a client address or
a username) is never stored, the key changes with every window so two windows cannot be linked, and
a row disappears soon after its window ends. Nothing here is ever written with a response.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import time
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class Limit:
    """At most ``amount`` events per ``seconds`` (one window)."""

    amount: int
    seconds: int


def parse_limits(text: str | None) -> tuple[Limit, ...]:
    """``"30 per minute; 300 per hour"`` -> limits (flask-limiter's notation); ``""`` -> none."""
    from limits import parse_many

    if not text or not str(text).strip():
        return ()
    return tuple(Limit(item.amount, item.get_expiry()) for item in parse_many(str(text)))


def _key(secret: str, scope: str, subject: str, window_start: int) -> str:
    message = f"{scope}\x1f{subject}\x1f{window_start}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def _window(limit: Limit, now: float) -> tuple[int, int]:
    start = int(now) - int(now) % limit.seconds
    return start, start + limit.seconds


def count(db: sqlite_utils.Database, secret: str, scope: str, subject: str, limit: Limit,
          now: float | None = None) -> int:
    """Events counted so far in the current window of ``limit``."""
    now = time.time() if now is None else now
    start, _end = _window(limit, now)
    row = db.execute("SELECT hits FROM throttle_hits WHERE key = ?",
                     [_key(secret, scope, subject, start)]).fetchone()
    return row[0] if row else 0


def exceeded(db: sqlite_utils.Database, secret: str, scope: str, subject: str,
             limits: tuple[Limit, ...], now: float | None = None) -> bool:
    """Whether any of ``limits`` is already used up (without counting a new event)."""
    return any(count(db, secret, scope, subject, limit, now) >= limit.amount for limit in limits)


def record(db: sqlite_utils.Database, secret: str, scope: str, subject: str,
           limits: tuple[Limit, ...], now: float | None = None) -> None:
    """Count one event in every window of ``limits`` and drop expired rows (one transaction)."""
    take(db, secret, scope, subject, limits, now)


def take(db: sqlite_utils.Database, secret: str, scope: str, subject: str,
         limits: tuple[Limit, ...], now: float | None = None) -> bool:
    """Count one event; return whether it stayed within every limit.

    Counting first and checking after keeps two workers from both taking the last place.
    """
    event = ticket(secret, scope, subject, limits, now)
    with db.conn:
        return count_ticket(db.conn, event)


@dataclass(frozen=True)
class Ticket:
    """One event to count, its counter keys worked out in advance (see :func:`ticket`)."""

    keys: tuple[tuple[str, int], ...]  # (counter key, expiry) per limit
    limits: tuple[Limit, ...]
    now: int


def ticket(secret: str, scope: str, subject: str, limits: tuple[Limit, ...],
           now: float | None = None) -> Ticket:
    """Prepare one event for :func:`count_ticket`: the keyed hashes are computed here, before the
    caller opens its write transaction, so the database stays locked for SQL alone."""
    now = time.time() if now is None else now
    keys = []
    for limit in limits:
        start, end = _window(limit, now)
        keys.append((_key(secret, scope, subject, start), end + 60 - end % 60))
    return Ticket(tuple(keys), limits, int(now))


def count_ticket(conn: sqlite3.Connection, event: Ticket) -> bool:
    """Count ``event`` inside the caller's write transaction; return whether it stayed within every
    limit (counting first and checking after, so two workers cannot both take the last place).

    Expired rows are dropped whenever a new window's counter is created, which every client does
    at least once a window, so no key outlives its window by much, and the steady stream of events
    inside one window costs one statement each."""
    within, new_window = True, False
    for (key, expires), limit in zip(event.keys, event.limits, strict=True):
        hits = conn.execute(
            "INSERT INTO throttle_hits (key, expires, hits) VALUES (?, ?, 1) "
            "ON CONFLICT (key) DO UPDATE SET hits = hits + 1 RETURNING hits", [key, expires],
        ).fetchone()[0]
        within, new_window = within and hits <= limit.amount, new_window or hits == 1
    if new_window:
        conn.execute("DELETE FROM throttle_hits WHERE expires < ?", [event.now])
    return within


def forget(db: sqlite_utils.Database, secret: str, scope: str, subject: str,
           limits: tuple[Limit, ...], now: float | None = None) -> None:
    """Reset ``subject``'s current windows (after a successful sign-in, for example)."""
    now = time.time() if now is None else now
    keys = [_key(secret, scope, subject, _window(limit, now)[0]) for limit in limits]
    with db.conn:
        db.execute(f"DELETE FROM throttle_hits WHERE key IN ({', '.join('?' * len(keys))})", keys)
