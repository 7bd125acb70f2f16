"""The BRM workspace's survey overview: health by wave, top themes, what changed, sentiment chart."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from survey.db import get_db
from survey.services.response_rates import population_rate
from survey.services.what_changed import what_changed
from survey.store import insights
from survey.store.actions import Action, actions_for_survey
from survey.store.runs import last_run
from survey.store.surveys import get_survey
from survey.web.auth import role_required
from survey.web.charts import ChartImage, chart_image
from survey.web.navigation import choose_survey, survey_tabs

#: The workspace blueprint: this page, and the theme pages of :mod:`survey.web.workspace.themes`.
bp = Blueprint("workspace", __name__, url_prefix="/staff")


@bp.route("/overview", defaults={"survey_id": None})
@bp.route("/surveys/<int:survey_id>/overview")
@role_required("brm", "culture_lead")
def overview(survey_id: int | None) -> Any:
    """A survey's health by wave, its top themes and what changed since the wave before."""
    if survey_id is None:
        return choose_survey("workspace.overview", "Survey overview")
    db, threshold = get_db(), current_app.config["MIN_GROUP_SIZE"]
    survey = get_survey(db, survey_id)
    health = insights.wave_health(db, survey_id, threshold)
    analysed = insights.has_analysis(db, survey_id)
    chart = _sentiment_chart(health, threshold) if analysed else None
    return render_template(
        "workspace/overview.html", survey=survey, health=health, chart=chart, analysed=analysed,
        last_run=last_run(db, survey_id), threshold=threshold,
        top_themes=insights.top_themes(db, survey_id, threshold) if analysed else [],
        changes=what_changed(db, survey_id, threshold) if analysed else [],
        invitation_waves=any(wave.access == "invitation" for wave in health),
        population_rates=_population_rates(db, health, threshold),
        tabs=survey_tabs(survey_id), overdue=_overdue(db, survey_id),
    )


def _population_rates(db: Any, health: list[insights.WaveHealth], threshold: int) -> dict[int, Any]:
    """Response rates of public-link waves whose population per department the BRM entered."""
    rates = {wave.wave_id: population_rate(db, wave.wave_id, threshold)
             for wave in health if wave.access == "public"}
    return {wave_id: rate for wave_id, rate in rates.items() if rate is not None}


def _overdue(db: Any, survey_id: int) -> list[Action]:
    """The survey's overdue actions, for the BRMs who own actions (culture leads do not see actions)."""
    if current_user.role not in ("brm", "admin"):
        return []
    today = dt.date.today()
    return [action for action in actions_for_survey(db, survey_id) if action.is_overdue(today)]


def _sentiment_chart(health: list[insights.WaveHealth], threshold: int) -> ChartImage:
    """Mean sentiment with its interval, wave by wave."""
    # matplotlib (~30 MB) loads only in workers that draw a chart.
    from reports.charts import sentiment_by_wave

    return chart_image(
        sentiment_by_wave, [wave.label for wave in health], [wave.sentiment_mean for wave in health],
        [wave.sentiment_low for wave in health], [wave.sentiment_high for wave in health],
        min_group_size=threshold,
    )
