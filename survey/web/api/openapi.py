"""The OpenAPI 3.1 document of the REST API, served at ``/api/openapi.json`` and drawn at ``/api/docs``.

Paths are listed once in :data:`OPERATIONS`; the document, the docs page and the tests all read
that list. Component schemas live in :mod:`survey.web.api.schemas`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from survey.web.api.schemas import COMPONENTS, ID, MAX_ID, Schema, ref

API_VERSION = "1.0.0"
PREFIX = "/api/v1"


@dataclass(frozen=True)
class Parameter:
    """A path or query parameter."""

    name: str
    location: str  # "path" | "query"
    schema: Schema
    description: str


@dataclass(frozen=True)
class Operation:
    """One documented operation: method, path, scope, parameters, body and success response."""

    operation_id: str
    method: str
    path: str
    summary: str
    scope: str  # "read" | "write"
    ok_status: int
    ok_schema: Schema
    parameters: tuple[Parameter, ...] = ()
    body: str | None = None  # name of the request schema in ``COMPONENTS``
    errors: tuple[int, ...] = field(default=(401, 403, 404, 429))
    description: str = ""


SURVEY_ID = Parameter("survey_id", "path", ID, "Id of the survey (`GET /api/v1/surveys` lists them).")
WAVE_ID = Parameter("wave_id", "path", ID, "Id of the wave.")
ACTION_ID = Parameter("action_id", "path", ID, "Id of the action.")
THEME_ID = Parameter("theme_id", "path", {"type": "string", "minLength": 1, "maxLength": 200,
                                          "pattern": "^[^/]+$"}, "Id of the theme.")
QUERY_WAVE = Parameter("wave_id", "query", ID, "Only this wave.")
QUERY_SEGMENT = Parameter("segment", "query", {"type": "string", "minLength": 1, "maxLength": 200},
                          "Only this segment (department); cells of every segment together have none.")
QUERY_THEME = Parameter("theme_id", "query", {"type": "string", "minLength": 1, "maxLength": 200},
                        "Only this theme; cells of every theme together have none.")
WRITE_ERRORS = (401, 403, 404, 409, 413, 415, 422, 429)
THRESHOLDS = ("Figures over fewer respondents than the minimum group size are null with "
              "`suppressed: true`, exactly as on the staff pages; only released responses count.")

OPERATIONS: tuple[Operation, ...] = (
    Operation("listSurveys", "get", "/surveys", "Every survey", "read", 200, {"type": "array",
              "items": ref("Survey")}, errors=(401, 403, 429)),
    Operation("getSurvey", "get", "/surveys/{survey_id}", "One survey", "read", 200, ref("Survey"),
              (SURVEY_ID,)),
    Operation("listQuestions", "get", "/surveys/{survey_id}/questions", "A survey's questions in order",
              "read", 200, {"type": "array", "items": ref("Question")}, (SURVEY_ID,)),
    Operation("listWaves", "get", "/surveys/{survey_id}/waves", "A survey's waves with their figures",
              "read", 200, {"type": "array", "items": ref("Wave")}, (SURVEY_ID,), description=THRESHOLDS),
    Operation("createWave", "post", "/surveys/{survey_id}/waves", "Create a wave", "write", 201,
              ref("Wave"), (SURVEY_ID,), "NewWave", WRITE_ERRORS,
              "The survey needs an open-text question; labels are unique per survey (409 otherwise)."),
    Operation("getWave", "get", "/waves/{wave_id}", "One wave with its figures", "read", 200, ref("Wave"),
              (WAVE_ID,), description=THRESHOLDS),
    Operation("createInvitationCodes", "post", "/waves/{wave_id}/invitation-codes",
              "Generate single-use invitation codes", "write", 201, ref("InvitationCodes"), (WAVE_ID,),
              "NewInvitationCodes", WRITE_ERRORS,
              "The codes are returned once and stored only as hashes: keep this response. The wave "
              "must use invitation access (409 otherwise)."),
    Operation("listAggregates", "get", "/surveys/{survey_id}/aggregates",
              "Released results per wave, segment and theme", "read", 200, ref("Aggregates"),
              (SURVEY_ID, QUERY_WAVE, QUERY_SEGMENT, QUERY_THEME), errors=(401, 403, 404, 422, 429),
              description="As of the last analysis run. " + THRESHOLDS),
    Operation("listThemes", "get", "/surveys/{survey_id}/themes", "A survey's concern themes", "read", 200,
              {"type": "array", "items": ref("Theme")}, (SURVEY_ID,), description=THRESHOLDS),
    Operation("getTheme", "get", "/surveys/{survey_id}/themes/{theme_id}", "One theme with quotes", "read",
              200, ref("ThemeDetail"), (SURVEY_ID, THEME_ID),
              description="Quotes (redacted) come only from wave x segment groups that reach the quote "
                          "threshold, as in the wave report. " + THRESHOLDS),
    Operation("getSilo", "get", "/surveys/{survey_id}/silo", "Siloing-language metrics", "read", 200,
              ref("Silo"), (SURVEY_ID,), description=THRESHOLDS),
    Operation("listActions", "get", "/surveys/{survey_id}/actions", "A survey's improvement actions",
              "read", 200, {"type": "array", "items": ref("Action")}, (SURVEY_ID,)),
    Operation("createAction", "post", "/surveys/{survey_id}/actions", "Attach an action to a theme",
              "write", 201, ref("Action"), (SURVEY_ID,), "NewAction", WRITE_ERRORS),
    Operation("getAction", "get", "/actions/{action_id}", "One action", "read", 200, ref("Action"),
              (ACTION_ID,)),
    Operation("updateAction", "patch", "/actions/{action_id}", "Change an action", "write", 200,
              ref("Action"), (ACTION_ID,), "ActionChanges", WRITE_ERRORS,
              "Only the fields sent change. Moving out of `planned` sets `started_on` (today unless "
              "given); moving back to `planned` clears it."),
)

ERROR_TEXT = {
    401: "No token, an unknown token or a revoked token.",
    403: "The token's scope does not allow this (a read token cannot write).",
    404: "No such survey, wave, theme or action.",
    409: "The request conflicts with what exists (a wave label in use, codes for a public wave).",
    413: "The request body is too large.",
    415: "The body must be JSON (Content-Type: application/json).",
    422: "The body or a query parameter breaks a rule; `errors` says which field and why.",
    429: "Too many requests for this token or address; wait `Retry-After` seconds.",
}


def _parameter(parameter: Parameter) -> dict[str, Any]:
    return {"name": parameter.name, "in": parameter.location, "required": parameter.location == "path",
            "schema": parameter.schema, "description": parameter.description}


def _problem(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/problem+json": {"schema": ref("Problem")}}}


def _operation(op: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {
        str(op.ok_status): {"description": "OK" if op.ok_status == 200 else "Created",
                            "content": {"application/json": {"schema": op.ok_schema}}},
    }
    responses.update({str(status): _problem(ERROR_TEXT[status]) for status in op.errors})
    responses["default"] = _problem("Any other error, in the same shape.")
    document: dict[str, Any] = {
        "operationId": op.operation_id, "summary": op.summary,
        "description": (op.description + f" Needs a token with `{op.scope}` scope.").strip(),
        "tags": [op.path.split("/")[1]], "security": [{"bearer": []}],
        "parameters": [_parameter(parameter) for parameter in op.parameters], "responses": responses,
    }
    if op.body:
        document["requestBody"] = {"required": True,
                                   "content": {"application/json": {"schema": ref(op.body)}}}
    return document


def openapi_document(server_url: str = "/") -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (``server_url``: where the API is served)."""
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(PREFIX + op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Rapport API", "version": API_VERSION,
            "description": "Read released survey results and manage waves, invitation codes and actions. "
                           "Authenticate with `Authorization: Bearer <token>`; admins create tokens on "
                           "the API tokens page or with `rapport api-token-create`. " + THRESHOLDS,
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "An API token, shown once when it is created."}},
        },
    }


def find_operation(operation_id: str) -> Operation:
    """The operation called ``operation_id`` (a programming error if there is none)."""
    return next(op for op in OPERATIONS if op.operation_id == operation_id)


__all__ = ["MAX_ID", "OPERATIONS", "Operation", "Parameter", "find_operation", "openapi_document"]
