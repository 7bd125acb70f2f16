"""API: improvement actions on themes: list, read, create and change (the actions pages' store)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, jsonify, url_for

from survey.db import get_db
from survey.services.webhook_events import announce_action_status
from survey.store.actions import Action, actions_for_survey, create_action, get_action, update_action
from survey.store.surveys import get_survey
from survey.web.api.auth import requires
from survey.web.api.base import bp
from survey.web.api.openapi import MAX_ID
from survey.web.api.payloads import json_body, optional_date
from survey.web.api.surveys import SURVEY

ACTION = f"/v1/actions/<int(max={MAX_ID}):action_id>"


def action_json(action: Action, today: dt.date | None = None) -> dict[str, Any]:
    return {"id": action.id, "survey_id": action.survey_id, "theme_id": action.theme_id,
            "theme": action.theme_name, "title": action.title, "owner": action.owner,
            "due_on": action.due_on.isoformat() if action.due_on else None, "status": action.status,
            "public_note": action.public_note,
            "started_on": action.started_on.isoformat() if action.started_on else None,
            "overdue": action.is_overdue(today)}


@bp.route(f"{SURVEY}/actions")
@requires("read")
def list_actions_view(survey_id: int) -> Response:
    """The survey's actions: in progress first, then planned, then done."""
    db = get_db()
    get_survey(db, survey_id)
    return jsonify([action_json(action) for action in actions_for_survey(db, survey_id)])


@bp.route(ACTION)
@requires("read")
def get_action_view(action_id: int) -> Response:
    """One action."""
    return jsonify(action_json(get_action(get_db(), action_id)))


@bp.route(f"{SURVEY}/actions", methods=["POST"])
@requires("write")
def create_action_view(survey_id: int) -> Any:
    """Attach an action to one of the survey's curated themes."""
    db = get_db()
    get_survey(db, survey_id)
    body = json_body("NewAction")
    action = create_action(
        db, survey_id, body["theme_id"], body["title"], owner=body.get("owner", ""),
        due_on=optional_date(body.get("due_on")), status=body.get("status", "planned"),
        public_note=body.get("public_note", ""), started_on=optional_date(body.get("started_on")),
    )
    location = url_for("api.get_action_view", action_id=action.id)
    return jsonify(action_json(action)), 201, {"Location": location}


@bp.route(ACTION, methods=["PATCH"])
@requires("write")
def update_action_view(action_id: int) -> Response:
    """Change the fields sent; the others keep their values."""
    db = get_db()
    action = get_action(db, action_id)
    body = json_body("ActionChanges")
    due_on = optional_date(body["due_on"]) if "due_on" in body else action.due_on
    started_on = optional_date(body["started_on"]) if "started_on" in body else action.started_on
    changed = update_action(
        db, action_id, title=body.get("title", action.title), owner=body.get("owner", action.owner),
        due_on=due_on, status=body.get("status", action.status),
        public_note=body.get("public_note", action.public_note), started_on=started_on,
    )
    announce_action_status(db, action, changed)  # the same webhook event as a change on the page
    return jsonify(action_json(changed))
