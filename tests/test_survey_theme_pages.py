"""Issue 13 on the BRM's pages: quotes that say how many they stand for, complaints vs praise, a
theme's trend, the "no content" count, and old theme links that lead where the comments went."""

from __future__ import annotations

import json

import pytest
from analysed_support import UNCOVERED_THEMES
from page_support import chart_svgs, page_text, sign_in

from nlp.themes import DEFAULT_THEMES, Taxonomy
from survey.db import open_migrated
from survey.demo import generate_feedback
from survey.demo.seed import create_demo_survey, store_demo_responses
from survey.services.analysis import run_analysis
from survey.store import insights
from survey.store.taxonomies import save_taxonomy
from survey.store.theme_redirects import record_redirects, redirect_target

pytestmark = pytest.mark.slow  # analysed corpora (built once per session, copied per test)


def largest_quoted_theme(db, survey_id: int) -> tuple[str, list[str], list[int]]:
    theme_id, quotes, like_it = db.execute(
        "SELECT id, quote_unit_ids, quote_like_it FROM themes WHERE survey_id = ? AND kind = 'seeded' "
        "AND quote_unit_ids != '[]' ORDER BY units DESC LIMIT 1", [survey_id]).fetchone()
    return theme_id, json.loads(quotes), json.loads(like_it)


def theme_size(db, survey_id: int, theme_id: str) -> int:
    return db.execute("SELECT units FROM themes WHERE survey_id = ? AND id = ?",
                      [survey_id, theme_id]).fetchone()[0]


def test_each_quote_says_how_many_comments_it_stands_for(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    theme_id, quotes, like_it = largest_quoted_theme(db, survey_id)
    assert len(like_it) == len(quotes) >= 2
    units = theme_size(db, survey_id, theme_id)
    assert sum(like_it) + len(quotes) <= units, "a quote stands for comments of its own theme only"
    sign_in(analysed.client, db)
    text = page_text(analysed.client.get(f"/staff/surveys/{survey_id}/themes/{theme_id}"))
    for count in like_it:
        if count:
            assert f"and {count:,} like it" in text


def test_the_theme_page_splits_complaints_from_praise_and_draws_its_trend(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    theme_id, _, _ = largest_quoted_theme(db, survey_id)
    split = insights.theme_sentiment_split(db, survey_id, theme_id, 5)
    assert [part.leaning for part in split] == ["complaints", "neutral", "praise"]
    shown = [part for part in split if part.units is not None]
    total = theme_size(db, survey_id, theme_id)
    if len(shown) == 3:
        assert sum(part.units for part in shown) == total
    sign_in(analysed.client, db)
    response = analysed.client.get(f"/staff/surveys/{survey_id}/themes/{theme_id}")
    text = page_text(response)
    assert "Complaints and praise" in text and "Complaints (negative)" in text and "Praise (positive)" in text
    titles = " ".join(chart_svgs(response.get_data(as_text=True)))
    assert "Share of comments:" in titles and "Mean sentiment:" in titles


def test_a_part_from_fewer_than_k_respondents_is_hidden_with_one_more(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    theme_id, _, _ = largest_quoted_theme(db, survey_id)
    responses = [row[0] for row in db.execute(
        "SELECT DISTINCT response_id FROM units WHERE survey_id = ? AND theme_id = ? ORDER BY response_id",
        [survey_id, theme_id])]
    assert len(responses) >= 8
    with db.conn:  # every comment a complaint, but those of two respondents praise
        db.conn.execute("UPDATE units SET sentiment_label = 'negative' WHERE theme_id = ?", [theme_id])
        db.conn.execute("UPDATE units SET sentiment_label = 'positive' "
                        "WHERE theme_id = ? AND response_id IN (?, ?)", [theme_id, *responses[:2]])
    parts = {part.leaning: part for part in insights.theme_sentiment_split(db, survey_id, theme_id, 5)}
    assert parts["praise"].units is None, "two respondents' praise is under the threshold"
    assert parts["complaints"].units is None, "else praise = theme total - complaints"
    assert parts["neutral"].units == 0


def test_the_overview_counts_comments_with_no_content(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    latest = "SELECT counts FROM analysis_runs WHERE survey_id = ? ORDER BY id DESC LIMIT 1"
    counts = json.loads(db.execute(latest, [survey_id]).fetchone()[0])
    assert counts["no_content"] > 0, "the demo corpus holds a realistic share of non-answers"
    sign_in(analysed.client, db)
    text = page_text(analysed.client.get(f"/staff/surveys/{survey_id}/overview"))
    assert f"No content: {counts['no_content']:,} comment" in text


def test_redirects_follow_chains_and_never_loop(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    theme_id, _, _ = largest_quoted_theme(db, survey_id)
    with db.conn:
        record_redirects(db, survey_id, [("gone-a", "gone-b"), ("gone-b", theme_id), ("loop-a", "loop-b"),
                                         ("loop-b", "loop-a")])
    assert redirect_target(db, survey_id, "gone-a") == theme_id
    assert redirect_target(db, survey_id, "loop-a") is None
    sign_in(analysed.client, db)
    assert analysed.client.get(f"/staff/surveys/{survey_id}/themes/loop-a").status_code == 404
    response = analysed.client.get(f"/staff/surveys/{survey_id}/themes/gone-a")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"/themes/{theme_id}")


def test_proposal_links_keep_working_when_new_answers_arrive(tmp_path):
    """The issue's symptom: after 11 new answers two of three proposals vanished and their links
    returned 404. Each old proposal link now shows the proposal or leads to where it went."""
    db = open_migrated(str(tmp_path / "stable.db"))
    demo = create_demo_survey(db)
    departments = demo.questions["department"].options
    first = generate_feedback(300, seed=7, waves=tuple(demo.waves), departments=departments)
    store_demo_responses(db, demo, first, seed=7)
    survey_id = demo.survey.id
    uncovered = DEFAULT_THEMES.to_dict()  # two concerns no seeded theme covers become proposals
    uncovered["themes"] = [theme for theme in uncovered["themes"] if theme["id"] not in UNCOVERED_THEMES]
    save_taxonomy(db, survey_id, Taxonomy.from_dict(uncovered))
    run_analysis(db, survey_id, random_state=0)
    before = dict(db.execute("SELECT id, name FROM themes WHERE kind = 'emerging'").fetchall())
    assert before, "the demo corpus leaves comments no seeded theme claims"
    of_theme = "SELECT text_key FROM units WHERE theme_id = ?"
    keys = {theme_id: [key for (key,) in db.execute(of_theme, [theme_id])] for theme_id in before}
    more = generate_feedback(12, seed=11, waves=tuple(demo.waves), departments=departments)
    store_demo_responses(db, demo, more, seed=11)
    run_analysis(db, survey_id, random_state=0)
    now = dict(db.execute("SELECT id, name FROM themes WHERE kind = 'emerging'").fetchall())
    kept = [theme_id for theme_id in before if theme_id in now]
    assert all(now[theme_id] == before[theme_id] for theme_id in kept), "a carried-over proposal keeps a name"
    assert kept == list(before), "a few new answers keep every proposal (they continue, issue 13 item 5)"
    for theme_id in kept:  # and its comments: only the new ones may join it
        assert set(keys[theme_id]) <= {key for (key,) in db.execute(of_theme, [theme_id])}
    for theme_id in set(before) - set(now):
        if redirect_target(db, survey_id, theme_id) is not None:
            continue
        # No redirect: allowed only when the proposal dissolved (most of its comments have no theme now).
        marks = ",".join("?" * len(keys[theme_id]))
        unthemed = db.execute(f"SELECT COUNT(*) FROM units WHERE theme_id IS NULL AND text_key IN ({marks})",
                              keys[theme_id]).fetchone()[0]
        assert unthemed * 2 > len(keys[theme_id]), f"{theme_id} went into a theme but its link leads nowhere"
    db.close()
