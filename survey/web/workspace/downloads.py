"""Report downloads for BRMs and culture leads: the wave report as HTML or PDF, the units as CSV or JSON.

Thin views over :func:`survey.services.wave_report.render_report` (the same code as ``rapport report``).
An unknown survey, wave or format answers 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from werkzeug.wrappers import Response

from survey.db import get_db
from survey.services.thresholds import Thresholds
from survey.services.wave_report import render_report
from survey.store.surveys import get_survey, list_surveys, response_counts, waves_for
from survey.store.trends import analysed_wave_ids
from survey.web.auth import role_required

bp = Blueprint("downloads", __name__, url_prefix="/staff")

#: Formats offered on the page, with what each holds.
DOWNLOADS = (
    ("html", "HTML", "the wave report as one file that opens offline"),
    ("pdf", "PDF", "the same report, for printing and e-mail"),
    ("csv", "CSV", "analysed comment units for a spreadsheet"),
    ("json", "JSON", "the same units for other tools"),
)


@bp.route("/reports", defaults={"survey_id": None})
@bp.route("/surveys/<int:survey_id>/reports")
@role_required("brm", "culture_lead")
def index(survey_id: int | None) -> str:
    """Every survey (or one) with a download link per wave and format."""
    db = get_db()
    surveys = [get_survey(db, survey_id)] if survey_id is not None else list_surveys(db)
    analysed = analysed_wave_ids(db)
    rows = [(survey, waves_for(db, survey.id), response_counts(db, survey.id)) for survey in surveys]
    thresholds = Thresholds.from_config(current_app.config)
    return render_template("downloads/index.html", rows=rows, analysed=analysed, downloads=DOWNLOADS,
                           threshold=thresholds.min_group_size, text_threshold=thresholds.text_threshold)


@bp.route("/surveys/<int:survey_id>/report.<any(html, pdf, csv, json):fmt>")
@role_required("brm", "culture_lead")
def report(survey_id: int, fmt: str) -> Any:
    """The report or export of ``?wave=LABEL`` (default: the latest analysed wave) as an attachment.

    Action owners are staff names: they are in the report only with ``?owners=include``.
    """
    # An unknown survey or wave raises the store's NotFound: the error pages answer 404 with its message.
    rendered = render_report(
        get_db(), survey_id, request.args.get("wave") or None, fmt,
        thresholds=Thresholds.from_config(current_app.config),
        include_owners=request.args.get("owners") == "include",
    )
    response = Response(rendered.content, mimetype=rendered.media_type)
    response.headers.set("Content-Disposition", "attachment", filename=rendered.filename)
    # Reports hold partners' (redacted) words: keep them out of shared caches and browser history.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
