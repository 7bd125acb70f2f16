"""Template filters: every page writes dates and numbers the same way (see :mod:`reports.formatting`)."""

from __future__ import annotations

from flask import Flask

from reports.formatting import date_text, datetime_text, mean_text, signed_text, thousands

FILTERS = {
    "date_text": date_text,
    "datetime_text": datetime_text,
    "thousands": thousands,
    "mean_text": mean_text,
    "signed_text": signed_text,
}


def init_app(app: Flask) -> None:
    """Register :data:`FILTERS` on ``app``'s Jinja environment."""
    app.jinja_env.filters.update(FILTERS)
