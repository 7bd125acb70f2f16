"""The partner-facing "You said, we did" page of a survey (no account; DESIGN.md section 5).

``/y/<slug>`` shows the main themes of the last finished wave, what moved since the wave before,
and IT's actions with their status and public notes. Every figure comes from the stored analysis,
already suppressed under the reporting threshold; no verbatim quote is shown. Like the survey
pages it loads nothing from other hosts, sets no cookie, and logs nothing about the visitor.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from survey.db import get_db
from survey.services.you_said import you_said_we_did

bp = Blueprint("public", __name__)


@bp.route("/y/<slug>")
def you_said(slug: str) -> str:
    """What partners said in the last wave and what IT is doing about it."""
    summary = you_said_we_did(get_db(), slug)
    return render_template("public/you_said.html", summary=summary,
                           min_group_size=current_app.config["MIN_GROUP_SIZE"])
