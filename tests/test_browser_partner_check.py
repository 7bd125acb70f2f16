"""A partner types "thanks, sipho from payroll", sees the warning, edits, submits: no "sipho" stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import BROWSER_MARKS, SCREENSHOTS, serve_over_http

from survey import create_app
from survey.store.surveys import questions_for

pytestmark = BROWSER_MARKS


@pytest.fixture
def live_url(app) -> Iterator[str]:
    served = create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "browser-test",
                         "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})
    with serve_over_http(served) as url:
        yield url


def test_the_partner_sees_the_warning_while_typing_edits_and_submits(browser, live_url, db, partner_wave):
    wave = partner_wave()
    by_kind = {q.kind: q for q in questions_for(db, wave.survey_id)}
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_url}/s/{wave.token}")
    box = page.get_by_label("What should IT change?")
    box.fill("The payroll export fails every month. thanks, sipho from payroll")
    box.dispatch_event("input")
    warning = page.locator("#check-live")
    warning.get_by_text("sipho").wait_for(timeout=40000)  # the first check loads spaCy cold
    assert "[NAME]" in warning.inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "partner-check-warning-1280.png"), full_page=True)
    box.fill("The payroll export fails every month.")
    page.locator(f"input[name=q{by_kind['rating'].id}][value='2']").check()
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url(f"**/s/{wave.token}/thanks")
    stored = db.execute("SELECT text FROM answers WHERE question_id = ?", [by_kind["text"].id]).fetchone()[0]
    assert stored == "The payroll export fails every month." and "sipho" not in stored


def test_the_check_button_works_without_javascript(browser, live_url, db, partner_wave):
    wave = partner_wave()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_url}/s/{wave.token}")
    page.get_by_label("What should IT change?").fill("cheers, Jordan from Payroll")
    page.get_by_role("button", name="Check before sending").click()
    panel = page.locator("#check-panel")
    assert "Jordan" in panel.inner_text() and "[NAME]" in panel.inner_text()
    assert page.get_by_label("What should IT change?").input_value() == "cheers, Jordan from Payroll"
    assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 0
    context.close()
