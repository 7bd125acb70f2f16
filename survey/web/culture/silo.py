"""Culture-lead workspace: the silo-language dashboard and its event notes (thin views).

The blueprint ``culture`` also carries the lexicon editor (:mod:`~survey.web.culture.lexicon`) and
"check my text" (:mod:`~survey.web.culture.check_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from nlp.silo.wording import category_name
from survey.db import get_db
from survey.errors import InvalidInput
from survey.services.thresholds import Thresholds
from survey.store import culture as store
from survey.store import lexicons
from survey.store.surveys import get_survey, list_surveys, waves_for
from survey.web.auth import role_required
from survey.web.culture.charts import silo_chart
from survey.web.culture.forms import DeleteEventForm, EventForm, RemeasureForm

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
    """``business_it_side`` -> ``Business vs IT`` (see :data:`nlp.silo.wording.CATEGORY_NAMES`)."""
    return category_name(category)


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
    """The silo-language dashboard of a survey: rates by wave and segment, terms, examples, events."""
    db = get_db()
    survey = get_survey(db, survey_id)
    thresholds = Thresholds.from_config(current_app.config)
    min_group, min_quote = thresholds.min_group_size, thresholds.min_quote_group_size
    cells = store.silo_cells(db, survey_id, min_group)
    waves = [wave for wave in waves_for(db, survey_id) if any(cell.wave == wave.label for cell in cells)]
    selected = _selected_wave(waves)
    examples = store.silo_examples(db, survey_id, selected.id, min_quote) if selected else []
    events = store.events_for(db, survey_id)
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
    """Add a dated event note (drawn on the charts)."""
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
        for messages in form.errors.values():
            for message in messages:
                flash(f"The event was not added: {message}", "error")
    return redirect(url_for("culture.silo", survey_id=survey_id, _anchor="events"))


@bp.route("/surveys/<int:survey_id>/silo/events/<int:event_id>/delete", methods=["POST"])
@role_required("culture_lead")
def delete_event(survey_id: int, event_id: int) -> Any:
    """Remove an event note."""
    if DeleteEventForm().validate_on_submit():
        store.delete_event(get_db(), survey_id, event_id)
        flash("Event note removed.", "success")
    return redirect(url_for("culture.silo", survey_id=survey_id, _anchor="events"))
