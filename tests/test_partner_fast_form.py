"""The blank form's fast path (survey/web/partner/fast_form.py) answers exactly as the Flask view does.

Each check sends the same request twice: once to the app (which the fast path answers when it
can) and once to the Flask application behind it. Per-visit values (the browser key in the
cookie, the CSRF and form tokens) are random, so they are replaced by placeholders before the
two answers are compared; everything else, every header and every byte of the page, must match.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from flask import Flask, request, request_started
from page_support import hidden_fields
from test_survey_partner import answers_for, stored_count
from werkzeug.test import EnvironBuilder

from survey import create_app
from survey.store.surveys import update_wave
from survey.web.partner.browser_cookie import COOKIE_NAME
from survey.web.partner.fast_form import BlankFormFastPath

TOKENS = re.compile(r'(name="(?:csrf_token|form_token)" type="hidden" value=")[^"]*"')
COOKIE_KEY = re.compile(rf"{COOKIE_NAME}=[0-9a-f]{{32}}")
KNOWN_KEY = "0123456789abcdef" * 2


@pytest.fixture
def live_app(app) -> Flask:
    """The test database behind an app configured as in production (CSRF and throttles on)."""
    return create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "test-secret"})


@pytest.fixture
def flask_requests(live_app) -> Iterator[list[str]]:
    """The paths of the requests Flask itself handled (the fast path sends no such signal)."""
    seen: list[str] = []

    def record(sender, **extra) -> None:
        seen.append(request.path)

    request_started.connect(record, live_app)
    yield seen
    request_started.disconnect(record, live_app)


def call(wsgi_app, **builder) -> tuple[str, list[tuple[str, str]], bytes]:
    """Status, headers and body of one WSGI call."""
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=headers)

    body = b"".join(wsgi_app(EnvironBuilder(**builder).get_environ(), start_response))
    return answer["status"], answer["headers"], body


def normalised(answer: tuple[str, list[tuple[str, str]], bytes]) -> tuple:
    status, headers, body = answer
    shown = sorted((name, COOKIE_KEY.sub(f"{COOKIE_NAME}=KEY", value)) for name, value in headers)
    return status, shown, TOKENS.sub(r"\1", body.decode())


def both(live_app, **builder) -> tuple[tuple, tuple]:
    """The app's answer (fast path first) and the Flask view's answer to the same request."""
    fast_path = live_app.wsgi_app
    assert isinstance(fast_path, BlankFormFastPath)
    return normalised(call(live_app, **builder)), normalised(call(fast_path.wsgi_app, **builder))


@pytest.mark.parametrize("cookie", [None, f"{COOKIE_NAME}={KNOWN_KEY}", f"{COOKIE_NAME}={KNOWN_KEY}_999"])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_fast_path_sends_what_the_flask_view_sends(live_app, partner_wave, flask_requests, cookie,
                                                        scheme):
    wave = partner_wave()
    path = f"/s/{wave.token}"
    headers = {"Cookie": cookie} if cookie else {}
    live_app.test_client().get(path)  # the first visit renders the page through Flask and keeps it
    flask_requests.clear()
    fast, view = both(live_app, path=path, headers=headers, base_url=f"{scheme}://rapport.example")
    assert flask_requests == [path]  # the fast path answered the first call, Flask only the second
    assert fast == view
    status, shown, _ = fast
    assert status == "200 OK" and ("Cache-Control", "no-store") in shown
    assert any(name == "Content-Security-Policy" for name, _ in shown)
    assert any(name == "Strict-Transport-Security" for name, _ in shown) == (scheme == "https")
    assert any(name == "Set-Cookie" for name, _ in shown) == (cookie is None)


def test_tokens_from_the_fast_path_submit_once_and_belong_to_their_browser(live_app, db, partner_wave,
                                                                             flask_requests):
    wave = partner_wave()
    path = f"/s/{wave.token}"
    live_app.test_client().get(path)
    first, second = live_app.test_client(), live_app.test_client()
    first_tokens = hidden_fields(first.get(path).get_data(as_text=True))
    second_tokens = hidden_fields(second.get(path).get_data(as_text=True))
    assert flask_requests == [path]  # both pages came from the fast path
    assert first_tokens["csrf_token"] != second_tokens["csrf_token"]
    assert first_tokens["form_token"] != second_tokens["form_token"]
    swapped = first.post(path, data={**first_tokens, "csrf_token": second_tokens["csrf_token"],
                                     **answers_for(db, wave)})
    assert swapped.status_code == 400
    assert first.post(path, data={**first_tokens, **answers_for(db, wave)}).status_code == 303
    assert first.post(path, data={**first_tokens, **answers_for(db, wave)}).status_code == 409
    assert stored_count(db) == 1
    # The browser that answered now gets Flask's "you already answered" page, not a new form.
    again = first.get(path)
    assert "already answered" in again.get_data(as_text=True) and flask_requests[-1] == path


def test_every_other_case_is_left_to_flask(live_app, db, partner_wave, flask_requests):
    open_wave, invitation = partner_wave(), partner_wave(access="invitation")
    scheduled, closed = partner_wave(opens_in_days=2), partner_wave(opens_in_days=-9, closes_in_days=-1)
    client = live_app.test_client()
    for wave in (open_wave, invitation, scheduled, closed):
        client.get(f"/s/{wave.token}")
    cases = {
        "unknown link": ({"path": "/s/not-a-real-token"}, "404"),
        "invitation wave": ({"path": f"/s/{invitation.token}"}, "200"),
        "not open yet": ({"path": f"/s/{scheduled.token}"}, "403"),
        "closed": ({"path": f"/s/{closed.token}"}, "410"),
        "query string": ({"path": f"/s/{open_wave.token}", "query_string": "x=1"}, "200"),
        "HEAD": ({"path": f"/s/{open_wave.token}", "method": "HEAD"}, "200"),
        "answered here": ({"path": f"/s/{open_wave.token}",
                           "headers": {"Cookie": f"{COOKIE_NAME}={KNOWN_KEY}_{open_wave.id}"}}, "200"),
        "a staff session": ({"path": f"/s/{open_wave.token}", "headers": {"Cookie": "session=abc"}}, "200"),
        "trailing slash": ({"path": f"/s/{open_wave.token}/"}, "404"),
    }
    for name, (builder, status) in cases.items():
        flask_requests.clear()
        answer = call(live_app, **builder)
        assert flask_requests, name
        assert answer[0].startswith(status), name
    # An edit gives a new page key, so the next visit renders through Flask and shows the change.
    update_wave(db, open_wave.id, "Renamed wave", open_wave.opens_on, dt.date.today() + dt.timedelta(days=3))
    flask_requests.clear()
    page = client.get(f"/s/{open_wave.token}").get_data(as_text=True)
    assert flask_requests and "Renamed wave" in page
    live_app.debug = True
    flask_requests.clear()
    client.get(f"/s/{open_wave.token}")
    assert flask_requests


def test_a_head_request_gets_the_page_headers_and_never_counts_as_a_submission(live_app, db, partner_wave):
    """Link previews (chat apps, mail scanners) send HEAD: it used to run the submit path (400)."""
    wave = partner_wave()
    client = live_app.test_client()
    answer = client.head(f"/s/{wave.token}")
    assert answer.status_code == 200 and answer.get_data() == b""
    assert answer.headers["Cache-Control"] == "no-store"
    assert stored_count(db) == 0


def test_behind_a_trusted_proxy_the_fast_path_sees_https(app, partner_wave):
    """The fast path sits inside ProxyFix: over HTTPS at the proxy, HSTS and a Secure cookie."""
    proxied = create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "test-secret",
                          "TRUSTED_PROXIES": 1})
    seen: list[str] = []
    request_started.connect(lambda sender, **extra: seen.append(request.path), proxied, weak=False)
    wave = partner_wave()
    path, forwarded = f"/s/{wave.token}", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    proxied.test_client().get(path, headers=forwarded)
    seen.clear()
    answer = proxied.test_client().get(path, headers=forwarded)
    assert answer.status_code == 200 and not seen  # answered by the fast path
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in answer.headers["Set-Cookie"]
    plain = proxied.test_client().get(path)
    assert "Strict-Transport-Security" not in plain.headers and "Secure" not in plain.headers["Set-Cookie"]

