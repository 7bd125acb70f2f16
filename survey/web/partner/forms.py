"""The partner's forms: the invitation code, and the answer form built from a survey's questions.

Each question becomes a field named ``q<id>``; the form also carries the signed one-time form token
(double-submit guard) and, for invitation waves, the invitation code. The form classes are cached
per question list, so a busy wave builds its class once per worker. Both forms check CSRF against
the partner's browser cookie (:mod:`survey.web.partner.browser_cookie`), not Flask's session.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import NamedTuple

from flask import current_app
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Field, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.csrf.core import CSRF
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from survey.store.surveys import Question
from survey.web.partner import browser_cookie

#: End labels of the two numeric scales, shown under the first and last button.
SCALE_LABELS = {
    "rating": ("1 · Very poor", "5 · Excellent"),
    "nps": ("0 · Not at all likely", "10 · Extremely likely"),
}
_SCALES = {"rating": range(1, 6), "nps": range(0, 11)}
#: "(1 = very poorly, 5 = very well)" in a question's text names its scale's ends.
_ENDS_IN_PROMPT = re.compile(r"\(\s*(\d+)\s*=\s*([^,()]+?)\s*,\s*(\d+)\s*=\s*([^,()]+?)\s*\)")


def scale_ends(question: Question) -> tuple[str, str] | None:
    """The labels under a scale's first and last button, in the question's own words when it names them.

    "How well does IT support you? (1 = very poorly, 5 = very well)" gives ("1 · Very poorly",
    "5 · Very well"); a question that names no ends gets :data:`SCALE_LABELS`; other kinds ``None``.
    """
    if question.kind not in _SCALES:
        return None
    scale = _SCALES[question.kind]
    match = _ENDS_IN_PROMPT.search(question.prompt)
    if match and (int(match[1]), int(match[3])) == (scale[0], scale[-1]):
        return (f"{match[1]} · {match[2][:1].upper()}{match[2][1:]}",
                f"{match[3]} · {match[4][:1].upper()}{match[4][1:]}")
    return SCALE_LABELS[question.kind]


class BrowserCookieCSRF(CSRF):
    """CSRF tokens bound to the partner's browser cookie (signed double-submit cookie)."""

    def generate_csrf_token(self, csrf_token_field: Field) -> str:
        return browser_cookie.csrf_token()

    def validate_csrf_token(self, form: FlaskForm, field: Field) -> None:
        if not browser_cookie.csrf_token_is_valid(field.data):
            raise ValidationError("The form's security token is missing, expired or not this browser's.")


class PartnerForm(FlaskForm):
    """A form on the partner pages: CSRF as in FlaskForm (``WTF_CSRF_ENABLED``), but no session."""

    class Meta:
        csrf_class = BrowserCookieCSRF


class CodeForm(PartnerForm):
    """The first step of an invitation wave: enter the code from the invitation."""

    code = StringField("Invitation code")


class ResponseForm(PartnerForm):
    """Base of every survey form: the hidden fields that are not answers."""

    form_token = HiddenField()
    code = HiddenField()
    #: The questions behind the answer fields, in display order (set by :func:`build_response_form`).
    questions: tuple[Question, ...] = ()
    #: What :func:`plainly_valid` checks, field by field (``None``: always the full form).
    plain_checks: tuple[PlainCheck, ...] | None = None

    def answer_fields(self) -> list[tuple[Question, Field]]:
        """The question fields in display order, each with its question."""
        return [(question, self[field_name(question)]) for question in self.questions]

    def answers(self) -> dict[int, str | int | None]:
        """Answers keyed by question id, ready for :func:`record_response`."""
        return {question.id: field.data for question, field in self.answer_fields()}


def field_name(question: Question) -> str:
    """The form field that holds the answer to ``question``."""
    return f"q{question.id}"


def build_response_form(questions: tuple[Question, ...], max_answer_chars: int, *, with_code: bool = True,
                        for_staff: bool = False) -> type[ResponseForm]:
    """Return a :class:`ResponseForm` subclass with one field per question.

    ``with_code=False`` leaves out the invitation code (public waves). ``for_staff`` is the BRM's
    preview under ``/staff``: its CSRF token is Flask-WTF's, in the staff session, as on every
    staff page (the partner cookie is not sent there).
    """
    return _form_class(tuple(questions), max_answer_chars, with_code, for_staff)


@functools.lru_cache(maxsize=256)
def _form_class(questions: tuple[Question, ...], max_answer_chars: int, with_code: bool,
                for_staff: bool) -> type[ResponseForm]:
    attributes: dict = {field_name(q): _field(q, max_answer_chars) for q in questions}
    attributes["questions"] = questions
    attributes["plain_checks"] = None if for_staff else _plain_checks(questions, max_answer_chars, with_code)
    if not with_code:
        attributes["code"] = None  # WTForms leaves out a field set to None in a subclass
    if for_staff:
        attributes["Meta"] = type("Meta", (), {"csrf_class": FlaskForm.Meta.csrf_class})
    return type("SurveyResponseForm", (ResponseForm,), attributes)


def _presence(question: Question) -> list:
    if question.required:
        return [InputRequired(message="Please answer this question; it is required.")]
    return [Optional()]


def _field(question: Question, max_answer_chars: int) -> Field:
    if question.kind == "text":
        too_long = (f"Your answer is longer than {max_answer_chars:,} characters "
                    "(it has %(length)s). Please shorten it; your text is kept below.")
        return TextAreaField(
            question.prompt, filters=[_normalise_text],
            validators=[*_presence(question), Length(max=max_answer_chars, message=too_long)],
        )
    if question.kind in _SCALES:
        values = list(_SCALES[question.kind])
        return RadioField(question.prompt, choices=[SelectChoice(value, str(value)) for value in values],
                          coerce=_optional_int, validate_choice=False,
                          validators=[*_presence(question), _one_of(values)])
    choices = [SelectChoice(option) for option in question.options]
    validators = [*_presence(question), _one_of(list(question.options))]
    if question.kind == "segment" and len(choices) > 6:
        return SelectField(question.prompt, choices=[SelectChoice("", "Choose…"), *choices],
                           validators=validators, validate_choice=False)
    return RadioField(question.prompt, choices=choices, validators=validators, validate_choice=False)


def _one_of(values: list) -> AnyOf:
    return AnyOf(values, message="Please pick one of the options shown.", values_formatter=str)


def _normalise_text(value: str | None) -> str | None:
    """Browsers send line breaks as CRLF; count them as one character, like the page does."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def _optional_int(value: str | int | None) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


class PlainCheck(NamedTuple):
    """How :func:`plainly_valid` reads one field: its name, its question (``None`` for the hidden
    form token and code), whether it is required, the raw values it takes with the data each gives
    (``None``: any text, up to ``max_chars`` once normalised), and the data of an empty value."""

    name: str
    question_id: int | None
    required: bool
    values: Mapping[str, str | int] | None
    max_chars: int
    empty: str | None


class PlainAnswers(NamedTuple):
    """A form post that passed every check, read as :class:`ResponseForm` would read it."""

    answers: dict[int, str | int | None]
    form_token: str | None
    code: str | None


def plainly_valid(form_class: type[ResponseForm], formdata: MultiDict) -> PlainAnswers | None:
    """The answers of a post that plainly passes every check of ``form_class`` (CSRF included), read
    without building the WTForms form (a fifth of a submission's server time, DESIGN.md section 8),
    or ``None``: then the full form must judge the post and word its messages.

    Only the common, unambiguous cases are taken here: each field's first value (as WTForms reads it)
    is an offered choice, or text within the length limit, or absent or empty where the question is
    optional. Anything else (a missing required answer, a value no choice offers, text that is too
    long, an invalid CSRF token) goes to the form, so the validation and the messages stay WTForms'.
    ``tests/test_partner_plain_form.py`` checks that every post taken here is one the form accepts
    with the same data."""
    checks = form_class.plain_checks
    if checks is None:
        return None
    config = current_app.config
    if config.get("WTF_CSRF_ENABLED", True) and not browser_cookie.csrf_token_is_valid(
            formdata.get(config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))):
        return None
    answers: dict[int, str | int | None] = {}
    hidden: list[str | None] = []
    for check in checks:
        raw = formdata.get(check.name)
        if check.question_id is None:
            hidden.append(raw)
            continue
        if raw is None or raw == "":
            if check.required:
                return None
            data: str | int | None = None if raw is None else check.empty
        elif check.values is None:
            text = _normalise_text(raw)
            if text is None or len(text) > check.max_chars:
                return None
            data = text
        elif raw in check.values:
            data = check.values[raw]
        else:
            return None
        answers[check.question_id] = data
    return PlainAnswers(answers, hidden[0], hidden[1] if len(hidden) > 1 else None)


def _plain_checks(questions: tuple[Question, ...], max_answer_chars: int,
                  with_code: bool) -> tuple[PlainCheck, ...]:
    checks = [PlainCheck("form_token", None, False, None, 0, "")]
    if with_code:
        checks.append(PlainCheck("code", None, False, None, 0, ""))
    for question in questions:
        values: dict[str, str | int] | None
        if question.kind == "text":
            values = None
        elif question.kind in _SCALES:
            values = {str(value): value for value in _SCALES[question.kind]}
        else:
            values = {option: option for option in question.options}
        empty = None if question.kind in _SCALES else ""  # "" coerced by _optional_int, or kept as text
        checks.append(PlainCheck(field_name(question), question.id, bool(question.required), values,
                                 max_answer_chars, empty))
    return tuple(checks)
