"""Partner-facing survey pages (no account, fully anonymous).

``/s/<token>`` shows a wave's survey and stores the answers through :func:`record_response`
(redaction, one-time form token, invitation code burnt in the same transaction), then redirects to
the thank-you page. Every failure re-renders the form with what the partner typed and a message.
CSRF is checked here by the form itself rather than globally, so a stale form keeps its answers.
Nothing in this module logs or stores anything about the request beyond the answers.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from typing import Any

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, url_for

from survey.db import partner_db
from survey.errors import (
    DuplicateSubmission,
    InvalidInput,
    InvitationCodeRejected,
    RapportError,
    SubmissionNotSaved,
    Throttled,
    WaveClosed,
)
from survey.store.invitations import (
    REJECTED_CODE_MESSAGE,
    invitation_code_is_usable,
    normalise_invitation_code,
)
from survey.store.responses import record_response
from survey.store.responses.group_commit import group_commit_for
from survey.store.surveys import Survey, Wave
from survey.store.wave_definitions import WaveDefinition, WaveDefinitionCache
from survey.web import throttles
from survey.web.partner import browser_cookie, guards, tokens
from survey.web.partner.blank_form import blank_form_page
from survey.web.partner.forms import (
    CodeForm,
    PlainAnswers,
    ResponseForm,
    build_response_form,
    plainly_valid,
    scale_ends,
)
from survey.web.partner.privacy import own_privacy_note
from survey.web.security import csrf

bp = Blueprint("partner", __name__)
bp.after_request(guards.no_store)
bp.after_request(browser_cookie.save)

CSRF_MESSAGE = ("This form was open for a long time, or your browser did not send back its security "
                "cookie. Your answers are still below: please press Submit again.")
ENCODING_MESSAGE = ("Part of what you sent could not be read (it was not valid UTF-8 text), so nothing "
                    "was saved. Unreadable characters are shown as �: check your answers and submit again.")
ATTENTION_MESSAGE = "Some answers need your attention; see the messages below."
TOKEN_MESSAGE = "This form could not be checked, so nothing was saved. Please press Submit again."
#: A percent-escaped byte above 0x7F: only such a byte can make a decoded form body invalid UTF-8.
_HIGH_BYTE_ESCAPE = re.compile(rb"%[89a-fA-F]")
MALFORMED_CODE = ("That does not look like an invitation code. Codes have ten letters and digits, "
                  "like ACDE3-FGH47; check the code in your invitation.")


@bp.route("/s/<token>", methods=["GET", "POST"])
@csrf.exempt
def survey(token: str) -> Any:
    """Show the survey (GET) or store a response (POST)."""
    if request.method == "POST" and not guards.is_form_post():
        return guards.not_a_form_page()
    wave = wave_definition(token).wave
    closed = _closed_page(wave)
    if closed is not None:
        return closed
    if guards.answered_here(wave):
        return guards.already_answered_page(wave, 409 if request.method == "POST" else 200)
    if request.method != "POST":  # GET, or HEAD (a link preview): the page, never a submission
        return _show_survey(wave)
    return _submit(wave)


@bp.route("/s/<token>/code", methods=["POST"])
@csrf.exempt
def enter_code(token: str) -> Any:
    """Check an invitation code (without using it) and show the survey when it is valid."""
    if not guards.is_form_post():
        return guards.not_a_form_page()
    wave = wave_definition(token).wave
    closed = _closed_page(wave)
    if closed is not None:
        return closed
    form = CodeForm(formdata=guards.form_fields())
    if not form.validate():
        return _code_page(wave, form, CSRF_MESSAGE, 400)
    return _survey_after_code(wave, form.code.data or "", form)


@bp.route("/s/<token>/thanks")
def thanks(token: str) -> str:
    """After a submission from this browser: saved. Otherwise: say plainly that nothing was saved."""
    definition = wave_definition(token)
    wave = definition.wave
    return render_template("partner/thanks.html", survey=definition.survey, wave=wave,
                           just_submitted=guards.answered_here(wave), today=dt.date.today())


def _show_survey(wave: Wave) -> Any:
    if wave.access != "invitation":
        return _blank_public_form(wave)
    if "code" not in request.args:
        return _code_page(wave, CodeForm(formdata=None))
    code_form = CodeForm(formdata=None, code=request.args["code"])
    return _survey_after_code(wave, request.args["code"], code_form)


def _blank_public_form(wave: Wave) -> Any:
    """The blank form of a public wave, from the per-worker page cache when possible."""
    definition = wave_definition(wave.token)
    form_class = _form_class(wave)
    page = blank_form_page(
        wave, definition.survey, definition.questions,
        render=lambda token: _render_survey(wave, form_class(formdata=None, form_token=token))[0],
        new_form_token=lambda: _new_form_token(wave),
    )
    return page if page is not None else _render_survey(wave, _new_form(wave))


def _survey_after_code(wave: Wave, typed_code: str, code_form: CodeForm) -> Any:
    code = normalise_invitation_code(typed_code)
    if code is None:
        return _code_page(wave, code_form, MALFORMED_CODE, 400)
    if not invitation_code_is_usable(partner_db(), wave.id, code):
        return _code_page(wave, code_form, REJECTED_CODE_MESSAGE, 403)
    return _render_survey(wave, _new_form(wave, code=code))


def _submit(wave: Wave) -> Any:
    form_class = _form_class(wave)
    if not _body_is_utf8():
        return _render_survey(wave, form_class(formdata=guards.form_fields()), ENCODING_MESSAGE, 400)
    fields = guards.form_fields()
    if guards.has_nul(fields):
        shown = form_class(formdata=guards.without_nul(fields))
        return _render_survey(wave, shown, guards.NUL_MESSAGE, 422)
    posted = plainly_valid(form_class, fields)
    if posted is None:  # the full form judges it, and words what needs the partner's attention
        form = form_class(formdata=fields)
        if not form.validate():
            if form.meta.csrf and form.csrf_token.errors:
                return _render_survey(wave, form, CSRF_MESSAGE, 400)
            return _render_survey(wave, form, ATTENTION_MESSAGE, 422)
        code = None if form.code is None else form.code.data
        posted = PlainAnswers(form.answers(), form.form_token.data, code)
    nonce = tokens.form_token_nonce(wave.id, posted.form_token)
    if nonce is None:
        form = form_class(formdata=fields)
        form.form_token.data = _new_form_token(wave)
        return _render_survey(wave, form, TOKEN_MESSAGE, 400)
    code = None
    if wave.access == "invitation":
        code = normalise_invitation_code(posted.code or "")
        if code is None:
            return _render_survey(wave, form_class(formdata=fields), MALFORMED_CODE, 400, code_error=True)
    try:
        record_response(partner_db(), wave, list(form_class.questions), posted.answers, invitation_code=code,
                        form_token=nonce, throttle=throttles.submission_ticket(wave.id),
                        writer=group_commit_for(current_app.config["DATABASE"]))
    except RapportError as error:
        return _refused_page(wave, form_class(formdata=fields), error)
    guards.remember_answered(wave)
    return redirect(url_for(".thanks", token=wave.token), code=303)


def _refused_page(wave: Wave, form: ResponseForm, error: RapportError) -> Any:
    """The page for a submission :func:`record_response` refused, with the partner's answers."""
    if isinstance(error, SubmissionNotSaved):
        page, status = _render_survey(wave, form, str(error), 503)
        return page, status, {"Retry-After": "5"}
    if isinstance(error, Throttled):
        return _render_survey(wave, form, guards.THROTTLED, 429)
    if isinstance(error, DuplicateSubmission):
        return render_template("partner/already.html", message=str(error), wave=wave), 409
    if isinstance(error, InvitationCodeRejected):
        return _render_survey(wave, form, str(error), 403, code_error=True)
    if isinstance(error, WaveClosed):
        return _closed_page(wave) or _render_survey(wave, form, "This survey is not open.", 410)
    if isinstance(error, InvalidInput):
        return _render_survey(wave, form, str(error), 400)
    raise error


def _closed_page(wave: Wave) -> tuple[str, int] | None:
    """A 403 page before the wave opens, a 410 page after it closes, else ``None``."""
    status = wave.status(dt.date.today())
    if status == "open":
        return None
    survey = wave_definition(wave.token).survey
    http_status = 403 if status == "scheduled" else 410
    return render_template("partner/closed.html", survey=survey, wave=wave, status=status), http_status


def _form_class(wave: Wave) -> type[ResponseForm]:
    return build_response_form(wave_definition(wave.token).questions, current_app.config["MAX_ANSWER_CHARS"],
                               with_code=wave.access == "invitation")


def _new_form(wave: Wave, code: str | None = None) -> ResponseForm:
    return _form_class(wave)(formdata=None, form_token=_new_form_token(wave), code=code or "")


def _render_survey(
    wave: Wave, form: ResponseForm, message: str | None = None, status: int = 200,
    *, code_error: bool = False, check_results: list | None = None,
) -> tuple[str, int]:
    survey: Survey = wave_definition(wave.token).survey
    return render_template(
        "partner/survey.html", survey=survey, wave=wave, form=form, message=message,
        code_error=code_error, scale_ends=scale_ends, survey_note=own_privacy_note(survey),
        max_answer_chars=current_app.config["MAX_ANSWER_CHARS"],
        max_answer_chars_label=f"{current_app.config['MAX_ANSWER_CHARS']:,}",
        min_group_size=current_app.config["MIN_GROUP_SIZE"], check_results=check_results,
    ), status


def _code_page(wave: Wave, form: CodeForm, message: str | None = None, status: int = 200) -> tuple[str, int]:
    survey = wave_definition(wave.token).survey
    return render_template("partner/code.html", survey=survey, wave=wave, form=form,
                           message=message), status


def wave_definition(token: str) -> WaveDefinition:
    """The wave behind ``token`` with its survey and questions, read once per request from the
    per-worker cache (checked against the database's definition version; ``NotFound`` if none)."""
    definition: WaveDefinition | None = g.get("partner_wave_definition")
    if definition is None or definition.wave.token != token:
        definition = g.partner_wave_definition = definition_cache(current_app).by_token(partner_db(), token)
    return definition


def definition_cache(app: Flask) -> WaveDefinitionCache:
    """This worker's wave definitions for ``app``'s database."""
    caches = app.extensions.setdefault("rapport_wave_definitions", {})
    return caches.setdefault(app.config["DATABASE"], WaveDefinitionCache())


def _new_form_token(wave: Wave) -> str:
    return tokens.new_form_token(wave.id)


def _body_is_utf8() -> bool:
    """Whether the submitted form decodes as UTF-8 (Werkzeug would silently substitute � otherwise).

    A body of ASCII bytes with no escaped byte above 0x7F (``%80``-``%FF``) is ASCII once decoded
    too, so it is UTF-8 without decoding it (most answers: decoding cost 0.03 ms a submission)."""
    body = request.get_data(cache=True)
    urlencoded = request.mimetype == "application/x-www-form-urlencoded"
    if body.isascii() and not (urlencoded and _HIGH_BYTE_ESCAPE.search(body)):
        return True
    if urlencoded:
        body = urllib.parse.unquote_to_bytes(body.replace(b"+", b" "))
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
