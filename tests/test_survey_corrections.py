"""BRM sentiment corrections: they win for their comment, teach the survey's head, stay per survey."""

from __future__ import annotations

import re

import pytest
from page_support import page_text, sign_in

from survey.errors import InvalidInput
from survey.services import sentiment_corrections as service
from survey.store import corrections

pytestmark = pytest.mark.slow  # every test here starts from a real analysis (built once per session)

QUOTE = 5


def run_analysis(db, survey_id):
    from survey.services.analysis import run_analysis as run

    return run(db, survey_id)






def visible_units(db, survey_id: int, label: str, limit: int = 3) -> list[str]:
    """Units whose wave and segment group is big enough to quote, with the given model label."""
    candidates = [row[0] for row in db.execute(
        "SELECT id FROM units WHERE survey_id = ? AND sentiment_label = ? ORDER BY id", [survey_id, label])]
    allowed = corrections.correctable_unit_ids(db, survey_id, candidates, QUOTE)
    return [unit_id for unit_id in candidates if unit_id in allowed][:limit]


def unit_label(db, unit_id: str) -> str:
    return db.execute("SELECT sentiment_label FROM units WHERE id = ?", [unit_id]).fetchone()[0]


def test_a_correction_wins_at_once_and_stores_only_what_and_when(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    unit_id = visible_units(db, survey_id, "positive")[0]
    service.correct_sentiment(db, survey_id, unit_id, "very negative", min_quote_group_size=QUOTE)
    assert unit_label(db, unit_id) == "very negative"
    columns = {row[1] for row in db.execute("PRAGMA table_info(sentiment_corrections)")}
    assert columns == {"survey_id", "unit_id", "label", "corrected_on"}
    stored = db.execute("SELECT corrected_on FROM sentiment_corrections").fetchone()[0]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", stored), "the date only, never a time"


def test_corrections_persist_across_re_analysis_and_teach_the_rest(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    chosen = visible_units(db, survey_id, "positive", limit=6)
    for unit_id in chosen:
        service.correct_sentiment(db, survey_id, unit_id, "negative", min_quote_group_size=QUOTE)
    summary = run_analysis(db, survey_id)
    assert summary.status == "done", "new corrections make the next run adapt, not end early"
    assert all(unit_label(db, unit_id) == "negative" for unit_id in chosen)
    assert run_analysis(db, survey_id).status == "nothing new"
    assert all(unit_label(db, unit_id) == "negative" for unit_id in chosen)


def _logits_rows(db) -> dict[str, bytes]:
    from nlp.sentiment.encoder import SentimentLogits

    return dict(db.execute("SELECT text_key, vector FROM unit_embeddings WHERE model = ?",
                           [SentimentLogits().name]).fetchall())


def test_the_analysis_keeps_the_encoders_logits_and_they_give_the_shipped_labels(analysed):
    import numpy as np

    from nlp.sentiment.adaptation import CLASSES, shipped_offsets
    from nlp.sentiment.labels import three_class

    db, survey_id = analysed.db, analysed.survey_id
    units = db.execute("SELECT text_key, sentiment FROM units WHERE survey_id = ?", [survey_id]).fetchall()
    stored = _logits_rows(db)
    assert {key for key, _ in units} <= set(stored)
    logits = np.vstack([np.frombuffer(stored[key], dtype=np.float32) for key, _ in units])
    assert logits.shape == (len(units), 3)
    labels = np.array(CLASSES)[shipped_offsets(logits).argmax(axis=1)]
    assert list(labels) == [three_class(score) for _, score in units]


def test_contradicting_corrections_adapt_similar_comments_and_say_so(analysed):
    from page_support import sign_in as login

    db, survey_id = analysed.db, analysed.survey_id
    chosen = visible_units(db, survey_id, "positive", limit=12)
    for unit_id in chosen:
        service.correct_sentiment(db, survey_id, unit_id, "negative", min_quote_group_size=QUOTE)
    labels = "SELECT id, sentiment_label FROM units WHERE survey_id = ?"
    before = dict(db.execute(labels, [survey_id]).fetchall())
    run_analysis(db, survey_id)
    after = dict(db.execute(labels, [survey_id]).fetchall())
    moved = [unit_id for unit_id in before if unit_id not in chosen and before[unit_id] != after[unit_id]]
    assert moved, "the head relabels uncorrected comments like the corrected ones"
    assert all(after[unit_id] == "negative" for unit_id in chosen)
    login(analysed.client, db)
    page = page_text(analysed.client.get(f"/staff/surveys/{survey_id}/analysis"))
    assert "adapted from 12 corrections" in page


def test_units_analysed_before_logits_were_kept_get_them_on_the_first_adapting_run(analysed):
    from nlp.sentiment.encoder import SentimentLogits

    db, survey_id = analysed.db, analysed.survey_id
    kept = _logits_rows(db)
    with db.conn:
        db.execute("DELETE FROM unit_embeddings WHERE model = ?", [SentimentLogits().name])
    run_analysis(db, survey_id)  # no corrections: nothing computed, nothing kept
    assert _logits_rows(db) == {}
    for unit_id in visible_units(db, survey_id, "positive", limit=4):
        service.correct_sentiment(db, survey_id, unit_id, "negative", min_quote_group_size=QUOTE)
    run_analysis(db, survey_id)
    again = _logits_rows(db)
    units = {key for (key,) in db.execute("SELECT text_key FROM units WHERE survey_id = ?", [survey_id])}
    assert units <= set(again)
    import numpy as np

    for key in units:
        np.testing.assert_allclose(np.frombuffer(again[key], np.float32),
                                   np.frombuffer(kept[key], np.float32), atol=1e-4)


def test_undo_gives_the_comment_back_the_model_label(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    unit_id = visible_units(db, survey_id, "neutral")[0]
    service.correct_sentiment(db, survey_id, unit_id, "very positive", min_quote_group_size=QUOTE)
    service.undo_sentiment_correction(db, survey_id, unit_id, min_quote_group_size=QUOTE)
    assert unit_label(db, unit_id) == "neutral"
    assert corrections.survey_corrections(db, survey_id) == {}
    run_analysis(db, survey_id)
    assert unit_label(db, unit_id) == "neutral"
    with pytest.raises(InvalidInput, match="no correction to undo"):
        service.undo_sentiment_correction(db, survey_id, unit_id, min_quote_group_size=QUOTE)


def test_corrections_in_one_survey_never_change_another_surveys_labels(analysed):
    db, survey_id = analysed.db, analysed.survey_id
    other = _second_analysed_survey(db)
    before = dict(db.execute("SELECT id, sentiment_label FROM units WHERE survey_id = ?", [other]).fetchall())
    for unit_id in visible_units(db, survey_id, "positive", limit=8):
        service.correct_sentiment(db, survey_id, unit_id, "negative", min_quote_group_size=QUOTE)
    run_analysis(db, survey_id)
    run_analysis(db, other)
    after = dict(db.execute("SELECT id, sentiment_label FROM units WHERE survey_id = ?", [other]).fetchall())
    assert after == before
    foreign = next(iter(before))
    with pytest.raises(InvalidInput, match="cannot be corrected here"):
        service.correct_sentiment(db, survey_id, foreign, "negative", min_quote_group_size=QUOTE)


def _second_analysed_survey(db) -> int:
    import datetime as dt

    from survey.demo import generate_feedback
    from survey.demo.seed import create_demo_survey, store_demo_responses

    demo = create_demo_survey(db)
    corpus = generate_feedback(30, seed=11, waves=tuple(demo.waves),
                               departments=demo.questions["department"].options)
    store_demo_responses(db, demo, corpus, seed=11, today=dt.date(2026, 12, 31))
    run_analysis(db, demo.survey.id)
    return demo.survey.id


def token_of(app, unit_id: str) -> str:
    """The opaque name pages give a unit (never its id, which names its response)."""
    from survey.web.workspace.corrections import unit_token

    with app.app_context():
        return unit_token(unit_id)


def unit_of(app, db, survey_id: int, token: str) -> str:
    """The unit a page's token names."""
    return next(unit_id for (unit_id,) in db.execute("SELECT id FROM units WHERE survey_id = ?", [survey_id])
                if token_of(app, unit_id) == token)


def first_correctable(client, url: str) -> str:
    """The token of the first correction form on a page."""
    html = client.get(url).get_data(as_text=True)
    form = html.index('sentiment-corrections"')
    return re.search(r'name="unit_id" value="([^"]+)"', html[form:]).group(1)


def test_the_forms_correct_undo_and_show_the_mark_on_both_pages(analysed):
    client, db, survey_id = analysed.client, analysed.db, analysed.survey_id
    sign_in(client, db)
    base = f"/staff/surveys/{survey_id}"
    token = first_correctable(client, f"{base}/responses")
    unit_id = unit_of(analysed.app, db, survey_id, token)
    assert unit_id.split(":")[0] not in client.get(f"{base}/responses").get_data(as_text=True)
    model_label = unit_label(db, unit_id)
    label = "very negative" if model_label != "very negative" else "neutral"
    assert "corrected by a BRM" not in page_text(client.get(f"{base}/responses"))
    response = client.post(f"{base}/sentiment-corrections", data={"unit_id": token, "label": label,
                                                                  "next": f"{base}/responses"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{base}/responses")
    assert "corrected by a BRM" in page_text(client.get(f"{base}/responses"))
    theme_id = largest_theme(db, survey_id)
    on_theme = first_correctable(client, f"{base}/themes/{theme_id}")
    client.post(f"{base}/sentiment-corrections", data={"unit_id": on_theme, "label": "neutral",
                                                       "next": f"{base}/themes/{theme_id}"})
    assert "corrected by a BRM" in page_text(client.get(f"{base}/themes/{theme_id}"))
    run_analysis(db, survey_id)
    text = page_text(client.get(f"{base}/analysis"))
    assert "2 corrections applied" in text and "adapted from" not in text, "2 cannot open the gate"
    assert unit_label(db, unit_id) == label
    undone = client.post(f"{base}/sentiment-corrections/undo", data={"unit_id": token},
                         follow_redirects=True)
    assert undone.status_code == 200 and "Correction undone" in page_text(undone)
    assert unit_label(db, unit_id) == model_label


def largest_theme(db, survey_id: int) -> str:
    return db.execute("SELECT id FROM themes WHERE survey_id = ? AND kind = 'seeded' ORDER BY units DESC, id "
                      "LIMIT 1", [survey_id]).fetchone()[0]


@pytest.mark.parametrize("data", [
    {"unit_id": "no-such-unit", "label": "negative"},
    {"unit_id": "", "label": "negative"},
    {"label": "negative"},
])
def test_unknown_units_get_a_clear_message_not_a_500(analysed, data):
    client, db, survey_id = analysed.client, analysed.db, analysed.survey_id
    sign_in(client, db)
    response = client.post(f"/staff/surveys/{survey_id}/sentiment-corrections", data=data,
                           follow_redirects=True)
    assert response.status_code == 200
    text = page_text(response)
    assert "cannot be corrected here" in text or "This field is required" in text
    assert db.execute("SELECT COUNT(*) FROM sentiment_corrections").fetchone()[0] == 0


def test_a_wrong_label_gets_a_clear_message(analysed):
    client, db, survey_id = analysed.client, analysed.db, analysed.survey_id
    sign_in(client, db)
    unit_id = visible_units(db, survey_id, "positive")[0]
    response = client.post(f"/staff/surveys/{survey_id}/sentiment-corrections",
                           data={"unit_id": token_of(analysed.app, unit_id), "label": "furious"},
                           follow_redirects=True)
    assert response.status_code == 200 and "Not a valid choice" in page_text(response)
    assert unit_label(db, unit_id) == "positive"


def test_an_insider_cannot_probe_hidden_units_through_the_form(analysed):
    """A unit in a group too small to quote answers exactly like a unit that does not exist."""
    client, db, survey_id = analysed.client, analysed.db, analysed.survey_id
    sign_in(client, db)
    hidden = db.execute("SELECT id FROM units WHERE survey_id = ? ORDER BY id", [survey_id]).fetchall()
    allowed = corrections.correctable_unit_ids(db, survey_id, [row[0] for row in hidden], QUOTE)
    db.execute("UPDATE trend_points SET responses = 1 WHERE survey_id = ? AND theme_id = ''", [survey_id])
    db.conn.commit()
    assert allowed, "the demo survey has quotable groups"
    unit_id = sorted(allowed)[0]
    url = f"/staff/surveys/{survey_id}/sentiment-corrections"
    shown = client.post(url, data={"unit_id": token_of(analysed.app, unit_id), "label": "negative"},
                        follow_redirects=True)
    missing = client.post(url, data={"unit_id": "x" + token_of(analysed.app, unit_id), "label": "negative"},
                          follow_redirects=True)
    assert page_text(shown) == page_text(missing)
    assert db.execute("SELECT COUNT(*) FROM sentiment_corrections").fetchone()[0] == 0


def test_culture_leads_cannot_correct(analysed):
    client, db, survey_id = analysed.client, analysed.db, analysed.survey_id
    sign_in(client, db, "culture_lead")
    unit_id = visible_units(db, survey_id, "positive")[0]
    response = client.post(f"/staff/surveys/{survey_id}/sentiment-corrections",
                           data={"unit_id": unit_id, "label": "negative"})
    assert response.status_code == 403
    assert unit_label(db, unit_id) == "positive"
