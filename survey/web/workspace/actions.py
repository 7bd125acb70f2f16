"""BRM pages for improvement actions on themes, their effect, and overdue actions (thin views)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from reports.formatting import date_text
from survey.db import get_db
from survey.errors import InvalidInput
from survey.services.action_effect import action_effect
from survey.services.webhook_events import announce_action_status
from survey.store import actions as store
from survey.store.action_notes import action_notes, add_action_note
from survey.store.surveys import get_survey, list_surveys
from survey.web.auth import role_required
from survey.web.workspace.forms import ActionForm, ActionNoteForm, StatusForm, theme_select_choices

bp = Blueprint("actions", __name__, url_prefix="/staff")


@bp.app_template_global("theme_actions")
def theme_actions(survey_id: int, theme_id: str) -> list[store.Action]:
    """A theme's actions, for the ``workspace/_theme_actions.html`` include on theme pages."""
    return store.actions_for_survey(get_db(), survey_id, theme_id)


def _min_group_size() -> int:
    return current_app.config["MIN_GROUP_SIZE"]


def _safe_next() -> str | None:
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else None


def _action_fields(form: ActionForm) -> dict[str, Any]:
    return {
        "title": form.title.data or "", "owner": form.owner.data or "", "due_on": form.due_on.data,
        "status": form.status.data, "public_note": form.public_note.data or "",
        "started_on": form.started_on.data,
    }


def _moved_note(asked: str, action: store.Action) -> str:
    """Why an action asked to be Planned is In progress: its start date has come."""
    if asked == "planned" and action.status == "in_progress" and action.started_on is not None:
        return (f" It started on {date_text(action.started_on)}, so it is now In progress "
                "(a planned action has not started yet).")
    return ""


@bp.route("/actions")
@role_required("brm")
def index() -> Any:
    """Pick a survey (a single survey opens directly)."""
    surveys = list_surveys(get_db())
    if len(surveys) == 1:
        return redirect(url_for(".survey_actions", survey_id=surveys[0].id))
    overdue = store.overdue_actions(get_db())
    return render_template("actions/index.html", surveys=surveys, overdue_count=len(overdue))


@bp.route("/surveys/<int:survey_id>/actions", methods=["GET", "POST"])
@role_required("brm")
def survey_actions(survey_id: int) -> Any:
    """List a survey's actions with their effect (GET) or attach a new action to a theme (POST)."""
    db = get_db()
    survey = get_survey(db, survey_id)
    form = ActionForm()
    form.theme_id.choices = theme_select_choices(store.theme_choices(db, survey_id))
    if form.validate_on_submit():
        try:
            created = store.create_action(db, survey_id, form.theme_id.data, **_action_fields(form))
        except InvalidInput as error:
            form.form_errors.append(str(error))
        else:
            flash("Action added." + _moved_note(form.status.data, created), "success")
            return redirect(_safe_next() or url_for(".survey_actions", survey_id=survey_id), code=303)
    actions = store.actions_for_survey(db, survey_id)
    effects = {action.id: action_effect(db, action, _min_group_size()) for action in actions}
    status = 422 if request.method == "POST" else 200
    return render_template("actions/list.html", survey=survey, actions=actions, effects=effects,
                           form=form, status_form=StatusForm(formdata=None), today=dt.date.today()), status


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@role_required("brm")
def edit(action_id: int) -> Any:
    """An action's effect around its start, and the form to change it."""
    db = get_db()
    action = store.get_action(db, action_id)
    form = ActionForm(obj=action)
    del form.theme_id  # an action stays on its theme; attach a new one to another theme
    if form.validate_on_submit():
        try:
            saved = store.update_action(db, action_id, **_action_fields(form))
        except InvalidInput as error:
            form.form_errors.append(str(error))
        else:
            announce_action_status(db, action, saved)
            flash("Action saved." + _moved_note(form.status.data, saved), "success")
            return redirect(url_for(".edit", action_id=action_id), code=303)
    effect = action_effect(db, action, _min_group_size())
    status = 422 if request.method == "POST" else 200
    return render_template("actions/edit.html", action=action, survey=get_survey(db, action.survey_id),
                           effect=effect, form=form, min_group_size=_min_group_size(),
                           notes=action_notes(db, action_id), note_form=ActionNoteForm(formdata=None)), status


@bp.route("/actions/<int:action_id>/notes", methods=["POST"])
@role_required("brm")
def add_note(action_id: int) -> Any:
    """Add a dated progress note to an action."""
    store.get_action(get_db(), action_id)
    form = ActionNoteForm()
    if form.validate_on_submit():
        try:
            add_action_note(get_db(), action_id, form.note.data)
        except InvalidInput as error:
            flash(str(error), "error")
        else:
            flash("Progress note added.", "success")
    else:
        for messages in form.errors.values():
            flash(f"The note was not added: {' '.join(messages)}", "error")
    return redirect(url_for(".edit", action_id=action_id, _anchor="notes"), code=303)


@bp.route("/actions/<int:action_id>/status", methods=["POST"])
@role_required("brm")
def change_status(action_id: int) -> Any:
    """Move an action to another status (its start date is set when it leaves Planned)."""
    db = get_db()
    action = store.get_action(db, action_id)
    form = StatusForm()
    if form.validate_on_submit():
        before, action = action, store.set_action_status(db, action_id, form.status.data)
        announce_action_status(db, before, action)
        flash(f"\u201c{action.title}\u201d is now {action.status_label.lower()}.", "success")
    else:
        flash("Pick a status.", "error")
    return redirect(_safe_next() or url_for(".survey_actions", survey_id=action.survey_id), code=303)


@bp.route("/actions/overdue")
@role_required("brm")
def overdue() -> str:
    """Actions of every survey whose due date has passed and that are not done."""
    db = get_db()
    today = dt.date.today()
    actions = store.overdue_actions(db, today)
    titles = {survey.id: survey.title for survey in list_surveys(db)}
    return render_template("actions/overdue.html", actions=actions, titles=titles, today=today)
