"""Re-measure a survey's siloing language with the current lexicon, old waves included (no Flask).

Only the silo part of the analysis is redone: stored units are re-checked with
:func:`nlp.silo.analyse_silo_language`, their flags and partnership counts replaced, and the
survey's silo points recomputed with :func:`nlp.summary.compute_silo_points`. Themes, sentiment and
embeddings are untouched, so no embedding model is loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

from nlp.results import FlagResult, UnitResult
from nlp.silo import Lexicon, analyse_silo_language
from nlp.summary import compute_silo_points
from survey.store.aggregates import save_silo_terms
from survey.store.analysis import insert_unit_flags, wave_labels
from survey.store.lexicons import current_lexicon
from survey.store.surveys import get_survey


@dataclass(frozen=True)
class RemeasureSummary:
    """What a re-measurement changed."""

    survey_id: int
    lexicon_version: str
    units: int
    flags_before: int
    flags_after: int


def remeasure_silo_language(
    db: sqlite_utils.Database, survey_id: int, *, min_group_size: int = 5, lexicon: Lexicon | None = None
) -> RemeasureSummary:
    """Re-check every stored unit of the survey with ``lexicon`` (default: the current one).

    Raises :class:`survey.errors.NotFound` if the survey does not exist.
    """
    get_survey(db, survey_id)
    lexicon = lexicon if lexicon is not None else current_lexicon(db)
    labels = wave_labels(db, survey_id)
    rows = db.execute(
        "SELECT id, response_id, question_id, position, wave_id, segment, text, text_key, sentiment, "
        "sentiment_label, theme_id, theme_confidence, words FROM units WHERE survey_id = ? ORDER BY id",
        [survey_id],
    ).fetchall()
    flags, partnership = analyse_silo_language([row[6] for row in rows], lexicon)
    units = [
        _unit(row, labels, tuple(_flag(flag) for flag in unit_flags), count)
        for row, unit_flags, count in zip(rows, flags, partnership, strict=True)
    ]
    points = compute_silo_points(units, list(labels.values()), min_group_size)
    before = db.execute(
        "SELECT COUNT(*) FROM unit_flags WHERE unit_id IN (SELECT id FROM units WHERE survey_id = ?)",
        [survey_id]).fetchone()[0]
    _save(db, survey_id, units, points, labels, lexicon.version)
    save_silo_terms(db, survey_id)
    return RemeasureSummary(survey_id, lexicon.version, len(units), before,
                            sum(len(unit.flags) for unit in units))


def _unit(row: tuple, labels: dict[int, str], flags: tuple[FlagResult, ...], partnership: int) -> UnitResult:
    (unit_id, response_id, question_id, position, wave_id, segment, text, key, sentiment, label,
     theme_id, confidence, words) = row
    return UnitResult(
        id=unit_id, response_id=response_id, question_id=question_id, position=position,
        wave=labels[wave_id], segment=segment, text=text, text_key=key, sentiment=sentiment,
        sentiment_label=label, drivers=(), theme_id=theme_id, theme_confidence=confidence,
        flags=flags, partnership_terms=int(partnership), words=words,
    )


def _flag(flag) -> FlagResult:
    return FlagResult(text=flag.text, start=flag.start, end=flag.end, category=flag.category,
                      term_id=flag.term_id, suggestion=flag.suggestion, stance=flag.stance)


def _save(db, survey_id, units, points, labels, lexicon_version) -> None:
    """Replace flags, unit counts and silo points in one transaction."""
    wave_ids = {label: wave_id for wave_id, label in labels.items()}
    with db.conn:
        db.conn.execute(
            "DELETE FROM unit_flags WHERE unit_id IN (SELECT id FROM units WHERE survey_id = ?)", [survey_id])
        insert_unit_flags(db, units)
        db.conn.executemany(
            "UPDATE units SET flag_count = ?, partnership_terms = ? WHERE id = ?",
            [(len(u.flags), u.partnership_terms, u.id) for u in units],
        )
        db.conn.execute("DELETE FROM silo_points WHERE survey_id = ?", [survey_id])
        db.conn.executemany(
            "INSERT INTO silo_points (survey_id, wave_id, segment, responses, words, flags, "
            "partnership_terms, rate_per_thousand_words, share_of_responses_flagged, "
            "partnership_to_silo_ratio, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(survey_id, wave_ids[p.wave], p.segment or "", p.responses, p.words, p.flags,
              p.partnership_terms, p.rate_per_thousand_words, p.share_of_responses_flagged,
              p.partnership_to_silo_ratio, int(p.suppressed)) for p in points],
        )
        db.conn.execute(
            "INSERT OR REPLACE INTO silo_measurements (survey_id, lexicon_version, measured_at) "
            "VALUES (?, ?, ?)",
            [survey_id, lexicon_version, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")],
        )
