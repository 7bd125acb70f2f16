"""A partner opens "You said, we did" in real headless Chromium and sees what IT is doing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import BROWSER_MARKS, SCREENSHOTS, serve_over_http
from test_survey_actions import (  # noqa: F401 (fixtures)
    ACTION_START,
    analysed_app,
    analysed_db,
    analysed_survey,
    delivery_theme,
)

from survey import create_app
from survey.store import actions as store
from survey.store.surveys import get_survey, waves_for

pytestmark = BROWSER_MARKS


@pytest.fixture
def live_url(analysed_app) -> Iterator[str]:  # noqa: F811 (fixture imported from test_survey_actions)
    """The analysed survey's app, with CSRF on as in production, served over real HTTP from a thread."""
    served = create_app({"DATABASE": analysed_app.config["DATABASE"], "SECRET_KEY": "browser-test",
                         "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})
    with serve_over_http(served) as url:
        yield url


def test_a_partner_opens_you_said_we_did_and_sees_an_actions_note_and_status(
        browser, live_url, analysed_db):  # noqa: F811 (fixture imported from test_survey_actions)
    survey_id = analysed_db.execute("SELECT id FROM surveys").fetchone()[0]
    store.create_action(analysed_db, survey_id, delivery_theme(analysed_db), "Publish a delivery calendar",
                        owner="Head of PMO", status="in_progress", started_on=ACTION_START,
                        public_note="Every project's dates are now on the intranet, updated weekly.")
    wave = waves_for(analysed_db, survey_id)[-1]
    requested: list[str] = []
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_url}/s/{wave.token}/thanks")
    page.get_by_role("link", name="See what partners said and what IT is doing about it").click()
    page.wait_for_url(f"**/y/{get_survey(analysed_db, survey_id).slug}")
    assert page.get_by_role("heading", level=1).inner_text() == "You said, we did"
    action = page.locator(".public-action", has_text="Publish a delivery calendar")
    assert action.get_by_text("Every project's dates are now on the intranet, updated weekly.").is_visible()
    assert action.locator(".badge").inner_text() == "In progress"
    assert "Head of PMO" not in page.content()
    assert page.locator(".theme-shares li").count() >= 1, "the last wave's main themes are listed"
    assert all(url.startswith(live_url) for url in requested), "nothing may load from another host"

    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "public-you-said-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "public-you-said-1280.png"), full_page=True)
