"""Background analysis runs started from the web UI: one subprocess per survey at a time.

The web request only starts ``python -m survey.analysis_jobs`` (the same :func:`run_analysis` that
``rapport analyze --survey ID`` calls) and returns; the embedding model loads in the subprocess,
never in a web worker. Two small files per survey in the jobs folder (the instance folder by
default) carry the state:

- ``<key>.lock``, created exclusively by the starter and removed by the job when it ends, so only
  one run per survey is active; a lock whose process is gone is stale and replaced.
- ``<key>.json``, the job's status (stage, units done, total, result), rewritten atomically by the
  job, read by the page, which refreshes itself while the job runs.

The job runs at a lower CPU priority and writes through the store's short transactions, so partner
submissions keep being accepted while it runs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass

from survey.errors import AnalysisAlreadyRunning

#: A lock without a process id older than this is left over from a starter that died.
STALE_EMPTY_LOCK_SECONDS = 60
#: Progress is written at most this often (the page polls every few seconds).
PROGRESS_INTERVAL_SECONDS = 0.5


@dataclass(frozen=True)
class JobStatus:
    """Where a survey's background analysis stands."""

    survey_id: int
    state: str  # "running" | "done" | "failed"
    stage: str
    done: int
    total: int
    started_at: str
    finished_at: str | None = None
    message: str = ""
    pid: int | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def percent(self) -> int | None:
        """Share of the current stage done, when the stage counts units."""
        return round(100 * self.done / self.total) if self.total else None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def job_paths(jobs_dir: str, database: str, survey_id: int) -> tuple[str, str]:
    """(status file, lock file) of a survey's job; keyed by database too, so installs never mix."""
    key = hashlib.sha256(os.path.abspath(database).encode()).hexdigest()[:12]
    base = os.path.join(jobs_dir, f"analysis-{key}-survey-{survey_id}")
    return base + ".json", base + ".lock"


def _write_status(path: str, status: JobStatus) -> None:
    """Replace the status file atomically (readers never see half a file)."""
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(asdict(status), handle)
    os.replace(temporary, path)


def _process_alive(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def read_status(jobs_dir: str, database: str, survey_id: int) -> JobStatus | None:
    """The survey's latest background job, or ``None``; a job whose process died reads as failed."""
    status_path, lock_path = job_paths(jobs_dir, database, survey_id)
    try:
        with open(status_path, encoding="utf-8") as handle:
            status = JobStatus(**json.load(handle))
    except (OSError, ValueError, TypeError):
        return None
    if status.running and not _job_alive(status, lock_path):
        return JobStatus(**{**asdict(status), "state": "failed", "finished_at": status.finished_at or _now(),
                            "message": "The analysis stopped unexpectedly; see the job log."})
    return status


def _job_alive(status: JobStatus, lock_path: str) -> bool:
    """A job is alive while its process is (before the job wrote its id: while its lock is fresh)."""
    if status.pid is not None:
        return _process_alive(status.pid)
    return os.path.exists(lock_path) and not _lock_is_stale(lock_path)


def _lock_is_stale(lock_path: str) -> bool:
    """A lock is stale when its process is gone, or it never got a process id in time."""
    try:
        with open(lock_path, encoding="ascii") as handle:
            content = handle.read().strip()
        age = time.time() - os.path.getmtime(lock_path)
    except OSError:
        return True
    if not content:
        return age > STALE_EMPTY_LOCK_SECONDS
    return not content.isdigit() or not _process_alive(int(content))


def _take_lock(lock_path: str) -> int:
    """Create the lock file exclusively; replace it once if stale; else the survey is busy."""
    for _ in range(2):
        try:
            return os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            if not _lock_is_stale(lock_path):
                break
            with contextlib.suppress(FileNotFoundError):
                os.remove(lock_path)
    raise AnalysisAlreadyRunning("An analysis of this survey is already running.")


def start_analysis(
    database: str, jobs_dir: str, survey_id: int, *, min_group_size: int, seed: int = 0
) -> JobStatus:
    """Start analysing the survey in a background process and return at once.

    Raises
    ------
    AnalysisAlreadyRunning
        When a run of this survey is still going.
    """
    os.makedirs(jobs_dir, exist_ok=True)
    status_path, lock_path = job_paths(jobs_dir, database, survey_id)
    descriptor = _take_lock(lock_path)
    status = JobStatus(survey_id, "running", "starting", 0, 0, _now())
    try:
        _write_status(status_path, status)
        process = _spawn(database, survey_id, status_path, lock_path, min_group_size, seed)
        os.write(descriptor, str(process.pid).encode("ascii"))
    except BaseException:
        os.close(descriptor)
        os.remove(lock_path)
        raise
    os.close(descriptor)
    # Reap the child when it ends so it never lingers as a zombie in the web worker.
    threading.Thread(target=process.wait, daemon=True).start()
    return JobStatus(**{**asdict(status), "pid": process.pid})


def _spawn(database: str, survey_id: int, status_path: str, lock_path: str, min_group_size: int,
           seed: int) -> subprocess.Popen:
    project_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "RAPPORT_DATABASE": database, "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "PYTHONPATH": os.pathsep.join(filter(None, [project_root, os.environ.get("PYTHONPATH")]))}
    log_path = status_path[: -len(".json")] + ".log"
    with open(log_path, "w", encoding="utf-8") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "survey.analysis_jobs", "--database", database, "--survey",
             str(survey_id), "--status-file", status_path, "--lock-file", lock_path,
             "--min-group-size", str(min_group_size), "--seed", str(seed)],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True,
        )


class _ProgressWriter:
    """The run's progress callback: rewrites the status file, at most every half second."""

    def __init__(self, path: str, status: JobStatus) -> None:
        self.path = path
        self.status = status
        self.written = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        changed = stage != self.status.stage
        self.status = JobStatus(**{**asdict(self.status), "stage": stage, "done": done, "total": total})
        if changed or time.monotonic() - self.written >= PROGRESS_INTERVAL_SECONDS:
            _write_status(self.path, self.status)
            self.written = time.monotonic()

    def finish(self, state: str, message: str) -> None:
        self.status = JobStatus(**{**asdict(self.status), "state": state, "finished_at": _now(),
                                   "message": message})
        _write_status(self.path, self.status)


def run_job(database: str, survey_id: int, status_path: str, lock_path: str, *, min_group_size: int,
            seed: int = 0) -> int:
    """Body of the background process: run the analysis, record the outcome, release the lock."""
    from survey.analysis_runner import run_analysis
    from survey.db import open_database

    writer = _ProgressWriter(status_path, JobStatus(survey_id, "running", "loading models", 0, 0, _now(),
                                                    pid=os.getpid()))
    writer("loading models", 0, 0)
    try:
        db = open_database(database)
        summary = run_analysis(db, survey_id, min_group_size=min_group_size, random_state=seed,
                               progress=writer)
        db.close()
        writer.finish("done", f"{summary.status}: {summary.new_answers} new answers, {summary.new_units} "
                              f"new units, {summary.total_units} units in all, {summary.themes} themes "
                              f"({summary.emerging} emerging), {summary.duration_seconds:.1f} s.")
        return 0
    except Exception as error:  # the page must learn that the job failed, and why
        writer.finish("failed", f"{type(error).__name__}: {error}")
        return 1
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(lock_path)


def main(argv: list[str] | None = None) -> int:
    """Command line of the background process (started by :func:`start_analysis`)."""
    parser = argparse.ArgumentParser(prog="python -m survey.analysis_jobs", description=main.__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--survey", type=int, required=True)
    parser.add_argument("--status-file", required=True)
    parser.add_argument("--lock-file", required=True)
    parser.add_argument("--min-group-size", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    os.nice(10)  # web workers and partner submissions come first on a small machine
    return run_job(args.database, args.survey, args.status_file, args.lock_file,
                   min_group_size=args.min_group_size, seed=args.seed)


if __name__ == "__main__":
    sys.exit(main())
