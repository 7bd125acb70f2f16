"""One analysis run for a survey: analyse new answers, then rebuild themes, trends and silo metrics.

Flask-free; the ``rapport analyze`` command and the background job behind "Run analysis" both call
:func:`run_analysis`. Runs are recorded (versions, parameters, seed, counts, duration), and a run
with nothing new (same units, taxonomy with its overrides, lexicon and parameters) ends early.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sqlite_utils

from nlp.analysis import analyse_units, embed_with_cache
from nlp.results import AnswerInput, UnitResult
from nlp.silo import Lexicon
from nlp.summary import summarise
from nlp.themes.stability import PreviousProposal
from survey.services.models import embedder_from_config
from survey.services.sentiment_corrections import adapt_survey_sentiment, save_sentiment_logits
from survey.services.webhook_events import announce_analysis, release_announcer
from survey.store import aggregates, corrections, runs
from survey.store import analysis as store
from survey.store.lexicons import current_lexicon
from survey.store.responses.release import release_waiting
from survey.store.taxonomies import load_taxonomy

if TYPE_CHECKING:
    from nlp.embeddings import Embedder
    from nlp.themes import Taxonomy

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class RunSummary:
    """What a run did, for the CLI and the web UI."""

    run_id: int
    survey_id: int
    status: str  # "done" | "nothing new"
    new_answers: int
    new_units: int
    total_units: int
    themes: int
    emerging: int
    duration_seconds: float


def _quiet(stage: str, done: int, total: int) -> None:
    """Default progress callback: ignore."""


def run_analysis(
    db: sqlite_utils.Database, survey_id: int, *, min_group_size: int = 5, random_state: int = 0,
    progress: Progress = _quiet, lexicon: Lexicon | None = None, embedder: Embedder | None = None,
    model_cache: str | None = None, release_batch_size: int | None = None,
) -> RunSummary:
    """Release waiting responses in batches of k, analyse what is new (released answers only) and
    refresh the survey's stored themes, trends and silo metrics. Webhooks hear of each released
    batch and of the finished run (:mod:`survey.services.webhook_events`).

    ``release_batch_size`` (k, DESIGN.md section 3, rule 7) defaults to ``min_group_size``.

    ``embedder`` defaults to the one the default configuration chooses
    (:func:`survey.services.models.embedder_from_config`); ``model_cache`` is the configured
    ``MODEL_CACHE`` (where the sentiment encoder's export is kept; None means the default).
    """
    started = time.perf_counter()
    embedder = embedder if embedder is not None else embedder_from_config({})
    taxonomy = load_taxonomy(db, survey_id)
    lexicon = lexicon if lexicon is not None else current_lexicon(db)
    release_waiting(db, survey_id, release_batch_size or min_group_size, release_announcer(db))
    answers = store.pending_answers(db, survey_id)
    new_units = _analyse_new_answers(db, survey_id, answers, lexicon, embedder, progress, model_cache)
    units, vectors = _units_and_vectors(db, survey_id, embedder, progress)
    fingerprint = _fingerprint(units, taxonomy, lexicon, min_group_size, random_state,
                               corrections.survey_corrections(db, survey_id), embedder.name)
    counts = {"new_answers": len(answers), "new_units": len(new_units), "total_units": len(units),
              "themes": 0, "emerging": 0}
    if not answers and runs.last_fingerprint(db, survey_id) == fingerprint:
        counts["responses"] = _refresh_scores_if_stale(db, survey_id)
        counts["no_content"] = (runs.last_counts(db, survey_id) or {}).get("no_content", 0)
        return _record(db, survey_id, "nothing new", fingerprint, {}, started, counts)
    units, counts["corrections"], counts["sentiment_adapted"] = adapt_survey_sentiment(
        db, survey_id, units, vectors, model_cache)
    progress("summarising", 0, len(units))
    waves = list(store.wave_labels(db, survey_id).values())
    previous = [PreviousProposal(*row) for row in store.previous_proposals(db, survey_id)]
    analysis = summarise(units, vectors, waves=waves, taxonomy=taxonomy, lexicon=lexicon,
                         embedder=embedder, min_group_size=min_group_size, random_state=random_state,
                         previous_proposals=previous, new_unit_keys={unit.text_key for unit in new_units})
    store.save_summary(db, survey_id, analysis, previous=units)
    progress("summarising", len(units), len(units))
    # Counted before scoring: a response arriving meanwhile makes the next run re-score.
    counts["responses"] = aggregates.survey_response_total(db, survey_id)
    aggregates.save_wave_scores(db, survey_id)
    aggregates.save_silo_terms(db, survey_id)
    counts["themes"] = len(analysis.themes)
    counts["emerging"] = sum(1 for theme in analysis.themes if theme.kind == "emerging")
    counts["no_content"] = analysis.no_content_units
    return _record(db, survey_id, "done", fingerprint, dataclasses.asdict(analysis.run), started, counts)


def _analyse_new_answers(db: sqlite_utils.Database, survey_id: int, answers: Sequence[AnswerInput],
                         lexicon: Lexicon, embedder: Embedder, progress: Progress,
                         model_cache: str | None) -> list[UnitResult]:
    """Split new answers into units, score and embed them, and store them (with their vectors)."""
    if not answers:
        return []
    progress("analysing new answers", 0, len(answers))
    new_units, _, new_vectors = analyse_units(
        answers, lexicon=lexicon, embedder=embedder,
        cached_vectors=lambda keys: store.load_embeddings(db, keys, embedder.name),
        progress=progress, model_cache=model_cache,
    )
    store.save_units(db, survey_id, answers, new_units, new_vectors, embedder.name)
    save_sentiment_logits(db, new_units, model_cache)  # read by the correction head
    progress("analysing new answers", len(answers), len(answers))
    return list(new_units)


def _refresh_scores_if_stale(db: sqlite_utils.Database, survey_id: int) -> int:
    """Responses with ratings but no text leave the units unchanged: recompute the wave scores when
    the survey's response count moved since the last run (a cheap check, so warm runs stay fast).

    Returns the response count the stored scores are based on (at most the true one)."""
    counted = (runs.last_counts(db, survey_id) or {}).get("responses")
    total = aggregates.survey_response_total(db, survey_id)
    if counted != total:
        aggregates.save_wave_scores(db, survey_id)
        return total
    return counted


def _units_and_vectors(db: sqlite_utils.Database, survey_id: int, embedder: Embedder,
                       progress: Progress) -> tuple[list[UnitResult], np.ndarray]:
    """Every stored unit with its vector from ``embedder``. Units whose vectors were cached under
    another model's name only (e.g. the fp32 general model, before int8) are embedded now and
    cached under this one: vectors of two models are never mixed in one analysis."""
    units = store.stored_units(db, survey_id)
    found = store.load_embeddings(db, [unit.text_key for unit in units], embedder.name)
    missing = [unit.text for unit in units if unit.text_key not in found]
    if missing:
        _, new = embed_with_cache(missing, embedder, progress=progress)
        store.save_embeddings(db, new, embedder.name)
        found.update(new)
    if not units:
        return [], np.zeros((0, 384), dtype=np.float32)
    return units, np.vstack([found[unit.text_key] for unit in units])


def _fingerprint(units: Sequence[UnitResult], taxonomy: Taxonomy, lexicon: Lexicon, min_group_size: int,
                 random_state: int, corrected: dict[str, str], embedder_name: str) -> str:
    digest = hashlib.sha256()
    digest.update(embedder_name.encode())  # another model's vectors: themes are rebuilt
    for unit in units:
        digest.update(unit.id.encode())
    for unit_id, label in sorted(corrected.items()):  # a new correction or an undo re-adapts
        digest.update(f"{unit_id}={label};".encode())
    digest.update(taxonomy.to_json().encode())
    digest.update(lexicon.version.encode())
    digest.update(f"{min_group_size}:{random_state}".encode())
    return digest.hexdigest()


def _record(db: sqlite_utils.Database, survey_id: int, status: str, fingerprint: str, record: dict,
            started: float, counts: dict[str, int]) -> RunSummary:
    duration = time.perf_counter() - started
    run_id = runs.record_run(db, survey_id, status=status, fingerprint=fingerprint,
                             duration_seconds=duration, record=record, counts=counts)
    announce_analysis(db, survey_id, run_id, status, counts["themes"])
    return RunSummary(run_id, survey_id, status, counts["new_answers"], counts["new_units"],
                      counts["total_units"], counts["themes"], counts["emerging"], duration)
