"""Responses browser, segment x theme heat map and analysis runs page, on a really analysed survey."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlite_utils
from page_support import chart_svgs

from survey.store.browse import PAGE_SIZE, UnitFilter, browse_units
from survey.store.responses import record_response
from survey.store.surveys import add_question, create_survey, create_wave, questions_for

TOO_FEW = "Fewer than 5 responses match; widen the filter"

#: (segment, respondents, comment): Legal has fewer respondents than the quote threshold.
COMMENTS = [
    ("Finance", 4, "The firewall change requests take weeks and deadlines slip every quarter."),
    ("Finance", 4, "Our internal customer tickets wait for days at the service desk."),
    ("Finance", 6, "The project landed months late and over budget, nobody told us why."),
    ("HR", 4, "IT listens to us and the new payroll tools work really well together."),
    ("HR", 4, "Deadlines were missed again and the business was not informed."),
    ("HR", 6, "Training on the new systems was excellent, thank you."),
    ("Legal", 3, "The escrow archive migration is still broken after a year."),
]
SECRET_LEGAL_WORD = "escrow"


def build_explore_survey(db: sqlite_utils.Database) -> None:
    """31 responses in three segments (Legal under the quote threshold), through the real store."""
    survey = create_survey(db, "Explore pulse", "How does IT work with you?")
    text = add_question(db, survey.id, "text", "What should IT change?", required=True)
    segment = add_question(db, survey.id, "segment", "Your department",
                           options=["Finance", "HR", "Legal"])
    today = dt.date.today()
    wave = create_wave(db, survey.id, "2026 Q1", today, today + dt.timedelta(days=30), "public")
    questions = questions_for(db, survey.id)
    for department, respondents, comment in COMMENTS:
        for _ in range(respondents):
            record_response(db, wave, questions, {text.id: comment, segment.id: department})


@pytest.fixture
def analysed(analysed_copy):
    """This test's copy of the analysed explore survey (overrides conftest's demo survey)."""
    return analysed_copy(build_explore_survey)


@pytest.fixture
def app(analysed):
    """Overrides conftest's app: the app on this test's copy of the analysed survey."""
    return analysed.app


@pytest.fixture
def survey_id(analysed) -> int:
    return analysed.survey_id


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    return response.get_data(as_text=True)


def shown_texts(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", text) for text in re.findall(r'<p class="browse-text">(.*?)</p>', html)]


pytestmark = pytest.mark.slow


# --- Roles -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["responses", "segments", "analysis"])
def test_the_pages_are_for_brms_only(staff_login, survey_id, path):
    client = staff_login("culture_lead")
    assert client.get(f"/staff/surveys/{survey_id}/{path}").status_code == 403
    assert client.get(f"/staff/{path}").status_code == 403
    staff_login.logout()
    assert staff_login("admin").get(f"/staff/surveys/{survey_id}/{path}").status_code == 200
    staff_login.logout()
    assert staff_login("brm").get(f"/staff/surveys/{survey_id}/{path}").status_code == 200


def test_starting_a_run_is_for_brms_only(staff_login, survey_id, app):
    response = staff_login("culture_lead").post(f"/staff/surveys/{survey_id}/analysis")
    assert response.status_code == 403
    anonymous = app.test_client().post(f"/staff/surveys/{survey_id}/analysis")
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]


def test_the_staff_navigation_links_the_new_pages(staff_login):
    html = page(staff_login("brm"), "/staff/")
    for endpoint in ("/staff/responses", "/staff/segments", "/staff/analysis"):
        assert f'href="{endpoint}"' in html


# --- Responses browser -------------------------------------------------------------------------------

def test_browsing_shows_redacted_units_with_theme_sentiment_and_flags(staff_login, survey_id, db):
    html = page(staff_login("brm"), f"/staff/surveys/{survey_id}/responses")
    texts = shown_texts(html)
    assert len(texts) == PAGE_SIZE
    assert re.search(r'class="badge theme-badge" href="/staff/surveys/\d+/themes/[^"]+">', html)
    assert re.search(r'class="badge sentiment-label [a-z-]+">(Very negative|Negative|Neutral|Positive|'
                     r'Very positive)<', html)
    flagged = db.execute("SELECT COUNT(*) FROM units WHERE flag_count > 0").fetchone()[0]
    assert flagged > 0
    flagged_page = page(staff_login("brm"), f"/staff/surveys/{survey_id}/responses?flag=yes")
    assert "<mark title=" in flagged_page
    assert len(shown_texts(flagged_page)) == len(re.findall(r'<li class="browse-item">', flagged_page))
    for item in re.findall(r'<li class="browse-item">(.*?)</li>\s*(?=<li class="browse-item">|</ol>)',
                           flagged_page, re.S):
        assert "<mark" in item


def test_units_of_a_group_below_the_quote_threshold_never_appear(staff_login, survey_id, db):
    assert db.execute("SELECT COUNT(*) FROM units WHERE text LIKE ?",
                      [f"%{SECRET_LEGAL_WORD}%"]).fetchone()[0] == 3
    client = staff_login("brm")
    for number in (1, 2, 3, 4):
        html = page(client, f"/staff/surveys/{survey_id}/responses?page={number}")
        assert SECRET_LEGAL_WORD not in html


def test_a_segment_filter_below_the_quote_threshold_shows_no_text(staff_login, survey_id):
    html = page(staff_login("brm"), f"/staff/surveys/{survey_id}/responses?segment=Legal")
    assert TOO_FEW in html
    assert SECRET_LEGAL_WORD not in html and shown_texts(html) == []


def test_a_search_matching_fewer_respondents_than_the_threshold_shows_no_text(staff_login, survey_id):
    client = staff_login("brm")
    firewall = page(client, f"/staff/surveys/{survey_id}/responses?q=firewall")  # 4 Finance respondents
    assert TOO_FEW in firewall and "firewall change requests" not in firewall
    legal = page(client, f"/staff/surveys/{survey_id}/responses?q={SECRET_LEGAL_WORD}")
    assert TOO_FEW in legal and "archive migration" not in legal


def test_full_text_search_stems_words_and_combines_with_filters(staff_login, survey_id):
    client = staff_login("brm")
    html = page(client, f"/staff/surveys/{survey_id}/responses?q=deadline")  # porter: deadlines too
    texts = shown_texts(html)
    assert len(texts) == 8 and all("eadline" in text for text in texts)
    finance = shown_texts(page(client, f"/staff/surveys/{survey_id}/responses?q=deadline&segment=Finance"))
    assert finance == []  # only 4 Finance respondents wrote it: below the threshold
    assert TOO_FEW in page(client, f"/staff/surveys/{survey_id}/responses?q=deadline&segment=Finance")
    assert TOO_FEW in page(client, f"/staff/surveys/{survey_id}/responses?q=deadline&segment=HR")


def test_a_search_with_fts_syntax_is_taken_literally(staff_login, survey_id):
    html = page(staff_login("brm"), f'/staff/surveys/{survey_id}/responses?q="service desk" OR (')
    assert TOO_FEW in html  # quoted, not an FTS syntax error; 4 respondents wrote "service desk"


def test_sentiment_and_wave_filters_narrow_the_list(staff_login, survey_id, db):
    label, count = db.execute(
        "SELECT sentiment_label, COUNT(DISTINCT response_id) FROM units WHERE segment != 'Legal' "
        "GROUP BY sentiment_label ORDER BY 2 DESC LIMIT 1").fetchone()
    assert count >= 5
    html = page(staff_login("brm"), f"/staff/surveys/{survey_id}/responses?sentiment={label}")
    assert shown_texts(html)
    labels = set(re.findall(r'class="badge sentiment-label [a-z-]+">([A-Za-z ]+)<', html))
    assert labels == {label.capitalize()}


def test_pages_do_not_overlap_and_stop(app, db, survey_id):
    first = browse_units(db, survey_id, UnitFilter(), min_quote_group_size=5, page=1)
    second = browse_units(db, survey_id, UnitFilter(), min_quote_group_size=5, page=2)
    assert first.has_next and len(first.units) == PAGE_SIZE
    assert not {u.unit_id for u in first.units} & {u.unit_id for u in second.units}
    quotable = db.execute("SELECT COUNT(*) FROM units WHERE segment != 'Legal'").fetchone()[0]
    assert first.matches == quotable
    assert not second.has_next and len(second.units) == quotable - PAGE_SIZE


def test_the_search_index_follows_inserts_text_edits_and_deletes(app, db, survey_id):
    unit_id = db.execute("SELECT id FROM units WHERE segment = 'HR' LIMIT 1").fetchone()[0]

    def hits(word: str) -> int:
        return db.execute("SELECT COUNT(*) FROM units_fts WHERE units_fts MATCH ?", [word]).fetchone()[0]

    assert hits("zeppelin") == 0
    with db.conn:
        db.conn.execute("UPDATE units SET text = 'The zeppelin project' WHERE id = ?", [unit_id])
    assert hits("zeppelin") == 1
    with db.conn:
        db.conn.execute("UPDATE units SET theme_id = theme_id WHERE id = ?", [unit_id])
    assert hits("zeppelin") == 1
    with db.conn:
        db.conn.execute("DELETE FROM units WHERE id = ?", [unit_id])
    assert hits("zeppelin") == 0


# --- Segments heat map -------------------------------------------------------------------------------

def _distinctive_suppressed_cell(db, survey_id) -> None:
    """Give a suppressed cell values no other cell has, so the page can be grepped for them."""
    cell = db.execute(
        "SELECT wave_id, segment, theme_id FROM trend_points AS cell WHERE survey_id = ? "
        "AND suppressed = 1 AND segment != '' AND theme_id IN (SELECT theme_id FROM trend_points "
        "WHERE survey_id = cell.survey_id AND segment = '' AND theme_id != '' AND suppressed = 0) LIMIT 1",
        [survey_id]).fetchone()
    assert cell is not None
    with db.conn:
        db.conn.execute("UPDATE trend_points SET share = 0.777, sentiment_mean = -0.777, units = 77, "
                        "responses = 3 WHERE survey_id = ? AND wave_id = ? AND segment = ? AND theme_id = ?",
                        [survey_id, *cell])
    others = db.execute("SELECT share, sentiment_mean FROM trend_points WHERE survey_id = ? AND "
                        "suppressed = 0", [survey_id]).fetchall()
    assert all(round(100 * (share or 0)) != 78 and round(sentiment or 0, 2) != -0.78
               for share, sentiment in others)


@pytest.mark.parametrize("metric, hidden", [("share", "78%"), ("sentiment", "-0.78")])
def test_suppressed_heat_map_cells_are_greyed_and_their_numbers_never_appear(
    staff_login, survey_id, db, metric, hidden
):
    _distinctive_suppressed_cell(db, survey_id)
    html = page(staff_login("brm"), f"/staff/surveys/{survey_id}/segments?metric={metric}")
    assert '<td class="num cell-suppressed"><span class="suppressed">fewer than 5</span></td>' in html
    assert hidden not in html and hidden.replace("-", "−") not in html
    (svg,) = chart_svgs(html)
    assert "&lt;5" in svg or "<5" in svg
    assert hidden not in svg and hidden.replace("-", "−") not in svg
    rows = re.findall(r'<th scope="row">(\w+)</th>', html)
    assert rows == ["Finance", "HR", "Legal"]


def test_the_heat_map_table_shows_the_stored_shares(staff_login, survey_id, db):
    share, name = db.execute(
        "SELECT trend_points.share, themes.name FROM trend_points JOIN themes ON themes.id = theme_id "
        "AND themes.survey_id = trend_points.survey_id WHERE trend_points.survey_id = ? AND segment = 'HR' "
        "AND suppressed = 0 AND theme_id != '' ORDER BY trend_points.share DESC LIMIT 1",
        [survey_id]).fetchone()
    html = page(staff_login("brm"), f"/staff/surveys/{survey_id}/segments")
    assert f">{name}</th>" in html
    hr_row = re.search(r'<th scope="row">HR</th>(.*?)</tr>', html, re.S).group(1)
    assert f"{100 * share:.0f}%" in hr_row


def test_an_unknown_wave_is_not_found(staff_login, survey_id):
    assert staff_login("brm").get(f"/staff/surveys/{survey_id}/segments?wave=9999").status_code == 404


# --- Analysis runs page ------------------------------------------------------------------------------

def test_the_analysis_page_lists_runs_and_offers_the_button(staff_login, survey_id):
    html = page(staff_login("brm"), f"/staff/surveys/{survey_id}/analysis")
    assert "Run analysis now" in html
    assert re.search(r'<span class="badge good">Done</span>', html)
    assert "all-MiniLM-L6-v2" in html or "lexicon" in html
    assert 'http-equiv="refresh"' not in html


def test_malformed_or_stale_parameters_still_answer(staff_login, survey_id):
    client = staff_login("brm")
    html = page(client, f"/staff/surveys/{survey_id}/responses?page=abc&wave=xyz&theme=gone")
    assert TOO_FEW in html  # an unknown theme matches nobody
    deep = page(client, f"/staff/surveys/{survey_id}/responses?page=999")
    assert "Page 40" in deep and shown_texts(deep) == []  # clamped to the deepest page offered
    assert client.get(f"/staff/surveys/{survey_id}/segments?wave=abc").status_code == 200
