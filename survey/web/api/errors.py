"""JSON errors of the API: RFC 9457 problem details with a plain message, never an HTML page.

Every failure under ``/api/`` (a store error, a bad body, an unknown path, a wrong method, a body
too large, even an unexpected exception) answers ``application/problem+json`` with the right status.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from survey.errors import Conflict, InvalidInput, NotFound

MEDIA_TYPE = "application/problem+json"
MESSAGES = {
    400: "The request could not be understood.",
    404: "There is nothing at this address. GET /api/openapi.json lists every path.",
    405: "This path does not accept that method; GET /api/openapi.json lists what it accepts.",
    413: "The request body is too large.",
    429: "Too many requests; wait a minute and try again.",
    500: "Something went wrong on our side; nothing was changed. Try again shortly.",
}


class ApiError(Exception):
    """An error the API answers with ``status`` and a message (and optional per-field errors)."""

    def __init__(self, status: int, detail: str, *, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def problem(status: int, detail: str, *, errors: list[dict[str, str]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """A problem-details response."""
    body: dict[str, Any] = {"title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
                            "detail": detail}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def is_api_request() -> bool:
    """Whether the current request is for the API (its errors are JSON)."""
    return request.path == "/api" or request.path.startswith("/api/")


def error_response(error: Exception) -> Response:
    """The problem response for any exception raised while serving the API."""
    if isinstance(error, ApiError):
        return problem(error.status, error.detail, errors=error.errors, headers=error.headers)
    if isinstance(error, NotFound):
        return problem(404, str(error))
    if isinstance(error, Conflict):
        return problem(409, str(error))
    if isinstance(error, InvalidInput):
        return problem(422, str(error))
    if isinstance(error, HTTPException):
        status = error.code or 500
        allowed = getattr(error, "valid_methods", None)
        headers = {"Allow": ", ".join(allowed)} if allowed else {}
        detail = MESSAGES.get(status) or error.description or HTTP_STATUS_CODES.get(status, "Error")
        return problem(status, detail, headers=headers)
    current_app.logger.exception("API request failed")
    return problem(500, MESSAGES[500])
