"""Read model of the lexicon editor: how often each term matched partners' comments, with examples.

Counts cover analysed (so released) units of every survey. A term's count shows only when at least
``min_group_size`` responses used it; an example is quoted only from a (survey, wave, segment) group
of at least ``min_quote_group_size`` respondents, as on the silo dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class TermUsage:
    """A term's matches: phrases, responses using it (``None``: too few to show) and up to two examples."""

    term_id: str
    flags: int | None
    responses: int | None
    examples: tuple[str, ...]


def term_usage(
    db: sqlite_utils.Database, min_group_size: int, min_quote_group_size: int, examples_per_term: int = 2
) -> dict[str, TermUsage]:
    """Usage of every term that matched anything, by term id."""
    counts = db.execute(
        "SELECT f.term_id, COUNT(*), COUNT(DISTINCT u.response_id) FROM unit_flags AS f "
        "JOIN units AS u ON u.id = f.unit_id GROUP BY f.term_id"
    ).fetchall()
    groups = {
        (row[0], row[1], row[2]): row[3]
        for row in db.execute("SELECT survey_id, wave_id, segment, responses FROM silo_points")
    }
    usage = {}
    for term_id, flags, responses in counts:
        shown = responses >= min_group_size
        examples = _examples(db, term_id, groups, min_quote_group_size, examples_per_term) if shown else ()
        usage[term_id] = TermUsage(term_id, flags if shown else None, responses if shown else None, examples)
    return usage


def _examples(
    db: sqlite_utils.Database, term_id: str, groups: dict, min_quote: int, limit: int
) -> tuple[str, ...]:
    rows = db.execute(
        "SELECT u.survey_id, u.wave_id, COALESCE(u.segment, ''), u.text FROM unit_flags AS f "
        "JOIN units AS u ON u.id = f.unit_id WHERE f.term_id = ? ORDER BY u.id",
        [term_id],
    )
    found: list[str] = []
    for survey_id, wave_id, segment, text in rows:
        if groups.get((survey_id, wave_id, ""), 0) < min_quote:
            continue
        if segment and groups.get((survey_id, wave_id, segment), 0) < min_quote:
            continue
        if text not in found:
            found.append(text)
        if len(found) >= limit:
            break
    return tuple(found)
