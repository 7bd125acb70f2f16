"""BRM sentiment corrections as use cases: correct a comment, undo it, adapt a survey on analysis.

A correction wins for its comment at once (:func:`correct_sentiment`); each analysis run then fits
the survey's own head on all its corrections and relabels the other units when the corrections show
the shipped model wrong beyond noise (:func:`adapt_survey_sentiment`, :mod:`nlp.sentiment.adaptation`).
The head reads the sentiment encoder's logits, which the analysis keeps per text key in the
embeddings cache (:func:`save_sentiment_logits`; units analysed before that get theirs computed once,
on the first adapting run). The shipped model's score of every unit stays in the store, so an undo
or a survey with no corrections left goes back to it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import sqlite_utils

from nlp.errors import SentimentModelError
from nlp.results import UnitResult
from nlp.sentiment.adaptation import adapt_sentiment, corrected_score, head_inputs
from nlp.sentiment.labels import sentiment_label
from survey.store import analysis as units_store
from survey.store import corrections


def correct_sentiment(db: sqlite_utils.Database, survey_id: int, unit_id: str, label: str, *,
                      min_quote_group_size: int) -> None:
    """Record the BRM's label for a comment it can see; the comment shows it at once.

    Raises
    ------
    survey.errors.InvalidInput
        On an unknown label, or a unit that is not one of the survey's comments on show.
    """
    corrections.record_correction(db, survey_id, unit_id, label, min_quote_group_size=min_quote_group_size)
    model_score = units_store.model_sentiment(db, survey_id, [unit_id])[unit_id]
    units_store.set_unit_sentiment(db, survey_id, [(unit_id, corrected_score(model_score, label), label)])


def undo_sentiment_correction(db: sqlite_utils.Database, survey_id: int, unit_id: str, *,
                              min_quote_group_size: int) -> None:
    """Remove a comment's correction and give it back the shipped model's sentiment.

    The survey's other units keep their adapted labels until the next analysis run re-adapts them.
    """
    corrections.undo_correction(db, survey_id, unit_id, min_quote_group_size=min_quote_group_size)
    model_score = units_store.model_sentiment(db, survey_id, [unit_id])[unit_id]
    units_store.set_unit_sentiment(db, survey_id, [(unit_id, model_score, sentiment_label(model_score))])


def _logits_model_name(model_cache: str | None) -> str | None:
    """The cache name of the sentiment encoder's logits, or None without the semantic backend."""
    from nlp.sentiment.encoder import SentimentLogits

    try:
        return SentimentLogits(model_cache).name
    except (SentimentModelError, ImportError, OSError):
        return None


def save_sentiment_logits(db: sqlite_utils.Database, units: Sequence[UnitResult],
                          model_cache: str | None) -> None:
    """Keep the sentiment encoder's logits the analysis computed for ``units`` (by text key)."""
    logits = {unit.text_key: np.asarray(unit.sentiment_logits, dtype=np.float32)
              for unit in units if len(unit.sentiment_logits) == 3}
    name = _logits_model_name(model_cache) if logits else None
    if name:
        units_store.save_embeddings(db, logits, name)


def _survey_logits(db: sqlite_utils.Database, units: Sequence[UnitResult], vectors: np.ndarray,
                   model_cache: str | None) -> np.ndarray | None:
    """The encoder's logits of every unit (cached ones, the rest computed and cached), or None when
    the analysis runs without the semantic model (then the head reads the scores instead)."""
    from nlp.sentiment.encoder import GENERAL_WIDTH, sentiment_logits

    semantic = vectors.ndim == 2 and vectors.shape[1] == GENERAL_WIDTH
    name = _logits_model_name(model_cache) if semantic else None
    if name is None:
        return None
    found = units_store.load_embeddings(db, [unit.text_key for unit in units], name)
    missing = sorted({unit.text_key: unit.text for unit in units if unit.text_key not in found}.items())
    if missing:
        computed = sentiment_logits([text for _, text in missing], model_cache)
        new = {key: row for (key, _), row in zip(missing, computed, strict=True)}
        units_store.save_embeddings(db, new, name)
        found.update(new)
    return np.vstack([found[unit.text_key] for unit in units]) if units else np.zeros((0, 3), np.float32)


def adapt_survey_sentiment(db: sqlite_utils.Database, survey_id: int, units: Sequence[UnitResult],
                           vectors: np.ndarray, model_cache: str | None = None,
                           ) -> tuple[list[UnitResult], int, bool]:
    """Relabel the survey's units from its corrections; return the units as stored, the number of
    corrections and whether the head moved uncorrected units (False: the corrected ones only).

    A survey that has no corrections and never had any returns its units untouched, at the cost of
    two small queries.
    """
    found = corrections.survey_corrections(db, survey_id)
    if not found and not units_store.has_adapted_sentiment(db, survey_id):
        return list(units), 0, False
    model = units_store.model_sentiment(db, survey_id, [unit.id for unit in units])
    rows = {index: found[unit.id] for index, unit in enumerate(units) if unit.id in found}
    shipped = [model[unit.id] for unit in units]
    logits = _survey_logits(db, units, vectors, model_cache) if rows else None
    adapted = adapt_sentiment(head_inputs(vectors, shipped, logits), shipped, rows)
    changed = [(unit.id, score, label) for unit, score, label in zip(units, adapted.scores, adapted.labels,
                                                                     strict=True)
               if (unit.sentiment, unit.sentiment_label) != (score, label)]
    units_store.set_unit_sentiment(db, survey_id, changed)
    relabelled = [dataclasses.replace(unit, sentiment=score, sentiment_label=label) for unit, score, label
                  in zip(units, adapted.scores, adapted.labels, strict=True)]
    return relabelled, adapted.n_corrections, adapted.adapted
