"""The background analysis started by "Run analysis": :func:`run_analysis` in its own process.

The same run as ``rapport analyze --survey ID``; the job runs at a lower CPU priority and writes
through the store's short transactions, so partner submissions keep being accepted while it runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from survey.db import open_database
from survey.jobs import runner
from survey.jobs.runner import JobStatus, ProgressWriter
from survey.services.analysis import run_analysis
from survey.services.models import embedder_from_config

JOB = "analysis"


def start_analysis(
    database: str, jobs_dir: str, survey_id: int, *, min_group_size: int, seed: int = 0,
    models: Mapping[str, Any] | None = None, release_batch_size: int | None = None,
) -> JobStatus:
    """Start analysing the survey in a background process and return at once.

    ``models`` holds the model settings (:func:`survey.services.models.model_settings`).

    Raises
    ------
    AnalysisAlreadyRunning
        When a run of this survey is still going.
    """
    arguments = ["--min-group-size", str(min_group_size), "--seed", str(seed),
                 "--release-batch-size", str(release_batch_size or min_group_size)]
    for key, value in (models or {}).items():
        if value:
            arguments += [f"--{key.lower().replace('_', '-')}", str(value)]
    return runner.start_job(__name__, jobs_dir, database, survey_id, arguments, job=JOB)


def read_status(jobs_dir: str, database: str, survey_id: int) -> JobStatus | None:
    """The survey's latest background analysis, or ``None``."""
    return runner.read_status(jobs_dir, database, JOB, survey_id)


def run_job(database: str, survey_id: int, status_path: str, lock_path: str, *, min_group_size: int,
            seed: int = 0, models: Mapping[str, Any] | None = None,
            release_batch_size: int | None = None) -> int:
    """Body of the background process: run the analysis, record the outcome, release the lock."""

    def body(progress: ProgressWriter) -> str:
        embedder = embedder_from_config(models or {})
        db = open_database(database)
        try:
            summary = run_analysis(db, survey_id, min_group_size=min_group_size, random_state=seed,
                                   progress=progress, embedder=embedder,
                                   model_cache=(models or {}).get("MODEL_CACHE"),
                                   release_batch_size=release_batch_size)
        finally:
            db.close()
        return (f"{summary.status}: {summary.new_answers} new answers, {summary.new_units} new units, "
                f"{summary.total_units} units in all, {summary.themes} themes ({summary.emerging} "
                f"emerging), {summary.duration_seconds:.1f} s.")

    return runner.run_body(survey_id, status_path, lock_path, "loading models", body)


def main(argv: list[str] | None = None) -> int:
    """Command line of the background process (started by :func:`start_analysis`)."""
    parser = runner.job_parser(f"python -m {__name__}", main.__doc__)
    parser.add_argument("--min-group-size", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--release-batch-size", type=int, default=None)
    parser.add_argument("--embeddings", default=None)
    parser.add_argument("--model-cache", default=None)
    parser.add_argument("--spacy-model", default=None)
    args = parser.parse_args(argv)
    os.nice(10)  # web workers and partner submissions come first on a small machine
    models = {"EMBEDDINGS": args.embeddings, "MODEL_CACHE": args.model_cache, "SPACY_MODEL": args.spacy_model}
    return run_job(args.database, args.survey, args.status_file, args.lock_file,
                   min_group_size=args.min_group_size, seed=args.seed, models=models,
                   release_batch_size=args.release_batch_size)


if __name__ == "__main__":
    sys.exit(main())
