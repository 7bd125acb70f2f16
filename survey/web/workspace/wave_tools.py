"""A wave's tools for the BRM: preview the partner form (storing nothing) and close the wave now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from survey.db import get_db
from survey.errors import InvalidInput
from survey.services.response_rates import population_rate
from survey.store import surveys as store
from survey.store.populations import set_wave_population, wave_population
from survey.web.auth import role_required
from survey.web.forms import ConfirmForm
from survey.web.partner.forms import build_response_form, scale_ends
from survey.web.partner.privacy import own_privacy_note
from survey.web.workspace.forms import population_form

bp = Blueprint("wave_tools", __name__, url_prefix="/staff")

PREVIEW_VALID = (
    "Preview: these answers would be accepted. Nothing was saved; partners' answers are untouched."
)
PREVIEW_INVALID = "Preview: a partner would see these messages. Nothing was saved."


@bp.route("/waves/<int:wave_id>/preview", methods=["GET", "POST"])
@role_required("brm")
def preview(wave_id: int) -> Any:
    """The partner form of a wave exactly as partners see it; submitting it checks answers, saves nothing."""
    db = get_db()
    wave = store.get_wave(db, wave_id)
    survey = store.get_survey(db, wave.survey_id)
    config = current_app.config
    form_class = build_response_form(
        tuple(store.questions_for(db, wave.survey_id)), config["MAX_ANSWER_CHARS"], for_staff=True
    )
    form = form_class() if request.method == "POST" else form_class(formdata=None)
    message = None
    if request.method == "POST":
        message = PREVIEW_VALID if form.validate() else PREVIEW_INVALID
    return render_template(
        "partner/survey.html",
        survey=survey,
        wave=wave,
        form=form,
        message=message,
        preview=True,
        form_action=url_for(".preview", wave_id=wave_id),
        code_error=False,
        scale_ends=scale_ends,
        survey_note=own_privacy_note(survey),
        max_answer_chars=config["MAX_ANSWER_CHARS"],
        max_answer_chars_label=f"{config['MAX_ANSWER_CHARS']:,}",
        min_group_size=config["MIN_GROUP_SIZE"],
        check_results=None,
    )


@bp.route("/waves/<int:wave_id>/close", methods=["POST"])
@role_required("brm")
def close_now(wave_id: int) -> Any:
    """Close an open wave at once (its closing date becomes yesterday); answers already given stay."""
    if ConfirmForm().validate_on_submit():
        try:
            wave = store.close_wave_now(get_db(), wave_id, dt.date.today())
        except InvalidInput as error:
            flash(str(error), "error")
        else:
            flash(
                f"Wave {wave.label} is closed: its link now shows that the survey has closed, with a "
                "link to “You said, we did”.",
                "success",
            )
    return redirect(url_for("builder.wave", wave_id=wave_id), code=303)


def departments_of(wave: store.Wave) -> list[str]:
    """The departments partners pick from (the options of the survey's segment question)."""
    segment = next((q for q in store.questions_for(get_db(), wave.survey_id) if q.kind == "segment"), None)
    return list(segment.options) if segment else []


def population_context(wave: store.Wave, threshold: int) -> dict[str, Any]:
    """The wave page's population form and response rate (public-link waves only)."""
    if wave.access != "public":
        return {"population_form": None, "population": None}
    db = get_db()
    return {
        "population_form": population_form(departments_of(wave), wave_population(db, wave.id)),
        "population": population_rate(db, wave.id, threshold),
    }


@bp.route("/waves/<int:wave_id>/population", methods=["POST"])
@role_required("brm")
def set_population(wave_id: int) -> Any:
    """Save how many people per department a public-link wave was sent to (for its response rate)."""
    wave = store.get_wave(get_db(), wave_id)
    departments = departments_of(wave)
    form = population_form(departments, {})
    if form.validate_on_submit():
        people = {name: form[f"people_{index}"].data for index, name in enumerate(departments)}
        try:
            set_wave_population(get_db(), wave_id, people)
        except InvalidInput as error:
            flash(str(error), "error")
        else:
            flash("Population saved: the response rate is worked out from it.", "success")
    else:
        for name, messages in form.errors.items():
            label = form[name].label.text if name in form else "The form"
            flash(f"{label}: {' '.join(messages)} Nothing was saved.", "error")
    return redirect(url_for("builder.wave", wave_id=wave_id, _anchor="population"), code=303)
