"""Culture-lead workspace: silo-language dashboard, lexicon editor, and "check my text" (thin views).

Check my text handles the pasted draft in memory only: it is never written to the database, the
session, a flash message or a log, and the answer is sent with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from survey.auth import role_required
from survey.culture_forms import (
    MAX_CHECK_CHARS,
    CheckTextForm,
    DeleteEventForm,
    EventForm,
    RemeasureForm,
    TermForm,
    ToggleTermForm,
)
from survey.db import get_db
from survey.errors import InvalidInput
from survey.store import culture as store
from survey.store import lexicons
from survey.store.surveys import get_survey, list_surveys, waves_for

bp = Blueprint("culture", __name__, url_prefix="/staff")


@dataclass(frozen=True)
class Piece:
    """A run of text, flagged (``number`` from 1) or plain (``number`` None)."""

    text: str
    number: int | None = None


def marked_pieces(text: str, spans: list[tuple[int, int]]) -> list[Piece]:
    """Cut ``text`` into plain and flagged runs; overlapping spans after the first are ignored."""
    pieces, cursor = [], 0
    for number, (start, end) in enumerate(spans, start=1):
        if start < cursor or end > len(text) or start >= end:
            continue
        if start > cursor:
            pieces.append(Piece(text[cursor:start]))
        pieces.append(Piece(text[start:end], number))
        cursor = end
    if cursor < len(text):
        pieces.append(Piece(text[cursor:]))
    return pieces


@bp.app_template_filter("silo_category")
def silo_category(category: str) -> str:
    """``internal_customer`` -> ``Internal customer``."""
    return category.replace("_", " ").capitalize()


def _thresholds() -> tuple[int, int]:
    return current_app.config["MIN_GROUP_SIZE"], current_app.config["MIN_QUOTE_GROUP_SIZE"]


# -- silo-language dashboard -------------------------------------------------------------------
@bp.route("/silo")
@role_required("culture_lead", "brm")
def silo_index() -> Any:
    """Pick a survey (a single survey opens directly)."""
    surveys = list_surveys(get_db())
    if len(surveys) == 1:
        return redirect(url_for("culture.silo", survey_id=surveys[0].id))
    return render_template("culture/silo_index.html", surveys=surveys)


@bp.route("/surveys/<int:survey_id>/silo")
@role_required("culture_lead", "brm")
def silo(survey_id: int) -> Any:
    db = get_db()
    survey = get_survey(db, survey_id)
    min_group, min_quote = _thresholds()
    cells = store.silo_cells(db, survey_id, min_group)
    waves = [wave for wave in waves_for(db, survey_id) if any(cell.wave == wave.label for cell in cells)]
    selected = _selected_wave(waves)
    examples = store.silo_examples(db, survey_id, selected.id, min_quote) if selected else []
    events = store.events_for(db, survey_id)
    from survey.culture_charts import silo_chart

    page = {
        "survey": survey, "waves": waves, "cells": cells, "selected": selected,
        "overall": [cell for cell in cells if cell.segment is None],
        "segments": sorted({cell.segment for cell in cells if cell.segment is not None}),
        "by_key": {(cell.wave, cell.segment): cell for cell in cells},
        "terms": store.term_trends(db, survey_id, min_group),
        "examples": [(example, marked_pieces(example.text, [(f.start, f.end) for f in example.flags]))
                     for example in examples],
        "events": [(event, store.wave_after(event, waves)) for event in events],
        "chart": silo_chart(cells, waves, events, min_group),
        "measured": store.measured_with(db, survey_id),
        "lexicon_version": lexicons.current_lexicon(db).version,
        "event_form": EventForm(formdata=None), "button_form": DeleteEventForm(),
        "remeasure_form": RemeasureForm(formdata=None, survey_id=survey_id),
        "can_edit": current_user.role in ("culture_lead", "admin"),
        "min_group": min_group, "min_quote": min_quote,
    }
    return render_template("culture/silo.html", **page)


def _selected_wave(waves: list) -> Any:
    wanted = request.args.get("wave", type=int)
    chosen = next((wave for wave in waves if wave.id == wanted), None)
    return chosen or (waves[-1] if waves else None)


@bp.route("/surveys/<int:survey_id>/silo/events", methods=["POST"])
@role_required("culture_lead")
def add_event(survey_id: int) -> Any:
    get_survey(get_db(), survey_id)
    form = EventForm()
    if form.validate():
        try:
            store.add_event(get_db(), survey_id, form.on_date.data, form.label.data)
        except InvalidInput as error:
            flash(str(error), "error")
        else:
            flash("Event note added to the charts.", "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(f"The event was not added: {error}", "error")
    return redirect(url_for("culture.silo", survey_id=survey_id, _anchor="events"))


@bp.route("/surveys/<int:survey_id>/silo/events/<int:event_id>/delete", methods=["POST"])
@role_required("culture_lead")
def delete_event(survey_id: int, event_id: int) -> Any:
    if DeleteEventForm().validate_on_submit():
        store.delete_event(get_db(), survey_id, event_id)
        flash("Event note removed.", "success")
    return redirect(url_for("culture.silo", survey_id=survey_id, _anchor="events"))


# -- lexicon editor ----------------------------------------------------------------------------
def _term_form(lexicon, formdata: Any = None, **data: Any) -> TermForm:
    form = TermForm(formdata=formdata, **data) if formdata is not None else TermForm(**data)
    categories = sorted({term.category for term in lexicon.terms})
    form.category.choices = [(category, silo_category(category)) for category in categories]
    return form


def _render_lexicon(term_form: TermForm | None = None, status: int = 200) -> Any:
    db = get_db()
    lexicon = lexicons.current_lexicon(db)
    form = term_form or _term_form(lexicon, based_on=lexicon.version)
    remeasure = RemeasureForm(formdata=None)
    remeasure.survey_id.choices = [(survey.id, survey.title) for survey in list_surveys(db)]
    page = {
        "lexicon": lexicon, "form": form, "toggle_form": ToggleTermForm(formdata=None),
        "remeasure_form": remeasure, "history": lexicons.lexicon_history(db),
    }
    return render_template("culture/lexicon.html", **page), status


@bp.route("/lexicon")
@role_required("culture_lead")
def lexicon() -> Any:
    return _render_lexicon()


def _save(lexicon, note: str, based_on: str | None, message: str) -> None:
    saved = lexicons.save_lexicon(get_db(), lexicon, author_id=current_user.user.id, note=note,
                                  based_on=based_on or None)
    flash(f"{message} Lexicon version {saved.number} ({saved.version}) is now current. "
          "Re-measure a survey to apply it to waves already analysed.", "success")


@bp.route("/lexicon/terms", methods=["POST"])
@role_required("culture_lead")
def add_term() -> Any:
    current = lexicons.current_lexicon(get_db())
    form = _term_form(current, request.form)
    if form.validate():
        try:
            updated = lexicons.edited_lexicon(current, None, _term_fields(form))
            _save(updated, form.note.data or "Added a term.", form.based_on.data,
                  f"Added “{form.pattern_lines()[0].strip()}”.")
        except InvalidInput as error:
            form.form_errors.append(str(error))
        else:
            return redirect(url_for("culture.lexicon", _anchor="terms"))
    return _render_lexicon(form, status=400)


def _term_fields(form: TermForm) -> dict[str, Any]:
    return {"patterns": form.pattern_lines(), "category": form.category.data,
            "suggestion": (form.suggestion.data or "").strip(),
            "rationale": (form.rationale.data or "").strip()}


@bp.route("/lexicon/terms/<term_id>", methods=["GET", "POST"])
@role_required("culture_lead")
def edit_term(term_id: str) -> Any:
    current = lexicons.current_lexicon(get_db())
    term = lexicons.get_term(current, term_id)
    if request.method == "GET":
        form = _term_form(current, patterns="\n".join(term.patterns), category=term.category,
                          suggestion=term.suggestion, rationale=term.rationale, based_on=current.version)
    else:
        form = _term_form(current, request.form)
        if form.validate():
            try:
                updated = lexicons.edited_lexicon(current, term_id, _term_fields(form))
                _save(updated, form.note.data or f"Edited {term_id}.", form.based_on.data,
                      f"Saved “{term_id}”.")
            except InvalidInput as error:
                form.form_errors.append(str(error))
            else:
                return redirect(url_for("culture.lexicon", _anchor=f"term-{term_id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("culture/term.html", form=form, term=term), status


@bp.route("/lexicon/terms/<term_id>/toggle", methods=["POST"])
@role_required("culture_lead")
def toggle_term(term_id: str) -> Any:
    current = lexicons.current_lexicon(get_db())
    enable = not lexicons.get_term(current, term_id).enabled
    form = ToggleTermForm()
    if form.validate_on_submit():
        try:
            updated = lexicons.toggled_lexicon(current, term_id, enable)
            _save(updated, f"{'Enabled' if enable else 'Disabled'} {term_id}.", form.based_on.data,
                  f"{'Enabled' if enable else 'Disabled'} “{term_id}”.")
        except InvalidInput as error:
            flash(str(error), "error")
    return redirect(url_for("culture.lexicon", _anchor=f"term-{term_id}"))


@bp.route("/lexicon/remeasure", methods=["POST"])
@role_required("culture_lead")
def remeasure() -> Any:
    from survey.remeasure import remeasure_silo_language

    db = get_db()
    form = RemeasureForm()
    form.survey_id.choices = [(survey.id, survey.title) for survey in list_surveys(db)]
    if not form.validate():
        flash("Choose a survey to re-measure.", "error")
        return redirect(url_for("culture.lexicon", _anchor="remeasure"))
    summary = remeasure_silo_language(db, form.survey_id.data, min_group_size=_thresholds()[0])
    flash(f"Re-measured {summary.units:,} comment units with lexicon {summary.lexicon_version}: "
          f"{summary.flags_after:,} siloing phrases (before: {summary.flags_before:,}).", "success")
    return redirect(url_for("culture.silo", survey_id=summary.survey_id))


# -- check my text -----------------------------------------------------------------------------
@bp.route("/check-text", methods=["GET", "POST"])
@role_required("culture_lead", "brm")
def check_text() -> Any:
    """Highlight siloing phrases in a pasted draft; the draft lives only in this request."""
    form = CheckTextForm()
    result = None
    if form.validate_on_submit():
        from nlp.silo import analyse_silo_language

        text = form.text.data
        (flags,), (partnership,) = analyse_silo_language([text], lexicons.current_lexicon(get_db()))
        result = {"flags": flags, "partnership": partnership,
                  "pieces": marked_pieces(text, [(flag.start, flag.end) for flag in flags])}
    status = 400 if form.is_submitted() and form.errors else 200
    response = make_response(render_template("culture/check_text.html", form=form, result=result,
                                             max_chars=MAX_CHECK_CHARS), status)
    response.headers["Cache-Control"] = "no-store"
    return response

