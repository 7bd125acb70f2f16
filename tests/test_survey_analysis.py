"""``rapport analyze``: stores units, themes, trends and silo metrics; re-runs are incremental."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
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
    return fill_survey(db)


def fill_survey(db):
    """A survey of two waves with 12 responses each (segment and comment)."""
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


def test_progress_of_a_run_ends_every_stage_complete(db, survey_with_responses):
    """The CLI's bars and the web job page never leave a stage at 0%: each stage's last report is done."""
    reports: list[tuple[str, int, int]] = []
    run_analysis(db, survey_with_responses.id,
                 progress=lambda stage, done, total: reports.append((stage, done, total)))
    last = {stage: (done, total) for stage, done, total in reports}
    assert {"analysing new answers", "splitting", "sentiment", "siloing language", "summarising"} <= set(last)
    assert all(done == total for done, total in last.values()), last


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


def _unit_themes(db, survey_id: int) -> list[tuple[str, str]]:
    query = "SELECT text_key, theme_id FROM units WHERE survey_id = ?"
    return sorted(db.execute(query, [survey_id]).fetchall())


def _vectors(db, model: str) -> dict[str, bytes]:
    query = "SELECT text_key, vector FROM unit_embeddings WHERE model = ?"
    return dict(db.execute(query, [model]).fetchall())


@pytest.mark.slow  # two analyses with each of two models
def test_vectors_stored_by_the_fp32_model_are_recomputed_under_the_int8_name_not_mixed(
        db, survey_with_responses, tmp_path, semantic_embedder):
    """A database analysed before the general model went int8 holds fp32 vectors under the old name:
    the next run embeds every unit again with int8 and rebuilds the themes from those vectors only,
    giving what a database analysed with int8 from the start holds."""
    from nlp.embeddings import SemanticEmbedder
    from survey.db import open_migrated

    if semantic_embedder.name == SemanticEmbedder(precision="fp32").name:
        pytest.skip("the int8 general model is not available")
    fp32 = SemanticEmbedder(precision="fp32")
    assert run_analysis(db, survey_with_responses.id, embedder=fp32).status == "done"
    # were any fp32 vector read by the int8 run, these would move units between themes
    db.execute("UPDATE unit_embeddings SET vector = ? WHERE model = ?",
               [np.eye(1, 384, dtype=np.float32).tobytes(), fp32.name])
    db.conn.commit()
    upgraded = run_analysis(db, survey_with_responses.id, embedder=semantic_embedder)
    assert upgraded.status == "done" and upgraded.new_answers == 0  # not "nothing new": another model
    assert run_analysis(db, survey_with_responses.id, embedder=semantic_embedder).status == "nothing new"

    fresh = open_migrated(str(tmp_path / "int8-from-the-start.db"))
    survey = fill_survey(fresh)
    assert run_analysis(fresh, survey.id, embedder=semantic_embedder).status == "done"
    keys = {key for key, _ in _unit_themes(db, survey_with_responses.id)}
    assert set(_vectors(db, semantic_embedder.name)) == keys == set(_vectors(db, fp32.name))
    assert _vectors(db, semantic_embedder.name) == _vectors(fresh, semantic_embedder.name)
    assert _unit_themes(db, survey_with_responses.id) == _unit_themes(fresh, survey.id)
    run = json.loads(db.execute("SELECT record FROM analysis_runs WHERE status = 'done' ORDER BY id DESC "
                                "LIMIT 1").fetchone()[0])
    assert run["embedder"] == semantic_embedder.name
    fresh.close()
