"""BRM workspace: correct a comment's sentiment, and undo it (thin views; forms on the responses and
theme pages).

Both answer with a redirect back to the page the form was on and a flash message; every refusal
(unknown or hidden comment, wrong label, missing field) is a message, never an error page, and an
unknown comment reads exactly like one that is not on show.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

import sqlite_utils
from flask import Blueprint, current_app, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from survey.db import get_db
from survey.errors import InvalidInput
from survey.services import sentiment_corrections
from survey.store import corrections
from survey.store.surveys import get_survey
from survey.web.auth import role_required
from survey.web.workspace.forms import SentimentCorrectionForm, UndoCorrectionForm

bp = Blueprint("corrections", __name__, url_prefix="/staff")


@bp.app_template_filter("unit_token")
def unit_token(unit_id: str) -> str:
    """The opaque name a page gives a comment: a keyed hash of its unit id.

    Unit ids name the response they come from; pages must not (DESIGN.md section 3, rule 8), and
    two comments of one respondent get unrelated tokens.
    """
    key = str(current_app.secret_key).encode()
    return hmac.new(key, unit_id.encode(), hashlib.sha256).hexdigest()[:32]


def units_for_tokens(db: sqlite_utils.Database, survey_id: int, tokens: Sequence[str | None]) -> list[str]:
    """The units that forms' tokens name, in order; a token that matches nothing becomes an id that
    matches nothing either (read as "not on show")."""
    by_token = {unit_token(unit_id): unit_id for unit_id in corrections.survey_unit_ids(db, survey_id)}
    return [by_token.get(token or "", f"unknown:{token}") for token in tokens]


def _unit_for_token(db: sqlite_utils.Database, survey_id: int, token: str | None) -> str:
    """The unit a form's token names, or an id that matches nothing."""
    return units_for_tokens(db, survey_id, [token])[0]


def correction_context(db: sqlite_utils.Database, survey_id: int, unit_ids: Sequence[str]) -> dict[str, Any]:
    """What a page needs to draw the correction controls of the comments it shows."""
    threshold = current_app.config["MIN_QUOTE_GROUP_SIZE"]
    return {"corrected": corrections.corrected_labels(db, survey_id, list(unit_ids)),
            "correctable": corrections.correctable_unit_ids(db, survey_id, unit_ids, threshold),
            "correction_labels": corrections.CORRECTION_LABELS, "back": request.full_path.rstrip("?")}


def _back(survey_id: int, requested: str | None) -> Response:
    """Redirect to the page the form came from if it is one of this survey's staff pages."""
    prefix = f"/staff/surveys/{survey_id}/"
    if requested and requested.startswith(prefix) and "//" not in requested and "\\" not in requested:
        return redirect(requested, 303)
    return redirect(url_for("explore.responses", survey_id=survey_id), 303)


def _form_errors(form) -> str:
    return "; ".join(f"{form[name].label.text}: {' '.join(errors)}"
                     for name, errors in form.errors.items()) or "Check the form."


@bp.route("/surveys/<int:survey_id>/sentiment-corrections", methods=["POST"])
@role_required("brm")
def correct_sentiment(survey_id: int) -> Response:
    """Record a BRM's sentiment label for one comment."""
    db = get_db()
    get_survey(db, survey_id)
    form = SentimentCorrectionForm()
    if form.validate_on_submit():
        try:
            sentiment_corrections.correct_sentiment(
                db, survey_id, _unit_for_token(db, survey_id, form.unit_id.data), form.label.data,
                min_quote_group_size=current_app.config["MIN_QUOTE_GROUP_SIZE"])
            flash(f"Sentiment corrected to “{form.label.data}”. The next analysis run adapts the survey's "
                  "other comments to your corrections.", "success")
        except InvalidInput as error:
            flash(str(error), "error")
    else:
        flash(_form_errors(form), "error")
    return _back(survey_id, form.next.data)


@bp.route("/surveys/<int:survey_id>/sentiment-corrections/undo", methods=["POST"])
@role_required("brm")
def undo_correction(survey_id: int) -> Response:
    """Remove a comment's correction; it shows the model's label again."""
    db = get_db()
    get_survey(db, survey_id)
    form = UndoCorrectionForm()
    if form.validate_on_submit():
        try:
            sentiment_corrections.undo_sentiment_correction(
                db, survey_id, _unit_for_token(db, survey_id, form.unit_id.data),
                min_quote_group_size=current_app.config["MIN_QUOTE_GROUP_SIZE"])
            flash("Correction undone: the comment shows the model's sentiment again.", "success")
        except InvalidInput as error:
            flash(str(error), "error")
    else:
        flash(_form_errors(form), "error")
    return _back(survey_id, form.next.data)
