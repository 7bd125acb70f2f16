"""BRM survey builder: surveys, questions, waves and invitation codes (thin views over the store)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from survey.db import get_db
from survey.errors import InvalidInput, SurveyLocked
from survey.store import surveys as store
from survey.store.insights import wave_health
from survey.store.invitations import generate_invitation_codes, released_invitation_counts
from survey.web.auth import role_required
from survey.web.forms import ConfirmForm
from survey.web.workspace.forms import (
    MAX_CODES_PER_REQUEST,
    QUESTION_KIND_LABELS,
    InvitationCodesForm,
    MoveQuestionForm,
    NewWaveForm,
    QuestionForm,
    SurveyForm,
    WaveForm,
    option_lines,
)
from survey.web.workspace.wave_tools import population_context

bp = Blueprint("builder", __name__, url_prefix="/staff")

def _fail(form: FlaskForm, error: InvalidInput) -> None:
    """Show a store rule's message on the form (the typed input stays in the form)."""
    form.form_errors.append(str(error))


@bp.route("/")
@role_required("brm", "culture_lead")
def index() -> str:
    """Every survey with its waves and response counts."""
    db = get_db()
    rows = [
        (survey, store.waves_for(db, survey.id), store.response_counts(db, survey.id))
        for survey in store.list_surveys(db)
    ]
    can_edit = current_user.role in ("brm", "admin")
    return render_template("builder/index.html", rows=rows, can_edit=can_edit, today=dt.date.today())


@bp.route("/surveys/new", methods=["GET", "POST"])
@role_required("brm")
def new_survey() -> Any:
    """Create a survey (its texts first; questions come next)."""
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            survey = store.create_survey(get_db(), form.title.data, form.introduction.data,
                                         form.privacy_note.data)
        except InvalidInput as error:
            _fail(form, error)
        else:
            flash("Survey created. Now add its questions.", "success")
            return redirect(url_for("builder.survey", survey_id=survey.id))
    status = 400 if form.is_submitted() else 200
    return render_template("builder/new_survey.html", form=form), status


def _render_survey(survey_id: int, *, form: SurveyForm | None = None,
                   question_form: QuestionForm | None = None, status: int = 200) -> Any:
    db = get_db()
    survey = store.get_survey(db, survey_id)
    waves = store.waves_for(db, survey_id)
    page = {
        "survey": survey,
        "form": form or SurveyForm(obj=survey, formdata=None),
        "question_form": question_form or QuestionForm(formdata=None),
        "questions": store.questions_for(db, survey_id),
        "locked": store.questions_locked(db, survey_id),
        "waves": waves,
        "counts": store.response_counts(db, survey_id),
        "button_form": ConfirmForm(),
        "today": dt.date.today(),
        "kind_labels": dict(QUESTION_KIND_LABELS),
    }
    return render_template("builder/survey.html", **page), status


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@role_required("brm")
def survey(survey_id: int) -> Any:
    """A survey's texts, questions and waves; POST saves the texts."""
    store.get_survey(get_db(), survey_id)
    form = SurveyForm()
    if not form.is_submitted():
        return _render_survey(survey_id)
    if form.validate():
        try:
            store.update_survey(get_db(), survey_id, form.title.data, form.introduction.data,
                                form.privacy_note.data)
        except InvalidInput as error:
            _fail(form, error)
        else:
            flash("Survey texts saved.", "success")
            return redirect(url_for("builder.survey", survey_id=survey_id))
    return _render_survey(survey_id, form=form, status=400)


@bp.route("/surveys/<int:survey_id>/copy", methods=["POST"])
@role_required("brm")
def copy_survey(survey_id: int) -> Any:
    """Copy a survey, typically one whose questions are locked, to ask different questions."""
    copy = store.copy_survey(get_db(), survey_id)
    flash("This is a copy with the same questions and no waves; change it as you like.", "success")
    return redirect(url_for("builder.survey", survey_id=copy.id))


def _question_fields(form: QuestionForm) -> dict[str, Any]:
    return {"kind": form.kind.data, "prompt": form.prompt.data, "required": form.required.data,
            "options": option_lines(form.options.data), "help_text": form.help_text.data or ""}


@bp.route("/surveys/<int:survey_id>/questions", methods=["POST"])
@role_required("brm")
def add_question(survey_id: int) -> Any:
    """Add a question at the end of the survey (refused once responses exist)."""
    form = QuestionForm()
    if form.validate():
        try:
            store.add_question(get_db(), survey_id, **_question_fields(form))
        except SurveyLocked as error:
            flash(str(error), "error")
            return redirect(url_for("builder.survey", survey_id=survey_id))
        except InvalidInput as error:
            _fail(form, error)
        else:
            flash("Question added.", "success")
            return redirect(url_for("builder.survey", survey_id=survey_id, _anchor="questions"))
    return _render_survey(survey_id, question_form=form, status=400)


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@role_required("brm")
def edit_question(question_id: int) -> Any:
    """Change a question (refused once responses exist)."""
    db = get_db()
    question = store.get_question(db, question_id)
    back = url_for("builder.survey", survey_id=question.survey_id, _anchor="questions")
    form = QuestionForm(data=None if request.method == "POST" else {
        "kind": question.kind, "prompt": question.prompt, "help_text": question.help_text,
        "required": question.required, "options": "\n".join(question.options)})
    if form.validate_on_submit():
        try:
            store.update_question(db, question_id, **_question_fields(form))
        except SurveyLocked as error:
            flash(str(error), "error")
            return redirect(back)
        except InvalidInput as error:
            _fail(form, error)
        else:
            flash("Question saved.", "success")
            return redirect(back)
    status = 400 if form.is_submitted() else 200
    survey = store.get_survey(db, question.survey_id)
    return render_template("builder/question.html", form=form, question=question, survey=survey,
                           locked=store.questions_locked(db, survey.id)), status


@bp.route("/questions/<int:question_id>/delete", methods=["POST"])
@role_required("brm")
def delete_question(question_id: int) -> Any:
    """Delete a question (refused once responses exist)."""
    question = store.get_question(get_db(), question_id)
    if ConfirmForm().validate_on_submit():
        try:
            store.delete_question(get_db(), question_id)
            flash(f"Question deleted: {question.prompt}", "success")
        except InvalidInput as error:
            flash(str(error), "error")
    return redirect(url_for("builder.survey", survey_id=question.survey_id, _anchor="questions"))


@bp.route("/questions/<int:question_id>/move", methods=["POST"])
@role_required("brm")
def move_question(question_id: int) -> Any:
    """Move a question one place up or down."""
    question = store.get_question(get_db(), question_id)
    form = MoveQuestionForm()
    if form.validate_on_submit():
        try:
            store.move_question(get_db(), question_id, -1 if form.direction.data == "up" else 1)
        except InvalidInput as error:
            flash(str(error), "error")
    else:
        flash("That move was not understood; nothing changed.", "error")
    return redirect(url_for("builder.survey", survey_id=question.survey_id, _anchor=f"q{question_id}"))


@bp.route("/surveys/<int:survey_id>/waves/new", methods=["GET", "POST"])
@role_required("brm")
def new_wave(survey_id: int) -> Any:
    """Open a new wave: its label, dates and who may answer."""
    db = get_db()
    survey = store.get_survey(db, survey_id)
    form = NewWaveForm()
    if form.validate_on_submit():
        try:
            wave = store.create_wave(db, survey_id, form.label.data, form.opens_on.data,
                                     form.closes_on.data, form.access.data)
        except InvalidInput as error:
            _fail(form, error)
        else:
            flash(f"Wave {wave.label} created.", "success")
            return redirect(url_for("builder.wave", wave_id=wave.id))
    status = 400 if form.is_submitted() else 200
    has_text = any(q.kind == "text" for q in store.questions_for(db, survey_id))
    return render_template("builder/new_wave.html", form=form, survey=survey, has_text=has_text), status


def public_link(wave: store.Wave) -> str:
    """The full partner link of a wave on this host."""
    return url_for("partner.survey", token=wave.token, _external=True)


def _render_wave(wave_id: int, *, codes_form: InvitationCodesForm | None = None, status: int = 200) -> Any:
    db, threshold = get_db(), current_app.config["MIN_GROUP_SIZE"]
    wave = store.get_wave(db, wave_id)
    page = {
        "wave": wave,
        "survey": store.get_survey(db, wave.survey_id),
        "health": next(row for row in wave_health(db, wave.survey_id, threshold) if row.wave_id == wave.id),
        "threshold": threshold,
        "link": public_link(wave),
        "codes_form": codes_form or InvitationCodesForm(formdata=None),
        "codes_issued_used": released_invitation_counts(db, wave_id),
        "max_codes": MAX_CODES_PER_REQUEST,
        "today": dt.date.today(),
        **population_context(wave, threshold),
    }
    return render_template("builder/wave.html", **page), status


@bp.route("/waves/<int:wave_id>")
@role_required("brm")
def wave(wave_id: int) -> Any:
    """A wave's partner link, response count and invitation codes."""
    return _render_wave(wave_id)


@bp.route("/waves/<int:wave_id>/edit", methods=["GET", "POST"])
@role_required("brm")
def edit_wave(wave_id: int) -> Any:
    """Change a wave's label and dates."""
    db = get_db()
    wave = store.get_wave(db, wave_id)
    form = WaveForm(obj=wave)
    if form.validate_on_submit():
        try:
            store.update_wave(db, wave_id, form.label.data, form.opens_on.data, form.closes_on.data)
        except InvalidInput as error:
            _fail(form, error)
        else:
            flash("Wave saved.", "success")
            return redirect(url_for("builder.wave", wave_id=wave_id))
    status = 400 if form.is_submitted() else 200
    survey = store.get_survey(db, wave.survey_id)
    return render_template("builder/edit_wave.html", form=form, wave=wave, survey=survey), status


@bp.route("/waves/<int:wave_id>/codes", methods=["POST"])
@role_required("brm")
def invitation_codes(wave_id: int) -> Any:
    """Generate codes and answer with them as a CSV attachment: the only time they exist in clear."""
    wave = store.get_wave(get_db(), wave_id)
    form = InvitationCodesForm()
    if form.validate():
        try:
            codes = generate_invitation_codes(get_db(), wave_id, form.count.data)
        except InvalidInput as error:
            _fail(form, error)
        else:
            return _codes_csv_response(wave, codes)
    return _render_wave(wave_id, codes_form=form, status=400)


def _codes_csv_response(wave: store.Wave, codes: list[str]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["code", "link"])
    link = public_link(wave)
    writer.writerows([code, f"{link}?code={code}"] for code in codes)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", wave.label).strip("-").lower() or str(wave.id)
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="codes-{slug}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
