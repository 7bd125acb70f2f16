"""The partner's one cookie (CSRF key + answered waves) instead of Flask's session (DESIGN.md section 8).

Every partner page sets at most this cookie and never Flask's session; a POST is accepted only with
a CSRF token made for the key this browser sent, within the time limit; the cookie is HttpOnly,
SameSite, limited to ``/s/`` and Secure over HTTPS; a damaged cookie is a new browser, never a 500.
"""

from __future__ import annotations

import time

import pytest
from page_support import as_another_browser, hidden_fields
from test_survey_partner import answers_for, stored_count

from survey import create_app
from survey.web.partner import browser_cookie
from survey.web.partner.answer import CSRF_MESSAGE


@pytest.fixture
def csrf_app(app):
    """The test app with CSRF switched on, as in production."""
    return create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "test-secret",
                       "RATELIMIT_ENABLED": False})


def cookie_headers(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def form_of(client, wave) -> dict[str, str]:
    page = client.get(f"/s/{wave.token}")
    assert page.status_code == 200
    return hidden_fields(page.get_data(as_text=True))


def test_a_whole_partner_visit_sets_only_the_partner_cookie(csrf_app, db, partner_wave):
    wave = partner_wave()
    client = csrf_app.test_client()
    page = client.get(f"/s/{wave.token}")
    (first,) = cookie_headers(page)
    assert first.startswith(f"{browser_cookie.COOKIE_NAME}=")
    attributes = [part.strip().lower() for part in first.split(";")[1:]]
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/s/" in attributes
    assert not any(part.startswith(("expires", "max-age", "domain")) for part in attributes)
    assert "secure" not in attributes
    data = {**hidden_fields(page.get_data(as_text=True)), **answers_for(db, wave)}
    stored = client.post(f"/s/{wave.token}", data=data)
    assert stored.status_code == 303
    thanks = client.get(stored.headers["Location"])
    again = client.get(f"/s/{wave.token}")
    for response in (stored, thanks, again):
        assert all(header.startswith(f"{browser_cookie.COOKIE_NAME}=") for header in cookie_headers(response))
    assert len(cookie_headers(stored)) == 1  # the answered wave is remembered
    assert cookie_headers(thanks) == cookie_headers(again) == []  # nothing new to remember
    assert "your answers are saved" in thanks.get_data(as_text=True)
    assert "You already answered this survey" in again.get_data(as_text=True)
    assert stored_count(db) == 1


def test_the_cookie_is_secure_over_https(csrf_app, partner_wave):
    wave = partner_wave()
    page = csrf_app.test_client().get(f"/s/{wave.token}", base_url="https://localhost")
    (cookie,) = cookie_headers(page)
    assert "; secure" in cookie.lower()


def test_a_forged_cross_site_post_is_refused(csrf_app, db, partner_wave):
    """An attacker opens the form in their own browser and makes the victim's browser post it."""
    wave = partner_wave()
    attacker, victim = csrf_app.test_client(), csrf_app.test_client()
    forged = {**form_of(attacker, wave), **answers_for(db, wave, text="Forged on another site.")}
    form_of(victim, wave)  # the victim has the survey open: their browser has its own key
    # Whether or not the victim's browser sends its cookie along (SameSite=Lax keeps it from doing so),
    # the attacker's token was made for another key.
    with_cookie = victim.post(f"/s/{wave.token}", data=forged)
    as_another_browser(victim)
    without_cookie = victim.post(f"/s/{wave.token}", data=forged)
    for refused in (with_cookie, without_cookie):
        assert refused.status_code == 400
        assert CSRF_MESSAGE.split(",")[0] in refused.get_data(as_text=True)
    assert stored_count(db) == 0


def test_an_expired_csrf_token_is_refused_and_the_retry_works(csrf_app, db, partner_wave, monkeypatch):
    wave = partner_wave()
    client = csrf_app.test_client()
    data = {**form_of(client, wave), **answers_for(db, wave, text="Written over a long lunch.")}
    later = time.time() + csrf_app.config["WTF_CSRF_TIME_LIMIT"] + 5
    monkeypatch.setattr(browser_cookie.time, "time", lambda: later)
    refused = client.post(f"/s/{wave.token}", data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Written over a long lunch." in html
    assert client.post(f"/s/{wave.token}", data={**data, **hidden_fields(html)}).status_code == 303
    assert stored_count(db) == 1


@pytest.mark.parametrize("value", ["", "x", "0" * 31, "g" * 32, "0" * 32 + "_", "0" * 32 + "_1.x",
                                   "0" * 32 + "_" + ".".join(["1"] * 21), "0" * 32 + "_9" * 30, '"; drop'])
def test_a_damaged_cookie_is_a_new_browser(csrf_app, db, partner_wave, value):
    wave = partner_wave()
    client = csrf_app.test_client()
    client.set_cookie(browser_cookie.COOKIE_NAME, value, path="/s/")
    page = client.get(f"/s/{wave.token}")
    assert page.status_code == 200 and "You already answered" not in page.get_data(as_text=True)
    data = {**hidden_fields(page.get_data(as_text=True)), **answers_for(db, wave)}
    assert client.post(f"/s/{wave.token}", data=data).status_code == 303


def test_the_cookie_remembers_the_last_waves_answered(csrf_app, db, partner_wave):
    client = csrf_app.test_client()
    waves = [partner_wave() for _ in range(browser_cookie.MAX_REMEMBERED + 1)]
    for wave in waves:
        data = {**form_of(client, wave), **answers_for(db, wave)}
        assert client.post(f"/s/{wave.token}", data=data).status_code == 303
    assert "You already answered" not in client.get(f"/s/{waves[0].token}").get_data(as_text=True)
    for wave in waves[1:]:
        assert "You already answered" in client.get(f"/s/{wave.token}").get_data(as_text=True)
