"""API: surveys, their questions and waves; creating a wave; generating invitation codes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, jsonify, url_for

from survey.db import get_db
from survey.store import insights
from survey.store.invitations import generate_invitation_codes
from survey.store.surveys import (
    Question,
    Survey,
    Wave,
    create_wave,
    get_survey,
    get_wave,
    list_surveys,
    questions_for,
    waves_for,
)
from survey.web.api.auth import requires
from survey.web.api.base import bp, thresholds
from survey.web.api.errors import ApiError
from survey.web.api.openapi import MAX_ID
from survey.web.api.payloads import json_body

SURVEY = f"/v1/surveys/<int(max={MAX_ID}):survey_id>"
WAVE = f"/v1/waves/<int(max={MAX_ID}):wave_id>"


def survey_json(survey: Survey) -> dict[str, Any]:
    """A survey as the API shows it (with the partners' "you said, we did" address)."""
    return {"id": survey.id, "title": survey.title, "introduction": survey.introduction,
            "privacy_note": survey.privacy_note,
            "you_said_url": url_for("public.you_said", slug=survey.slug, _external=True)}


def question_json(question: Question) -> dict[str, Any]:
    return {"id": question.id, "survey_id": question.survey_id, "position": question.position,
            "kind": question.kind, "prompt": question.prompt, "help_text": question.help_text,
            "required": question.required, "options": list(question.options)}


def wave_json(wave: Wave, health: insights.WaveHealth | None) -> dict[str, Any]:
    """A wave with the figures of the overview page (suppressed figures are null).

    The response rate is left out: it is computed from codes used at submission time, before
    responses are released, so it would move by one with each answer.
    """
    return {
        "id": wave.id, "survey_id": wave.survey_id, "label": wave.label,
        "opens_on": wave.opens_on.isoformat(), "closes_on": wave.closes_on.isoformat(),
        "access": wave.access, "status": wave.status(),
        "partner_url": url_for("partner.survey", token=wave.token, _external=True),
        "responses": health.responses if health else 0,
        "codes_issued": health.codes_issued if health else None,
        "mean_rating": health.mean_rating if health else None, "nps": health.nps if health else None,
        "sentiment": {"mean": health.sentiment_mean if health else None,
                      "low": health.sentiment_low if health else None,
                      "high": health.sentiment_high if health else None},
    }


def _waves_with_health(survey_id: int) -> list[dict[str, Any]]:
    db = get_db()
    health = {row.wave_id: row for row in insights.wave_health(db, survey_id, thresholds().min_group_size)}
    return [wave_json(wave, health.get(wave.id)) for wave in waves_for(db, survey_id)]


@bp.route("/v1/surveys")
@requires("read")
def list_surveys_view() -> Response:
    """Every survey, by title."""
    return jsonify([survey_json(survey) for survey in list_surveys(get_db())])


@bp.route(SURVEY)
@requires("read")
def get_survey_view(survey_id: int) -> Response:
    """One survey."""
    return jsonify(survey_json(get_survey(get_db(), survey_id)))


@bp.route(f"{SURVEY}/questions")
@requires("read")
def list_questions_view(survey_id: int) -> Response:
    """The survey's questions in the order partners see them."""
    db = get_db()
    get_survey(db, survey_id)
    return jsonify([question_json(question) for question in questions_for(db, survey_id)])


@bp.route(f"{SURVEY}/waves")
@requires("read")
def list_waves_view(survey_id: int) -> Response:
    """The survey's waves in order, with released counts and scores (thresholds applied)."""
    get_survey(get_db(), survey_id)
    return jsonify(_waves_with_health(survey_id))


@bp.route(WAVE)
@requires("read")
def get_wave_view(wave_id: int) -> Response:
    """One wave with its released counts and scores."""
    wave = get_wave(get_db(), wave_id)
    return jsonify(next(row for row in _waves_with_health(wave.survey_id) if row["id"] == wave.id))


@bp.route(f"{SURVEY}/waves", methods=["POST"])
@requires("write")
def create_wave_view(survey_id: int) -> Any:
    """Create a wave (public link or invitation codes)."""
    db = get_db()
    get_survey(db, survey_id)
    body = json_body("NewWave")
    wave = create_wave(db, survey_id, body["label"], dt.date.fromisoformat(body["opens_on"]),
                       dt.date.fromisoformat(body["closes_on"]), body.get("access", "public"))
    row = next(row for row in _waves_with_health(survey_id) if row["id"] == wave.id)
    return jsonify(row), 201, {"Location": url_for("api.get_wave_view", wave_id=wave.id)}


@bp.route(f"{WAVE}/invitation-codes", methods=["POST"])
@requires("write")
def create_invitation_codes_view(wave_id: int) -> Any:
    """Generate single-use codes; the plain codes are in this answer only (the database keeps hashes)."""
    db = get_db()
    wave = get_wave(db, wave_id)
    body = json_body("NewInvitationCodes")
    if wave.access != "invitation":
        raise ApiError(409, "This wave uses a public link; only invitation waves have codes.")
    codes = generate_invitation_codes(db, wave.id, body["count"])
    return jsonify({"wave_id": wave.id, "count": len(codes), "codes": codes}), 201
