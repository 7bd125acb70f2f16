"""``rapport analyze``: stores units, themes, trends and silo metrics; re-runs are incremental."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from survey.services.analysis import run_analysis
from survey.store.responses import record_response
from survey.store.surveys import add_question, create_survey, create_wave, questions_for
from survey.store.taxonomies import load_taxonomy, save_taxonomy

COMMENTS = [
    "The ERP upgrade was delivered three months late and over budget.",
    "Service desk tickets take weeks to get a reply.",
    "As an internal customer I feel IT only takes orders from the business.",
    "Thanks to the IT team for working together with us on the new portal.",
    "Nobody tells us what is happening with our project, communication is poor.",
]


@pytest.fixture
def survey_with_responses(db):
    survey = create_survey(db, "Pulse")
    segment = add_question(db, survey.id, "segment", "Department", options=["Finance", "Sales"])
    text = add_question(db, survey.id, "text", "What should IT change?", required=True)
    q1 = create_wave(db, survey.id, "Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    q2 = create_wave(db, survey.id, "Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    questions = questions_for(db, survey.id)
    for wave, day in ((q1, dt.date(2026, 2, 1)), (q2, dt.date(2026, 5, 1))):
        for i in range(12):
            answers = {segment.id: "Finance" if i % 3 else "Sales", text.id: COMMENTS[i % len(COMMENTS)]}
            record_response(db, wave, questions, answers, today=day)
    return survey


def test_analyze_command_stores_units_themes_trends_and_silo_points(runner, db, survey_with_responses):
    result = runner.invoke(args=["analyze", "--survey", str(survey_with_responses.id)])
    assert result.exit_code == 0, result.output
    assert "24 new answers" in result.output
    assert db["units"].count >= 24
    themes = {row["id"]: row for row in db["themes"].rows_where("survey_id = ?", [survey_with_responses.id])}
    assert themes["delivery"]["units"] >= 4
    overall = "SELECT COUNT(*) FROM trend_points WHERE theme_id = '' AND segment = ''"
    assert db.execute(overall).fetchone()[0] == 2
    assert db.execute("SELECT SUM(flags) FROM silo_points WHERE segment = ''").fetchone()[0] >= 2
    run = next(db["analysis_runs"].rows_where(order_by="id desc", limit=1))
    record = json.loads(run["record"])
    assert record["random_state"] == 0 and record["lexicon_version"] and record["embedder"]


def test_rerun_with_nothing_new_does_nothing_and_new_responses_are_added(db, survey_with_responses):
    first = run_analysis(db, survey_with_responses.id)
    assert first.status == "done" and first.new_answers == 24
    again = run_analysis(db, survey_with_responses.id)
    assert again.status == "nothing new" and again.new_answers == 0
    wave = next(db["waves"].rows_where("label = 'Q2'"))
    from survey.store.surveys import get_wave

    questions = questions_for(db, survey_with_responses.id)
    for _ in range(5):  # rule 7: staff see new responses only in batches of five
        record_response(db, get_wave(db, wave["id"]), questions,
                        {questions[1].id: "The VPN drops every afternoon."}, today=dt.date(2026, 5, 2))
        third = run_analysis(db, survey_with_responses.id)
    assert third.status == "done" and third.new_answers == 5
    assert third.total_units == first.total_units + 5


def test_curated_theme_names_survive_reanalysis(db, survey_with_responses):
    run_analysis(db, survey_with_responses.id)
    taxonomy = load_taxonomy(db, survey_with_responses.id).rename("delivery", "Projects landing late")
    save_taxonomy(db, survey_with_responses.id, taxonomy)
    summary = run_analysis(db, survey_with_responses.id)
    assert summary.status == "done"  # the taxonomy changed, so the run is not skipped
    row = db["themes"].get((survey_with_responses.id, "delivery"))
    assert row["name"] == "Projects landing late" and row["units"] >= 4
