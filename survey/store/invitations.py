"""Single-use invitation codes: generated in bulk, shown once, stored only as hashes.

A code proves that its holder was invited without saying who they are (DESIGN.md section 3, rule 3):
the table keeps the code's hash, its wave and a used flag, never a time of use and never a link to
the response that burnt it. Codes are burnt by :func:`burn_invitation_code`, which
:func:`survey.store.responses.record_response` calls in the transaction that stores the response.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3

import sqlite_utils

from survey.errors import InvalidInput, InvitationCodeRejected
from survey.store.surveys import get_wave

#: No 0/O, 1/I/L, or 5/S, 2/Z and 8/B look-alikes, so codes survive being read aloud or retyped.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_GROUPS = 2
CODE_GROUP_LENGTH = 5
MAX_CODES_PER_BATCH = 20_000
__all__ = [
    "REJECTED_CODE_MESSAGE", "burn_invitation_code", "generate_invitation_codes", "hash_secret",
    "invitation_code_is_usable", "invitation_counts", "normalise_invitation_code",
    "withdraw_invitation_codes",
]
_SEPARATORS = re.compile(r"[\s\-_.]+")
REJECTED_CODE_MESSAGE = (
    "This invitation code is not valid for this survey, or it has already been used. "
    "Each code can be used once; check the code in your invitation."
)


def hash_secret(value: str) -> str:
    """SHA-256 of a normalised invitation code or form token (what the database keeps).

    Case, spaces and dashes are ignored, so ``abcde fghjk`` and ``ABCDE-FGHJK`` are the same code.
    """
    compact = "".join(value.split()).replace("-", "").upper()
    return hashlib.sha256(compact.encode("utf-8")).hexdigest()


def burn_invitation_code(conn: sqlite3.Connection, wave_id: int, code: str | None) -> None:
    """Mark a code used, inside the caller's transaction (the one that stores the response)."""
    if not code or not code.strip():
        raise InvitationCodeRejected("This survey needs the invitation code from your invitation.")
    cursor = conn.execute(
        "UPDATE invitation_codes SET used = 1 WHERE code_hash = ? AND wave_id = ? AND used = 0",
        [hash_secret(code), wave_id],
    )
    if cursor.rowcount != 1:
        raise InvitationCodeRejected(REJECTED_CODE_MESSAGE)


def generate_invitation_codes(db: sqlite_utils.Database, wave_id: int, count: int) -> list[str]:
    """Create ``count`` new single-use codes for an invitation-mode wave and return them.

    The plain codes (``XXXXX-XXXXX``) are returned once, for display and CSV export; the database
    keeps only their hashes with ``used = 0``. Raises :class:`InvalidInput` for a public-link wave
    or a count outside 1..``MAX_CODES_PER_BATCH``, :class:`NotFound` for an unknown wave.
    """
    wave = get_wave(db, wave_id)
    if wave.access != "invitation":
        raise InvalidInput("This wave uses a public link; switch it to invitation mode to issue codes.")
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise InvalidInput(f"Generate between 1 and {MAX_CODES_PER_BATCH:,} codes at a time.")
    codes: list[str] = []
    with db.conn:
        while len(codes) < count:
            code = _random_code()
            # OR IGNORE: a code that already exists (astronomically unlikely) is simply redrawn.
            inserted = db.conn.execute(
                "INSERT OR IGNORE INTO invitation_codes (code_hash, wave_id, used) VALUES (?, ?, 0)",
                [hash_secret(code), wave.id],
            ).rowcount
            if inserted:
                codes.append(code)
    return codes


def withdraw_invitation_codes(db: sqlite_utils.Database, wave_id: int, codes: list[str]) -> int:
    """Delete unused codes that never reached anyone (an e-mail that could not be sent).

    Returns how many were withdrawn; a code already used is kept.
    """
    with db.conn:
        return sum(db.conn.execute(
            "DELETE FROM invitation_codes WHERE code_hash = ? AND wave_id = ? AND used = 0",
            [hash_secret(code), wave_id]).rowcount for code in codes)


def invitation_counts(db: sqlite_utils.Database, wave_id: int) -> tuple[int, int]:
    """Return ``(issued, used)`` code counts for a wave.

    ``used`` moves with every submission, before its batch is released: never show it to staff
    (rule 7); pages show :func:`released_invitation_counts` instead."""
    issued, used = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(used), 0) FROM invitation_codes WHERE wave_id = ?", [wave_id]
    ).fetchone()
    return int(issued), int(used)


def released_invitation_counts(db: sqlite_utils.Database, wave_id: int) -> tuple[int, int]:
    """``(issued, answered)`` for staff pages: ``answered`` counts released responses only, so it
    moves in batches of k like every other count (a code is burnt at submission, before release)."""
    issued, used = invitation_counts(db, wave_id)
    row = db.execute("SELECT responses FROM wave_response_counts WHERE wave_id = ?", [wave_id]).fetchone()
    return issued, min(used, int(row[0]) if row else 0)


def invitation_code_is_usable(db: sqlite_utils.Database, wave_id: int, code: str) -> bool:
    """Whether ``code`` is an unused code of the wave (checked without using it up)."""
    return db.execute(
        "SELECT 1 FROM invitation_codes WHERE code_hash = ? AND wave_id = ? AND used = 0",
        [hash_secret(code), wave_id],
    ).fetchone() is not None


def normalise_invitation_code(text: str) -> str | None:
    """Return the canonical ``XXXXX-XXXXX`` form of what a partner typed, or ``None`` if malformed.

    Case, spaces, dashes and dots are forgiven; anything outside :data:`CODE_ALPHABET` or of the
    wrong length is malformed.
    """
    compact = _SEPARATORS.sub("", text or "").upper()
    length = CODE_GROUPS * CODE_GROUP_LENGTH
    if len(compact) != length or any(char not in CODE_ALPHABET for char in compact):
        return None
    return "-".join(compact[i:i + CODE_GROUP_LENGTH] for i in range(0, length, CODE_GROUP_LENGTH))


def _random_code() -> str:
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)

