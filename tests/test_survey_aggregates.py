"""Precomputed aggregates behind the staff pages (DESIGN.md section 8): per-wave response counts kept
by ``record_response``, wave scores and silo-term counts written by the real ``run_analysis``."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from types import SimpleNamespace

import pytest
from test_survey_workspace import page_text, sign_in

from survey.db import open_database
from survey.migrations import migrate
from survey.store import surveys as store
from survey.store.aggregates import (
    save_silo_terms,
    silo_term_counts,
    survey_response_total,
    wave_scores,
)
from survey.store.responses import record_response, recount_wave_responses
from survey.store.responses.release import release_waiting


@pytest.fixture
def pulse(db):
    """A survey with a rating and an NPS question and two open waves, no responses yet."""
    survey = store.create_survey(db, "Pulse")
    store.add_question(db, survey.id, "text", "What should IT change?")
    store.add_question(db, survey.id, "rating", "How well does IT listen?")
    store.add_question(db, survey.id, "nps", "Would you recommend IT?")
    first = store.create_wave(db, survey.id, "First", dt.date(2026, 1, 5), dt.date(2026, 1, 30))
    second = store.create_wave(db, survey.id, "Second", dt.date(2026, 1, 5), dt.date(2026, 1, 30))
    return SimpleNamespace(survey=survey, waves=(first, second), questions=store.questions_for(db, survey.id))


def _answer(pulse, stars: int, score: int, text: str = "") -> dict[int, object]:
    _, rating, nps = pulse.questions
    return {pulse.questions[0].id: text, rating.id: stars, nps.id: score}


def test_record_response_counts_each_wave_in_the_same_transaction(db, pulse):
    first, second = pulse.waves
    for _ in range(3):
        record_response(db, first, pulse.questions, _answer(pulse, 4, 9), today=dt.date(2026, 1, 6))
    record_response(db, second, pulse.questions, _answer(pulse, 2, 3), today=dt.date(2026, 1, 6))
    assert store.response_counts(db, pulse.survey.id) == {first.id: 0, second.id: 0}  # all waiting
    assert release_waiting(db, pulse.survey.id, 5) == 0
    assert release_waiting(db, pulse.survey.id, 1) == 4
    assert store.response_counts(db, pulse.survey.id) == {first.id: 3, second.id: 1}
    assert survey_response_total(db, pulse.survey.id) == 4
    assert store.has_responses(db, pulse.survey.id)
    # The count holds a wave and a number, nothing about time or order.
    assert {column.name for column in db["wave_response_counts"].columns} == {"wave_id", "responses"}


def test_a_refused_response_is_not_counted(db, pulse):
    first, _ = pulse.waves
    record_response(db, first, pulse.questions, _answer(pulse, 4, 9), today=dt.date(2026, 1, 6),
                    form_token="token-1")
    with pytest.raises(Exception, match="already submitted"):
        record_response(db, first, pulse.questions, _answer(pulse, 4, 9), today=dt.date(2026, 1, 6),
                        form_token="token-1")
    release_waiting(db, pulse.survey.id, 1)
    assert store.response_counts(db, pulse.survey.id)[first.id] == 1


def test_the_staff_home_page_shows_the_stored_counts(staff_login, db, pulse):
    first, _ = pulse.waves
    for _ in range(7):
        record_response(db, first, pulse.questions, _answer(pulse, 3, 8), today=dt.date(2026, 1, 6))
    client = staff_login("brm")
    assert not re.search(r"First .*\b7\b", page_text(client.get("/staff/")))  # waiting, not shown
    release_waiting(db, pulse.survey.id, 5)
    assert re.search(r"First .*\b7\b", page_text(client.get("/staff/")))


def test_migration_backfills_counts_scores_and_terms_from_stored_rows(tmp_path):
    db = open_database(str(tmp_path / "old.db"))
    migrate(db)
    survey = store.create_survey(db, "Old")
    store.add_question(db, survey.id, "text", "Anything else?")
    store.add_question(db, survey.id, "nps", "Recommend?")
    wave = store.create_wave(db, survey.id, "W", dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    nps_id = store.questions_for(db, survey.id)[1].id
    with db.conn:  # rows as a database from before m160 holds them: no counts, no scores
        for number, score in enumerate([10, 9, 7, 3, 0, 10]):
            db.conn.execute("INSERT INTO responses VALUES (?, ?, NULL, '2026-01-02')",
                            [f"r{number}", wave.id])
            db.conn.execute("INSERT INTO answers VALUES (?, ?, NULL, ?)", [f"r{number}", nps_id, score])
        db.conn.execute("DROP TABLE wave_response_counts")
        db.conn.execute("DROP TABLE wave_scores")
        db.conn.execute("DROP TABLE silo_terms")
        db.conn.execute("DELETE FROM _sqlite_migrations "
                        "WHERE name IN ('m160_wave_scores', 'm161_silo_terms')")
    assert migrate(db) == ["m160_wave_scores", "m161_silo_terms"]
    assert store.response_counts(db, survey.id) == {wave.id: 6}
    score = wave_scores(db, survey.id)[wave.id, "nps"]
    assert (score.respondents, score.promoters, score.passives, score.detractors) == (6, 3, 1, 2)
    assert score.nps == pytest.approx(100 * (3 - 2) / 6)


# --- filled by the real analysis (shares the workspace tests' analysed database) ---------------

def _scores_by_join(db, survey_id: int) -> dict[tuple[int, str], tuple]:
    """The per-request query the stored scores replace, as the reference."""
    sql = """
        SELECT responses.wave_id, questions.kind, COUNT(DISTINCT answers.response_id), AVG(answers.number),
               SUM(answers.number >= 9), SUM(answers.number <= 6)
        FROM questions JOIN answers ON answers.question_id = questions.id
        JOIN responses ON responses.id = answers.response_id
        WHERE questions.survey_id = ? AND questions.kind IN ('rating', 'nps') AND answers.number IS NOT NULL
        GROUP BY responses.wave_id, questions.kind
    """
    return {(w, k): rest for w, k, *rest in db.execute(sql, [survey_id])}


@pytest.mark.slow
def test_run_analysis_stores_the_wave_scores_the_overview_shows(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    reference = _scores_by_join(db, survey_id)
    stored = wave_scores(db, survey_id)
    assert set(stored) == set(reference) and len(stored) >= 4
    for key, (respondents, mean, promoters, detractors) in reference.items():
        assert stored[key].respondents == respondents
        assert stored[key].mean == pytest.approx(mean)
        if key[1] == "nps":
            assert (stored[key].promoters, stored[key].detractors) == (promoters, detractors)
    sign_in(analysed.client, db, "brm")
    text = page_text(analysed.client.get(f"/staff/surveys/{survey_id}/overview"))
    latest = max((key for key in stored if key[1] == "nps"), key=lambda key: key[0])
    assert f"{stored[latest].nps:+.0f}" in text
    assert "as of the last analysis" in text


@pytest.mark.slow
def test_a_rating_only_response_refreshes_the_scores_on_a_run_with_nothing_new(analysed):
    from survey.services.analysis import run_analysis

    db, survey_id = analysed.db, analysed.survey_id
    wave = store.waves_for(db, survey_id)[-1]
    questions = store.questions_for(db, survey_id)
    rating = next(question for question in questions if question.kind == "rating")
    before = wave_scores(db, survey_id)[wave.id, "rating"].respondents
    for count in range(1, 6):
        record_response(db, wave, questions, {rating.id: 5}, today=wave.opens_on)
        summary = run_analysis(db, survey_id)
        assert summary.status == "nothing new"
        released = 5 if count == 5 else 0  # rule 7: the five are released together
        assert wave_scores(db, survey_id)[wave.id, "rating"].respondents == before + released


@pytest.mark.slow
def test_run_analysis_stores_silo_term_counts_the_silo_page_shows(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    reference = {(w, t): (flags, respondents) for w, t, flags, respondents in db.execute(
        "SELECT u.wave_id, f.term_id, COUNT(*), COUNT(DISTINCT u.response_id) FROM unit_flags AS f "
        "JOIN units AS u ON u.id = f.unit_id WHERE u.survey_id = ? GROUP BY u.wave_id, f.term_id",
        [survey_id])}
    stored = silo_term_counts(db, survey_id)
    assert reference, "the demo corpus uses siloing language"
    assert {(c.wave_id, c.term_id): (c.flags, c.respondents) for c in stored} == reference
    assert all(sum(flags for _, flags in c.wordings) == c.flags for c in stored)
    totals = Counter()
    for count in stored:
        totals[count.term_id] += count.flags
    top_term = min(totals, key=lambda term: (-totals[term], term))
    wording = Counter()
    for count in stored:
        if count.term_id == top_term:
            wording.update(dict(count.wordings))
    sign_in(analysed.client, db, "culture_lead")
    text = page_text(analysed.client.get(f"/staff/surveys/{survey_id}/silo"))
    assert wording.most_common(1)[0][0] in text.lower()


@pytest.mark.slow
def test_remeasuring_rewrites_the_silo_term_counts(analysed):
    from survey.services.remeasure import remeasure_silo_language

    db, survey_id = analysed.db, analysed.survey_id
    before = silo_term_counts(db, survey_id)
    with db.conn:
        db.conn.execute("UPDATE silo_terms SET flags = 0, wordings = ? WHERE survey_id = ?",
                        [json.dumps({}), survey_id])
    remeasure_silo_language(db, survey_id)
    assert silo_term_counts(db, survey_id) == before


@pytest.mark.slow
def test_save_silo_terms_and_recount_replace_rather_than_add(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    counts, terms = store.response_counts(db, survey_id), silo_term_counts(db, survey_id)
    recount_wave_responses(db)
    save_silo_terms(db, survey_id)
    assert store.response_counts(db, survey_id) == counts
    assert silo_term_counts(db, survey_id) == terms
