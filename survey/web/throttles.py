"""Throttles shared by every worker and kept across restarts (issue 11, items 2 and 6).

Counts live in SQLite (:mod:`survey.store.throttle`) under keyed hashes that change every window,
so no address or username is stored and nothing links a count to a response.

- **Submissions** (``SUBMISSION_RATE_LIMIT``, per client address and wave): the default
  ``"60 per 10 minutes; 400 per day"`` lets a whole office behind one NAT address answer after an
  all-hands announcement (60 people finishing within the same ten minutes, 400 in a day), while one
  client can no longer stuff thousands of answers a minute. Raise it for bigger sites behind one
  address; ``""`` turns it off.
- **Checks before sending** (``CHECK_RATE_LIMIT``, per client address and wave): the partner
  form's script checks the answers about once a second while someone types, so the default
  ``"600 per 10 minutes; 5000 per day"`` covers an office typing at once, yet stops one client
  from using the check as a free, unlimited redaction service or a way to load the server.
- **Sign-in failures**: ``LOGIN_ACCOUNT_FAILURES`` per account and ``LOGIN_ADDRESS_FAILURES`` per
  address within ``LOGIN_FAILURE_WINDOW`` seconds. Counting per account stops password guessing
  against one person from many addresses; counting per address (with a higher limit) stops one
  client trying many accounts, without one noisy address locking out everyone behind a proxy.
"""

from __future__ import annotations

import functools

import sqlite_utils
from flask import current_app, request

from survey.store import throttle

SUBMISSIONS = "submission"
CHECKS = "check"
LOGIN_ACCOUNT = "login-account"
LOGIN_ADDRESS = "login-address"


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def client_address() -> str:
    """The client's address as the (possibly proxy-fixed) request reports it."""
    return request.remote_addr or "unknown"


@functools.lru_cache(maxsize=16)
def _parsed(text: str) -> tuple[throttle.Limit, ...]:
    return throttle.parse_limits(text)


def submission_ticket(wave_id: int) -> throttle.Ticket | None:
    """This client's next submission to ``wave_id``, to be counted by
    :func:`survey.store.responses.record_response` in the transaction that stores it; ``None``
    when the submission throttle is off."""
    limits = _parsed(str(current_app.config.get("SUBMISSION_RATE_LIMIT") or ""))
    if not _enabled() or not limits:
        return None
    return throttle.ticket(current_app.config["SECRET_KEY"], f"{SUBMISSIONS}:{wave_id}", client_address(),
                           limits)


def take_check(db: sqlite_utils.Database, wave_id: int) -> bool:
    """Count one "check before sending" from this client to ``wave_id``; ``False`` once over the limit."""
    limits = _parsed(str(current_app.config.get("CHECK_RATE_LIMIT") or ""))
    if not _enabled() or not limits:
        return True
    return throttle.take(db, current_app.config["SECRET_KEY"], f"{CHECKS}:{wave_id}", client_address(),
                         limits)


def _login_subjects(username: str) -> tuple[tuple[str, str, tuple[throttle.Limit, ...]], ...]:
    """(scope, subject, limits) for the account and for the address."""
    config = current_app.config
    window = int(config["LOGIN_FAILURE_WINDOW"])
    return ((LOGIN_ACCOUNT, username.strip().lower(),
             (throttle.Limit(int(config["LOGIN_ACCOUNT_FAILURES"]), window),)),
            (LOGIN_ADDRESS, client_address(),
             (throttle.Limit(int(config["LOGIN_ADDRESS_FAILURES"]), window),)))


def login_blocked(db: sqlite_utils.Database, username: str) -> bool:
    """Whether this account or this address has used up its failed sign-ins for now."""
    if not _enabled():
        return False
    secret = current_app.config["SECRET_KEY"]
    return any(throttle.exceeded(db, secret, scope, subject, limits)
               for scope, subject, limits in _login_subjects(username))


def record_login_failure(db: sqlite_utils.Database, username: str) -> None:
    """Count one failed sign-in against the account and the address."""
    if not _enabled():
        return
    secret = current_app.config["SECRET_KEY"]
    for scope, subject, limits in _login_subjects(username):
        throttle.record(db, secret, scope, subject, limits)


def forget_login_failures(db: sqlite_utils.Database, username: str) -> None:
    """A successful sign-in clears the account's failures (the address keeps its count)."""
    if not _enabled():
        return
    scope, subject, limits = _login_subjects(username)[0]
    throttle.forget(db, current_app.config["SECRET_KEY"], scope, subject, limits)
