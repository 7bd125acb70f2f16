"""BRM sentiment corrections: the only module that writes ``sentiment_corrections``.

A BRM who disagrees with a comment's sentiment records the label it should have. The correction
wins for that comment at once and the next analysis run adapts the survey's other labels to all its
corrections (``survey.services.sentiment_corrections``, :mod:`nlp.sentiment.adaptation`).
Staff-side data only: which unit, which label, the date; never who corrected it, and nothing of the
partner beyond the unit id it refers to.

Only units the BRM can see may be corrected (:func:`correctable_unit_ids`: the unit is in this
survey and in a wave and segment group large enough to quote, as on the responses page); every
other id, whether unknown, in another survey or not shown, gets the same error, so the form is no
oracle for unreleased or unquotable responses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import sqlite_utils

from survey.errors import InvalidInput

#: The analysis's five labels (``nlp.sentiment.LABELS``), in order.
CORRECTION_LABELS = ("very negative", "negative", "neutral", "positive", "very positive")
NOT_CORRECTABLE = "That comment cannot be corrected here: it is not one of this survey's comments on show."

_VISIBLE = """units.survey_id = :survey_id AND EXISTS (
    SELECT 1 FROM trend_points AS tp
    WHERE tp.survey_id = units.survey_id AND tp.wave_id = units.wave_id AND tp.theme_id = ''
      AND tp.segment = coalesce(units.segment, '') AND tp.responses >= :min_quote)"""


def correctable_unit_ids(db: sqlite_utils.Database, survey_id: int, unit_ids: Iterable[str],
                         min_quote_group_size: int) -> set[str]:
    """Those of ``unit_ids`` that a BRM may correct in this survey (see the module docstring)."""
    wanted = sorted({str(unit_id) for unit_id in unit_ids})
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ",".join(f":id{index}" for index in range(len(chunk)))
        params = {"survey_id": survey_id, "min_quote": min_quote_group_size,
                  **{f"id{index}": unit_id for index, unit_id in enumerate(chunk)}}
        found.update(row[0] for row in db.execute(
            f"SELECT units.id FROM units WHERE units.id IN ({marks}) AND {_VISIBLE}", params))
    return found


def _check(db: sqlite_utils.Database, survey_id: int, unit_id: str, min_quote_group_size: int) -> None:
    if not unit_id or unit_id not in correctable_unit_ids(db, survey_id, [unit_id], min_quote_group_size):
        raise InvalidInput(NOT_CORRECTABLE)


def record_correction(db: sqlite_utils.Database, survey_id: int, unit_id: str, label: str, *,
                      min_quote_group_size: int, today: dt.date | None = None) -> None:
    """Store (or replace) the BRM's label for one unit (the service then updates the unit).

    Raises
    ------
    InvalidInput
        If ``label`` is not one of :data:`CORRECTION_LABELS` or the unit may not be corrected.
    """
    if label not in CORRECTION_LABELS:
        raise InvalidInput(f"Choose one of: {', '.join(CORRECTION_LABELS)}.")
    _check(db, survey_id, unit_id, min_quote_group_size)
    day = (today or dt.date.today()).isoformat()
    with db.conn:
        db.conn.execute(
            "INSERT INTO sentiment_corrections (survey_id, unit_id, label, corrected_on) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (survey_id, unit_id) DO UPDATE SET label = excluded.label, "
            "corrected_on = excluded.corrected_on", [survey_id, unit_id, label, day])


def undo_correction(db: sqlite_utils.Database, survey_id: int, unit_id: str, *,
                    min_quote_group_size: int) -> None:
    """Remove the unit's correction (the service then gives the unit back the model's sentiment).

    Raises
    ------
    InvalidInput
        If the unit may not be corrected or has no correction.
    """
    _check(db, survey_id, unit_id, min_quote_group_size)
    with db.conn:
        removed = db.conn.execute("DELETE FROM sentiment_corrections WHERE survey_id = ? AND unit_id = ?",
                                  [survey_id, unit_id]).rowcount
    if not removed:
        raise InvalidInput("That comment has no correction to undo.")


def survey_corrections(db: sqlite_utils.Database, survey_id: int) -> dict[str, str]:
    """Unit id -> corrected label, for every correction of the survey whose unit still exists."""
    return {unit_id: label for unit_id, label in db.execute(
        "SELECT c.unit_id, c.label FROM sentiment_corrections AS c JOIN units ON units.id = c.unit_id "
        "AND units.survey_id = c.survey_id WHERE c.survey_id = ? ORDER BY c.unit_id", [survey_id])}


def corrected_labels(db: sqlite_utils.Database, survey_id: int, unit_ids: Sequence[str]) -> dict[str, str]:
    """Unit id -> corrected label for those of ``unit_ids`` a BRM corrected (to mark them on a page)."""
    if not unit_ids:
        return {}
    marks = ",".join("?" * len(unit_ids))
    return dict(db.execute(f"SELECT unit_id, label FROM sentiment_corrections WHERE survey_id = ? "
                           f"AND unit_id IN ({marks})", [survey_id, *unit_ids]).fetchall())


def survey_unit_ids(db: sqlite_utils.Database, survey_id: int) -> list[str]:
    """Every unit id of the survey (to resolve the opaque tokens that pages show instead)."""
    return [row[0] for row in db.execute("SELECT id FROM units WHERE survey_id = ?", [survey_id])]
