"""BRM workspace pages: survey overview, themes list, theme page, curation forms, roles, thresholds."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from page_support import chart_svgs, page_text, sign_in

from survey.store import surveys as store
from survey.store.aggregates import save_wave_scores
from survey.store.invitations import generate_invitation_codes
from survey.store.responses import record_response
from survey.store.responses.release import release_waiting


def largest_seeded_theme(db, survey_id: int) -> tuple[str, str]:
    return db.execute("SELECT id, name FROM themes WHERE survey_id = ? AND kind = 'seeded' "
                      "ORDER BY units DESC, id LIMIT 1", [survey_id]).fetchone()


# --- a small survey built through the store (no analysis) ------------------------------------

@pytest.fixture
def small_survey(db):
    """Two waves: 'Big' with 6 responses (ratings and NPS known), 'Tiny' with 3; no analysis yet."""
    survey = store.create_survey(db, "Pulse")
    text = store.add_question(db, survey.id, "text", "What should IT change?")
    rating = store.add_question(db, survey.id, "rating", "How well does IT listen?")
    nps = store.add_question(db, survey.id, "nps", "Would you recommend IT?")
    questions = store.questions_for(db, survey.id)
    big = store.create_wave(db, survey.id, "Big", dt.date(2026, 1, 5), dt.date(2026, 1, 30), "invitation")
    tiny = store.create_wave(db, survey.id, "Tiny", dt.date(2026, 4, 6), dt.date(2026, 4, 30))
    codes = generate_invitation_codes(db, big.id, 12)
    for code, (stars, score) in zip(codes, [(5, 10), (4, 9), (3, 8), (2, 6), (4, 0), (5, 9)], strict=False):
        answers = {text.id: "Faster releases please.", rating.id: stars, nps.id: score}
        record_response(db, big, questions, answers, today=dt.date(2026, 1, 6), invitation_code=code)
    for stars in (1, 1, 2):
        record_response(db, tiny, questions, {rating.id: stars, nps.id: 0}, today=dt.date(2026, 4, 7))
    release_waiting(db, survey.id, 5)  # Big's six are released together; Tiny's three keep waiting
    save_wave_scores(db, survey.id)  # what run_analysis stores: pages show scores as of the last analysis
    return survey


def test_overview_shows_counts_rating_nps_and_response_rate_per_wave(staff_login, small_survey):
    client = staff_login("brm")
    text = page_text(client.get(f"/staff/surveys/{small_survey.id}/overview"))
    big_row = re.search(r"\(95% interval\) Big (.*?) Tiny", text).group(1)
    # 6 responses from 12 codes = 50%; mean rating 23/6 = 3.83; NPS: 3 promoters, 2 detractors of 6.
    assert big_row.split()[0] == "6"
    assert "50% of 12 codes" in big_row
    assert "3.83" in big_row
    assert "+17" in big_row
    assert "No analysis yet" in text and "rapport analyze" in text


def test_overview_suppresses_a_wave_under_the_threshold(staff_login, small_survey):
    client = staff_login("brm")
    text = page_text(client.get(f"/staff/surveys/{small_survey.id}/overview"))
    tiny_row = re.search(r"\(95% interval\) Big .*? Tiny (.*?) NPS =", text).group(1)
    assert "fewer than 5 so far" in tiny_row  # rule 7: its three responses wait for a batch of five
    assert not re.search(r"\b3\b|1\.33|-100", tiny_row)


def test_culture_leads_read_the_overview_but_not_the_theme_pages(staff_login, small_survey, db):
    client = staff_login("culture_lead")
    base = f"/staff/surveys/{small_survey.id}"
    with db.conn:
        db.conn.execute("INSERT INTO themes (survey_id, id, name, kind) "
                        "VALUES (?, 'speed', 'Speed', 'seeded')", [small_survey.id])
    assert client.get(f"{base}/overview").status_code == 200
    for url in (f"{base}/themes", f"{base}/themes/speed", "/staff/themes"):
        assert client.get(url).status_code == 403, url
    for action in ("rename", "merge", "split", "move", "accept", "dismiss"):
        response = client.post(f"{base}/themes/speed/{action}", data={"name": "X", "into": "speed"})
        assert response.status_code == 403, action
    assert db.execute("SELECT name FROM themes WHERE id = 'speed'").fetchone()[0] == "Speed"


def test_the_site_root_leads_to_the_staff_home_through_sign_in(client, staff_login):
    response = client.get("/")  # `make demo` prints http://127.0.0.1:5000: it used to be a 404
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    assert "/staff/login" in client.get("/staff/").headers["Location"]
    assert staff_login("brm").get("/", follow_redirects=True).request.path == "/staff/"


def test_a_falling_praise_theme_is_bad_news_and_a_falling_concern_good_news(app):
    with app.app_context():
        badge = app.jinja_env.get_template("workspace/_macros.html").module.marker_badge
        assert 'class="badge good"' in str(badge("falling", -0.10))  # a concern shrinks
        assert 'class="badge bad"' in str(badge("falling", 0.48))  # praise shrinks
        assert 'class="badge bad"' in str(badge("rising", None))  # no sentiment shown: a concern
        assert 'class="badge good"' in str(badge("rising", 0.48)) and "↑ Rising" in str(badge("rising", 0.48))


def test_signed_out_visitors_are_sent_to_sign_in(client, small_survey):
    for url in (f"/staff/surveys/{small_survey.id}/overview", f"/staff/surveys/{small_survey.id}/themes"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_the_navigation_links_overview_and_themes_for_brms_only_overview_for_culture_leads(
        staff_login, small_survey):
    brm_page = staff_login("brm").get("/staff/overview")  # one survey: straight to it
    assert brm_page.status_code == 302
    html = staff_login("brm").get(brm_page.headers["Location"]).get_data(as_text=True)
    assert 'href="/staff/overview"' in html and 'href="/staff/themes"' in html
    staff_login.logout()
    page = staff_login("culture_lead").get(f"/staff/surveys/{small_survey.id}/overview")
    html = page.get_data(as_text=True)
    assert 'href="/staff/overview"' in html and 'href="/staff/themes"' not in html


def test_an_unknown_survey_or_theme_is_404(staff_login, small_survey):
    client = staff_login("brm")
    assert client.get("/staff/surveys/999/overview").status_code == 404
    assert client.get(f"/staff/surveys/{small_survey.id}/themes/no-such-theme").status_code == 404


# --- pages over a real analysis -----------------------------------------------------------------

@pytest.mark.slow
def test_overview_shows_health_top_themes_changes_and_the_sentiment_chart(analysed):
    client, db, survey_id = analysed.client, analysed.db, analysed.survey_id
    sign_in(client, db, "brm")
    response = client.get(f"/staff/surveys/{survey_id}/overview")
    html, text = response.get_data(as_text=True), page_text(response)
    assert "Analysis last ran" in text
    (chart,) = chart_svgs(html)
    assert "Mean sentiment by wave" in chart
    assert "What changed since the previous wave" in text
    assert re.search(r"Mean sentiment ((rose|fell|went) from [+-]\d\.\d\d to|held at) [+-]\d\.\d\d", text)
    latest = db.execute("SELECT wave_id FROM trend_points WHERE survey_id = ? ORDER BY wave_id DESC LIMIT 1",
                        [survey_id]).fetchone()[0]
    top = db.execute(
        "SELECT themes.name, trend_points.share FROM trend_points JOIN themes ON themes.id = theme_id AND "
        "themes.survey_id = trend_points.survey_id WHERE trend_points.survey_id = ? AND wave_id = ? "
        "AND segment = '' AND theme_id != '' AND suppressed = 0 ORDER BY trend_points.share DESC LIMIT 1",
        [survey_id, latest]).fetchone()
    # The top theme may be a seeded theme or an emerging proposal (shown with a "Proposal" tag).
    assert re.search(rf"{re.escape(top[0])} (?:Proposal )?{100 * top[1]:.0f}%", text)


@pytest.mark.slow
def test_themes_page_lists_seeded_themes_and_proposals_with_size_share_sentiment_and_trend(analysed):
    client, db, survey_id = analysed.client, analysed.db, analysed.survey_id
    sign_in(client, db, "brm")
    response = client.get(f"/staff/surveys/{survey_id}/themes")
    text = page_text(response)
    theme_id, name = largest_seeded_theme(db, survey_id)
    units, share = db.execute("SELECT units, share FROM themes WHERE id = ?", [theme_id]).fetchone()
    assert re.search(rf"{re.escape(name)} .*?{units} \d+ {100 * share:.0f}%", text)
    assert "Emerging proposals" in text
    for (proposal,) in db.execute("SELECT name FROM themes WHERE kind = 'emerging'"):
        assert proposal in text
    (chart,) = chart_svgs(response.get_data(as_text=True))
    assert "Theme share by wave" in text and name in chart


@pytest.mark.slow
def test_every_figure_under_a_raised_threshold_is_shown_as_fewer_than(analysed):
    client, db, survey_id = analysed.client, analysed.db, analysed.survey_id
    analysed.app.config.update(MIN_GROUP_SIZE=10_000, MIN_QUOTE_GROUP_SIZE=10_000)
    sign_in(client, db, "brm")
    theme_id, _ = largest_seeded_theme(db, survey_id)
    overview = page_text(client.get(f"/staff/surveys/{survey_id}/overview"))
    assert "fewer than 10000" in overview
    assert not re.search(r"NPS [+-]\d", overview)
    themes = page_text(client.get(f"/staff/surveys/{survey_id}/themes"))
    assert not re.search(r"\d+%", themes)
    page = client.get(f"/staff/surveys/{survey_id}/themes/{theme_id}")
    quote_ids = db.execute("SELECT quote_unit_ids FROM themes WHERE id = ?", [theme_id]).fetchone()[0]
    for (quote,) in db.execute("SELECT text FROM units WHERE id IN (SELECT value FROM json_each(?))",
                               [quote_ids]):
        assert quote not in page.get_data(as_text=True)
    assert "Comments are shown only for themes raised by at least 10000 respondents" in page_text(page)


@pytest.mark.slow
def test_theme_page_shows_phrases_quotes_distribution_with_suppressed_cells_and_curation(analysed):
    client, db, survey_id = analysed.client, analysed.db, analysed.survey_id
    sign_in(client, db, "brm")
    theme_id, name = largest_seeded_theme(db, survey_id)
    # A cell the analysis suppressed: its figures never reach the page.
    wave_id, segment = db.execute(
        "SELECT wave_id, segment FROM trend_points WHERE theme_id = ? AND segment != '' "
        "ORDER BY responses LIMIT 1", [theme_id]).fetchone()
    with db.conn:
        db.conn.execute("UPDATE trend_points SET suppressed = 1, responses = 987654, share = 0.987654 "
                        "WHERE theme_id = ? AND wave_id = ? AND segment = ?", [theme_id, wave_id, segment])
    response = client.get(f"/staff/surveys/{survey_id}/themes/{theme_id}")
    html, text = response.get_data(as_text=True), page_text(response)
    assert f"<h1>{name}</h1>" in html
    phrases, quotes = db.execute("SELECT key_phrases, quote_unit_ids FROM themes WHERE id = ?",
                                 [theme_id]).fetchone()
    for (phrase,) in db.execute("SELECT value FROM json_each(?)", [phrases]):
        assert phrase in text
    quote_sql = "SELECT text FROM units WHERE id IN (SELECT value FROM json_each(?))"
    for (quote,) in db.execute(quote_sql, [quotes]):
        assert unescape(quote) in unescape(html)
    assert re.search(rf"{re.escape(segment)} .*fewer than 5", text)
    assert "987654" not in html and "99%" not in text
    for form in ("rename", "merge", "split", "move"):
        assert f"/themes/{theme_id}/{form}" in html


@pytest.mark.slow
def test_renaming_through_the_form_shows_at_once_and_bad_input_is_refused(analysed):
    client, db, survey_id = analysed.client, analysed.db, analysed.survey_id
    sign_in(client, db, "brm")
    theme_id, _ = largest_seeded_theme(db, survey_id)
    url = f"/staff/surveys/{survey_id}/themes/{theme_id}"
    response = client.post(f"{url}/rename", data={"name": "Delivery promises", "description": "Dates kept."})
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    assert "<h1>Delivery promises</h1>" in client.get(url).get_data(as_text=True)
    assert "Delivery promises" in page_text(client.get(f"/staff/surveys/{survey_id}/themes"))
    refused = client.post(f"{url}/rename", data={"name": "", "description": ""}, follow_redirects=True)
    assert "This field is required" in page_text(refused)
    assert db.execute("SELECT name FROM themes WHERE id = ?", [theme_id]).fetchone()[0] == "Delivery promises"


@pytest.mark.slow
def test_merging_and_dismissing_through_the_forms(analysed):
    client, db, survey_id = analysed.client, analysed.db, analysed.survey_id
    sign_in(client, db, "brm")
    into_id, _ = largest_seeded_theme(db, survey_id)
    source_id, source_units = db.execute(
        "SELECT id, units FROM themes WHERE kind = 'seeded' AND id != ? AND units > 0 ORDER BY units LIMIT 1",
        [into_id]).fetchone()
    before = db.execute("SELECT units FROM themes WHERE id = ?", [into_id]).fetchone()[0]
    response = client.post(f"/staff/surveys/{survey_id}/themes/{source_id}/merge", data={"into": into_id})
    assert response.headers["Location"].endswith(f"/themes/{into_id}")
    after = db.execute("SELECT units FROM themes WHERE id = ?", [into_id]).fetchone()[0]
    assert after == before + source_units
    # The merged theme's old link leads to where its comments went (issue 13).
    moved = client.get(f"/staff/surveys/{survey_id}/themes/{source_id}")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(f"/themes/{into_id}")
    proposal = db.execute("SELECT id FROM themes WHERE kind = 'emerging' LIMIT 1").fetchone()
    if proposal is None:
        pytest.skip("the analysis proposed no emerging theme for this corpus")
    response = client.post(f"/staff/surveys/{survey_id}/themes/{proposal[0]}/dismiss")
    assert response.headers["Location"].endswith(f"/staff/surveys/{survey_id}/themes")
    assert client.get(f"/staff/surveys/{survey_id}/themes/{proposal[0]}").status_code == 404
