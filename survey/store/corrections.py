"""BRM sentiment corrections: the only module that writes ``sentiment_corrections``.

A BRM who disagrees with a comment's sentiment records the label it should have. The correction
wins for that comment at once (its ``units.sentiment`` moves into the label's band) and the next
analysis run adapts the survey's other labels to all its corrections
(:mod:`nlp.sentiment.adaptation`). Staff-side data only: which unit, which label, the date; never
who corrected it, and nothing of the partner beyond the unit id it refers to.

``units.model_sentiment`` keeps the shipped model's score once a unit's ``sentiment`` has been
changed by a correction or an adaptation (NULL: ``sentiment`` is still the model's own), so an undo
or a re-analysis always starts again from the shipped model.

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
#: The score a corrected unit gets when its model score lies outside the chosen label's band.
LABEL_SCORES = {"very negative": -0.8, "negative": -0.4, "neutral": 0.0, "positive": 0.4,
                "very positive": 0.8}
#: Closed score interval of each label (``nlp.sentiment.labels``: cuts -0.6, -0.2, 0.2, 0.6).
LABEL_RANGES = {"very negative": (-1.0, -0.6), "negative": (-0.6, -0.2), "neutral": (-0.2, 0.2),
                "positive": (0.2, 0.6), "very positive": (0.6, 1.0)}
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


def corrected_score(model_score: float, label: str) -> float:
    """The model's score if it already carries ``label``, else a score typical of the label."""
    low, high = LABEL_RANGES[label]
    inside = low <= model_score <= high if label == "neutral" else (
        low <= model_score < high if label.endswith("negative") else low < model_score <= high)
    return model_score if inside else LABEL_SCORES[label]


def record_correction(db: sqlite_utils.Database, survey_id: int, unit_id: str, label: str, *,
                      min_quote_group_size: int, today: dt.date | None = None) -> None:
    """Store (or replace) the BRM's label for one unit; the unit shows it at once.

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
        model_score = db.execute("SELECT coalesce(model_sentiment, sentiment) FROM units WHERE id = ?",
                                 [unit_id]).fetchone()[0]
        db.conn.execute(
            "UPDATE units SET model_sentiment = ?, sentiment = ?, sentiment_label = ? WHERE id = ?",
            [model_score, corrected_score(model_score, label), label, unit_id])


def undo_correction(db: sqlite_utils.Database, survey_id: int, unit_id: str, *,
                    min_quote_group_size: int) -> None:
    """Remove the unit's correction and give it back the shipped model's sentiment.

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
        score = db.execute("SELECT coalesce(model_sentiment, sentiment) FROM units WHERE id = ?",
                           [unit_id]).fetchone()[0]
        db.conn.execute("UPDATE units SET sentiment = ?, sentiment_label = ?, model_sentiment = NULL "
                        "WHERE id = ?", [score, _label(score), unit_id])


def _label(score: float) -> str:
    for label in CORRECTION_LABELS:
        if corrected_score(score, label) == score:
            return label
    return "neutral"


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


def model_scores(db: sqlite_utils.Database, survey_id: int) -> dict[str, float]:
    """Unit id -> the shipped model's score, for every unit of the survey."""
    return dict(db.execute("SELECT id, coalesce(model_sentiment, sentiment) FROM units WHERE survey_id = ?",
                           [survey_id]).fetchall())


def save_adapted_sentiment(db: sqlite_utils.Database, survey_id: int,
                           adapted: Sequence[tuple[str, float, str]]) -> None:
    """Write adapted ``(unit id, score, label)`` rows, keeping each unit's shipped score aside.

    A row whose score equals the shipped one clears ``model_sentiment`` again.
    """
    for start in range(0, len(adapted), 2000):
        with db.conn:
            db.conn.executemany(
                "UPDATE units SET model_sentiment = CASE WHEN coalesce(model_sentiment, sentiment) = :score "
                "THEN NULL ELSE coalesce(model_sentiment, sentiment) END, sentiment = :score, "
                "sentiment_label = :label WHERE id = :id AND survey_id = :survey_id",
                [{"id": unit_id, "score": score, "label": label, "survey_id": survey_id}
                 for unit_id, score, label in adapted[start:start + 2000]])
