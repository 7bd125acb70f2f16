"""The lexicon as a CSV file: export every term, import terms back (added or updated, never deleted).

Columns: ``id``, ``term`` (as a person reads it; ignored on import), ``category``, ``patterns`` (one
per line in the cell), ``suggestion``, ``rationale``, ``enabled`` (yes/no). Context rules and word
lists stay as they are. An import is checked whole: one bad row and nothing changes.
"""

from __future__ import annotations

import csv
import io

from nlp.silo import Lexicon
from nlp.silo.wording import term_label
from survey.errors import InvalidInput
from survey.store.lexicons import edited_lexicon

COLUMNS = ("id", "term", "category", "patterns", "suggestion", "rationale", "enabled")
MAX_IMPORT_ROWS = 500


def lexicon_csv(lexicon: Lexicon) -> str:
    """The lexicon's terms as CSV text (with a header row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for term in lexicon.terms:
        writer.writerow(
            [
                term.id,
                term_label(term, lexicon),
                term.category,
                "\n".join(term.patterns),
                term.suggestion,
                term.rationale,
                "yes" if term.enabled else "no",
            ]
        )
    return buffer.getvalue()


def _enabled(value: str, line: int) -> bool:
    text = (value or "yes").strip().lower()
    if text not in ("yes", "no", "true", "false", "1", "0"):
        raise InvalidInput(f"Row {line}: write yes or no in the enabled column, not “{value}”.")
    return text in ("yes", "true", "1")


def _unchanged(lexicon: Lexicon, term_id: str, fields: dict) -> bool:
    term = lexicon.term(term_id)
    patterns = [" ".join(line.split()) for line in fields["patterns"] if line.strip()]
    return (list(term.patterns), term.category, term.suggestion, term.rationale, term.enabled) == (
        patterns,
        fields["category"],
        fields["suggestion"],
        fields["rationale"],
        fields["enabled"],
    )


def imported_lexicon(lexicon: Lexicon, text: str) -> tuple[Lexicon, int, int]:
    """``lexicon`` with the CSV's terms added or updated; returns it with the counts added and updated.

    Rows identical to their term are skipped, so a shipped term is checked only once someone edits it.
    """
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    missing = {"category", "patterns"} - set(rows[0] if rows else ())
    if not rows or missing:
        raise InvalidInput(
            "The file needs a header row with at least the columns category and patterns "
            "(export the lexicon to get a file in the right shape)."
        )
    if len(rows) > MAX_IMPORT_ROWS:
        raise InvalidInput(f"The file has {len(rows):,} terms; import at most {MAX_IMPORT_ROWS:,} at a time.")
    known = {term.id for term in lexicon.terms}
    added = updated = 0
    for line, row in enumerate(rows, start=2):
        term_id = (row.get("id") or "").strip() or None
        fields = {
            "patterns": (row.get("patterns") or "").splitlines(),
            "category": (row.get("category") or "").strip(),
            "suggestion": (row.get("suggestion") or "").strip(),
            "rationale": (row.get("rationale") or "").strip(),
            "enabled": _enabled(row.get("enabled", ""), line),
        }
        if term_id in known and _unchanged(lexicon, term_id, fields):
            continue
        try:
            lexicon = edited_lexicon(lexicon, term_id if term_id in known else None, fields)
        except InvalidInput as error:
            raise InvalidInput(f"Row {line}: {error} Nothing was imported.") from None
        updated, added = (updated + 1, added) if term_id in known else (updated, added + 1)
    return lexicon, added, updated
