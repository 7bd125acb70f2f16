"""BRM sentiment corrections as use cases: correct a comment, undo it, adapt a survey on analysis.

A correction wins for its comment at once (:func:`correct_sentiment`); each analysis run then fits
the survey's own head on all its corrections and relabels the other units
(:func:`adapt_survey_sentiment`, :mod:`nlp.sentiment.adaptation`). The shipped model's score of
every unit stays in the store, so an undo or a survey with no corrections left goes back to it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import sqlite_utils

from nlp.results import UnitResult
from nlp.sentiment.adaptation import adapt_sentiment, corrected_score
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


def adapt_survey_sentiment(db: sqlite_utils.Database, survey_id: int, units: Sequence[UnitResult],
                           vectors: np.ndarray) -> tuple[list[UnitResult], int]:
    """Relabel the survey's units from its corrections; return the units as stored and the count.

    A survey that has no corrections and never had any returns its units untouched, at the cost of
    two small queries.
    """
    found = corrections.survey_corrections(db, survey_id)
    if not found and not units_store.has_adapted_sentiment(db, survey_id):
        return list(units), 0
    model = units_store.model_sentiment(db, survey_id, [unit.id for unit in units])
    rows = {index: found[unit.id] for index, unit in enumerate(units) if unit.id in found}
    adapted = adapt_sentiment(vectors, [model[unit.id] for unit in units], rows)
    changed = [(unit.id, score, label) for unit, score, label in zip(units, adapted.scores, adapted.labels,
                                                                     strict=True)
               if (unit.sentiment, unit.sentiment_label) != (score, label)]
    units_store.set_unit_sentiment(db, survey_id, changed)
    return [dataclasses.replace(unit, sentiment=score, sentiment_label=label) for unit, score, label
            in zip(units, adapted.scores, adapted.labels, strict=True)], adapted.n_corrections
