"""Staff accounts: admins, BRMs and culture leads. Partners never have accounts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from survey.config import STAFF_ROLES
from survey.errors import InvalidInput, NotFound
from survey.store import inserted_id

ROLES = STAFF_ROLES
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    role: str
    active: bool
    #: Bumped by :func:`end_sessions`; a session signed in under an older version is refused.
    session_version: int = 0
    #: ``issuer|subject`` for an account made at single sign-on; ``None`` for local accounts.
    oidc_subject: str | None = None


#: Checked against when the username is unknown, so that costs the same as a wrong password.
_DUMMY_HASH = generate_password_hash("no account has this password")


def _user(row: dict) -> StaffUser:
    return StaffUser(row["id"], row["username"], row["role"], bool(row["active"]),
                     int(row.get("session_version") or 0), row.get("oidc_subject"))


def create_staff_user(db: sqlite_utils.Database, username: str, password: str, role: str) -> StaffUser:
    """Create a staff account with a Werkzeug-hashed password."""
    username = username.strip()
    if not username:
        raise InvalidInput("A username is required.")
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if db.execute("SELECT 1 FROM staff WHERE username = ?", [username]).fetchone():
        raise InvalidInput(f"The username {username!r} is taken.")
    user_id = inserted_id(db.table("staff").insert({
        "username": username, "password_hash": generate_password_hash(password), "role": role,
        "active": 1,
    }))
    return get_staff_user(db, user_id)


def create_sso_staff_user(db: sqlite_utils.Database, username: str, role: str, subject: str) -> StaffUser:
    """Create an account for a provider identity at its first sign-on (it has no usable password).

    ``username`` is taken as given when free, else suffixed (``-2``, ``-3``...): an identity is never
    joined to an existing account by name, which a provider user might be able to choose.
    """
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLES)}.")
    base = username.strip()[:90] or "sso-user"
    candidate, number = base, 1
    while db.execute("SELECT 1 FROM staff WHERE username = ?", [candidate]).fetchone():
        number += 1
        candidate = f"{base}-{number}"
    user_id = inserted_id(db.table("staff").insert({
        "username": candidate, "password_hash": generate_password_hash(secrets.token_urlsafe(32)),
        "role": role, "active": 1, "oidc_subject": subject,
    }))
    return get_staff_user(db, user_id)


def find_sso_staff_user(db: sqlite_utils.Database, subject: str) -> StaffUser | None:
    """The account made for the provider identity ``subject`` (``issuer|sub``), if any."""
    rows = list(db.table("staff").rows_where("oidc_subject = ?", [subject]))
    return _user(rows[0]) if rows else None


def set_staff_role(db: sqlite_utils.Database, user_id: int, role: str) -> StaffUser:
    """Change an account's role (single sign-on maps it from the provider at every sign-in)."""
    if role not in ROLES:
        raise InvalidInput(f"Role must be one of {', '.join(ROLES)}.")
    db.table("staff").update(user_id, {"role": role})
    return get_staff_user(db, user_id)


def get_staff_user(db: sqlite_utils.Database, user_id: int) -> StaffUser:
    """Return one account or raise :class:`NotFound`."""
    rows = list(db.table("staff").rows_where("id = ?", [user_id]))
    if not rows:
        raise NotFound(f"There is no staff user {user_id}.")
    return _user(rows[0])


def authenticate(db: sqlite_utils.Database, username: str, password: str) -> StaffUser | None:
    """Return the active account whose password matches, else ``None``."""
    rows = list(db.table("staff").rows_where("username = ? AND active = 1", [username.strip()]))
    # The same hash work whether or not the account exists: timing must not reveal usernames.
    matches = check_password_hash(rows[0]["password_hash"] if rows else _DUMMY_HASH, password)
    return _user(rows[0]) if rows and matches else None


def end_sessions(db: sqlite_utils.Database, user_id: int) -> None:
    """Sign the account out everywhere: every session signed in before now stops working."""
    db.execute("UPDATE staff SET session_version = session_version + 1 WHERE id = ?", [user_id])
    db.conn.commit()


def list_staff_users(db: sqlite_utils.Database) -> list[StaffUser]:
    """All accounts by username."""
    return [_user(row) for row in db.table("staff").rows_where(order_by="username")]


def set_staff_user_active(db: sqlite_utils.Database, user_id: int, active: bool) -> StaffUser:
    """Reactivate or deactivate an account; the last active admin cannot be deactivated."""
    user = get_staff_user(db, user_id)
    if not active and user.role == "admin" and user.active and db.execute(
        "SELECT COUNT(*) FROM staff WHERE role = 'admin' AND active = 1"
    ).fetchone()[0] <= 1:
        raise InvalidInput("This is the last active admin account; create another admin first.")
    db.table("staff").update(user_id, {"active": int(active)})
    return get_staff_user(db, user_id)


def has_staff_user(db: sqlite_utils.Database, username: str | None = None) -> bool:
    """Whether the database has a staff account (named ``username``, when given); ``False`` before
    the schema exists."""
    if not db.table("staff").exists():
        return False
    where, params = ("username = ?", [username]) if username is not None else (None, [])
    return db.table("staff").count_where(where, params) > 0 if where else db.table("staff").count > 0
