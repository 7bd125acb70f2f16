"""The public wave's blank form is rendered once per survey definition and refilled with fresh tokens."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from page_support import hidden_fields
from test_survey_partner import answers_for, stored_count

from survey import create_app
from survey.store.surveys import get_survey, questions_for, update_survey, update_wave
from survey.web.partner import blank_form

TOKENS = re.compile(r'(name="(?:csrf_token|form_token)" type="hidden" value=")[^"]*"')


@pytest.fixture
def csrf_app(app):
    """The test app with CSRF switched on, as in production."""
    return create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "test-secret",
                       "RATELIMIT_ENABLED": False})


def cached(app) -> int:
    with app.app_context():
        return blank_form.cached_pages()


def page_of(client, wave) -> str:
    response = client.get(f"/s/{wave.token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_visit_gets_its_own_tokens_on_the_same_page(csrf_app, db, partner_wave):
    wave = partner_wave()
    first_client, second_client = csrf_app.test_client(), csrf_app.test_client()
    first, second = page_of(first_client, wave), page_of(second_client, wave)
    assert cached(csrf_app) == 1
    first_tokens, second_tokens = hidden_fields(first), hidden_fields(second)
    assert first_tokens["csrf_token"] != second_tokens["csrf_token"]
    assert first_tokens["form_token"] != second_tokens["form_token"]
    assert TOKENS.sub(r"\1", first) == TOKENS.sub(r"\1", second)
    assert "rapport-csrf-" not in second and "rapport-form-token-" not in second
    # Both visits can submit, each with its own tokens, and neither can use the other's.
    for client, tokens in ((second_client, second_tokens), (first_client, first_tokens)):
        other = first_tokens if tokens is second_tokens else second_tokens
        refused = client.post(f"/s/{wave.token}", data={**tokens, "csrf_token": other["csrf_token"],
                                                         **answers_for(db, wave)})
        assert refused.status_code == 400
        stored = client.post(f"/s/{wave.token}", data={**tokens, **answers_for(db, wave)})
        assert stored.status_code == 303
    assert stored_count(db) == 2


def test_the_cached_page_is_the_page_a_full_render_gives(csrf_app, db, partner_wave):
    wave = partner_wave()
    cached = page_of(csrf_app.test_client(), wave)
    cached = page_of(csrf_app.test_client(), wave)
    csrf_app.debug = True  # the cache is off while debugging templates
    rendered = page_of(csrf_app.test_client(), wave)
    assert TOKENS.sub(r"\1", cached) == TOKENS.sub(r"\1", rendered)


def test_a_changed_survey_wave_question_or_setting_shows_at_once(app, client, db, partner_wave):
    wave = partner_wave()
    assert "Tell us how IT works with you." in page_of(client, wave)
    survey = get_survey(db, wave.survey_id)
    update_survey(db, survey.id, survey.title, "Five minutes, anonymous.", survey.privacy_note)
    html = page_of(client, wave)
    assert "Five minutes, anonymous." in html and "Tell us how IT works with you." not in html
    closes = dt.date.today() + dt.timedelta(days=3)
    update_wave(db, wave.id, wave.label, wave.opens_on, closes)
    assert f"open until {closes.day} {closes:%B %Y}" in page_of(client, wave)
    # The store locks questions once a wave opens; a change made in the database anyway still shows.
    question = questions_for(db, wave.survey_id)[0]
    with db.conn:
        db.execute("UPDATE questions SET prompt = ? WHERE id = ?", ["What should IT stop?", question.id])
    assert "What should IT stop?" in page_of(client, wave)
    app.config["MAX_ANSWER_CHARS"] = 1234
    assert "Up to 1,234 characters." in page_of(client, wave)


def test_a_flashed_message_is_shown_to_its_own_visitor_only(csrf_app, partner_wave):
    wave = partner_wave()
    page_of(csrf_app.test_client(), wave)
    assert cached(csrf_app) == 1
    flashed = csrf_app.test_client()
    with flashed.session_transaction() as session:
        session["_flashes"] = [("info", "A note for this visitor only")]
    assert "A note for this visitor only" in page_of(flashed, wave)
    assert "A note for this visitor only" not in page_of(csrf_app.test_client(), wave)


def test_only_public_waves_are_cached(csrf_app, partner_wave):
    wave = partner_wave(access="invitation")
    csrf_app.test_client().get(f"/s/{wave.token}")
    assert cached(csrf_app) == 0
