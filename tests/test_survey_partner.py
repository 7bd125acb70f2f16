"""The partner's side of a survey: showing it, storing answers, and every bad input on the way."""

from __future__ import annotations

import re

import pytest
from page_support import as_another_browser, hidden_fields

from survey import create_app
from survey.store.invitations import (
    CODE_ALPHABET,
    generate_invitation_codes,
    hash_secret,
    invitation_counts,
    normalise_invitation_code,
)
from survey.store.surveys import questions_for


def answers_for(db, wave, **overrides) -> dict[str, str]:
    """A complete, valid set of answers, keyed by form field name."""
    by_kind = {q.kind: f"q{q.id}" for q in questions_for(db, wave.survey_id)}
    values = {"text": "Delivery dates slip and nobody tells us.", "rating": "2", "nps": "6",
              "choice": "Monthly", "segment": "Finance"}
    values.update(overrides)
    return {by_kind[kind]: value for kind, value in values.items() if value is not None}


def submit(client, db, wave, *, url: str | None = None, **overrides):
    page = client.get(url or f"/s/{wave.token}")
    assert page.status_code == 200, page.data
    data = {**hidden_fields(page.get_data(as_text=True)), **answers_for(db, wave, **overrides)}
    return client.post(f"/s/{wave.token}", data=data), data


def stored_count(db) -> int:
    return db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]


def test_survey_page_shows_intro_privacy_note_and_accessible_questions(client, partner_wave):
    wave = partner_wave()
    html = client.get(f"/s/{wave.token}").get_data(as_text=True)
    assert "Tell us how IT works with you." in html
    assert "What we never store" in html and "your IP address" in html
    assert "replaced by placeholders such as [NAME]" in html
    assert re.search(r'<label for="q\d+">What should IT change\? <span class="required-mark"', html)
    assert "<legend>How well does IT listen?" in html
    assert "1 · Very poor" in html and "10 · Extremely likely" in html
    assert "Up to 4,000 characters." in html
    assert "maxlength" not in html  # the browser must not silently cut what the partner pastes


def test_a_valid_submission_is_stored_redacted_and_redirects_to_thanks(client, db, partner_wave):
    wave = partner_wave()
    response, _ = submit(client, db, wave, text="Mail me at jo.bloggs@example.com about the CRM.")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/s/{wave.token}/thanks")
    assert b"your answers are saved" in client.get(response.headers["Location"]).data
    row = db.execute("SELECT wave_id, segment FROM responses").fetchone()
    assert row == (wave.id, "Finance")
    stored = db.execute("SELECT text, number FROM answers").fetchall()
    assert sorted(text for text, _ in stored if text) == ["Mail me at [EMAIL] about the CRM.", "Monthly"]
    assert sorted(number for _, number in stored if number is not None) == [2, 6]


def test_an_answer_over_the_limit_is_refused_with_the_text_kept(app, client, db, partner_wave):
    app.config["MAX_ANSWER_CHARS"] = 50
    wave = partner_wave()
    long_text = "The service desk closes tickets without asking us first. " * 2
    response, _ = submit(client, db, wave, text=long_text)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"longer than 50 characters (it has {len(long_text.strip())})" in html
    assert long_text.strip() in html
    assert re.search(r'aria-describedby="q\d+-count q\d+-error" aria-invalid="true"', html)
    assert stored_count(db) == 0


def test_invalid_utf8_is_refused_with_a_message_and_nothing_stored(client, db, partner_wave):
    wave = partner_wave()
    fields = hidden_fields(client.get(f"/s/{wave.token}").get_data(as_text=True))
    answers = answers_for(db, wave, text="placeholder")
    text_field = next(name for name, value in answers.items() if value == "placeholder")
    body = "&".join(f"{k}={v}" for k, v in {**fields, **answers}.items() if k != text_field)
    body += f"&{text_field}=Caf%E9%20is%20closed"  # Latin-1 byte, not UTF-8
    response = client.post(f"/s/{wave.token}", data=body.encode("ascii"),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "not valid UTF-8" in html
    assert "is closed" in html  # what could be read is kept
    assert stored_count(db) == 0


@pytest.mark.parametrize(("raw", "stored"), [
    (b"The%20caf%C3%A9%20is%20closed", "The caf\u00e9 is closed"),  # escaped UTF-8: read and stored
    (b"The%20caf%e9%20is%20closed", None),  # an escaped Latin-1 byte, lower-case hex
    (b"The caf\xe9 is closed", None),  # a raw Latin-1 byte in the body
])
def test_only_utf8_bodies_are_read_whatever_their_escaping(client, db, partner_wave, raw, stored):
    wave = partner_wave()
    fields = hidden_fields(client.get(f"/s/{wave.token}").get_data(as_text=True))
    answers = answers_for(db, wave, text="placeholder")
    text_field = next(name for name, value in answers.items() if value == "placeholder")
    body = "&".join(f"{k}={v}" for k, v in {**fields, **answers}.items() if k != text_field)
    response = client.post(f"/s/{wave.token}", data=body.encode("ascii") + f"&{text_field}=".encode() + raw,
                           content_type="application/x-www-form-urlencoded")
    if stored is None:
        assert response.status_code == 400 and "not valid UTF-8" in response.get_data(as_text=True)
        assert stored_count(db) == 0
    else:
        assert response.status_code == 303
        assert db.execute("SELECT text FROM answers WHERE text = ?", [stored]).fetchone() is not None


def test_html_and_script_are_stored_as_text_and_escaped_on_output(client, db, partner_wave):
    wave = partner_wave()
    script = "<script>alert('x')</script> & <b>bold</b>"
    refused, _ = submit(client, db, wave, text=script, rating=None)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    accepted, _ = submit(client, db, wave, text=script)
    assert accepted.status_code == 303
    assert db.execute("SELECT 1 FROM answers WHERE text = ?", [script]).fetchone()


def test_empty_required_answers_get_a_linked_message(client, db, partner_wave):
    wave = partner_wave()
    response, _ = submit(client, db, wave, text="   ", rating=None)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.count("Please answer this question; it is required.") == 2
    rating_id = next(q.id for q in questions_for(db, wave.survey_id) if q.kind == "rating")
    assert f'<fieldset id="q{rating_id}" aria-describedby="q{rating_id}-error" aria-invalid="true"' in html
    assert f'<a href="#q{rating_id}">' in html
    assert stored_count(db) == 0


def test_a_csrf_failure_explains_keeps_the_answers_and_can_be_resubmitted(app, db, partner_wave):
    wave = partner_wave()
    strict = create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "test-secret",
                         "WTF_CSRF_ENABLED": True})
    client = strict.test_client()
    page = client.get(f"/s/{wave.token}").get_data(as_text=True)
    fields = hidden_fields(page)
    data = {**fields, "csrf_token": "forged", **answers_for(db, wave, text="Keep this sentence.")}
    refused = client.post(f"/s/{wave.token}", data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Your answers are still below" in html and "Keep this sentence." in html
    assert stored_count(db) == 0
    retry = {**data, **hidden_fields(html)}
    assert retry["csrf_token"] != "forged"
    assert client.post(f"/s/{wave.token}", data=retry).status_code == 303
    assert stored_count(db) == 1


def test_a_double_submit_stores_one_response(client, db, partner_wave):
    wave = partner_wave()
    first, data = submit(client, db, wave)
    second = client.post(f"/s/{wave.token}", data=data)
    assert first.status_code == 303
    assert second.status_code == 409
    assert b"already received" in second.data
    assert stored_count(db) == 1


def test_a_forged_form_token_stores_nothing(client, db, partner_wave):
    wave = partner_wave()
    page = client.get(f"/s/{wave.token}").get_data(as_text=True)
    data = {**hidden_fields(page), "form_token": "WzEsImFiYyJd.forged", **answers_for(db, wave)}
    response = client.post(f"/s/{wave.token}", data=data)
    assert response.status_code == 400
    assert b"could not be checked" in response.data
    assert stored_count(db) == 0
    retry = {**data, **hidden_fields(response.get_data(as_text=True))}
    assert client.post(f"/s/{wave.token}", data=retry).status_code == 303
    assert stored_count(db) == 1


@pytest.mark.parametrize(("opens", "closes", "status", "words"), [
    (-30, -1, 410, "This survey closed on"),
    (5, 30, 403, "It opens on"),
])
def test_closed_and_scheduled_waves_say_when(client, db, partner_wave, opens, closes, status, words):
    wave = partner_wave(opens_in_days=opens, closes_in_days=closes)
    page = client.get(f"/s/{wave.token}")
    assert page.status_code == status
    assert words in page.get_data(as_text=True)
    assert client.post(f"/s/{wave.token}", data=answers_for(db, wave)).status_code == status
    assert stored_count(db) == 0


def test_an_unknown_wave_link_is_a_404(client):
    response = client.get("/s/not-a-real-token")
    assert response.status_code == 404
    assert b"This survey link is not valid" in response.data


def test_an_oversized_request_is_refused_with_413(app, client, db, partner_wave):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    wave = partner_wave()
    response, _ = submit(client, db, wave, text="x" * 20_000)
    assert response.status_code == 413
    assert b"too large" in response.data
    assert stored_count(db) == 0


def test_invitation_wave_asks_for_the_code_first(client, partner_wave):
    wave = partner_wave("invitation")
    html = client.get(f"/s/{wave.token}").get_data(as_text=True)
    assert 'name="code"' in html and "Enter the code from your invitation" in html
    assert "What should IT change?" not in html


@pytest.mark.parametrize(("typed", "status", "message"), [
    ("hello", 400, "does not look like an invitation code"),
    ("ACDEF-GHJK3", 403, "not valid for this survey, or it has already been used"),
])
def test_malformed_and_unknown_codes_are_refused_on_the_code_form(client, db, partner_wave, typed, status,
                                                                  message):
    wave = partner_wave("invitation")
    generate_invitation_codes(db, wave.id, 3)
    by_link = client.get(f"/s/{wave.token}?code={typed}")
    by_form = client.post(f"/s/{wave.token}/code", data={"code": typed})
    for response in (by_link, by_form):
        assert response.status_code == status
        assert message in response.get_data(as_text=True)
        assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_an_invitation_code_is_burnt_with_the_response_and_cannot_be_reused(client, db, partner_wave):
    wave = partner_wave("invitation")
    code = generate_invitation_codes(db, wave.id, 2)[0]
    typed = code.lower().replace("-", " ")
    entered = client.post(f"/s/{wave.token}/code", data={"code": typed})
    assert entered.status_code == 200 and "What should IT change?" in entered.get_data(as_text=True)
    first, data = submit(client, db, wave, url=f"/s/{wave.token}?code={code}")
    assert first.status_code == 303
    assert invitation_counts(db, wave.id) == (2, 1)
    as_another_browser(client)  # another browser: this one now says "you already answered"
    fresh_page = client.get(f"/s/{wave.token}").get_data(as_text=True)  # the code form, no token
    assert "form_token" not in fresh_page
    fresh_code = generate_invitation_codes(db, wave.id, 1)[0]
    fresh_form = client.get(f"/s/{wave.token}?code={fresh_code}").get_data(as_text=True)
    data["form_token"] = hidden_fields(fresh_form)["form_token"]
    reused = client.post(f"/s/{wave.token}", data=data)
    html = reused.get_data(as_text=True)
    assert reused.status_code == 403
    assert "already been used" in html and 'id="code"' in html and "Delivery dates slip" in html
    assert stored_count(db) == 1
    assert client.get(f"/s/{wave.token}?code={code}").status_code == 403


def test_generated_codes_are_unambiguous_unique_and_stored_only_as_hashes(db, partner_wave):
    wave = partner_wave("invitation")
    codes = generate_invitation_codes(db, wave.id, 500)
    assert len(set(codes)) == 500
    assert all(re.fullmatch(f"[{CODE_ALPHABET}]{{5}}-[{CODE_ALPHABET}]{{5}}", code) for code in codes)
    assert not set("0O1IL") & set("".join(codes))
    rows = db.execute("SELECT code_hash, used FROM invitation_codes").fetchall()
    assert {row[0] for row in rows} == {hash_secret(code) for code in codes}
    assert {row[1] for row in rows} == {0}
    assert invitation_counts(db, wave.id) == (500, 0)
    assert normalise_invitation_code(f" {codes[0].lower()} ") == codes[0]


def test_codes_are_only_issued_for_invitation_waves_in_sane_numbers(db, partner_wave):
    from survey.errors import InvalidInput

    with pytest.raises(InvalidInput, match="public link"):
        generate_invitation_codes(db, partner_wave().id, 5)
    invitation = partner_wave("invitation")
    with pytest.raises(InvalidInput, match="between 1 and"):
        generate_invitation_codes(db, invitation.id, 0)
