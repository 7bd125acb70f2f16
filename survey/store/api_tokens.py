"""API tokens for the REST API (table ``api_tokens``): created by admins, shown once, stored hashed.

A token is ``rapport_`` followed by 32 random bytes (URL-safe base64). The database keeps only the
SHA-256 of the whole token (a fast hash is enough for a 256-bit random secret: there is nothing to
guess from it) and a four-character hint so admins can tell their tokens apart. Scopes: ``read``
(every GET) and ``write`` (GET too, plus creating waves, invitation codes and actions). Dates are
kept to the day (DESIGN.md section 3, rule 9); revoking keeps the row so the list shows what existed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlite_utils

from survey.errors import InvalidInput, NotFound
from survey.store import inserted_id

TOKEN_PREFIX = "rapport_"
SCOPES = ("read", "write")
MAX_NAME_CHARS = 100


@dataclass(frozen=True)
class ApiToken:
    """What the database knows of a token: never the secret itself."""

    id: int
    name: str
    scope: str
    hint: str
    created_by: str | None  # the admin's username, when the token was made on the admin page
    created_on: dt.date
    last_used_on: dt.date | None
    revoked_on: dt.date | None

    @property
    def active(self) -> bool:
        """Whether the token still opens the API."""
        return self.revoked_on is None

    def allows(self, scope: str) -> bool:
        """Whether this token's scope covers ``scope`` (write covers read)."""
        return self.scope == "write" or scope == "read"


_SELECT = """
    SELECT api_tokens.id, name, scope, hint, staff.username, created_on, last_used_on, revoked_on
    FROM api_tokens LEFT JOIN staff ON staff.id = api_tokens.created_by
"""


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _token(row: tuple) -> ApiToken:
    token_id, name, scope, hint, creator, created_on, last_used_on, revoked_on = row
    return ApiToken(token_id, name, scope, hint, creator, dt.date.fromisoformat(created_on),
                    _date(last_used_on), _date(revoked_on))


def secret_hash(secret: str) -> str:
    """SHA-256 (hex) of a whole token, as the database keeps it."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_api_token(
    db: sqlite_utils.Database, name: str, scope: str, *, created_by: int | None = None,
    today: dt.date | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; return it with its secret, which is never stored and cannot be shown again."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Give the token a name that says who or what uses it, e.g. “Power BI”.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"Keep the token name under {MAX_NAME_CHARS} characters.")
    if scope not in SCOPES:
        raise InvalidInput(f"Scope must be one of {', '.join(SCOPES)}.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = inserted_id(db.table("api_tokens").insert({
        "name": name, "scope": scope, "secret_hash": secret_hash(secret), "hint": secret[-4:],
        "created_by": created_by, "created_on": (today or dt.date.today()).isoformat(),
    }))
    return get_api_token(db, token_id), secret


def get_api_token(db: sqlite_utils.Database, token_id: int) -> ApiToken:
    """One token, or :class:`NotFound`."""
    row = db.execute(_SELECT + " WHERE api_tokens.id = ?", [token_id]).fetchone()
    if row is None:
        raise NotFound(f"There is no API token {token_id}.")
    return _token(row)


def list_api_tokens(db: sqlite_utils.Database) -> list[ApiToken]:
    """Every token, active ones first, then by name."""
    rows = db.execute(_SELECT + " ORDER BY revoked_on IS NOT NULL, name, api_tokens.id")
    return [_token(row) for row in rows]


def revoke_api_token(db: sqlite_utils.Database, token_id: int, today: dt.date | None = None) -> ApiToken:
    """Stop a token from opening the API (from the next request on); revoking twice changes nothing."""
    token = get_api_token(db, token_id)
    if token.active:
        with db.conn:
            db.conn.execute("UPDATE api_tokens SET revoked_on = ? WHERE id = ?",
                            [(today or dt.date.today()).isoformat(), token_id])
    return get_api_token(db, token_id)


def active_token_for_secret(
    db: sqlite_utils.Database, secret: str, today: dt.date | None = None
) -> ApiToken | None:
    """The active token whose secret this is, or ``None``; notes the day it was last used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = db.execute(_SELECT + " WHERE secret_hash = ? AND revoked_on IS NULL",
                     [secret_hash(secret)]).fetchone()
    if row is None:
        return None
    token = _token(row)
    day = today or dt.date.today()
    if token.last_used_on != day:  # one write a day per token, not one per request
        with db.conn:
            db.conn.execute("UPDATE api_tokens SET last_used_on = ? WHERE id = ?",
                            [day.isoformat(), token.id])
    return token
