"""A culture lead, in a real browser, adds a lexicon term, re-measures, and sees it counted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import BROWSER_MARKS, serve_over_http
from test_survey_culture import NEW_TERM, build_silo_survey

from survey.store.staff import create_staff_user

pytestmark = BROWSER_MARKS
PASSWORD = "correct horse battery"


@pytest.fixture
def server(analysed_copy) -> Iterator[tuple[str, int]]:
    """A real HTTP server on a free port, over a copy of the analysed two-wave survey."""
    analysed = analysed_copy(build_silo_survey, WTF_CSRF_ENABLED=True, SECRET_KEY="browser-test")
    create_staff_user(analysed.db, "cara", PASSWORD, "culture_lead")
    with serve_over_http(analysed.app) as url:
        yield url, analysed.survey_id


@pytest.fixture
def page(server, browser):
    return browser.new_page(viewport={"width": 1280, "height": 900})


def test_culture_lead_adds_a_term_remeasures_and_sees_it_counted(server, page):
    from playwright.sync_api import expect

    base, survey_id = server
    page.goto(f"{base}/staff/login")
    page.get_by_label("Username").fill("cara")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Lexicon", exact=True).click()
    page.get_by_label("Patterns, one per line").fill(NEW_TERM)
    page.get_by_label("Category").select_option("order_taker")
    page.get_by_label("Suggested alternative").fill("colleague on the service desk")
    page.get_by_label("Why it matters").fill("It belittles the people who keep everyone working.")
    page.get_by_role("button", name="Add term").click()
    expect(page.get_by_role("status").first).to_contain_text("is now current")
    expect(page.locator("#term-helpdesk_ticket_monkey")).to_contain_text(NEW_TERM)
    expect(page.locator("#history")).to_contain_text("cara")

    page.get_by_label("Survey", exact=True).select_option(str(survey_id))
    page.get_by_role("button", name="Re-measure with the current lexicon").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Siloing language")
    expect(page.locator("#term-helpdesk_ticket_monkey")).to_contain_text(f"“{NEW_TERM}”")
    expect(page.locator("#term-helpdesk_ticket_monkey")).to_contain_text("6 responses")

    page.get_by_role("link", name="Check my text", exact=True).click()
    page.get_by_label("Your draft").fill(f"Please stop treating Dana as a {NEW_TERM}.")
    page.get_by_role("button", name="Check my text").click()
    expect(page.locator("mark").first).to_contain_text(NEW_TERM)
    expect(page.locator("#check-why-1")).to_contain_text("colleague on the service desk")
