"""Site-wide presentation: template filters (dates and numbers read the same everywhere) and the favicon.

The filters come from :mod:`reports.formatting`, so pages, reports and commands share one definition.
The favicon is a local SVG: no page loads anything from another host.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, current_app
from flask_login import current_user

from reports.formatting import date_text, datetime_text, mean_text, signed_text, thousands

FILTERS = {
    "date_text": date_text,
    "datetime_text": datetime_text,
    "thousands": thousands,
    "mean_text": mean_text,
    "signed_text": signed_text,
}


def favicon() -> Response:
    """``/favicon.ico`` for browsers that ask before reading the page's icon link (an SVG either way)."""
    path = Path(current_app.static_folder or "", "favicon.svg")
    response = Response(path.read_bytes(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def init_app(app: Flask) -> None:
    """Register :data:`FILTERS` on ``app``'s Jinja environment and serve the favicon."""
    app.jinja_env.filters.update(FILTERS)
    # Macros imported without context (breadcrumbs) need the signed-in user's role too.
    app.jinja_env.globals["current_user"] = current_user
    app.add_url_rule("/favicon.ico", "favicon", favicon)
