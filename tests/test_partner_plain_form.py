"""The partner POST's plain check (:func:`survey.web.partner.forms.plainly_valid`) against WTForms.

Every post the plain check takes must be one the full WTForms form accepts, read to the same data
(answers, form token, invitation code); everything else must go to the form. Checked with Hypothesis
over the posts a hostile or careless client can send, with CSRF on and off, on public and invitation
waves, required and optional questions of every kind, and a segment long enough to be a select.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from survey.store.surveys import Question, add_question, create_survey, create_wave, questions_for
from survey.web.partner import browser_cookie
from survey.web.partner.forms import build_response_form, plainly_valid

COOKIE_KEY = "0123456789abcdef0123456789abcdef"
PLAIN = settings(max_examples=300, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
MAX_CHARS = 4000
#: Raw values worth trying in any field: offered choices, near misses, blanks, edge lengths.
TRICKY = ["", " ", "\t", "\r\n", "0", "1", "5", "6", "10", "11", "-1", " 5", "5 ", "５", "٣", "3_0", "1e1",
          "None", "Weekly", "weekly", "Weekly ", "Finance", "Dept 7", "x" * MAX_CHARS, "x" * (MAX_CHARS + 1),
          "x" * (MAX_CHARS - 1) + "\r\n", "\r\n" + "x" * MAX_CHARS + " ", "y" * (MAX_CHARS - 1) + "\r\nz",
          "Delivery dates slip.\r\nNobody tells us.", "  padded answer  "]
raw_value = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40))


@pytest.fixture
def surveys(app, db):
    """Two surveys (every kind required, then every kind optional with a long segment list), a public
    and an invitation wave of each: ``[(wave, questions), ...]``."""
    import datetime as dt

    today = dt.date.today()
    made = []
    for required in (True, False):
        survey = create_survey(db, f"Pulse {required}", "")
        add_question(db, survey.id, "text", "What should IT change?", required=required)
        add_question(db, survey.id, "rating", "How well does IT listen?", required=required)
        add_question(db, survey.id, "nps", "How likely are you to recommend IT?", required=required)
        add_question(db, survey.id, "choice", "How often?", options=["Weekly", "Monthly", "Rarely"],
                     required=required)
        departments = ["Finance", "HR", "Sales"] if required else [f"Dept {n}" for n in range(1, 9)]
        add_question(db, survey.id, "segment", "Your department", options=departments, required=required)
        questions = tuple(questions_for(db, survey.id))
        for access in ("public", "invitation"):
            wave = create_wave(db, survey.id, f"Wave {access}", today, today + dt.timedelta(days=30), access)
            made.append((wave, questions))
    return made


def _compared(app, wave, questions: tuple[Question, ...], pairs: list[tuple[str, str]], csrf: str | None,
              csrf_enabled: bool):
    """``(plain, form, valid)`` for one post, in a request carrying the browser cookie."""
    app.config["WTF_CSRF_ENABLED"] = csrf_enabled
    headers = {"Cookie": f"{browser_cookie.COOKIE_NAME}={COOKIE_KEY}"}
    with app.test_request_context(f"/s/{wave.token}", method="POST", headers=headers):
        form_class = build_response_form(questions, MAX_CHARS, with_code=wave.access == "invitation")
        tokens = {"valid": browser_cookie.csrf_token(), "forged": "1." + "0" * 64, "none": None}
        token = tokens[csrf or "none"]
        data = MultiDict(pairs + ([("csrf_token", token)] if token is not None else []))
        plain = plainly_valid(form_class, data)
        form = form_class(formdata=data)
        return plain, form, form.validate()


@PLAIN
@given(choice=st.data(), csrf=st.sampled_from(["valid", "forged", "none"]), csrf_enabled=st.booleans())
def test_every_post_the_plain_check_takes_is_one_wtforms_accepts_with_the_same_data(
        app, surveys, choice, csrf, csrf_enabled):
    wave, questions = choice.draw(st.sampled_from(surveys))
    names = ["form_token", "code", *(f"q{question.id}" for question in questions), "extra"]
    pairs = choice.draw(st.lists(st.tuples(st.sampled_from(names), raw_value), max_size=12))
    plain, form, valid = _compared(app, wave, questions, pairs, csrf, csrf_enabled)
    if plain is None:
        return
    assert valid, form.errors
    expected = {question_id: (type(value), value) for question_id, value in form.answers().items()}
    assert {question_id: (type(value), value) for question_id, value in plain.answers.items()} == expected
    assert plain.form_token == form.form_token.data
    assert plain.code == (form.code.data if form.code is not None else None)


def _valid_pairs(questions: tuple[Question, ...], **overrides: str | None) -> list[tuple[str, str]]:
    values = {"text": "Delivery dates slip.\r\nNobody tells us. ", "rating": "2", "nps": "10",
              "choice": "Monthly", "segment": questions[-1].options[0], **overrides}
    return [("form_token", "1.token"), *((f"q{question.id}", values[question.kind]) for question in questions
                                         if values[question.kind] is not None)]


@pytest.mark.parametrize("csrf_enabled", [True, False])
def test_an_ordinary_post_is_taken_plainly_and_read_as_the_form_reads_it(app, surveys, csrf_enabled):
    wave, questions = surveys[0]
    plain, form, valid = _compared(app, wave, questions, _valid_pairs(questions), "valid", csrf_enabled)
    assert valid and plain is not None
    by_kind = {question.kind: plain.answers[question.id] for question in questions}
    assert by_kind == {"text": "Delivery dates slip.\nNobody tells us.", "rating": 2, "nps": 10,
                       "choice": "Monthly", "segment": "Finance"}
    assert plain.answers == form.answers() and plain.form_token == "1.token" and plain.code is None


@pytest.mark.parametrize(("overrides", "csrf"), [
    ({"text": None}, "valid"),  # a required answer missing
    ({"text": ""}, "valid"),
    ({"rating": "6"}, "valid"),  # no such choice
    ({"rating": " 2"}, "valid"),  # int() would take it; the form judges it
    ({"choice": "weekly"}, "valid"),
    ({"text": "x" * (MAX_CHARS + 1)}, "valid"),  # too long
    ({}, "forged"),  # CSRF
    ({}, "none"),
])
def test_anything_but_a_plain_post_goes_to_the_form(app, surveys, overrides, csrf):
    wave, questions = surveys[0]
    plain, _, _ = _compared(app, wave, questions, _valid_pairs(questions, **overrides), csrf, True)
    assert plain is None


def test_optional_questions_left_empty_are_read_as_the_form_reads_them(app, surveys):
    wave, questions = surveys[3]  # optional questions, invitation wave
    pairs = [("form_token", "t"), ("code", "ACDE3-FGH47"),
             *((f"q{question.id}", "") for question in questions if question.kind != "choice")]
    plain, form, valid = _compared(app, wave, questions, pairs, "valid", True)
    assert valid and plain is not None
    assert plain.answers == form.answers()
    assert {question.kind: plain.answers[question.id] for question in questions} == {
        "text": "", "rating": None, "nps": None, "choice": None, "segment": ""}
    assert plain.code == "ACDE3-FGH47"
