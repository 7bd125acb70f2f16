"""Culture-lead workspace: silo dashboard, versioned lexicon, re-measuring, check my text.

The data is real: responses go in through ``record_response`` and the real ``run_analysis``
(embedding model included) analyses them once per module; each test works on a copy of that file.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from page_support import chart_svgs, hidden_fields

from survey import create_app
from survey.db import open_database
from survey.errors import InvalidInput
from survey.migrations import migrate
from survey.services.remeasure import remeasure_silo_language
from survey.store import lexicons
from survey.store.culture import silo_cells
from survey.store.responses import record_response
from survey.store.surveys import add_question, create_survey, create_wave, questions_for
from survey.web.culture.silo import Piece, marked_pieces

NEW_TERM = "helpdesk ticket monkey"
#: Written only by the Legal group (2 respondents): must never be quoted or counted on its own.
LEGAL_PHRASE = "Our legal internal customers wait in the glass tower queue for {topic}."
#: Every respondent writes about a different topic, so no two comments are identical.
TOPICS = ["payroll", "onboarding", "laptops", "the VPN", "reporting", "the CRM rollout", "invoicing",
          "data access", "printers", "the intranet", "travel booking", "expenses"]
WAVE_TEXTS = {
    "2026 Q1": [
        "We are treated as internal customers when we ask about {topic}, not as partners.",
        "The business never hears back from IT about {topic}. I feel like a {term} some days.",
        "On {topic}, IT acts as an order taker and nothing more.",
    ],
    "2026 Q2": [
        "We worked together with our colleagues in IT on {topic}.",
        "The business still waits too long for answers on {topic}.",
        "Support for {topic} was quick and friendly this quarter.",
    ],
}
SEGMENTS = {"Finance": 6, "HR": 6, "Sales": 6, "Legal": 2}


def build_silo_survey(db: sqlite_utils.Database) -> None:
    """A two-wave survey with segments (Legal under the threshold), through the real store."""
    survey = create_survey(db, "Partnership pulse")
    add_question(db, survey.id, "text", "What should IT change?", required=True)
    add_question(db, survey.id, "segment", "Your department", options=list(SEGMENTS))
    text_q, segment_q = (question.id for question in questions_for(db, survey.id))
    questions = questions_for(db, survey.id)
    for number, (label, texts) in enumerate(WAVE_TEXTS.items()):
        opens = dt.date(2026, 1 + 3 * number, 5)
        wave = create_wave(db, survey.id, label, opens, opens + dt.timedelta(days=20), "public")
        for offset, (segment, count) in enumerate(SEGMENTS.items()):
            for index in range(count):
                topic = TOPICS[(index + 2 * offset) % len(TOPICS)]
                template = LEGAL_PHRASE if segment == "Legal" else texts[index % len(texts)]
                text = template.format(term=NEW_TERM, topic=topic)
                record_response(db, wave, questions, {text_q: text, segment_q: segment}, today=opens)


@pytest.fixture
def app(request, analysed_copy, tmp_path):
    """The conftest app; tests that ask for ``survey_id`` get a private copy of the analysed survey."""
    if "survey_id" in request.fixturenames:
        return analysed_copy(build_silo_survey).app
    database = str(tmp_path / "rapport.db")
    migrate(open_database(database))
    return create_app({"DATABASE": database, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False})


@pytest.fixture
def survey_id(analysed_templates) -> int:
    return analysed_templates.survey_id(build_silo_survey)


def _term_fields(**overrides) -> dict[str, str]:
    """A new term as the lexicon store takes it."""
    data = {"patterns": NEW_TERM, "category": "order_taker", "suggestion": "colleague on the service desk",
            "rationale": "Belittles the people who keep everyone working."}
    return {**data, **overrides}


def _term_form(**overrides) -> dict[str, str]:
    """The same term as the editor form posts it."""
    return {**_term_fields(), "note": "Heard in Q1 comments", **overrides}


def _text_only(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- lexicon storage ---------------------------------------------------------------------------
def test_a_stored_lexicon_version_becomes_current_with_author_and_note(db, staff_login):
    staff_login("culture_lead", "cara")
    author = db.execute("SELECT id FROM staff WHERE username = 'cara'").fetchone()[0]
    shipped = lexicons.current_lexicon(db)
    updated = lexicons.edited_lexicon(shipped, None, _term_fields())
    saved = lexicons.save_lexicon(db, updated, author_id=author, note="  Heard   in Q1 ",
                                  based_on=shipped.version)

    assert lexicons.current_lexicon(db).version == updated.version != shipped.version
    assert lexicons.current_lexicon(db).term("helpdesk_ticket_monkey").category == "order_taker"
    (latest,) = lexicons.lexicon_history(db)
    assert (latest.number, latest.author, latest.note) == (saved.number, "cara", "Heard in Q1")
    with pytest.raises(lexicons.StaleLexicon):
        lexicons.save_lexicon(db, shipped, author_id=author, note="", based_on=shipped.version)


@pytest.mark.parametrize("patterns, message", [
    ("", "at least one pattern"),
    ("[internal customer", "not saved"),
    ("x" * 130, "longer than 120 characters"),
])
def test_malformed_terms_are_refused_with_a_specific_message(db, patterns, message):
    with pytest.raises(InvalidInput, match=message):
        lexicons.edited_lexicon(lexicons.current_lexicon(db), None, _term_fields(patterns=patterns))


# -- re-measuring ------------------------------------------------------------------------------
def _term_flags(db, term_id: str) -> int:
    return db.execute("SELECT COUNT(*) FROM unit_flags WHERE term_id = ?", [term_id]).fetchone()[0]


@pytest.mark.slow  # uses the analysed survey (one real analysis run per session)
def test_remeasure_applies_the_current_lexicon_to_old_waves(db, survey_id):
    assert _term_flags(db, "helpdesk_ticket_monkey") == 0
    before = {(c.wave, c.segment): c.rate_per_thousand_words for c in silo_cells(db, survey_id, 5)}
    updated = lexicons.edited_lexicon(lexicons.current_lexicon(db), None, _term_fields())
    lexicons.save_lexicon(db, updated, author_id=None, note="test")

    summary = remeasure_silo_language(db, survey_id)

    # Finance, HR and Sales each wrote the phrase twice in Q1: six units, one flag each.
    assert _term_flags(db, "helpdesk_ticket_monkey") == 6
    assert summary.lexicon_version == updated.version
    assert summary.flags_after == summary.flags_before + 6
    flag_counts = db.execute("SELECT SUM(flag_count) FROM units WHERE survey_id = ?", [survey_id])
    assert flag_counts.fetchone()[0] == summary.flags_after
    after = {(c.wave, c.segment): c.rate_per_thousand_words for c in silo_cells(db, survey_id, 5)}
    assert after[("2026 Q1", None)] > before[("2026 Q1", None)]
    assert after[("2026 Q2", None)] == before[("2026 Q2", None)]


@pytest.mark.slow
def test_analysis_of_new_answers_uses_the_stored_lexicon(db, survey_id):
    from survey.services.analysis import run_analysis
    from survey.store.surveys import waves_for

    updated = lexicons.edited_lexicon(lexicons.current_lexicon(db), None, _term_fields())
    lexicons.save_lexicon(db, updated, author_id=None, note="test")
    wave = waves_for(db, survey_id)[-1]
    text_q = questions_for(db, survey_id)[0].id
    record_response(db, wave, questions_for(db, survey_id),
                    {text_q: f"Stop calling me a {NEW_TERM}, please."}, today=wave.opens_on)

    run_analysis(db, survey_id, min_group_size=5, release_batch_size=1)  # about the lexicon, not rule 7

    assert _term_flags(db, "helpdesk_ticket_monkey") == 1


# -- dashboard ---------------------------------------------------------------------------------
@pytest.mark.slow  # uses the analysed survey (one real analysis run per session)
def test_dashboard_shows_rates_share_and_ratio_per_wave(staff_login, db, survey_id):
    client = staff_login("culture_lead")
    html = client.get(f"/staff/surveys/{survey_id}/silo").get_data(as_text=True)

    overall = {c.wave: c for c in silo_cells(db, survey_id, 5) if c.segment is None}
    q1 = overall["2026 Q1"]
    row = re.search(r'<th scope="row">2026 Q1</th>(.*?)</tr>', html, re.S).group(1)
    ratio = q1.partnership_to_silo_ratio
    ratio = "no silo phrases" if ratio is None else f"{ratio:.2f}"
    expected = f"20 {q1.rate_per_thousand_words:.1f} {100 * q1.share_of_responses_flagged:.0f}% {ratio}"
    assert _text_only(row).strip() == expected
    assert q1.rate_per_thousand_words > 0
    assert len(chart_svgs(html)) == 1
    assert "internal customers" in _text_only(html)  # most frequent terms


@pytest.mark.slow  # uses the analysed survey (one real analysis run per session)
def test_small_segments_and_their_complements_show_fewer_than_5_never_a_number(staff_login, survey_id):
    html = staff_login("brm").get(f"/staff/surveys/{survey_id}/silo").get_data(as_text=True)
    segment_table = html[html.index('id="segments-heading"'):html.index('id="terms-heading"')]
    rows = dict(re.findall(r'<th scope="row">(\w+)</th>(.*?)</tr>', segment_table, re.S))

    assert set(rows) == {"Finance", "HR", "Legal", "Sales"}
    legal = _text_only(rows["Legal"])
    assert legal.count("fewer than 5") == 2
    assert not re.search(r"\d", legal.replace("fewer than 5", ""))
    # Legal (2 of 20) alone would be revealed by the wave total minus the others: one more is hidden.
    hidden = [name for name, row in rows.items() if "fewer than 5" in row]
    assert len(hidden) >= 2


@pytest.mark.slow  # uses the analysed survey (one real analysis run per session)
def test_examples_quote_only_groups_at_the_quote_threshold_with_marked_flags(staff_login, survey_id):
    client = staff_login("culture_lead")
    html = client.get(f"/staff/surveys/{survey_id}/silo").get_data(as_text=True)
    examples = html[html.index('id="examples-heading"'):html.index('id="events"')]
    waves = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', examples))
    q1 = next(wave_id for wave_id, label in waves.items() if label == "2026 Q1")
    q1_examples = client.get(f"/staff/surveys/{survey_id}/silo?wave={q1}").get_data(as_text=True)

    assert "<mark" in q1_examples and "internal customers" in _text_only(q1_examples)
    assert "glass tower" not in q1_examples
    assert "glass tower" not in html


@pytest.mark.slow  # uses the analysed survey (one real analysis run per session)
def test_an_event_note_is_listed_and_drawn_on_the_chart(staff_login, survey_id):
    client = staff_login("culture_lead")
    response = client.post(f"/staff/surveys/{survey_id}/silo/events",
                           data={"on_date": "2026-03-20", "label": "Language workshop"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Language workshop" in _text_only(html) and "before 2026 Q2" in _text_only(html)
    (svg,) = chart_svgs(html)
    assert "Language workshop (2026-03-20)" in svg


@pytest.mark.slow  # uses the analysed survey (one real analysis run per session)
def test_an_event_without_a_date_is_refused_with_a_message(staff_login, survey_id):
    client = staff_login("culture_lead")
    response = client.post(f"/staff/surveys/{survey_id}/silo/events", data={"on_date": "soon", "label": "x"},
                           follow_redirects=True)
    assert "The event was not added" in response.get_data(as_text=True)


# -- lexicon editor ----------------------------------------------------------------------------
def test_adding_a_term_in_the_editor_stores_a_version_shown_in_the_history(staff_login):
    client = staff_login("culture_lead", "cara")
    based_on = hidden_fields(client.get("/staff/lexicon").get_data(as_text=True))["based_on"]
    response = client.post("/staff/lexicon/terms", data=_term_form(based_on=based_on))
    assert response.status_code == 302
    html = client.get("/staff/lexicon").get_data(as_text=True)

    assert 'id="term-helpdesk_ticket_monkey"' in html
    history = _text_only(html[html.index('id="history"'):])
    assert "Version 1" in history and "cara" in history and "Heard in Q1 comments" in history


def test_the_editor_explains_a_malformed_pattern_and_keeps_the_input(staff_login):
    client = staff_login("culture_lead")
    response = client.post("/staff/lexicon/terms", data=_term_form(patterns="[internal customer"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The term was not saved" in html and "[internal customer" in html


def test_editing_and_disabling_a_term_each_store_a_version(staff_login, db):
    client = staff_login("culture_lead")
    page = client.get("/staff/lexicon/terms/order_taker").get_data(as_text=True)
    assert "order taker|takers" in page
    client.post("/staff/lexicon/terms/order_taker", data=_term_form(patterns="order taker|takers",
                                                                    suggestion="trusted advisor"))
    assert lexicons.current_lexicon(db).term("order_taker").suggestion == "trusted advisor"
    client.post("/staff/lexicon/terms/order_taker/toggle", data={})
    assert not lexicons.current_lexicon(db).term("order_taker").enabled
    assert len(lexicons.lexicon_history(db)) == 2

    checked = client.post("/staff/check-text", data={"text": "IT is an order taker here."})
    assert "<mark" not in checked.get_data(as_text=True)


def test_a_stale_editor_page_does_not_overwrite_a_newer_lexicon(staff_login, db):
    client = staff_login("culture_lead")
    response = client.post("/staff/lexicon/terms", data=_term_form(based_on="000000000000"))
    assert response.status_code == 400
    assert "changed the lexicon while you were editing" in response.get_data(as_text=True)
    assert lexicons.lexicon_history(db) == []


@pytest.mark.slow  # uses the analysed survey (one real analysis run per session)
def test_remeasure_from_the_editor_counts_the_new_term_on_the_dashboard(staff_login, survey_id):
    client = staff_login("culture_lead")
    client.post("/staff/lexicon/terms", data=_term_form())
    response = client.post("/staff/lexicon/remeasure", data={"survey_id": survey_id}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Re-measured" in html
    assert f"“{NEW_TERM}”" in html  # six responses used it in Q1: shown among the most frequent terms


# -- check my text -----------------------------------------------------------------------------
DRAFT = ("Status: the zebra-quartz migration is done for our internal customers. "
         "We worked together with colleagues in finance.")


def test_check_my_text_highlights_phrases_with_suggestion_and_why(staff_login):
    html = staff_login("brm").post("/staff/check-text", data={"text": DRAFT}).get_data(as_text=True)
    assert re.search(r'<mark id="check-mark-1" aria-describedby="check-why-1">internal customers', html)
    why = html[html.index('id="check-why-1"'):]
    assert "Try:" in why and "Why:" in why and "colleagues" in why
    assert "1 phrase to reconsider" in _text_only(html)
    assert re.search(r"[1-9]\d* partnership phrases?", _text_only(html))


def test_nothing_pasted_is_stored_or_logged(app, staff_login, caplog, capsys):
    client = staff_login("culture_lead")
    caplog.set_level(logging.DEBUG)
    response = client.post("/staff/check-text", data={"text": DRAFT})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    connection = sqlite3.connect(app.config["DATABASE"])
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()

    for path in Path(app.config["DATABASE"]).parent.glob("rapport.db*"):
        assert b"zebra-quartz" not in path.read_bytes(), path
    captured = capsys.readouterr()
    assert "zebra-quartz" not in caplog.text + captured.out + captured.err
    with client.session_transaction() as session:
        assert "zebra-quartz" not in repr(dict(session))


def test_check_my_text_refuses_an_overlong_draft_with_a_clear_message(staff_login):
    response = staff_login("culture_lead").post("/staff/check-text", data={"text": "word " * 2001})
    assert response.status_code == 400
    assert "the limit is 10,000" in response.get_data(as_text=True)


# -- roles -------------------------------------------------------------------------------------
CULTURE_ONLY = [("get", "/staff/lexicon"), ("post", "/staff/lexicon/terms"),
                ("get", "/staff/lexicon/terms/order_taker"), ("post", "/staff/lexicon/terms/order_taker"),
                ("post", "/staff/lexicon/terms/order_taker/toggle"), ("post", "/staff/lexicon/remeasure"),
                ("post", "/staff/surveys/{survey}/silo/events"),
                ("post", "/staff/surveys/{survey}/silo/events/1/delete")]
SHARED = [("get", "/staff/silo"), ("get", "/staff/surveys/{survey}/silo"), ("get", "/staff/check-text")]


def test_lexicon_and_event_pages_are_forbidden_to_brms(staff_login, db):
    survey_id = create_survey(db, "Pulse").id
    client = staff_login("brm")
    for method, url in CULTURE_ONLY:
        assert getattr(client, method)(url.format(survey=survey_id), data={}).status_code == 403, url
    for method, url in SHARED:
        assert getattr(client, method)(url.format(survey=survey_id)).status_code in (200, 302), url


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    survey_id = create_survey(db, "Pulse").id
    for method, url in CULTURE_ONLY + SHARED:
        response = getattr(client, method)(url.format(survey=survey_id), data={})
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"], url


def test_the_staff_navigation_shows_lexicon_only_to_culture_leads(staff_login):
    brm_page = staff_login("brm").get("/staff/check-text").get_data(as_text=True)
    assert "Silo language" in brm_page and 'href="/staff/lexicon"' not in brm_page
    staff_login.logout()
    lead_page = staff_login("culture_lead").get("/staff/check-text").get_data(as_text=True)
    assert 'href="/staff/lexicon"' in lead_page


def test_marked_pieces_keep_the_text_and_skip_overlaps():
    pieces = marked_pieces("the business side", [(0, 12), (4, 17)])
    assert pieces == [Piece("the business", 1), Piece(" side")]
    assert "".join(piece.text for piece in pieces) == "the business side"
