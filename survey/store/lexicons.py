"""Versioned storage of the siloing-language lexicon: every edit is a new version that becomes current.

The newest stored version is the current lexicon; a database with none uses the lexicon shipped in
``nlp/data``. Versions record who made the change, when, and why, so the history reads like a log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from nlp.errors import LexiconError
from nlp.silo import Lexicon, LexiconTerm, default_lexicon
from survey.errors import InvalidInput, NotFound

#: What a culture lead may write in one field, to keep the lexicon file and the pages sane.
MAX_PATTERNS = 20
MAX_PATTERN_CHARS = 120
_ENTRY_PREFIX = re.compile(r"^lexicon entry \d+ \([^)]*\): ")


class StaleLexicon(InvalidInput):
    """The lexicon changed since the editor page was opened; nothing was saved."""


@dataclass(frozen=True)
class LexiconVersion:
    """One stored lexicon version (``number`` counts edits; ``version`` is the content hash)."""

    number: int
    version: str
    created_at: str
    author: str | None
    note: str
    terms: int


def current_lexicon(db: sqlite_utils.Database) -> Lexicon:
    """Return the current lexicon: the newest stored version, or the shipped one."""
    row = db.execute("SELECT lexicon FROM lexicon_versions ORDER BY id DESC LIMIT 1").fetchone()
    return Lexicon.from_json(row[0]) if row else default_lexicon()


def lexicon_history(db: sqlite_utils.Database, limit: int = 50) -> list[LexiconVersion]:
    """The newest ``limit`` stored versions, newest first."""
    rows = db.execute(
        "SELECT v.id, v.version, v.created_at, staff.username, v.note, v.lexicon "
        "FROM lexicon_versions AS v LEFT JOIN staff ON staff.id = v.author_id "
        "ORDER BY v.id DESC LIMIT ?", [limit],
    ).fetchall()
    return [
        LexiconVersion(number, version, created_at, author, note, len(Lexicon.from_json(text).terms))
        for number, version, created_at, author, note, text in rows
    ]


def save_lexicon(
    db: sqlite_utils.Database, lexicon: Lexicon, *, author_id: int | None, note: str,
    based_on: str | None = None,
) -> LexiconVersion:
    """Store ``lexicon`` as a new version, which becomes current.

    ``based_on`` is the version the editor started from: if the current lexicon has changed
    since (another culture lead saved first), :class:`StaleLexicon` is raised and nothing is stored.
    """
    note = " ".join(note.split())
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        if based_on is not None and current_lexicon(db).version != based_on:
            raise StaleLexicon("Someone changed the lexicon while you were editing it. "
                               "Your change was not saved: review the current lexicon and try again.")
        created_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        number = int(conn.execute(
            "INSERT INTO lexicon_versions (version, lexicon, created_at, author_id, note) "
            "VALUES (?, ?, ?, ?, ?)", [lexicon.version, lexicon.to_json(), created_at, author_id, note],
        ).lastrowid or 0)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    author = db.execute("SELECT username FROM staff WHERE id = ?", [author_id]).fetchone()
    return LexiconVersion(number, lexicon.version, created_at, author[0] if author else None, note,
                          len(lexicon.terms))


def term_id_for(patterns: list[str], lexicon: Lexicon) -> str:
    """A new, unused term id from the first pattern (``ticket monkey`` -> ``ticket_monkey``)."""
    words = re.findall(r"[a-z0-9]+", patterns[0].lower().split("|")[0]) if patterns else []
    base = "_".join(words)[:40].strip("_") or "term"
    base = base if base[0].isalpha() else f"term_{base}"
    taken = {term.id for term in lexicon.terms}
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}_{suffix}", suffix + 1
    return candidate


def check_patterns(patterns: list[str]) -> list[str]:
    """Return the cleaned pattern lines, or raise :class:`InvalidInput` saying what is wrong."""
    cleaned = [" ".join(line.split()) for line in patterns if line.strip()]
    if not cleaned:
        raise InvalidInput("Enter at least one pattern, one per line (for example: internal customer).")
    if len(cleaned) > MAX_PATTERNS:
        raise InvalidInput(f"A term can have at most {MAX_PATTERNS} patterns; split it into several terms.")
    for line in cleaned:
        if len(line) > MAX_PATTERN_CHARS:
            raise InvalidInput(f"The pattern “{line[:40]}…” is longer than {MAX_PATTERN_CHARS} characters.")
    return cleaned


def edited_lexicon(lexicon: Lexicon, term_id: str | None, fields: Mapping[str, Any]) -> Lexicon:
    """Return ``lexicon`` with a term added (``term_id`` None) or edited, as :class:`InvalidInput` on errors.

    ``fields`` holds ``patterns`` (list of str, or one per line), ``category``, ``suggestion`` and
    ``rationale``.
    """
    patterns = fields.get("patterns", ())
    lines = patterns.splitlines() if isinstance(patterns, str) else list(patterns)
    changes = {**fields, "patterns": check_patterns(lines)}
    try:
        if term_id is None:
            new_id = term_id_for(changes["patterns"], lexicon)
            return lexicon.with_term({"id": new_id, **changes})
        return lexicon.with_term_edited(term_id, **changes)
    except LexiconError as error:
        raise InvalidInput(_plain_message(error)) from None


def get_term(lexicon: Lexicon, term_id: str) -> LexiconTerm:
    """The term ``term_id`` of ``lexicon``; :class:`NotFound` if there is none."""
    try:
        return lexicon.term(term_id)
    except LexiconError:
        raise NotFound(f"There is no lexicon term {term_id!r}.") from None


def toggled_lexicon(lexicon: Lexicon, term_id: str, enabled: bool) -> Lexicon:
    """Return ``lexicon`` with ``term_id`` enabled or disabled; :class:`NotFound` if there is no such term."""
    get_term(lexicon, term_id)
    return lexicon.with_term_enabled(term_id) if enabled else lexicon.with_term_disabled(term_id)


def _plain_message(error: LexiconError) -> str:
    """The library's message without its entry-number prefix, phrased for the editor page."""
    message = _ENTRY_PREFIX.sub("", str(error))
    return f"The term was not saved: {message}."
