"""The BRM survey builder: surveys, questions, waves and invitation codes through the real app."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from page_support import hidden_fields

from survey import create_app
from survey.store import surveys as store
from survey.store.invitations import hash_secret, invitation_counts, normalise_invitation_code
from survey.store.responses import record_response
from survey.store.responses.release import release_waiting
from survey.store.staff import create_staff_user


@pytest.fixture
def brm(staff_login):
    return staff_login("brm")


@pytest.fixture
def survey(db):
    survey = store.create_survey(db, "IT partnership pulse", "Tell us how we are doing.")
    store.add_question(db, survey.id, "text", "What should IT change?", required=True)
    store.add_question(db, survey.id, "rating", "How satisfied are you with IT?")
    return survey


def wave_in(db, survey, access="public", label="2026 Q1"):
    start = dt.date.today()  # when used, not at import: a run may cross midnight
    return store.create_wave(db, survey.id, label, start, start + dt.timedelta(days=30), access)


def text(response):
    return response.get_data(as_text=True)


def test_staff_home_lists_surveys_with_wave_status_and_response_counts(brm, db, survey):
    wave = wave_in(db, survey)
    rating = store.questions_for(db, survey.id)[1]
    for _ in range(5):
        record_response(db, wave, store.questions_for(db, survey.id), {rating.id: 5})
    assert 'value="5">5</data></td>' not in text(brm.get("/staff/"))  # waiting for its batch (rule 7)
    release_waiting(db, survey.id, 5)
    page = text(brm.get("/staff/"))
    assert "IT partnership pulse" in page and "2026 Q1" in page
    assert 'class="badge open">Open<' in page
    assert 'value="5">5</data></td>' in page
    assert "New survey" in page


def test_creating_a_survey_prefills_the_privacy_note_and_leads_to_its_page(brm, db):
    form = text(brm.get("/staff/surveys/new"))
    assert "do not record your name" in form
    response = brm.post("/staff/surveys/new", data={"title": "Pulse", "introduction": "Hi",
                                                   "privacy_note": ""})
    assert response.status_code == 302
    created = store.list_surveys(db)[0]
    assert response.headers["Location"].endswith(f"/staff/surveys/{created.id}")
    assert (created.title, created.privacy_note) == ("Pulse", store.DEFAULT_PRIVACY_NOTE)
    assert "Add at least one open-text question" in text(brm.get(response.headers["Location"]))


def test_an_empty_title_is_refused_with_a_message_and_the_typed_text_is_kept(brm, db, survey):
    response = brm.post(f"/staff/surveys/{survey.id}", data={
        "title": " ", "introduction": "A carefully written new introduction", "privacy_note": "x"})
    assert response.status_code == 400
    assert "Give the survey a title." in text(response)
    assert "A carefully written new introduction" in text(response)
    assert store.get_survey(db, survey.id).introduction == "Tell us how we are doing."


def test_every_question_kind_can_be_added_in_order(brm, db, survey):
    for data in [
        {"kind": "nps", "prompt": "Would you recommend IT?"},
        {"kind": "choice", "prompt": "Main channel?", "options": "E-mail\nChat\n\nPhone", "required": "y"},
        {"kind": "segment", "prompt": "Your department", "options": "Sales\nFinance"},
    ]:
        assert brm.post(f"/staff/surveys/{survey.id}/questions", data=data).status_code == 302
    questions = store.questions_for(db, survey.id)
    assert [q.kind for q in questions] == ["text", "rating", "nps", "choice", "segment"]
    assert questions[3].options == ("E-mail", "Chat", "Phone") and questions[3].required
    page = text(brm.get(f"/staff/surveys/{survey.id}"))
    assert page.index("Would you recommend IT?") < page.index("Your department")
    assert "E-mail · Chat · Phone" in page


def test_a_choice_question_with_one_option_is_refused_and_the_prompt_is_kept(brm, db, survey):
    response = brm.post(f"/staff/surveys/{survey.id}/questions", data={
        "kind": "choice", "prompt": "Which tool do you use most?", "options": "Teams"})
    assert response.status_code == 400
    assert "Give at least two options, one per line." in text(response)
    assert "Which tool do you use most?" in text(response)
    assert len(store.questions_for(db, survey.id)) == 2


def test_a_second_segment_question_gets_the_store_message(brm, db, survey):
    store.add_question(db, survey.id, "segment", "Department", options=["A", "B"])
    response = brm.post(f"/staff/surveys/{survey.id}/questions", data={
        "kind": "segment", "prompt": "Business unit", "options": "X\nY"})
    assert response.status_code == 400
    assert "at most one segment question" in text(response)


def test_questions_are_moved_edited_and_deleted_with_buttons(brm, db, survey):
    text_q, rating = store.questions_for(db, survey.id)
    assert brm.post(f"/staff/questions/{rating.id}/move", data={"direction": "up"}).status_code == 302
    assert [q.id for q in store.questions_for(db, survey.id)] == [rating.id, text_q.id]
    edit_page = text(brm.get(f"/staff/questions/{rating.id}"))
    assert 'value="How satisfied are you with IT?"' in edit_page
    brm.post(f"/staff/questions/{rating.id}", data={"kind": "nps", "prompt": "Recommend us?"})
    assert store.get_question(db, rating.id).kind == "nps"
    brm.post(f"/staff/questions/{rating.id}/delete")
    assert [q.id for q in store.questions_for(db, survey.id)] == [text_q.id]


def test_a_move_with_an_unknown_direction_changes_nothing(brm, db, survey):
    before = store.questions_for(db, survey.id)
    response = brm.post(f"/staff/questions/{before[0].id}/move", data={"direction": "sideways"},
                        follow_redirects=True)
    assert "That move was not understood" in text(response)
    assert store.questions_for(db, survey.id) == before


def test_locked_questions_show_why_and_refuse_changes_while_texts_stay_editable(brm, db, survey):
    wave = wave_in(db, survey)
    questions = store.questions_for(db, survey.id)
    record_response(db, wave, questions, {questions[1].id: 3})
    page = text(brm.get(f"/staff/surveys/{survey.id}"))
    assert "Questions are locked." in page and "Add question" not in page and "Delete" not in page
    response = brm.post(f"/staff/questions/{questions[0].id}/delete", follow_redirects=True)
    assert "questions are locked" in text(response)
    response = brm.post(f"/staff/surveys/{survey.id}/questions", data={"kind": "text", "prompt": "New?"},
                        follow_redirects=True)
    assert "questions are locked" in text(response)
    assert store.questions_for(db, survey.id) == questions
    brm.post(f"/staff/surveys/{survey.id}", data={"title": "Renamed", "introduction": "", "privacy_note": ""})
    assert store.get_survey(db, survey.id).title == "Renamed"


def test_a_wave_cannot_be_created_without_an_open_text_question(brm, db):
    survey = store.create_survey(db, "Ratings only")
    store.add_question(db, survey.id, "rating", "Satisfied?")
    assert "has no open-text question yet" in text(brm.get(f"/staff/surveys/{survey.id}/waves/new"))
    response = brm.post(f"/staff/surveys/{survey.id}/waves/new", data={
        "label": "2026 Q1", "opens_on": "2026-01-01", "closes_on": "2026-03-31", "access": "public"})
    assert response.status_code == 400
    assert "Add at least one open-text question before opening a wave." in text(response)
    assert store.waves_for(db, survey.id) == []


@pytest.mark.parametrize("data, message", [
    ({"label": "2026 Q2", "opens_on": "2026-04-30", "closes_on": "2026-04-01"},
     "The closing date is before the opening date."),
    ({"label": "2026 Q1", "opens_on": "2026-04-01", "closes_on": "2026-06-30"},
     "already has a wave called &#39;2026 Q1&#39;"),
    ({"label": "", "opens_on": "2026-04-01", "closes_on": "2026-06-30"}, "Give the wave a label"),
    ({"label": "2026 Q2", "opens_on": "", "closes_on": "2026-06-30"}, "Choose the opening date."),
])
def test_bad_wave_input_gets_a_specific_message_and_keeps_the_input(brm, db, survey, data, message):
    wave_in(db, survey)
    response = brm.post(f"/staff/surveys/{survey.id}/waves/new", data={**data, "access": "invitation"})
    assert response.status_code == 400
    assert message in text(response)
    assert f'value="{data["closes_on"]}"' in text(response)
    assert len(store.waves_for(db, survey.id)) == 1


def test_creating_a_public_wave_shows_its_full_link_in_a_copy_field(brm, db, survey):
    response = brm.post(f"/staff/surveys/{survey.id}/waves/new", data={
        "label": "2026 Q1", "opens_on": (start := dt.date.today()).isoformat(),
        "closes_on": (start + dt.timedelta(days=7)).isoformat(), "access": "public"})
    wave = store.waves_for(db, survey.id)[0]
    assert response.headers["Location"].endswith(f"/staff/waves/{wave.id}")
    page = text(brm.get(response.headers["Location"]))
    assert f'value="http://localhost/s/{wave.token}" readonly' in page
    assert 'id="response-count">none yet<' in page and "Open" in page
    assert "Invitation codes" not in page


def test_editing_a_wave_changes_its_dates_and_keeps_its_link(brm, db, survey):
    wave = wave_in(db, survey)
    response = brm.post(f"/staff/waves/{wave.id}/edit", data={
        "label": "2026 Q1", "opens_on": "2026-01-05", "closes_on": "2026-02-05"})
    assert response.status_code == 302
    edited = store.get_wave(db, wave.id)
    assert (edited.opens_on, edited.closes_on, edited.token) == (
        dt.date(2026, 1, 5), dt.date(2026, 2, 5), wave.token)
    bad = brm.post(f"/staff/waves/{wave.id}/edit", data={
        "label": "2026 Q1", "opens_on": "2026-03-05", "closes_on": "2026-02-05"})
    assert bad.status_code == 400 and store.get_wave(db, wave.id) == edited


def test_invitation_codes_download_once_as_csv_and_are_stored_only_as_hashes(app, brm, db, survey):
    wave = wave_in(db, survey, access="invitation")
    page = text(brm.get(f"/staff/waves/{wave.id}"))
    assert "cannot show or send them again" in page and "<strong>0</strong> issued" in page
    response = brm.post(f"/staff/waves/{wave.id}/codes", data={"count": "25"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="codes-2026-q1.csv"'
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert len(rows) == 25 and len({row["code"] for row in rows}) == 25
    for row in rows:
        assert normalise_invitation_code(row["code"]) == row["code"]
        assert row["link"] == f"http://localhost/s/{wave.token}?code={row['code']}"
    stored = {r["code_hash"] for r in db["invitation_codes"].rows_where("wave_id = ?", [wave.id])}
    assert stored == {hash_secret(row["code"]) for row in rows}
    raw = b"".join(path.read_bytes() for path in Path(app.config["DATABASE"]).parent.glob("rapport.db*"))
    assert not any(row["code"].encode() in raw for row in rows)
    assert invitation_counts(db, wave.id) == (25, 0)
    page = text(brm.get(f"/staff/waves/{wave.id}"))
    assert "<strong>25</strong> issued · <strong>0</strong> answered" in page


@pytest.mark.parametrize("count, message", [
    ("0", "between 1 and 10,000"), ("10001", "between 1 and 10,000"), ("ten", "Not a valid integer"),
    ("", "Enter how many codes"),
])
def test_a_code_count_out_of_range_is_refused_and_nothing_is_stored(brm, db, survey, count, message):
    wave = wave_in(db, survey, access="invitation")
    response = brm.post(f"/staff/waves/{wave.id}/codes", data={"count": count})
    assert response.status_code == 400
    assert message in text(response)
    assert invitation_counts(db, wave.id) == (0, 0)


def test_codes_cannot_be_generated_for_a_public_wave(brm, db, survey):
    wave = wave_in(db, survey)
    response = brm.post(f"/staff/waves/{wave.id}/codes", data={"count": "5"})
    assert response.status_code == 400 and "public link" in text(response)
    assert invitation_counts(db, wave.id) == (0, 0)


def test_unknown_survey_question_and_wave_are_404(brm):
    for url in ["/staff/surveys/999", "/staff/questions/999", "/staff/waves/999"]:
        assert brm.get(url).status_code == 404


def test_a_post_without_csrf_token_is_refused_when_csrf_is_enabled(app, db):
    csrf_app = create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "test-secret",
                           "RATELIMIT_ENABLED": False})
    client = csrf_app.test_client()
    create_staff_user(db, "csrf-brm", "a long enough password", "brm")
    login_page = text(client.get("/staff/login"))
    token = hidden_fields(login_page)["csrf_token"]
    signed_in = client.post("/staff/login", data={
        "username": "csrf-brm", "password": "a long enough password", "csrf_token": token})
    assert signed_in.status_code == 302
    response = client.post("/staff/surveys/new", data={"title": "Forged", "introduction": ""})
    assert response.status_code == 400
    assert "This form expired" in text(response)
    assert store.list_surveys(db) == []


def test_a_locked_survey_can_be_copied_into_a_new_unlocked_one(brm, db, survey):
    wave = wave_in(db, survey)
    questions = store.questions_for(db, survey.id)
    record_response(db, wave, questions, {questions[1].id: 3})
    response = brm.post(f"/staff/surveys/{survey.id}/copy")
    copy = next(s for s in store.list_surveys(db) if s.id != survey.id)
    assert response.headers["Location"].endswith(f"/staff/surveys/{copy.id}")
    assert copy.title == "Copy of IT partnership pulse"
    assert [(q.kind, q.prompt, q.required) for q in store.questions_for(db, copy.id)] == [
        (q.kind, q.prompt, q.required) for q in questions]
    assert store.waves_for(db, copy.id) == [] and not store.has_responses(db, copy.id)
    assert "Add question" in text(brm.get(response.headers["Location"]))
