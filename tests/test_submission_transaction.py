"""One write transaction per submission: the throttle count, the form token and the response together.

``record_response`` counts the submission throttle inside the transaction that stores the response
(DESIGN.md section 8: one commit per submission instead of two). These tests pin what that must not
change: a throttled submission stores nothing yet keeps its count, a refused one still counts, the
counter never holds the client's address, and every answer row is stored whatever the survey's size.
"""

import datetime as dt
import threading

import pytest

from survey.db import open_database
from survey.errors import DuplicateSubmission, Throttled
from survey.store import surveys as store
from survey.store import throttle
from survey.store.invitations import hash_secret
from survey.store.responses import record_response

JAN_1, MAR_31 = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
SECRET = "test-secret-" + "x" * 32
ADDRESS = "203.0.113.7"


def submit(db, quarter_wave, ticket, token):
    wave, (text, rating) = quarter_wave
    return record_response(db, wave, [text, rating], {text.id: "Faster laptops.", rating.id: 4},
                           today=JAN_1, form_token=token, throttle=ticket)


def counts(db):
    return {
        "responses": db.execute("SELECT COUNT(*) FROM responses").fetchone()[0],
        "answers": db.execute("SELECT COUNT(*) FROM answers").fetchone()[0],
        "tokens": db.execute("SELECT COUNT(*) FROM used_form_tokens").fetchone()[0],
        "hits": db.execute("SELECT COALESCE(SUM(hits), 0) FROM throttle_hits").fetchone()[0],
    }


def test_a_throttled_submission_stores_nothing_but_keeps_its_count(db, quarter_wave):
    limits = (throttle.Limit(2, 600),)
    for number in range(2):
        submit(db, quarter_wave, throttle.ticket(SECRET, "submission:1", ADDRESS, limits), f"token-{number}")
    with pytest.raises(Throttled):
        submit(db, quarter_wave, throttle.ticket(SECRET, "submission:1", ADDRESS, limits), "token-2")
    assert counts(db) == {"responses": 2, "answers": 4, "tokens": 2, "hits": 3}
    # The throttled form's token was not burnt: once the window has passed it can still be sent.
    assert db.execute("SELECT 1 FROM used_form_tokens WHERE token_hash = ?",
                      [hash_secret("token-2")]).fetchone() is None
    # Another client behind another address is not held back, and the store never sees an address.
    submit(db, quarter_wave, throttle.ticket(SECRET, "submission:1", "198.51.100.9", limits), "token-3")
    stored = " ".join(str(row) for row in db.execute("SELECT * FROM throttle_hits").fetchall())
    assert ADDRESS not in stored and "198.51.100.9" not in stored
    assert counts(db)["responses"] == 3


def test_a_refused_submission_still_counts_against_the_throttle(db, quarter_wave):
    limits = (throttle.Limit(100, 600),)
    submit(db, quarter_wave, throttle.ticket(SECRET, "submission:1", ADDRESS, limits), "same-token")
    with pytest.raises(DuplicateSubmission):
        submit(db, quarter_wave, throttle.ticket(SECRET, "submission:1", ADDRESS, limits), "same-token")
    assert counts(db) == {"responses": 1, "answers": 2, "tokens": 1, "hits": 2}
    assert not db.conn.in_transaction


def test_without_a_throttle_nothing_is_counted(db, quarter_wave):
    submit(db, quarter_wave, None, "token")
    assert counts(db) == {"responses": 1, "answers": 2, "tokens": 1, "hits": 0}


def test_every_answer_of_a_very_long_survey_is_stored(db):
    survey = store.create_survey(db, "Long", "")
    questions = [store.add_question(db, survey.id, "rating", f"Question {n}?") for n in range(1, 1201)]
    store.add_question(db, survey.id, "text", "Anything else?")
    wave = store.create_wave(db, survey.id, "2026 Q1", JAN_1, MAR_31)
    answers = {question.id: 1 + number % 5 for number, question in enumerate(questions)}
    response_id = record_response(db, wave, store.questions_for(db, survey.id), answers, today=JAN_1)
    stored = dict(db.execute("SELECT question_id, number FROM answers WHERE response_id = ?",
                             [response_id]).fetchall())
    assert stored == answers


def test_threads_of_one_worker_each_store_every_response(app, db, quarter_wave):
    """Submissions from many threads at once (a gthread worker): each queues for the process's one
    writer and every response is stored exactly once, with its throttle count."""
    wave, questions = quarter_wave
    text, rating = questions
    limits = (throttle.Limit(10_000, 600),)
    errors: list[BaseException] = []

    def partner(number: int) -> None:
        connection = open_database(app.config["DATABASE"])
        try:
            for visit in range(15):
                answers = {text.id: f"Answer {number}-{visit}.", rating.id: 3}
                ticket = throttle.ticket(SECRET, "submission:1", ADDRESS, limits)
                record_response(connection, wave, questions, answers, today=JAN_1,
                                form_token=f"token-{number}-{visit}", throttle=ticket)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=partner, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert counts(db) == {"responses": 120, "answers": 240, "tokens": 120, "hits": 120}


def test_expired_counters_go_when_a_new_window_opens(db, quarter_wave):
    limits = (throttle.Limit(100, 60),)
    submit(db, quarter_wave, throttle.ticket(SECRET, "submission:1", ADDRESS, limits, now=1_000_000), "t1")
    submit(db, quarter_wave, throttle.ticket(SECRET, "submission:1", ADDRESS, limits, now=1_000_001), "t2")
    assert db.execute("SELECT hits FROM throttle_hits").fetchall() == [(2,)]
    # Ten minutes later the old window's row has expired; the next event opens a new one and drops it.
    submit(db, quarter_wave, throttle.ticket(SECRET, "submission:1", ADDRESS, limits, now=1_000_600), "t3")
    assert db.execute("SELECT hits FROM throttle_hits").fetchall() == [(1,)]
