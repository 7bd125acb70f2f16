"""Background analysis runs from the web UI: one at a time, progress, and submissions never blocked."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

import pytest
from page_support import as_another_browser, hidden_fields

from survey.errors import AnalysisAlreadyRunning
from survey.jobs import analysis as analysis_job
from survey.jobs import runner
from survey.store.responses import record_response
from survey.store.surveys import questions_for

COMMENTS = [
    "Delivery dates slip and nobody tells us why.",
    "The service desk is friendly but tickets wait for days.",
    "IT listens to us and works with us as partners.",
    "We are treated as an internal customer, not a colleague.",
    "The new laptops arrived on time, thank you.",
    "Projects land months late and over budget.",
]


@pytest.fixture
def jobs_dir(app, tmp_path) -> str:
    path = str(tmp_path / "jobs")
    app.config["ANALYSIS_JOBS_DIR"] = path
    return path


def _seed_responses(db, wave, count: int) -> None:
    by_kind = {q.kind: q.id for q in questions_for(db, wave.survey_id)}
    questions = questions_for(db, wave.survey_id)
    for number in range(count):
        record_response(db, wave, questions, {
            by_kind["text"]: COMMENTS[number % len(COMMENTS)], by_kind["rating"]: 3,
            by_kind["segment"]: ("Finance", "HR")[number % 2],
        })


def _submit_partner_response(client, db, wave) -> None:
    as_another_browser(client)  # a partner's own browser, not one that already answered
    page = client.get(f"/s/{wave.token}")
    assert page.status_code == 200
    by_kind = {q.kind: f"q{q.id}" for q in questions_for(db, wave.survey_id)}
    data = hidden_fields(page.get_data(as_text=True))
    data.update({by_kind["text"]: "Submitted while the analysis runs.", by_kind["rating"]: "4",
                 by_kind["segment"]: "HR"})
    response = client.post(f"/s/{wave.token}", data=data)
    assert response.status_code == 303, response.data[:300]


def _wait_until_finished(client, url: str, timeout: float = 240) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = client.get(url).get_data(as_text=True)
        if 'http-equiv="refresh"' not in html:
            return html
        time.sleep(0.5)
    raise AssertionError("the background analysis did not finish in time")


@pytest.mark.slow
def test_run_from_the_ui_in_the_background_while_a_partner_submits(
    app, client, db, staff_login, partner_wave, jobs_dir
):
    wave = partner_wave()
    _seed_responses(db, wave, 12)
    partner = app.test_client()
    _submit_partner_response(partner, db, wave)  # warm: the first submission loads the NER pipeline
    brm = staff_login("brm")
    url = f"/staff/surveys/{wave.survey_id}/analysis"
    response = brm.post(url)
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    # The request only started the job: it answered while the job's own process runs.
    _, lock_path = runner.job_paths(jobs_dir, app.config["DATABASE"], "analysis", wave.survey_id)
    with open(lock_path, encoding="ascii") as handle:
        job_pid = int(handle.read())
    assert job_pid != os.getpid() and runner.process_alive(job_pid)
    assert analysis_job.read_status(jobs_dir, app.config["DATABASE"], wave.survey_id).running

    running = brm.get(url)
    html = running.get_data(as_text=True)
    assert 'http-equiv="refresh" content="3"' in html and running.headers["Refresh"] == "3"
    assert "Run analysis now" not in html and "Running" in html

    again = brm.post(url, follow_redirects=True).get_data(as_text=True)
    assert "already running" in again  # one run at a time per survey

    _submit_partner_response(partner, db, wave)  # accepted and stored while the analysis runs
    status = analysis_job.read_status(jobs_dir, app.config["DATABASE"], wave.survey_id)
    assert status is not None and status.running  # the submission really overlapped the run

    finished = _wait_until_finished(brm, url)
    assert "Last run from this page finished" in finished and "Run analysis now" in finished
    assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 14
    run = db.execute("SELECT status, counts FROM analysis_runs WHERE survey_id = ?",
                     [wave.survey_id]).fetchone()
    assert run[0] == "done" and json.loads(run[1])["new_answers"] >= 12
    assert re.search(r'<span class="badge good">Done</span>', finished)
    _, lock_path = runner.job_paths(jobs_dir, app.config["DATABASE"], "analysis", wave.survey_id)
    assert not os.path.exists(lock_path)


def test_a_second_start_is_refused_while_the_lock_is_held_by_a_live_process(tmp_path):
    database, jobs = str(tmp_path / "rapport.db"), str(tmp_path / "jobs")
    os.makedirs(jobs)
    status_path, lock_path = runner.job_paths(jobs, database, "analysis", 7)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with open(lock_path, "w", encoding="ascii") as handle:
            handle.write(str(sleeper.pid))
        with pytest.raises(AnalysisAlreadyRunning):
            analysis_job.start_analysis(database, jobs, 7, min_group_size=5)
        assert not os.path.exists(status_path)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_stale_lock_of_a_dead_process_is_replaced(tmp_path):
    database, jobs = str(tmp_path / "rapport.db"), str(tmp_path / "jobs")
    os.makedirs(jobs)
    _, lock_path = runner.job_paths(jobs, database, "analysis", 7)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    with open(lock_path, "w", encoding="ascii") as handle:
        handle.write(finished.stdout.strip())
    descriptor = runner.take_lock(lock_path)
    os.close(descriptor)
    assert os.path.getsize(lock_path) == 0  # a fresh lock, taken by us


def test_a_job_whose_process_died_reads_as_failed(tmp_path):
    database, jobs = str(tmp_path / "rapport.db"), str(tmp_path / "jobs")
    os.makedirs(jobs)
    status_path, _ = runner.job_paths(jobs, database, "analysis", 3)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    with open(status_path, "w", encoding="utf-8") as handle:
        json.dump({"survey_id": 3, "state": "running", "stage": "embedding", "done": 5, "total": 10,
                   "started_at": "2026-01-01T00:00:00+00:00", "pid": int(gone.stdout)}, handle)
    status = analysis_job.read_status(jobs, database, 3)
    assert status.state == "failed" and "stopped unexpectedly" in status.message
    assert analysis_job.read_status(jobs, database, 4) is None


def test_a_failing_run_records_why_and_releases_the_lock(tmp_path):
    database, jobs = str(tmp_path / "not-a-file"), str(tmp_path / "jobs")
    os.makedirs(database)  # a directory: SQLite cannot open it
    os.makedirs(jobs)
    status_path, lock_path = runner.job_paths(jobs, database, "analysis", 1)
    open(lock_path, "w").close()
    code = analysis_job.run_job(database, 1, status_path, lock_path, min_group_size=5)
    status = analysis_job.read_status(jobs, database, 1)
    assert code == 1 and status.state == "failed" and status.message
    assert not os.path.exists(lock_path)
