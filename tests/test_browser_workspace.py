"""A BRM curates a theme in real headless Chromium, re-runs the analysis, and the curation holds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import BROWSER_MARKS, serve_over_http
from conftest import STAFF_PASSWORD

from survey import create_app
from survey.db import open_database
from survey.services.analysis import run_analysis
from survey.store.staff import create_staff_user

pytestmark = BROWSER_MARKS


@pytest.fixture
def database(analysed) -> str:
    create_staff_user(analysed.db, "brm-user", STAFF_PASSWORD, "brm")
    return analysed.path


@pytest.fixture
def served(database, tmp_path):
    return create_app({"DATABASE": database, "SECRET_KEY": "browser-test", "WTF_CSRF_ENABLED": True,
                       "RATELIMIT_ENABLED": False, "ANALYSIS_JOBS_DIR": str(tmp_path / "jobs")})


@pytest.fixture
def live_url(served) -> Iterator[str]:
    """The app, with CSRF on as in production, served over real HTTP from a thread."""
    with serve_over_http(served) as url:
        yield url


def test_a_brm_renames_a_theme_and_the_name_survives_re_analysis(browser, served, live_url, database):
    db = open_database(database)
    survey_id, theme_id, old_name = db.execute(
        "SELECT survey_id, id, name FROM themes WHERE kind = 'seeded' ORDER BY units DESC, id LIMIT 1"
    ).fetchone()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_url}/staff/login")
    page.get_by_label("Username").fill("brm-user")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_url}/staff/themes")  # the demo database holds one survey: straight to it
    page.get_by_role("link", name=old_name, exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == old_name
    page.get_by_label("Name", exact=True).fill("Keeping our delivery promises")
    page.get_by_role("button", name="Save name").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Keeping our delivery promises"
    assert page.get_by_role("status").first.inner_text() == "Theme renamed."

    runs_before = db.execute("SELECT COUNT(*) FROM analysis_runs WHERE status = 'done'").fetchone()[0]
    if "explore.analysis" in served.view_functions:  # the UI's "Run analysis" button
        page.goto(f"{live_url}/staff/surveys/{survey_id}/analysis")
        page.get_by_role("button", name="Run analysis now").click()
        page.get_by_text("Last run from this page finished").wait_for(timeout=240_000)
    else:
        run_analysis(db, survey_id)
    assert db.execute("SELECT COUNT(*) FROM analysis_runs WHERE status = 'done'").fetchone()[0] \
        == runs_before + 1

    page.goto(f"{live_url}/staff/surveys/{survey_id}/themes")
    page.get_by_role("link", name="Keeping our delivery promises", exact=True).click()
    assert page.url.endswith(f"/themes/{theme_id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Keeping our delivery promises"
    db.close()
