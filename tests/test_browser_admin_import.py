"""An admin imports a Qualtrics export in headless Chromium (upload, mapping, import) with CSRF on,
then reads "Settings and backups"; screenshots at 1280 and 390 px go to ``screenshots/``."""

from __future__ import annotations

import datetime as dt
import pathlib
from collections.abc import Iterator

import pytest
from browser_support import BROWSER_MARKS, SCREENSHOTS, serve_over_http
from conftest import STAFF_PASSWORD

from survey import create_app
from survey.db import open_migrated
from survey.store.staff import create_staff_user
from survey.store.surveys import add_question, create_survey, create_wave

pytestmark = BROWSER_MARKS
QUALTRICS_FILE = pathlib.Path(__file__).parent / "data" / "tool_exports" / "qualtrics_responses.csv"


@pytest.fixture
def live_url(tmp_path) -> Iterator[str]:
    database = str(tmp_path / "rapport.db")
    db = open_migrated(database)
    create_staff_user(db, "admin-user", STAFF_PASSWORD, "admin")
    survey = create_survey(db, "Imported partnership pulse")
    add_question(db, survey.id, "segment", "Which department do you work in?",
                 options=["Finance", "HR", "Operations", "Sales", "Legal"])
    add_question(db, survey.id, "rating", "How well does IT listen to you?")
    add_question(db, survey.id, "text", "What should IT change?")
    create_wave(db, survey.id, "2026 Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    db.close()
    app = create_app({"DATABASE": database, "SECRET_KEY": "browser-test", "WTF_CSRF_ENABLED": True,
                      "RATELIMIT_ENABLED": False, "REPLICA_URL": str(tmp_path / "replica"),
                      "LITESTREAM_CONFIG": str(tmp_path / "litestream.yml")})
    with serve_over_http(app) as url:
        yield url


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_imports_a_qualtrics_export_and_reads_the_backup_page(browser, live_url, width):
    SCREENSHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_url}/staff/login")
    page.get_by_label("Username").fill("admin-user")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_url}/staff/admin/import/")
    page.get_by_label("Export file (CSV)").set_input_files(str(QUALTRICS_FILE))
    page.get_by_role("button", name="Check the file").click()
    assert "Map the Qualtrics columns" in page.get_by_role("heading", level=2).first.inner_text()
    page.get_by_label("Q2_1").select_option(label="How well does IT listen to you? (scale 1-5, q2)")
    page.screenshot(path=str(SCREENSHOTS / f"admin-import-mapping-{width}.png"), full_page=True)
    with page.expect_navigation(timeout=300_000):  # redaction loads spaCy in the server's thread
        page.get_by_role("button", name="Import all 40 responses").click(no_wait_after=True)
    assert "Imported 40 responses" in page.get_by_role("status").first.inner_text()

    page.goto(f"{live_url}/staff/admin/system")
    assert page.get_by_role("heading", level=1).inner_text() == "Settings and backups"
    assert "The replica holds nothing yet" in page.content()
    assert "browser-test" not in page.content()
    page.screenshot(path=str(SCREENSHOTS / f"admin-settings-backups-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
