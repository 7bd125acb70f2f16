"""Re-measure a survey's siloing language with the current lexicon, old waves included (no Flask).

Only the silo part of the analysis is redone: stored units are re-checked with
:func:`nlp.silo.analyse_silo_language`, their flags and partnership counts replaced, and the
survey's silo points recomputed with :func:`nlp.summary.compute_silo_points`. Themes, sentiment and
embeddings are untouched, so no embedding model is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlite_utils

from nlp.results import FlagResult
from nlp.silo import Lexicon, SiloFlag, analyse_silo_language
from nlp.summary import compute_silo_points
from survey.store.aggregates import save_silo_terms
from survey.store.analysis import count_unit_flags, save_silo_remeasurement, stored_units, wave_labels
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
    stored = stored_units(db, survey_id, with_flags=False)
    flags, partnership = analyse_silo_language([unit.text for unit in stored], lexicon)
    units = [
        replace(unit, flags=tuple(_flag(flag) for flag in unit_flags), partnership_terms=int(count))
        for unit, unit_flags, count in zip(stored, flags, partnership, strict=True)
    ]
    points = compute_silo_points(units, list(wave_labels(db, survey_id).values()), min_group_size)
    before = count_unit_flags(db, survey_id)
    save_silo_remeasurement(db, survey_id, units, points, lexicon.version)
    save_silo_terms(db, survey_id)
    return RemeasureSummary(survey_id, lexicon.version, len(units), before,
                            sum(len(unit.flags) for unit in units))


def _flag(flag: SiloFlag) -> FlagResult:
    return FlagResult(text=flag.text, start=flag.start, end=flag.end, category=flag.category,
                      term_id=flag.term_id, suggestion=flag.suggestion, stance=flag.stance)
