"""Issue 14, partner side: truthful privacy text, computed question count, scale ends, thanks and
closed pages, the BRM's preview (stores nothing), "close wave now", favicon, dates and breadcrumbs."""

from __future__ import annotations

import datetime as dt
import re

from conftest import STAFF_PASSWORD, StaffLogin
from page_support import hidden_fields

from survey import create_app
from survey.store.staff import create_staff_user
from survey.store.surveys import add_question, create_survey, create_wave, get_wave, update_survey

TABLES_A_SUBMISSION_WRITES = ("responses", "answers", "used_form_tokens", "released_responses")


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _counts(db) -> dict[str, int]:
    names = set(db.table_names())
    return {
        name: db.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]
        for name in TABLES_A_SUBMISSION_WRITES
        if name in names
    }


def test_the_privacy_note_says_everything_once_and_tells_the_truth_about_the_cookie(db, client, partner_wave):
    wave = partner_wave()
    old_copy = (
        "This survey is anonymous. We store your answers and nothing else: no cookie. "
        "Write to brm@example.org with questions."
    )
    update_survey(db, wave.survey_id, "IT partnership pulse", "Tell us how IT works with you.", old_copy)
    page = _text(client.get(f"/s/{wave.token}").get_data(as_text=True))
    assert page.count("anonymous") == 1, "the standard heading only, not the survey's copy of it"
    assert "no cookie" not in page and "never store: your name, your e-mail, your IP address" in page
    assert page.count("cookie") == 1 and "One session cookie protects this form" in page
    assert "remembers in this browser that you have answered" in page
    assert "From the survey team: Write to brm@example.org with questions." in page


def test_the_intro_counts_the_questions_and_scale_ends_follow_the_question_text(db, client):
    survey = create_survey(db, "Pulse", "Tell us.")
    add_question(
        db,
        survey.id,
        "rating",
        "How well does IT support you? (1 = very poorly, 5 = very well)",
        required=True,
    )
    add_question(db, survey.id, "nps", "Would you recommend IT?")
    add_question(db, survey.id, "text", "What should change?")
    today = dt.date.today()
    wave = create_wave(db, survey.id, "W1", today, today + dt.timedelta(days=9), "public")
    page = _text(client.get(f"/s/{wave.token}").get_data(as_text=True))
    assert "3 questions, 1 of them required." in page
    assert "1 · Very poorly 5 · Very well" in page and "Very poor " not in page
    assert "0 · Not at all likely 10 · Extremely likely" in page


def test_thanks_says_nothing_was_saved_unless_this_browser_just_submitted(db, app, partner_wave):
    wave = partner_wave()
    stranger = app.test_client()
    page = _text(stranger.get(f"/s/{wave.token}/thanks").get_data(as_text=True))
    assert "Nothing has been saved from this browser" in page and "your answers are saved" not in page
    partner = app.test_client()
    form = hidden_fields(partner.get(f"/s/{wave.token}").get_data(as_text=True))
    questions = db.execute(
        "SELECT id, kind FROM questions WHERE survey_id = ? ORDER BY position", [wave.survey_id]
    ).fetchall()
    answers = {
        f"q{qid}": ("Faster laptops" if kind == "text" else "4")
        for qid, kind in questions
        if kind in ("text", "rating")
    }
    sent = partner.post(f"/s/{wave.token}", data={**form, **answers})
    assert sent.status_code in (302, 303), sent.get_data(as_text=True)[:500]
    assert "Thank you, your answers are saved" in _text(
        partner.get(f"/s/{wave.token}/thanks").get_data(as_text=True)
    )


def test_the_closed_page_links_to_you_said_we_did(db, client, partner_wave):
    wave = partner_wave(opens_in_days=-20, closes_in_days=-1)
    response = client.get(f"/s/{wave.token}")
    slug = db.execute("SELECT slug FROM surveys WHERE id = ?", [wave.survey_id]).fetchone()[0]
    assert response.status_code == 410 and f'href="/y/{slug}"' in response.get_data(as_text=True)


def test_the_preview_shows_the_partner_form_and_stores_nothing(db, client, staff_login, partner_wave):
    wave = partner_wave()
    staff_login("brm")
    before = _counts(db)
    page = client.get(f"/staff/waves/{wave.id}/preview").get_data(as_text=True)
    assert (
        "Preview." in page
        and "What should IT change?" in page
        and f'action="/staff/waves/{wave.id}/preview"' in page
    )
    questions = db.execute("SELECT id, kind FROM questions WHERE survey_id = ?", [wave.survey_id]).fetchall()
    answers = {
        f"q{qid}": ("A real answer" if kind == "text" else "5")
        for qid, kind in questions
        if kind in ("text", "rating")
    }
    checked = client.post(f"/staff/waves/{wave.id}/preview", data={**hidden_fields(page), **answers})
    assert (
        checked.status_code == 200
        and "these answers would be accepted. Nothing was saved" in checked.get_data(as_text=True)
    )
    missing = client.post(f"/staff/waves/{wave.id}/preview", data=hidden_fields(page)).get_data(as_text=True)
    assert "a partner would see these messages" in missing and "it is required" in missing
    assert _counts(db) == before, "a preview writes no row"


def test_with_csrf_on_the_preview_checks_answers_under_the_staff_session(app, db, partner_wave):
    """The preview is a staff page: its form's CSRF token is the staff session's, not the partner cookie's."""
    wave = partner_wave()
    strict = create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "test-secret",
                         "RATELIMIT_ENABLED": False})
    client = strict.test_client()
    create_staff_user(db, "brm-user", STAFF_PASSWORD, "brm")
    login = hidden_fields(client.get("/staff/login").get_data(as_text=True))
    assert client.post("/staff/login", data={**login, "username": "brm-user",
                                             "password": STAFF_PASSWORD}).status_code == 302
    page = client.get(f"/staff/waves/{wave.id}/preview").get_data(as_text=True)
    rating = db.execute("SELECT id FROM questions WHERE survey_id = ? AND kind = 'rating'",
                        [wave.survey_id]).fetchone()[0]
    text = db.execute("SELECT id FROM questions WHERE survey_id = ? AND kind = 'text'",
                      [wave.survey_id]).fetchone()[0]
    answers = {f"q{text}": "A real answer", f"q{rating}": "4"}
    checked = client.post(f"/staff/waves/{wave.id}/preview", data={**hidden_fields(page), **answers})
    assert checked.status_code == 200
    assert "these answers would be accepted" in checked.get_data(as_text=True)
    forged = client.post(f"/staff/waves/{wave.id}/preview",
                         data={**hidden_fields(page), **answers, "csrf_token": "forged"})
    assert forged.status_code == 400


def test_close_wave_now_closes_the_link_at_once(db, client, staff_login, partner_wave):
    wave = partner_wave(opens_in_days=-3)
    staff_login("brm")
    assert "Close wave now" in client.get(f"/staff/waves/{wave.id}").get_data(as_text=True)
    closed = client.post(f"/staff/waves/{wave.id}/close", follow_redirects=True).get_data(as_text=True)
    assert "is closed" in closed and "Close wave now" not in closed
    assert get_wave(db, wave.id).status(dt.date.today()) == "closed"
    assert client.get(f"/s/{wave.token}").status_code == 410
    again = client.post(f"/staff/waves/{wave.id}/close", follow_redirects=True).get_data(as_text=True)
    assert "is not open, so there is nothing to close" in again


def test_a_wave_opened_today_can_be_closed_now(db, client, staff_login, partner_wave):
    wave = partner_wave()
    staff_login("brm")
    client.post(f"/staff/waves/{wave.id}/close")
    assert get_wave(db, wave.id).status(dt.date.today()) == "closed"


def test_a_local_favicon_is_linked_and_served(client):
    import base64
    import re

    page = client.get("/staff/login").get_data(as_text=True)
    inline = re.search(r'rel="icon" type="image/svg\+xml" href="data:image/svg\+xml;base64,([^"]+)"', page)
    assert inline and b"<svg" in base64.b64decode(inline.group(1)), "inline: the browser fetches nothing"
    for path in ("/static/favicon.svg", "/favicon.ico"):
        with client.get(path) as response:
            assert response.status_code == 200 and b"<svg" in response.data


def test_dates_read_one_way_and_breadcrumbs_end_with_the_page(db, client, staff_login, partner_wave):
    wave = partner_wave()
    staff_login("brm")
    for url in (
        f"/staff/waves/{wave.id}",
        f"/staff/waves/{wave.id}/edit",
        f"/staff/surveys/{wave.survey_id}",
        f"/staff/surveys/{wave.survey_id}/waves/new",
        "/staff/surveys/new",
        f"/staff/surveys/{wave.survey_id}/overview",
    ):
        html = client.get(url).get_data(as_text=True)
        crumb = re.search(r'<p class="breadcrumb">(.*?)</p>', html, re.S)
        assert crumb and re.search(r'<span aria-current="page">[^<]+</span>\s*$', crumb[1]), (url, crumb)
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", _text(html)), (url, "ISO dates are for machines")
    closes = wave.closes_on
    assert f"{closes.day} {closes:%B %Y}" in client.get(f"/staff/waves/{wave.id}").get_data(as_text=True)
    StaffLogin(client, db).logout()
    assert f"open until {closes.day} {closes:%B %Y}" in client.get(f"/s/{wave.token}").get_data(as_text=True)
