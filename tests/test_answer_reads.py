"""Answers are read by wave, not by question (issue 11, DESIGN.md section 8).

An index of answers by question cost every submission one B-tree page per answered question
(``bench/submit_pages.py``), so migration ``submit_perf_3`` drops it and the analysis reads a
survey's answers from its waves' released responses through the answers' primary key. These tests
pin that: no such index, no reader that scans every answer of the database, the same figures as
the straightforward join, nothing of another survey or of a waiting response, and foreign keys
that still hold.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

import pytest

from survey.db import open_database
from survey.migrations import migrate
from survey.store import surveys as store
from survey.store.aggregates import save_wave_scores, wave_scores
from survey.store.analysis import pending_answers
from survey.store.responses import record_response
from survey.store.responses.release import release_waiting

OPEN = dt.date(2026, 1, 5)
MIGRATION = "submit_perf_3_drop_answers_by_question"


def _survey(db, title: str, waves: int = 2):
    survey = store.create_survey(db, title)
    store.add_question(db, survey.id, "segment", "Department", options=["Finance", "Sales"])
    store.add_question(db, survey.id, "text", "What should IT change?")
    store.add_question(db, survey.id, "rating", "How well does IT listen?")
    store.add_question(db, survey.id, "nps", "Would you recommend IT?")
    created = [store.create_wave(db, survey.id, f"W{number}", OPEN, OPEN + dt.timedelta(days=20))
               for number in range(waves)]
    return survey, created, store.questions_for(db, survey.id)


def _answer(db, wave, questions, department: str, text: str, stars: int, score: int) -> None:
    segment, comment, rating, nps = questions
    record_response(db, wave, questions, {segment.id: department, comment.id: text, rating.id: stars,
                                          nps.id: score}, today=OPEN)


def _selects(db, read: Callable[[], object]) -> list[str]:
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        read()
    finally:
        db.conn.set_trace_callback(None)
    return [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]


def test_the_answers_table_keeps_only_its_primary_key(db):
    indexes = {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'answers' AND sql IS NOT NULL")}
    assert indexes == set()


def test_the_migration_drops_the_index_of_an_existing_database(tmp_path):
    db = open_database(str(tmp_path / "old.db"))
    migrate(db)
    with db.conn:  # as a database from before submit_perf_3 holds it
        db.conn.execute("CREATE INDEX idx_answers_question ON answers(question_id)")
        db.conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", [MIGRATION])
    assert migrate(db) == [MIGRATION]
    assert db.execute("SELECT 1 FROM sqlite_master WHERE name = 'idx_answers_question'").fetchone() is None


def test_the_analysis_reads_go_from_the_surveys_waves_not_through_every_answer(db):
    survey, waves, questions = _survey(db, "Pulse")
    for number in range(6):
        _answer(db, waves[number % 2], questions, "Sales", f"Comment {number}.", 4, 9)
    release_waiting(db, survey.id, 1)
    for read in (lambda: pending_answers(db, survey.id), lambda: save_wave_scores(db, survey.id)):
        selects = _selects(db, read)
        assert selects
        for sql in selects:
            plan = " ; ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql))
            assert "SCAN answers" not in plan and "SCAN released" not in plan, plan
            assert "SEARCH answers USING PRIMARY KEY" in plan or "answers" not in sql, plan


def test_the_reads_hold_only_the_surveys_released_answers(db):
    survey, (first, second), questions = _survey(db, "Pulse")
    other, (elsewhere, _), other_questions = _survey(db, "Other")
    _answer(db, first, questions, "Sales", "Slow tickets.", 2, 3)
    _answer(db, first, questions, "Finance", "Good laptops.", 5, 10)
    _answer(db, second, questions, "Sales", "Portal times out.", 3, 7)
    _answer(db, elsewhere, other_questions, "Sales", "Another survey.", 1, 0)
    release_waiting(db, survey.id, 1)
    release_waiting(db, other.id, 1)
    _answer(db, first, questions, "Finance", "Waiting for its batch.", 1, 0)  # not released

    pending = pending_answers(db, survey.id)
    assert sorted((a.wave, a.segment, a.text) for a in pending) == [
        ("W0", "Finance", "Good laptops."), ("W0", "Sales", "Slow tickets."),
        ("W1", "Sales", "Portal times out."),
    ]
    assert [(a.response_id, a.question_id) for a in pending] == sorted((a.response_id, a.question_id)
                                                                        for a in pending)
    save_wave_scores(db, survey.id)
    scores = wave_scores(db, survey.id)
    assert set(scores) == {(first.id, "rating"), (first.id, "nps"), (second.id, "rating"), (second.id, "nps")}
    assert (scores[first.id, "rating"].respondents, scores[first.id, "rating"].mean) == (2, 3.5)
    nps = scores[first.id, "nps"]
    assert (nps.answers, nps.promoters, nps.passives, nps.detractors) == (2, 1, 0, 1)
    assert (scores[second.id, "nps"].passives, scores[second.id, "rating"].mean) == (1, 3.0)


def test_foreign_keys_on_questions_hold_without_the_index(db):
    survey, (wave, _), questions = _survey(db, "Pulse")
    _answer(db, wave, questions, "Sales", "Slow tickets.", 2, 3)
    with pytest.raises(sqlite3.IntegrityError), db.conn:
        db.conn.execute("DELETE FROM questions WHERE id = ?", [questions[2].id])
    draft = store.create_survey(db, "Draft")
    question = store.add_question(db, draft.id, "rating", "Anything?")
    store.delete_question(db, question.id)  # a draft's question still goes (a scan checks the key)
    assert store.questions_for(db, draft.id) == []
    assert len(store.questions_for(db, survey.id)) == 4
