"""Group commit (DESIGN.md section 8): submissions that arrive together share one transaction.

What must not change: each is acknowledged only after its transaction committed, each is stored
once with its throttle count, a form token is burnt once (a replay in the same batch is refused),
one bad submission fails alone and never its batch, and a request that waits too long is told so
with nothing stored. Batches are forced here by holding the database's write lock from another
connection while requests queue behind the first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.client
import threading
import time
from urllib.parse import urlencode

import pytest
from test_hardening_server import get, real_server  # noqa: F401 (a fixture)
from test_submission_transaction import counts
from test_survey_partner import answers_for, hidden_fields

from survey.db import open_database, partner_db
from survey.errors import DuplicateSubmission, SubmissionNotSaved
from survey.store import throttle
from survey.store.responses import record_response
from survey.store.responses.group_commit import GroupCommit

JAN_1 = dt.date(2026, 1, 1)
SECRET = "test-secret-" + "x" * 32
LIMITS = (throttle.Limit(10_000, 600),)


class Submitter:
    """Submissions from threads of their own (each with its own connection), as server threads."""

    def __init__(self, path: str, group: GroupCommit, quarter_wave) -> None:
        self.path, self.group, self.quarter_wave = path, group, quarter_wave
        self.results: dict[str, object] = {}
        self.threads: list[threading.Thread] = []

    def start(self, name: str, token: str, questions=None) -> None:
        wave, default_questions = self.quarter_wave
        questions = questions or default_questions
        answers = {questions[0].id: f"Answer {name}.", questions[1].id: 4}

        def run() -> None:
            connection = open_database(self.path)
            try:
                self.results[name] = record_response(
                    connection, wave, questions, answers, today=JAN_1, form_token=token,
                    throttle=throttle.ticket(SECRET, "submission:1", "203.0.113.7", LIMITS),
                    writer=self.group)
            except Exception as error:  # checked by the test
                self.results[name] = error
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        self.threads.append(thread)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in self.threads)


def wait_until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def hold_write_lock(path: str):
    blocker = open_database(path)
    blocker.conn.execute("BEGIN IMMEDIATE")
    return blocker


def test_a_batch_stores_each_once_refuses_a_replay_and_fails_a_bad_row_alone(app, db, quarter_wave):
    path = app.config["DATABASE"]
    group = GroupCommit(path)
    submitter = Submitter(path, group, quarter_wave)
    blocker = hold_write_lock(path)
    submitter.start("first", "token-first")  # leads, and waits for the lock
    wait_until(lambda: group.writing == 1)
    (text, rating) = quarter_wave[1]
    missing_question = dataclasses.replace(text, id=text.id + 999)  # a row the database refuses
    submitter.start("bad", "token-bad", questions=[missing_question, rating])
    submitter.start("good", "token-good")
    wait_until(lambda: group.waiting == 2)
    submitter.start("replay", "token-good")  # the same form sent again, in the same batch
    wait_until(lambda: group.waiting == 3)
    blocker.conn.execute("ROLLBACK")
    blocker.close()
    submitter.join()

    assert group.batch_sizes == {1: 1, 3: 1}
    assert isinstance(submitter.results["first"], str) and isinstance(submitter.results["good"], str)
    assert isinstance(submitter.results["bad"], SubmissionNotSaved)
    assert isinstance(submitter.results["replay"], DuplicateSubmission)
    stored = {row[0] for row in db.execute("SELECT id FROM responses")}
    assert stored == {submitter.results["first"], submitter.results["good"]}
    # Every submission counted against the throttle, refused ones too; two tokens burnt, once each.
    assert counts(db) == {"responses": 2, "answers": 4, "tokens": 2, "hits": 4}


def test_a_request_still_queued_after_the_wait_is_told_and_stores_nothing(app, db, quarter_wave):
    path = app.config["DATABASE"]
    group = GroupCommit(path, wait_seconds=0.5)
    submitter = Submitter(path, group, quarter_wave)
    blocker = hold_write_lock(path)
    submitter.start("first", "token-first")
    wait_until(lambda: group.writing == 1)
    submitter.start("late", "token-late")
    wait_until(lambda: "late" in submitter.results)
    blocker.conn.execute("ROLLBACK")
    blocker.close()
    submitter.join()

    assert isinstance(submitter.results["late"], SubmissionNotSaved)
    assert "nothing was stored" in str(submitter.results["late"])
    assert isinstance(submitter.results["first"], str)
    assert counts(db) == {"responses": 1, "answers": 2, "tokens": 1, "hits": 1}


def test_many_threads_at_once_each_store_once(app, db, quarter_wave):
    path = app.config["DATABASE"]
    group = GroupCommit(path)
    submitter = Submitter(path, group, quarter_wave)
    for number in range(40):
        submitter.start(f"partner-{number}", f"token-{number}")
    submitter.join()
    assert all(isinstance(result, str) for result in submitter.results.values())
    assert counts(db) == {"responses": 40, "answers": 80, "tokens": 40, "hits": 40}
    assert group.batch_sizes.total() <= 40 and sum(n * k for n, k in group.batch_sizes.items()) == 40


def test_a_write_the_database_refuses_gives_a_503_page_that_keeps_the_answers(client, db, partner_wave):
    wave = partner_wave()
    page = client.get(f"/s/{wave.token}")
    data = {**hidden_fields(page.get_data(as_text=True)),
            **answers_for(db, wave, text="Laptops take three weeks to arrive.")}
    # (The test app counts no throttle.) A TEMP trigger lives on one connection: this thread's partner
    # connection, which the test client's request (run in this thread) writes with.
    with client.application.app_context():
        partner_db().execute("CREATE TEMP TRIGGER refuse BEFORE INSERT ON responses "
                             "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END")
    reply = client.post(f"/s/{wave.token}", data=data)
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == "5"
    html = reply.get_data(as_text=True)
    assert "could not be saved" in html and "Laptops take three weeks to arrive." in html
    assert counts(db) == {"responses": 0, "answers": 0, "tokens": 0, "hits": 0}
    with client.application.app_context():
        partner_db().execute("DROP TRIGGER temp.refuse")
    again = client.post(f"/s/{wave.token}", data=data)  # the same form, sent again: stored once
    assert again.status_code == 303
    assert counts(db) == {"responses": 1, "answers": 4, "tokens": 1, "hits": 0}


@pytest.mark.slow
def test_partners_at_once_through_the_real_server_are_stored_once_and_replays_refused(
        real_server, db, partner_wave):  # noqa: F811 (fixture imported from test_hardening_server)
    """24 partners each send their form twice at the same moment (a double click, a replay from
    history) through ``rapport serve``: each form is stored once and its copy refused."""
    wave = partner_wave()
    port = real_server(SUBMISSION_RATE_LIMIT='"100000 per minute"')
    forms = []
    for number in range(24):
        status, html, cookie = get(port, f"/s/{wave.token}")
        assert status == 200
        answers = answers_for(db, wave, text=f"Partner {number} here.")
        forms.append((urlencode({**hidden_fields(html), **answers}), cookie))
    start = threading.Barrier(2 * len(forms))
    statuses: list[int] = []

    def post(body: str, cookie: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            start.wait(timeout=30)
            connection.request("POST", f"/s/{wave.token}", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
            reply = connection.getresponse()
            reply.read()
            statuses.append(reply.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=form) for form in forms for _copy in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [303] * 24 + [409] * 24
    assert counts(db) == {"responses": 24, "answers": 96, "tokens": 24, "hits": 48}
    texts = [row[0] for row in db.execute("SELECT text FROM answers WHERE text LIKE 'Partner %'")]
    assert sorted(texts) == sorted(f"Partner {number} here." for number in range(24))
