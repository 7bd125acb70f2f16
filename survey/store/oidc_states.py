"""States of single sign-ons in progress: each is accepted once, by whichever worker gets the callback.

Authlib keeps a sign-in's state, nonce and PKCE verifier in the signed session cookie; a cookie can
be replayed, so the state is also written here (as a SHA-256 hash) and deleted when it is used. A
callback whose state is not here (used already, expired or never issued) is refused.
"""

from __future__ import annotations

import hashlib
import time

import sqlite_utils


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def remember_login_state(db: sqlite_utils.Database, state: str, lifetime_seconds: int,
                         now: float | None = None) -> None:
    """Record a state just sent to the provider, valid for ``lifetime_seconds``."""
    now = time.time() if now is None else now
    with db.conn:
        db.execute("DELETE FROM oidc_login_states WHERE expires < ?", [int(now)])
        db.execute("INSERT OR REPLACE INTO oidc_login_states (state_hash, expires) VALUES (?, ?)",
                   [_hash(state), int(now) + int(lifetime_seconds)])


def consume_login_state(db: sqlite_utils.Database, state: str, now: float | None = None) -> bool:
    """Delete ``state``; whether it was there and still valid (so exactly one caller gets ``True``)."""
    now = time.time() if now is None else now
    with db.conn:
        cursor = db.execute("DELETE FROM oidc_login_states WHERE state_hash = ? AND expires >= ?",
                            [_hash(state), int(now)])
        return cursor.rowcount == 1
