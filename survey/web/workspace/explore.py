"""BRM workspace: the responses browser, the segment x theme heat map and "Run analysis" (thin views)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from survey.db import get_db
from survey.errors import AnalysisAlreadyRunning
from survey.jobs import analysis as analysis_job
from survey.services.models import model_settings
from survey.store import browse
from survey.store.runs import recent_runs
from survey.store.surveys import get_survey
from survey.web.auth import role_required
from survey.web.charts import ChartImage, chart_image
from survey.web.navigation import choose_survey, survey_tabs
from survey.web.workspace.corrections import correction_context
from survey.web.workspace.forms import RunAnalysisForm, UnitFilterForm

bp = Blueprint("explore", __name__, url_prefix="/staff")
MAX_PAGE = 1_000_000
MAX_SEARCH_WORDS = 12
#: How often the analysis page reloads itself while a run is going.
REFRESH_SECONDS = 3


def _choices(first: str, pairs) -> list[SelectChoice]:
    return [SelectChoice("", first)] + [SelectChoice(str(value), label) for value, label in pairs]


def _filter_form(options: browse.BrowseOptions) -> UnitFilterForm:
    form = UnitFilterForm(request.args)
    form.wave.choices = _choices("All waves", options.waves)
    form.segment.choices = _choices("All segments", [(segment, segment) for segment in options.segments])
    form.theme.choices = _choices("All themes", options.themes)
    form.sentiment.choices = _choices("Any sentiment", [(label, label.capitalize())
                                                        for label in options.sentiment_labels])
    return form


def _search_text(raw: str) -> str:
    """The search box's words: printable, each once, at most :data:`MAX_SEARCH_WORDS`, 200 characters.

    Repeating a word adds nothing but work for FTS5, and bare quotes or control characters are
    not words (the store quotes what is left, so no FTS5 syntax gets through).
    """
    words = "".join(ch if ch.isprintable() else " " for ch in raw).split()
    unique = dict.fromkeys(word for word in words if word.strip('"'))
    return " ".join(list(unique)[:MAX_SEARCH_WORDS])[:200]


def _chosen(form: UnitFilterForm) -> browse.UnitFilter:
    """The filter the form asks for (an over-long search is cut, a malformed wave ignored)."""
    wave = form.wave.data or ""
    return browse.UnitFilter(
        query=_search_text(form.q.data or ""),
        wave_id=int(wave) if wave.isascii() and wave.isdigit() and len(wave) <= 12 else None,
        segment=form.segment.data or None, theme_id=form.theme.data or None,
        sentiment_label=form.sentiment.data or None,
        flagged={"yes": True, "no": False}.get(form.flag.data or ""),
    )


@bp.route("/responses", defaults={"survey_id": None})
@bp.route("/surveys/<int:survey_id>/responses")
@role_required("brm")
def responses(survey_id: int | None) -> Any:
    """Search and filter the redacted comments (never below the quote threshold)."""
    if survey_id is None:
        return choose_survey("explore.responses", "Responses")
    db, config = get_db(), current_app.config
    survey = get_survey(db, survey_id)
    options = browse.browse_options(db, survey_id)
    form = _filter_form(options)
    chosen = _chosen(form)
    # A page number past SQLite's 64-bit range would overflow; no survey has a million pages.
    page = min(max(form.page.data, 1), MAX_PAGE) if isinstance(form.page.data, int) else 1
    result = browse.browse_units(db, survey_id, chosen, min_quote_group_size=config["MIN_QUOTE_GROUP_SIZE"],
                                 page=page)
    arguments = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "explore/responses.html", survey=survey, form=form, result=result, arguments=arguments,
        quote_threshold=config["MIN_QUOTE_GROUP_SIZE"], page_size=browse.PAGE_SIZE,
        analysed=bool(options.themes), tabs=survey_tabs(survey_id),
        **correction_context(db, survey_id, [unit.unit_id for unit in result.units]),
    )


@bp.route("/segments", defaults={"survey_id": None})
@bp.route("/surveys/<int:survey_id>/segments")
@role_required("brm")
def segments(survey_id: int | None) -> Any:
    """The segment x theme heat map of an analysed wave (share or sentiment)."""
    if survey_id is None:
        return choose_survey("explore.segments", "Segments")
    db, threshold = get_db(), current_app.config["MIN_GROUP_SIZE"]
    survey = get_survey(db, survey_id)
    waves = browse.analysed_waves(db, survey_id)
    metric = "sentiment" if request.args.get("metric") == "sentiment" else "share"
    wave_id = request.args.get("wave", type=int)
    if wave_id is None and waves:
        wave_id = waves[0][0]
    if waves and wave_id not in {wave for wave, _ in waves}:
        abort(404)
    heat_map = (browse.segment_theme_cells(db, survey_id, wave_id, metric, threshold)
                if waves and wave_id else None)
    return render_template(
        "explore/segments.html", survey=survey, waves=waves, wave_id=wave_id, metric=metric,
        heat_map=heat_map, chart=_heatmap_chart(heat_map, threshold) if heat_map else None,
        threshold=threshold, tabs=survey_tabs(survey_id),
    )


def _heatmap_chart(heat_map: browse.HeatMap, threshold: int) -> ChartImage | None:
    """The heat map as a chart image (drawn once per set of cells: they change only with a run)."""
    # matplotlib (~30 MB) loads only in workers that draw a chart.
    from reports.charts import segment_theme_heatmap

    if not heat_map.segments or not heat_map.themes:
        return None
    title = (f"Theme share by segment, {heat_map.wave}" if heat_map.metric == "share"
             else f"Mean sentiment by segment and theme, {heat_map.wave}")
    return chart_image(segment_theme_heatmap, list(heat_map.segments), [name for _, name in heat_map.themes],
                       [list(row) for row in heat_map.values], kind=heat_map.metric, title=title,
                       min_group_size=threshold)


@bp.route("/analysis", defaults={"survey_id": None})
@bp.route("/surveys/<int:survey_id>/analysis")
@role_required("brm")
def analysis(survey_id: int | None) -> Any:
    """The survey's analysis runs and the background run in progress."""
    if survey_id is None:
        return choose_survey("explore.analysis", "Analysis runs")
    db = get_db()
    survey = get_survey(db, survey_id)
    config = current_app.config
    job = analysis_job.read_status(config["ANALYSIS_JOBS_DIR"], config["DATABASE"], survey_id)
    page = make_response(render_template(
        "explore/analysis.html", survey=survey, runs=recent_runs(db, survey_id), job=job,
        form=RunAnalysisForm(), refresh_seconds=REFRESH_SECONDS, tabs=survey_tabs(survey_id),
    ))
    if job is not None and job.running:
        page.headers["Refresh"] = str(REFRESH_SECONDS)  # as the page's <meta> refresh, for every browser
    return page


@bp.route("/surveys/<int:survey_id>/analysis", methods=["POST"])
@role_required("brm")
def run_analysis(survey_id: int) -> Response:
    """Start an analysis of the survey in the background."""
    get_survey(get_db(), survey_id)
    if RunAnalysisForm().validate_on_submit():
        try:
            config = current_app.config
            analysis_job.start_analysis(config["DATABASE"], config["ANALYSIS_JOBS_DIR"], survey_id,
                                        min_group_size=config["MIN_GROUP_SIZE"],
                                        models=model_settings(config),
                                        release_batch_size=config.get("RELEASE_BATCH_SIZE"))
            flash("Analysis started. This page updates itself until it is done.", "success")
        except AnalysisAlreadyRunning as error:
            flash(str(error), "error")
    else:
        flash("This form expired; reload the page and try again.", "error")
    return redirect(url_for("explore.analysis", survey_id=survey_id), 303)
