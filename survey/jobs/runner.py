"""Background jobs started from the web UI: one process per survey and job at a time.

A web request only starts ``python -m <job module>`` and returns; heavy work (the embedding model,
for one) loads in that process, never in a web worker. Two small files per survey and job in the
jobs folder carry the state:

- ``<key>.lock``, created exclusively by the starter and removed by the job when it ends, so only
  one run per survey is active; a lock whose process is gone is stale and replaced.
- ``<key>.json``, the job's status (stage, units done, total, result), rewritten atomically by the
  job, read by the page, which refreshes itself while the job runs.

A job module (for example :mod:`survey.jobs.analysis`) calls :func:`start_job` to start itself and
:func:`run_body` in its ``main`` to report progress and release the lock.
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
from collections.abc import Callable, Sequence
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
    """Today's date (UTC): job files keep no time of day (DESIGN.md section 3, rule 9)."""
    return dt.datetime.now(dt.UTC).date().isoformat()


def job_paths(jobs_dir: str, database: str, job: str, survey_id: int) -> tuple[str, str]:
    """(status file, lock file) of a survey's job; keyed by database too, so installs never mix."""
    key = hashlib.sha256(os.path.abspath(database).encode()).hexdigest()[:12]
    base = os.path.join(jobs_dir, f"{job}-{key}-survey-{survey_id}")
    return base + ".json", base + ".lock"


def _write_status(path: str, status: JobStatus) -> None:
    """Replace the status file atomically (readers never see half a file)."""
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(asdict(status), handle)
    os.replace(temporary, path)


def process_alive(pid: int) -> bool:
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


def read_status(jobs_dir: str, database: str, job: str, survey_id: int) -> JobStatus | None:
    """The survey's latest ``job``, or ``None``; a job whose process died reads as failed."""
    status_path, lock_path = job_paths(jobs_dir, database, job, survey_id)
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
        return process_alive(status.pid)
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
    return not content.isdigit() or not process_alive(int(content))


def take_lock(lock_path: str) -> int:
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


def start_job(module: str, jobs_dir: str, database: str, survey_id: int, arguments: Sequence[str] = (),
              *, job: str) -> JobStatus:
    """Start ``python -m module`` for a survey in the background and return at once.

    The process gets ``--database --survey --status-file --lock-file`` and ``arguments``.

    Raises
    ------
    AnalysisAlreadyRunning
        When a ``job`` of this survey is still going.
    """
    os.makedirs(jobs_dir, exist_ok=True)
    status_path, lock_path = job_paths(jobs_dir, database, job, survey_id)
    descriptor = take_lock(lock_path)
    status = JobStatus(survey_id, "running", "starting", 0, 0, _now())
    command = [sys.executable, "-m", module, "--database", database, "--survey", str(survey_id),
               "--status-file", status_path, "--lock-file", lock_path, *arguments]
    try:
        _write_status(status_path, status)
        process = _spawn(command, database, status_path)
        os.write(descriptor, str(process.pid).encode("ascii"))
    except BaseException:
        os.close(descriptor)
        os.remove(lock_path)
        raise
    os.close(descriptor)
    # Reap the child when it ends so it never lingers as a zombie in the web worker.
    threading.Thread(target=process.wait, daemon=True).start()
    return JobStatus(**{**asdict(status), "pid": process.pid})


def _spawn(command: list[str], database: str, status_path: str) -> subprocess.Popen:
    project_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "RAPPORT_DATABASE": database, "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "PYTHONPATH": os.pathsep.join(filter(None, [project_root, os.environ.get("PYTHONPATH")]))}
    log_path = status_path[: -len(".json")] + ".log"
    with open(log_path, "w", encoding="utf-8") as log:
        return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)


class ProgressWriter:
    """A job's progress callback: rewrites the status file, at most every half second."""

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


def run_body(survey_id: int, status_path: str, lock_path: str, first_stage: str,
             body: Callable[[ProgressWriter], str]) -> int:
    """Run a job's ``body`` (it reports progress and returns its result message), record the outcome
    in the status file and release the lock; returns the process exit code."""
    writer = ProgressWriter(status_path, JobStatus(survey_id, "running", first_stage, 0, 0, _now(),
                                                   pid=os.getpid()))
    writer(first_stage, 0, 0)
    try:
        writer.finish("done", body(writer))
        return 0
    except Exception as error:  # the page must learn that the job failed, and why
        writer.finish("failed", f"{type(error).__name__}: {error}")
        return 1
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(lock_path)


def job_parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    """The command line every job module accepts (what :func:`start_job` passes)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--database", required=True)
    parser.add_argument("--survey", type=int, required=True)
    parser.add_argument("--status-file", required=True)
    parser.add_argument("--lock-file", required=True)
    return parser
