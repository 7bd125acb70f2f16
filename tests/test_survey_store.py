"""The survey store: surveys, questions (order, edit, delete, lock) and waves."""

import datetime as dt

import pytest

from survey.errors import InvalidInput, NotFound, SurveyLocked
from survey.store import surveys as store
from survey.store.responses import record_response
from survey.store.responses.release import release_waiting
from survey.store.staff import create_staff_user, set_staff_user_active

JAN_1, MAR_31 = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


@pytest.fixture
def survey(db):
    return store.create_survey(db, "IT partnership pulse", "Tell us how we are doing.")


def kinds_and_prompts(db, survey_id):
    return [(q.kind, q.prompt) for q in store.questions_for(db, survey_id)]


def add_three(db, survey_id):
    first = store.add_question(db, survey_id, "text", "What should IT change?")
    second = store.add_question(db, survey_id, "rating", "How satisfied are you?")
    third = store.add_question(db, survey_id, "segment", "Your department", options=["Sales", "Finance"])
    return first, second, third


def lock(db, survey_id):
    """Store a real response (a rating only, so no redaction model is needed)."""
    wave = store.create_wave(db, survey_id, "2026 Q1", JAN_1, MAR_31)
    rating = next(q for q in store.questions_for(db, survey_id) if q.kind == "rating")
    record_response(db, wave, store.questions_for(db, survey_id), {rating.id: 4}, today=JAN_1)
    return wave


def test_an_empty_privacy_note_becomes_the_default_note_that_says_what_is_recorded(db):
    survey = store.create_survey(db, "Pulse", privacy_note="  ")
    assert survey.privacy_note == store.DEFAULT_PRIVACY_NOTE
    assert "do not record your name" in survey.privacy_note and "removed before" in survey.privacy_note
    assert store.update_survey(db, survey.id, "Pulse", "", "Our own note.").privacy_note == "Our own note."


def test_a_blank_title_is_refused_and_the_old_title_kept(db, survey):
    with pytest.raises(InvalidInput, match="needs a title"):
        store.update_survey(db, survey.id, "  ", "new intro", "")
    assert store.get_survey(db, survey.id).title == "IT partnership pulse"


def test_questions_move_up_and_down_and_stop_at_either_end(db, survey):
    text, rating, segment = add_three(db, survey.id)
    store.move_question(db, segment.id, -1)
    assert [q.id for q in store.questions_for(db, survey.id)] == [text.id, segment.id, rating.id]
    store.move_question(db, text.id, -1)
    store.move_question(db, rating.id, +1)
    order = store.questions_for(db, survey.id)
    assert [q.id for q in order] == [text.id, segment.id, rating.id]
    assert [q.position for q in order] == [1, 2, 3]


def test_deleting_a_question_closes_the_gap_in_the_order(db, survey):
    text, rating, segment = add_three(db, survey.id)
    store.delete_question(db, rating.id)
    assert [(q.id, q.position) for q in store.questions_for(db, survey.id)] == [(text.id, 1), (segment.id, 2)]
    with pytest.raises(NotFound):
        store.get_question(db, rating.id)


def test_updating_a_question_changes_it_in_place(db, survey):
    _, rating, _ = add_three(db, survey.id)
    updated = store.update_question(db, rating.id, "choice", "Preferred channel?", required=True,
                                    options=["E-mail", " Chat ", ""])
    assert updated.position == rating.position
    assert (updated.kind, updated.prompt, updated.required, updated.options) == (
        "choice", "Preferred channel?", True, ("E-mail", "Chat"))


@pytest.mark.parametrize("options, message", [
    (["Only one"], "at least two options"),
    (["Same", "Same"], "must be different"),
])
def test_choice_options_are_checked(db, survey, options, message):
    with pytest.raises(InvalidInput, match=message):
        store.add_question(db, survey.id, "choice", "Pick one", options=options)
    assert store.questions_for(db, survey.id) == []


def test_a_survey_has_at_most_one_segment_question_also_when_editing(db, survey):
    text, _, _ = add_three(db, survey.id)
    with pytest.raises(InvalidInput, match="at most one segment"):
        store.update_question(db, text.id, "segment", "Unit", options=["A", "B"])
    store.update_question(db, store.questions_for(db, survey.id)[2].id, "segment", "Unit", options=["A", "B"])


def test_the_last_open_text_question_stays_while_the_survey_has_waves(db, survey):
    text, rating, _ = add_three(db, survey.id)
    later = dt.date.today() + dt.timedelta(days=30)  # a scheduled wave: its questions may still change
    store.create_wave(db, survey.id, "Next quarter", later, later + dt.timedelta(days=30))
    with pytest.raises(InvalidInput, match="at least one open-text"):
        store.delete_question(db, text.id)
    with pytest.raises(InvalidInput, match="at least one open-text"):
        store.update_question(db, text.id, "rating", "How satisfied?")
    store.update_question(db, rating.id, "text", "Anything else?")
    store.delete_question(db, text.id)
    assert [q.kind for q in store.questions_for(db, survey.id)] == ["text", "segment"]


def test_questions_lock_once_responses_exist_but_texts_stay_editable(db, survey):
    text, rating, segment = add_three(db, survey.id)
    lock(db, survey.id)
    before = kinds_and_prompts(db, survey.id)
    attempts = [
        lambda: store.add_question(db, survey.id, "text", "New?"),
        lambda: store.update_question(db, text.id, "text", "Changed?"),
        lambda: store.delete_question(db, rating.id),
        lambda: store.move_question(db, segment.id, -1),
    ]
    for attempt in attempts:
        with pytest.raises(SurveyLocked, match="locked"):
            attempt()
    assert kinds_and_prompts(db, survey.id) == before
    assert store.update_survey(db, survey.id, "Renamed", "New intro", "").title == "Renamed"


def test_questions_lock_when_a_wave_opens_not_when_the_first_answer_arrives(db, survey):
    """Rule 7: a lock that came with the first answer would tell staff that someone answered."""
    add_three(db, survey.id)
    today = dt.date.today()
    wave = store.create_wave(db, survey.id, "Next quarter", today + dt.timedelta(days=7),
                             today + dt.timedelta(days=30))
    assert not store.questions_locked(db, survey.id)
    store.update_wave(db, wave.id, wave.label, today, wave.closes_on)  # it opens: no answer yet
    assert store.questions_locked(db, survey.id)
    with pytest.raises(SurveyLocked, match="has opened"):
        store.add_question(db, survey.id, "text", "New?")
    with pytest.raises(InvalidInput, match="cannot be moved to open later"):
        store.update_wave(db, wave.id, wave.label, today + dt.timedelta(days=1), wave.closes_on)
    assert store.questions_locked(db, survey.id)


def test_a_wave_needs_an_open_text_question(db, survey):
    store.add_question(db, survey.id, "rating", "How satisfied are you?")
    with pytest.raises(InvalidInput, match="open-text question"):
        store.create_wave(db, survey.id, "2026 Q1", JAN_1, MAR_31)
    assert store.waves_for(db, survey.id) == []


def test_waves_refuse_a_duplicate_label_and_a_close_before_open_also_when_edited(db, survey):
    add_three(db, survey.id)
    first = store.create_wave(db, survey.id, "2026 Q1", JAN_1, MAR_31)
    second = store.create_wave(db, survey.id, "2026 Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    with pytest.raises(InvalidInput, match="already has a wave called '2026 Q1'"):
        store.create_wave(db, survey.id, " 2026 Q1 ", JAN_1, MAR_31)
    with pytest.raises(InvalidInput, match="already has a wave called"):
        store.update_wave(db, second.id, "2026 Q1", JAN_1, MAR_31)
    with pytest.raises(InvalidInput, match="close before it opens"):
        store.update_wave(db, first.id, "2026 Q1", MAR_31, JAN_1)
    edited = store.update_wave(db, first.id, "2026 Q1", JAN_1, dt.date(2026, 4, 15))
    assert (edited.closes_on, edited.token, edited.access) == (dt.date(2026, 4, 15), first.token, "public")


def test_response_counts_cover_every_wave(db, survey):
    add_three(db, survey.id)
    wave = lock(db, survey.id)
    empty = store.create_wave(db, survey.id, "2026 Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert store.response_counts(db, survey.id) == {wave.id: 0, empty.id: 0}  # waiting (rule 7)
    assert release_waiting(db, survey.id, 1) == 1
    assert store.response_counts(db, survey.id) == {wave.id: 1, empty.id: 0}


def test_the_last_active_admin_cannot_be_deactivated(db):
    admin = create_staff_user(db, "root", "a long enough password", "admin")
    brm = create_staff_user(db, "brm", "a long enough password", "brm")
    with pytest.raises(InvalidInput, match="last active admin"):
        set_staff_user_active(db, admin.id, False)
    assert set_staff_user_active(db, brm.id, False).active is False
    assert set_staff_user_active(db, brm.id, True).active is True
