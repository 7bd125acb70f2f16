"""Units of analysis (tables ``units``, ``unit_flags``, ``unit_embeddings``, ``analysed_answers``).

Reads the answers an analysis needs, writes the units it makes, and saves a run's summary in one
transaction through the writers of ``themes``, ``theme_redirects``, ``trend_points`` and ``silo_points``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import sqlite_utils

from nlp.results import Analysis, AnswerInput, FlagResult, SiloPoint, UnitResult
from survey.store.silo import record_measurement, replace_silo_points
from survey.store.theme_redirects import forget_live_ids, record_redirects
from survey.store.themes import replace_themes
from survey.store.trends import replace_trend_points

UNIT_COLUMNS = (
    "id, survey_id, wave_id, response_id, question_id, position, segment, text, text_key, sentiment, "
    "sentiment_label, theme_id, theme_confidence, flag_count, partnership_terms, words"
)


def wave_labels(db: sqlite_utils.Database, survey_id: int) -> dict[int, str]:
    """Wave id -> label for a survey, in chronological order."""
    rows = db.execute(
        "SELECT id, label FROM waves WHERE survey_id = ? ORDER BY opens_on, label", [survey_id]
    ).fetchall()
    return {wave_id: label for wave_id, label in rows}


def pending_answers(db: sqlite_utils.Database, survey_id: int) -> list[AnswerInput]:
    """Free-text answers of the survey that no analysis run has split into units yet.

    Read from the survey's waves through their released responses to the answers' primary key
    (answers have no index by question: it cost every submission a page per answered question).
    """
    sql = """
        SELECT answers.response_id, answers.question_id, waves.label, responses.segment, answers.text
        FROM waves
        JOIN released_responses AS released ON released.wave_id = waves.id
        JOIN responses ON responses.id = released.response_id
        JOIN answers ON answers.response_id = released.response_id
        JOIN questions ON questions.id = answers.question_id AND questions.kind = 'text'
        LEFT JOIN analysed_answers AS done
          ON done.response_id = answers.response_id AND done.question_id = answers.question_id
        WHERE waves.survey_id = ? AND done.response_id IS NULL
          AND answers.text IS NOT NULL AND trim(answers.text) != ''
        ORDER BY answers.response_id, answers.question_id
    """
    return [AnswerInput(*row) for row in db.execute(sql, [survey_id]).fetchall()]


def load_embeddings(db: sqlite_utils.Database, keys: Iterable[str], model: str) -> dict[str, np.ndarray]:
    """Cached vectors for the given text keys (those not cached are simply absent)."""
    keys = sorted(set(keys))
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for key, blob in db.execute(
            f"SELECT text_key, vector FROM unit_embeddings WHERE model = ? AND text_key IN ({marks})",
            [model, *chunk],
        ):
            found[key] = np.frombuffer(blob, dtype=np.float32)
    return found


#: Rows written per transaction, so an analysis run never holds SQLite's write lock for long
#: and partner submissions (WAL, 10 s busy timeout) go through while it runs.
WRITE_CHUNK = 2000


def save_embeddings(db: sqlite_utils.Database, vectors: dict[str, np.ndarray], model: str) -> None:
    """Cache vectors by text key under ``model`` (kept if already cached), in short transactions.

    Besides the general unit vectors (written with the units), the analysis keeps the sentiment
    encoder's three logits here (``survey.services.sentiment_corrections``)."""
    keys = sorted(vectors)
    for start in range(0, len(keys), WRITE_CHUNK):
        with db.conn:
            _insert_embeddings(db, {key: vectors[key] for key in keys[start:start + WRITE_CHUNK]}, model)


def _insert_embeddings(db: sqlite_utils.Database, vectors: dict[str, np.ndarray], model: str) -> None:
    """Write ``vectors`` by text key under ``model``, keeping cached ones (in the caller's transaction)."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO unit_embeddings (text_key, model, vector) VALUES (?, ?, ?)",
        [(key, model, np.asarray(vectors[key], dtype=np.float32).tobytes()) for key in sorted(vectors)],
    )


def insert_unit_flags(db: sqlite_utils.Database, units: Sequence[UnitResult]) -> None:
    """Write the silo flags of ``units`` (inside the caller's transaction)."""
    db.conn.executemany(
        'INSERT OR REPLACE INTO unit_flags (unit_id, start, "end", text, category, term_id, '
        "suggestion, stance) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(u.id, f.start, f.end, f.text, f.category, f.term_id, f.suggestion, f.stance)
         for u in units for f in u.flags],
    )


def save_units(
    db: sqlite_utils.Database, survey_id: int, answers: Sequence[AnswerInput],
    units: Sequence[UnitResult], new_vectors: dict[str, np.ndarray], model: str,
) -> None:
    """Store new units, their flags and embeddings, and mark their answers analysed.

    Writes in short transactions of about :data:`WRITE_CHUNK` answers; each transaction holds
    whole answers (their units, flags, vectors and the "analysed" mark), so an interrupted run
    leaves no half-analysed answer behind.
    """
    wave_ids = {label: wave_id for wave_id, label in wave_labels(db, survey_id).items()}
    units_by_answer: dict[tuple[str, int], list[UnitResult]] = {}
    for unit in units:
        units_by_answer.setdefault((unit.response_id, unit.question_id), []).append(unit)
    ordered = sorted(answers, key=lambda a: (a.response_id, a.question_id))
    for start in range(0, len(ordered), WRITE_CHUNK):
        chunk = ordered[start:start + WRITE_CHUNK]
        chunk_units = [u for a in chunk for u in units_by_answer.get((a.response_id, a.question_id), [])]
        keys = {u.text_key for u in chunk_units}
        with db.conn:
            _insert_embeddings(db, {key: new_vectors[key] for key in keys if key in new_vectors}, model)
            db.conn.executemany(
                f"INSERT OR REPLACE INTO units ({UNIT_COLUMNS}) VALUES ({','.join('?' * 16)})",
                [(u.id, survey_id, wave_ids[u.wave], u.response_id, u.question_id, u.position,
                  u.segment, u.text, u.text_key, u.sentiment, u.sentiment_label, u.theme_id,
                  u.theme_confidence, len(u.flags), u.partnership_terms, u.words) for u in chunk_units],
            )
            insert_unit_flags(db, chunk_units)
            db.conn.executemany(
                "INSERT OR IGNORE INTO analysed_answers (response_id, question_id) VALUES (?, ?)",
                [(a.response_id, a.question_id) for a in chunk],
            )


def stored_units(db: sqlite_utils.Database, survey_id: int, *, with_flags: bool = True) -> list[UnitResult]:
    """Every unit of the survey, ordered by id (its flags too, unless ``with_flags`` is false)."""
    labels = wave_labels(db, survey_id)
    flags: dict[str, list[FlagResult]] = {}
    if with_flags:
        for row in db.execute(
            'SELECT unit_id, text, start, "end", category, term_id, suggestion, stance FROM unit_flags '
            "WHERE unit_id IN (SELECT id FROM units WHERE survey_id = ?) ORDER BY unit_id, start",
            [survey_id],
        ):
            flags.setdefault(row[0], []).append(FlagResult(*row[1:]))
    units = []
    for row in db.execute(
        "SELECT id, response_id, question_id, position, wave_id, segment, text, text_key, sentiment, "
        "sentiment_label, theme_id, theme_confidence, partnership_terms, words "
        "FROM units WHERE survey_id = ? ORDER BY id", [survey_id],
    ):
        (unit_id, response_id, question_id, position, wave_id, segment, text, key, sentiment,
         label, theme_id, confidence, partnership, words) = row
        units.append(UnitResult(
            id=unit_id, response_id=response_id, question_id=question_id, position=position,
            wave=labels[wave_id], segment=segment, text=text, text_key=key, sentiment=sentiment,
            sentiment_label=label, drivers=(), theme_id=theme_id, theme_confidence=confidence,
            flags=tuple(flags.get(unit_id, ())), partnership_terms=partnership, words=words,
        ))
    return units


def theme_unit_rows(db: sqlite_utils.Database, survey_id: int, theme_id: str) -> list[tuple]:
    """``(id, text, text_key, response_id)`` of a theme's units, by unit id."""
    return db.execute(
        "SELECT id, text, text_key, response_id FROM units WHERE survey_id = ? AND theme_id = ? ORDER BY id",
        [survey_id, theme_id]).fetchall()


def previous_proposals(db: sqlite_utils.Database, survey_id: int) -> list[tuple[str, str, frozenset[str]]]:
    """``(id, name, text keys of its units)`` of the survey's stored emerging proposals."""
    keys: dict[str, set[str]] = {}
    names = dict(db.execute("SELECT id, name FROM themes WHERE survey_id = ? AND kind = 'emerging'",
                            [survey_id]).fetchall())
    for theme_id, key in db.execute(
            "SELECT theme_id, text_key FROM units WHERE survey_id = ? AND theme_id IN "
            "(SELECT id FROM themes WHERE survey_id = ? AND kind = 'emerging')", [survey_id, survey_id]):
        keys.setdefault(theme_id, set()).add(key)
    return [(theme_id, name, frozenset(keys.get(theme_id, ()))) for theme_id, name in sorted(names.items())]


def unit_text_key(db: sqlite_utils.Database, survey_id: int, unit_id: str) -> str | None:
    """The text key of one unit of the survey, or ``None`` if the survey has no such unit."""
    row = db.execute("SELECT text_key FROM units WHERE survey_id = ? AND id = ?",
                     [survey_id, unit_id]).fetchone()
    return row[0] if row else None


def themes_of_text(db: sqlite_utils.Database, survey_id: int, text_key: str) -> set[str]:
    """The themes the survey's units with this text belong to."""
    return {theme for (theme,) in db.execute(
        "SELECT DISTINCT theme_id FROM units WHERE survey_id = ? AND text_key = ? AND theme_id IS NOT NULL",
        [survey_id, text_key])}


def pin_texts_to_theme(db: sqlite_utils.Database, survey_id: int, text_keys: Iterable[str],
                       theme_id: str) -> None:
    """Put every unit with one of ``text_keys`` in ``theme_id``, with full confidence (curation)."""
    with db.conn:
        db.conn.executemany("UPDATE units SET theme_id = ?, theme_confidence = 1.0 WHERE survey_id = ? "
                            "AND text_key = ?", [(theme_id, survey_id, key) for key in set(text_keys)])


def move_theme_units(db: sqlite_utils.Database, survey_id: int, source_id: str, into_id: str | None) -> None:
    """Move every unit of ``source_id`` to ``into_id`` (``None``: no theme)."""
    with db.conn:
        db.conn.execute("UPDATE units SET theme_id = ? WHERE survey_id = ? AND theme_id = ?",
                        [into_id, survey_id, source_id])


def count_unit_flags(db: sqlite_utils.Database, survey_id: int) -> int:
    """How many silo flags the survey's units carry."""
    return db.execute(
        "SELECT COUNT(*) FROM unit_flags WHERE unit_id IN (SELECT id FROM units WHERE survey_id = ?)",
        [survey_id]).fetchone()[0]


def save_silo_remeasurement(db: sqlite_utils.Database, survey_id: int, units: Sequence[UnitResult],
                            points: Sequence[SiloPoint], lexicon_version: str) -> None:
    """Replace the units' flags and partnership counts and the silo cells, in one transaction."""
    wave_ids = {label: wave_id for wave_id, label in wave_labels(db, survey_id).items()}
    with db.conn:
        db.conn.execute(
            "DELETE FROM unit_flags WHERE unit_id IN (SELECT id FROM units WHERE survey_id = ?)", [survey_id])
        insert_unit_flags(db, units)
        db.conn.executemany(
            "UPDATE units SET flag_count = ?, partnership_terms = ? WHERE id = ?",
            [(len(u.flags), u.partnership_terms, u.id) for u in units],
        )
        replace_silo_points(db, survey_id, wave_ids, points)
        record_measurement(db, survey_id, lexicon_version)


def save_unit_themes(db: sqlite_utils.Database, changed: Sequence[UnitResult]) -> None:
    """Write new theme assignments, in short transactions of :data:`WRITE_CHUNK` units."""
    for start in range(0, len(changed), WRITE_CHUNK):
        with db.conn:
            db.conn.executemany(
                "UPDATE units SET theme_id = ?, theme_confidence = ? WHERE id = ?",
                [(u.theme_id, u.theme_confidence, u.id) for u in changed[start:start + WRITE_CHUNK]],
            )


def save_summary(
    db: sqlite_utils.Database, survey_id: int, analysis: Analysis,
    previous: Sequence[UnitResult] | None = None,
) -> None:
    """Replace the survey's themes, trend points and silo points, and update unit themes.

    With ``previous`` (the units as stored before the run, in the same order), only units whose
    theme changed are rewritten.
    """
    wave_ids = {label: wave_id for wave_id, label in wave_labels(db, survey_id).items()}
    if previous is None:
        changed = list(analysis.units)
    else:
        changed = [unit for unit, before in zip(analysis.units, previous, strict=True)
                   if (unit.theme_id, round(unit.theme_confidence, 4))
                   != (before.theme_id, round(before.theme_confidence, 4))]
    save_unit_themes(db, changed)
    with db.conn:
        replace_themes(db, survey_id, analysis.themes)
        record_redirects(db, survey_id, analysis.proposal_redirects)
        forget_live_ids(db, survey_id)
        replace_trend_points(db, survey_id, wave_ids, analysis.trends)
        replace_silo_points(db, survey_id, wave_ids, analysis.silo)


def model_sentiment(db: sqlite_utils.Database, survey_id: int, unit_ids: Sequence[str]) -> dict[str, float]:
    """Unit id -> the shipped model's score (``units.model_sentiment`` once a correction or an
    adaptation changed ``sentiment``; ``sentiment`` itself otherwise)."""
    found: dict[str, float] = {}
    ids = list(unit_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update(db.execute(
            f"SELECT id, coalesce(model_sentiment, sentiment) FROM units WHERE survey_id = ? "
            f"AND id IN ({','.join('?' * len(chunk))})", [survey_id, *chunk]).fetchall())
    return found


def has_adapted_sentiment(db: sqlite_utils.Database, survey_id: int) -> bool:
    """Whether any unit of the survey carries a sentiment other than the shipped model's."""
    return db.execute("SELECT 1 FROM units WHERE survey_id = ? AND model_sentiment IS NOT NULL LIMIT 1",
                      [survey_id]).fetchone() is not None


def set_unit_sentiment(db: sqlite_utils.Database, survey_id: int,
                       changed: Sequence[tuple[str, float, str]]) -> None:
    """Write ``(unit id, score, label)`` rows, keeping each unit's shipped score in ``model_sentiment``
    (cleared again when the score returns to it), in short transactions of :data:`WRITE_CHUNK`."""
    for start in range(0, len(changed), WRITE_CHUNK):
        with db.conn:
            db.conn.executemany(
                "UPDATE units SET model_sentiment = CASE WHEN coalesce(model_sentiment, sentiment) = :score "
                "THEN NULL ELSE coalesce(model_sentiment, sentiment) END, sentiment = :score, "
                "sentiment_label = :label WHERE id = :id AND survey_id = :survey_id",
                [{"id": unit_id, "score": score, "label": label, "survey_id": survey_id}
                 for unit_id, score, label in changed[start:start + WRITE_CHUNK]])
