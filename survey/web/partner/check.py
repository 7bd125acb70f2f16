"""The partner form's "check before sending": what in the answers may identify the partner.

``POST /s/<token>/check`` takes the form as it is (the same fields as the survey POST) and answers
with the findings of :func:`nlp.self_identification.check_answers` per free-text answer: the
survey page again with the answers kept and a panel of warnings (no JavaScript), or JSON for the
small script ``partner-check.js`` that shows the same panel as the partner types. It stores
nothing, burns no form token, and logs nothing: the text is read, checked and dropped.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from nlp.self_identification import Finding, check_answers
from survey.db import partner_db
from survey.web import throttles
from survey.web.partner import browser_cookie, guards
from survey.web.partner.answer import _form_class, _render_survey, wave_definition
from survey.web.security import csrf

bp = Blueprint("partner_check", __name__)
bp.after_request(guards.no_store)
bp.after_request(browser_cookie.save)
CHECK_THROTTLED = ("Too many checks have come from your network in the last few minutes. Your answers are "
                   "still below and you can send them as they are, or check again in a few minutes.")
#: Longest text checked per answer (the form's own limit applies on sending).
MAX_CHECKED_CHARS = 4000


@bp.route("/s/<token>/check", methods=["POST"])
@csrf.exempt  # changes nothing; the survey POST itself keeps its CSRF check
def check(token: str) -> Any:
    """Findings per free-text answer, as JSON (``Accept: application/json``) or on the survey page."""
    wave = wave_definition(token).wave
    form = _form_class(wave)()
    if not throttles.take_check(partner_db(), wave.id):
        if request.accept_mimetypes.best == "application/json":
            headers = {"Retry-After": "600", "Cache-Control": "no-store"}
            return jsonify({"error": CHECK_THROTTLED}), 429, headers
        return _render_survey(wave, form, CHECK_THROTTLED, 429)
    texts = {f"q{question.id}": (request.form.get(f"q{question.id}") or "")[:MAX_CHECKED_CHARS]
             for question in form.questions if question.kind == "text"}
    names = [name for name, text in texts.items() if text.strip()]
    results = dict(zip(names, check_answers([texts[name] for name in names]), strict=True))
    if request.accept_mimetypes.best == "application/json":
        response = jsonify({name: [_as_json(finding) for finding in findings]
                            for name, findings in results.items()})
        response.headers["Cache-Control"] = "no-store"
        return response
    return _render_survey(wave, form, check_results=_by_prompt(form, results))


def _as_json(finding: Finding) -> dict:
    return {"text": finding.text, "kind": finding.kind, "removed": finding.removed, "advice": finding.advice}


def _by_prompt(form: Any, results: dict[str, list[Finding]]) -> list[tuple[str, list[Finding]]]:
    """(question prompt, findings) for each answer, in the form's order (answers without any left out)."""
    return [(question.prompt, results[f"q{question.id}"]) for question in form.questions
            if results.get(f"q{question.id}")]
