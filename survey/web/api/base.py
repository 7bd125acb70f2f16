"""The ``api`` blueprint that every API module adds its routes to, and what all API answers share."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from survey.services.thresholds import Thresholds
from survey.web.api.errors import error_response
from survey.web.security import csrf

bp = Blueprint("api", __name__, url_prefix="/api")
# Bearer tokens, never cookies, authenticate API calls: there is no session to forge a request with.
csrf.exempt(bp)
bp.register_error_handler(Exception, error_response)


@bp.after_request
def no_store(response: Response) -> Response:
    """API answers hold survey results or secrets: keep them out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def thresholds() -> Thresholds:
    """The reporting thresholds the app is configured with (the pages use the same)."""
    return Thresholds.from_config(current_app.config)
