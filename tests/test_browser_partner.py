"""A partner answers a survey in real headless Chromium; the stored answer comes out redacted."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterator

import pytest
from browser_support import BROWSER_MARKS, SCREENSHOTS, serve_over_http

from survey import create_app
from survey.store.surveys import questions_for

pytestmark = BROWSER_MARKS


@pytest.fixture
def live_url(app) -> Iterator[str]:
    """The app, with CSRF on as in production, served over real HTTP from a thread."""
    served = create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "browser-test",
                         "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})
    with serve_over_http(served) as url:
        yield url


def test_a_partner_answers_and_the_stored_text_is_redacted(browser, live_url, db, partner_wave):
    wave = partner_wave()
    by_kind = {q.kind: q for q in questions_for(db, wave.survey_id)}
    SCREENSHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_url}/s/{wave.token}")
    page.screenshot(path=str(SCREENSHOTS / "partner-survey-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "partner-survey-1280.png"), full_page=True)

    page.get_by_label("What should IT change?").fill(
        "Please ask Johanna Lindqvist (johanna.lindqvist@example.com) why the CRM rollout slipped."
    )
    assert "of 4,000 characters used" in page.locator(f"#q{by_kind['text'].id}-count").inner_text()
    page.locator(f"input[name=q{by_kind['rating'].id}][value='2']").check()
    page.locator(f"input[name=q{by_kind['nps'].id}][value='7']").check()
    page.get_by_label("HR", exact=True).check()
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url(f"**/s/{wave.token}/thanks")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you, your answers are saved"

    (text,) = db.execute("SELECT text FROM answers WHERE question_id = ?", [by_kind["text"].id]).fetchone()
    assert text == "Please ask [NAME] ([EMAIL]) why the CRM rollout slipped."
    assert db.execute("SELECT segment FROM responses").fetchall() == [("HR",)]


def test_a_missing_answer_is_reported_in_the_browser_with_the_text_kept(browser, live_url, db, partner_wave):
    wave = partner_wave()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_url}/s/{wave.token}")
    page.get_by_label("What should IT change?").fill("Tickets bounce between teams.")
    page.get_by_role("button", name="Submit my answers").click()
    assert page.get_by_role("alert").first.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "partner-survey-error-390.png"), full_page=True)
    assert page.get_by_label("What should IT change?").input_value() == "Tickets bounce between teams."
    rating_id = next(q.id for q in questions_for(db, wave.survey_id) if q.kind == "rating")
    summary_link = "How well does IT listen? — Please answer this question; it is required."
    page.get_by_role("link", name=summary_link).click()
    assert page.url.endswith(f"#q{rating_id}")
    assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 0


def test_an_invited_partner_types_the_code_and_answers(browser, live_url, db, partner_wave):
    from survey.store.invitations import generate_invitation_codes, invitation_counts

    wave = partner_wave("invitation")
    code = generate_invitation_codes(db, wave.id, 1)[0]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_url}/s/{wave.token}")
    page.screenshot(path=str(SCREENSHOTS / "partner-code-390.png"), full_page=True)
    page.get_by_label("Invitation code").fill(code.lower().replace("-", " "))
    page.keyboard.press("Enter")
    page.get_by_label("What should IT change?").fill("More notice before changes, please.")
    page.locator("input[value='4']").first.check()
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url(f"**/s/{wave.token}/thanks")
    assert invitation_counts(db, wave.id) == (1, 1)
    assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 1


def test_a_form_posted_from_another_site_is_refused(browser, live_url, db, partner_wave):
    """Cross-site request forgery: a page on another site makes the partner's browser post the form,
    with tokens the attacker fetched for themselves. The browser's cookie is SameSite and the tokens
    are bound to the attacker's own key, so nothing is stored."""
    from html import escape
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from page_support import hidden_fields
    from test_survey_partner import answers_for

    wave = partner_wave()
    target = f"{live_url}/s/{wave.token}"
    with urllib.request.urlopen(target, timeout=10) as own_visit:  # the attacker's own visit
        fields = {**hidden_fields(own_visit.read().decode()), **answers_for(db, wave, text="Forged.")}
    inputs = "".join(f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
                     for name, value in fields.items())
    attack = (f'<form id="f" method="post" action="{escape(target)}">{inputs}</form>'
              '<script>document.getElementById("f").submit()</script>').encode()

    class AttackPage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(attack)

        def log_message(self, *args) -> None:
            pass

    # "localhost" is another site than "127.0.0.1" for the browser (SameSite compares sites).
    attacker = ThreadingHTTPServer(("127.0.0.1", 0), AttackPage)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        page.goto(target)  # the partner has the survey open: the browser has its cookie
        page.goto(f"http://localhost:{attacker.server_port}/")
        page.wait_for_url(target)
        assert "press Submit again" in page.content()
    finally:
        attacker.shutdown()
        attacker.server_close()
    assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 0
