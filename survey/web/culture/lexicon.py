"""The culture lead's lexicon editor: add, edit, disable terms (each save a new version), re-measure."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from nlp.silo import Lexicon
from nlp.silo.patterns import readable_pattern
from nlp.silo.wording import term_label
from survey.db import get_db
from survey.errors import InvalidInput
from survey.services.pattern_tester import try_sentence
from survey.services.remeasure import remeasure_silo_language
from survey.services.thresholds import Thresholds
from survey.store import lexicons
from survey.store.surveys import list_surveys
from survey.store.term_usage import term_usage
from survey.web.auth import role_required
from survey.web.culture.forms import (
    LexiconImportForm,
    PatternTestForm,
    RemeasureForm,
    TermForm,
    ToggleTermForm,
)
from survey.web.culture.silo import bp, silo_category


def _term_form(lexicon: Lexicon, formdata: Any = None, **data: Any) -> TermForm:
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
    thresholds = Thresholds.from_config(current_app.config)
    tester = PatternTestForm(request.args)
    page = {
        "lexicon": lexicon, "form": form, "toggle_form": ToggleTermForm(formdata=None),
        "remeasure_form": remeasure, "history": lexicons.lexicon_history(db),
        "labels": {term.id: term_label(term, lexicon) for term in lexicon.terms},
        "usage": term_usage(db, thresholds.min_group_size, thresholds.min_quote_group_size),
        "min_group": thresholds.min_group_size, "tester": tester,
        "tested": try_sentence(tester.sentence.data, lexicon)
        if "sentence" in request.args and tester.validate() else None,
        "import_form": LexiconImportForm(formdata=None, based_on=lexicon.version),
    }
    return render_template("culture/lexicon.html", **page), status


@bp.route("/lexicon")
@role_required("culture_lead")
def lexicon() -> Any:
    """The current lexicon, its history, the forms to change it, and the pattern tester (``?sentence=``)."""
    return _render_lexicon()


def _save(lexicon: Lexicon, note: str, based_on: str | None, message: str) -> None:
    saved = lexicons.save_lexicon(get_db(), lexicon, author_id=current_user.user.id, note=note,
                                  based_on=based_on or None)
    flash(f"{message} Lexicon version {saved.number} ({saved.version}) is now current. "
          "Re-measure a survey to apply it to waves already analysed.", "success")


@bp.route("/lexicon/terms", methods=["POST"])
@role_required("culture_lead")
def add_term() -> Any:
    """Add a term (saves a new lexicon version)."""
    current = lexicons.current_lexicon(get_db())
    form = _term_form(current, request.form)
    if form.validate():
        try:
            updated = lexicons.edited_lexicon(current, None, _term_fields(form))
            label = readable_pattern(form.pattern_lines()[0].strip(), current.word_lists)
            _save(updated, form.note.data or f"Added “{label}”.", form.based_on.data, f"Added “{label}”.")
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
    """Change a term (saves a new lexicon version)."""
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
                label = term_label(lexicons.get_term(updated, term_id), updated)
                _save(updated, form.note.data or f"Edited “{label}”.", form.based_on.data,
                      f"Saved “{label}”.")
            except InvalidInput as error:
                form.form_errors.append(str(error))
            else:
                return redirect(url_for("culture.lexicon", _anchor=f"term-{term_id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("culture/term.html", form=form, term=term, label=term_label(term, current)), status


@bp.route("/lexicon/terms/<term_id>/toggle", methods=["POST"])
@role_required("culture_lead")
def toggle_term(term_id: str) -> Any:
    """Disable or enable a term (saves a new lexicon version)."""
    current = lexicons.current_lexicon(get_db())
    enable = not lexicons.get_term(current, term_id).enabled
    form = ToggleTermForm()
    if form.validate_on_submit():
        try:
            updated = lexicons.toggled_lexicon(current, term_id, enable)
            label = term_label(lexicons.get_term(current, term_id), current)
            done = "Enabled" if enable else "Disabled"
            _save(updated, f"{done} “{label}”.", form.based_on.data, f"{done} “{label}”.")
        except InvalidInput as error:
            flash(str(error), "error")
    return redirect(url_for("culture.lexicon", _anchor=f"term-{term_id}"))


@bp.route("/lexicon/remeasure", methods=["POST"])
@role_required("culture_lead")
def remeasure() -> Any:
    """Re-measure one survey's silo language with the current lexicon."""
    db = get_db()
    form = RemeasureForm()
    form.survey_id.choices = [(survey.id, survey.title) for survey in list_surveys(db)]
    if not form.validate():
        flash("Choose a survey to re-measure.", "error")
        return redirect(url_for("culture.lexicon", _anchor="remeasure"))
    thresholds = Thresholds.from_config(current_app.config)
    summary = remeasure_silo_language(db, form.survey_id.data, min_group_size=thresholds.min_group_size)
    flash(f"Re-measured {summary.units:,} comment units with lexicon {summary.lexicon_version}: "
          f"{summary.flags_after:,} siloing phrases (before: {summary.flags_before:,}).", "success")
    return redirect(url_for("culture.silo", survey_id=summary.survey_id))
