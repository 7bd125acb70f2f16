"""Human error pages: every HTTP error and store error gets a plain explanation."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey.errors import NotFound
from survey.web.api.errors import error_response, is_api_request

EXPLANATIONS = {
    400: "The request could not be understood. Go back and try again.",
    403: "Your account does not have access to this page.",
    404: "There is nothing at this address.",
    405: "That action is not possible on this page.",
    413: "What you sent is too large. Shorten your answers and try again.",
    429: "Too many attempts in a short time. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you entered was lost; try again shortly.",
}


def render_error(status: int, message: str | None = None) -> tuple[str, int]:
    """Render the shared error page with a status and a human message."""
    text = message or EXPLANATIONS.get(status, "Something went wrong.")
    return render_template("error.html", status=status, message=text), status


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors and for :class:`NotFound` raised by the store."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if is_api_request():  # the API answers JSON problems, also for unknown paths and methods
            return error_response(error)
        if isinstance(error, CSRFError):
            return render_error(400, "This form expired or was opened in another window. "
                                     "Reload the page and submit again.")
        description = error.description if error.code == 429 else None
        return render_error(error.code or 500, description)

    @app.errorhandler(NotFound)
    def store_not_found(error: NotFound):
        if is_api_request():
            return error_response(error)
        return render_error(404, str(error))
