"""One analysis run for a survey: analyse new answers, then rebuild themes, trends and silo metrics.

Flask-free; the ``rapport analyze`` command and the web UI's "Run analysis" both call
:func:`run_analysis`. Runs are recorded (versions, parameters, seed, counts, duration), and a run
with nothing new (same units, taxonomy with its overrides, lexicon and parameters) ends early.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from survey.store import aggregates
from survey.store import analysis as store

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


def load_taxonomy(db: sqlite_utils.Database, survey_id: int):
    """The survey's curated taxonomy, or the shipped default for a survey never curated."""
    from nlp.themes import DEFAULT_THEMES, Taxonomy

    row = db.execute("SELECT taxonomy FROM theme_taxonomies WHERE survey_id = ?", [survey_id]).fetchone()
    return Taxonomy.from_json(row[0]) if row else DEFAULT_THEMES


def save_taxonomy(db: sqlite_utils.Database, survey_id: int, taxonomy) -> None:
    """Persist a curated taxonomy for the survey."""
    with db.conn:
        db.conn.execute(
            "INSERT OR REPLACE INTO theme_taxonomies (survey_id, taxonomy) VALUES (?, ?)",
            [survey_id, taxonomy.to_json()],
        )


def run_analysis(
    db: sqlite_utils.Database, survey_id: int, *, min_group_size: int = 5, random_state: int = 0,
    progress: Progress = _quiet, lexicon=None,
) -> RunSummary:
    """Analyse what is new in a survey and refresh its stored themes, trends and silo metrics."""
    from nlp.analysis import analyse_units
    from nlp.embeddings import default_embedder
    from nlp.summary import summarise
    from survey.store.lexicons import current_lexicon

    started = time.perf_counter()
    model_cache = os.environ.get("RAPPORT_MODEL_CACHE")  # read here since nlp takes no RAPPORT_* variables
    embedder = default_embedder(os.environ.get("RAPPORT_EMBEDDINGS", "semantic"), model_cache)
    taxonomy = load_taxonomy(db, survey_id)
    lexicon = lexicon if lexicon is not None else current_lexicon(db)
    answers = store.pending_answers(db, survey_id)
    new_units = []
    if answers:
        progress("analysing new answers", 0, len(answers))
        new_units, _, new_vectors = analyse_units(
            answers, lexicon=lexicon, embedder=embedder,
            cached_vectors=lambda keys: store.load_embeddings(db, keys, embedder.name),
            progress=progress, model_cache=model_cache,
        )
        store.save_units(db, survey_id, answers, new_units, new_vectors, embedder.name)
    units, vectors = store.load_units(db, survey_id, embedder.name)
    fingerprint = _fingerprint(units, taxonomy, lexicon, min_group_size, random_state)
    previous = db.execute(
        "SELECT fingerprint FROM analysis_runs WHERE survey_id = ? AND status = 'done' "
        "ORDER BY id DESC LIMIT 1", [survey_id],
    ).fetchone()
    if not answers and previous and previous[0] == fingerprint:
        scored = _refresh_scores_if_stale(db, survey_id)
        return _record(db, survey_id, "nothing new", fingerprint, {}, started, answers, new_units,
                       units, 0, 0, scored)
    progress("summarising", 0, len(units))
    waves = list(store.wave_labels(db, survey_id).values())
    analysis = summarise(units, vectors, waves=waves, taxonomy=taxonomy, lexicon=lexicon,
                         embedder=embedder, min_group_size=min_group_size, random_state=random_state)
    store.save_summary(db, survey_id, analysis, previous=units)
    scored = aggregates.survey_response_total(db, survey_id)  # counted first: a later one re-scores
    aggregates.save_wave_scores(db, survey_id)
    aggregates.save_silo_terms(db, survey_id)
    emerging = sum(1 for theme in analysis.themes if theme.kind == "emerging")
    return _record(db, survey_id, "done", fingerprint, dataclasses.asdict(analysis.run), started,
                   answers, new_units, units, len(analysis.themes), emerging, scored)


def _refresh_scores_if_stale(db: sqlite_utils.Database, survey_id: int) -> int:
    """Responses with ratings but no text leave the units unchanged: recompute the wave scores when
    the survey's response count moved since the last run (a cheap check, so warm runs stay fast).

    Returns the response count the stored scores are based on (at most the true one)."""
    row = db.execute("SELECT counts FROM analysis_runs WHERE survey_id = ? ORDER BY id DESC LIMIT 1",
                     [survey_id]).fetchone()
    counted = json.loads(row[0] or "{}").get("responses") if row else None
    total = aggregates.survey_response_total(db, survey_id)
    if counted != total:
        aggregates.save_wave_scores(db, survey_id)
        return total
    return counted


def _fingerprint(units, taxonomy, lexicon, min_group_size, random_state) -> str:
    digest = hashlib.sha256()
    for unit in units:
        digest.update(unit.id.encode())
    digest.update(taxonomy.to_json().encode())
    digest.update(lexicon.version.encode())
    digest.update(f"{min_group_size}:{random_state}".encode())
    return digest.hexdigest()


def _record(db, survey_id, status, fingerprint, record, started, answers, new_units, units,
            themes, emerging, scored_responses) -> RunSummary:
    duration = time.perf_counter() - started
    counts = {"new_answers": len(answers), "new_units": len(new_units), "total_units": len(units),
              "themes": themes, "emerging": emerging,
              "responses": scored_responses}
    run_id = db["analysis_runs"].insert({
        "survey_id": survey_id, "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "duration_seconds": round(duration, 3), "status": status, "fingerprint": fingerprint,
        "record": json.dumps(record, default=str), "counts": json.dumps(counts),
    }).last_pk
    return RunSummary(run_id, survey_id, status, len(answers), len(new_units), len(units), themes,
                      emerging, duration)
