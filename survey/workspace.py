"""BRM workspace: a survey's overview, its themes, and theme curation (thin views over the store)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from survey import curation
from survey.auth import role_required
from survey.db import get_db
from survey.errors import InvalidInput
from survey.store import insights
from survey.store.surveys import get_survey, list_surveys
from survey.workspace_forms import (
    AcceptProposalForm,
    ConfirmForm,
    MergeThemeForm,
    MoveUnitForm,
    RenameThemeForm,
    SplitThemeForm,
)

bp = Blueprint("workspace", __name__, url_prefix="/staff")

#: Tabs of a survey's workspace: (label, endpoint taking ``survey_id``, roles besides admin).
#: Tabs whose endpoint another blueprint has not registered (yet) are left out.
SURVEY_TABS = [
    ("Overview", "workspace.overview", ("brm", "culture_lead")),
    ("Themes", "workspace.themes", ("brm",)),
    ("Responses", "explore.responses", ("brm",)),
    ("Segments", "explore.segments", ("brm",)),
    ("Silo language", "culture.silo", ("brm", "culture_lead")),
    ("Actions", "actions.survey_actions", ("brm",)),
    ("Analysis", "explore.analysis", ("brm",)),
]
#: Themes drawn in the theme-volume chart (more lines than this are unreadable).
CHART_THEMES = 6
#: Proposals listed in full on the themes page; smaller ones are folded away.
LISTED_PROPOSALS = 12


def _survey_tabs(survey_id: int) -> list[tuple[str, str, str]]:
    """(label, url, endpoint) of the workspace tabs the signed-in user may open."""
    tabs = []
    for label, endpoint, roles in SURVEY_TABS:
        if endpoint not in current_app.view_functions:
            continue
        if current_user.role not in roles and current_user.role != "admin":
            continue
        try:
            tabs.append((label, url_for(endpoint, survey_id=survey_id), endpoint))
        except BuildError:
            continue
    return tabs


def _limits() -> curation.Limits:
    return curation.Limits(min_group_size=current_app.config["MIN_GROUP_SIZE"],
                           min_quote_group_size=current_app.config["MIN_QUOTE_GROUP_SIZE"])


def _choose_survey(endpoint: str, heading: str) -> Any:
    """Without a survey id: go straight to the only survey, or let the user pick one."""
    surveys = list_surveys(get_db())
    if len(surveys) == 1:
        return redirect(url_for(endpoint, survey_id=surveys[0].id))
    return render_template("workspace/choose.html", surveys=surveys, endpoint=endpoint, heading=heading)


@bp.route("/overview", defaults={"survey_id": None})
@bp.route("/surveys/<int:survey_id>/overview")
@role_required("brm", "culture_lead")
def overview(survey_id: int | None) -> Any:
    if survey_id is None:
        return _choose_survey("workspace.overview", "Survey overview")
    db, threshold = get_db(), current_app.config["MIN_GROUP_SIZE"]
    survey = get_survey(db, survey_id)
    health = insights.wave_health(db, survey_id, threshold)
    analysed = insights.has_analysis(db, survey_id)
    chart = _sentiment_chart(health, threshold) if analysed else ""
    return render_template(
        "workspace/overview.html", survey=survey, health=health, chart=chart, analysed=analysed,
        last_run=insights.last_run(db, survey_id), threshold=threshold,
        top_themes=insights.top_themes(db, survey_id, threshold) if analysed else [],
        changes=insights.what_changed(db, survey_id, threshold) if analysed else [],
        invitation_waves=any(wave.access == "invitation" for wave in health),
        tabs=_survey_tabs(survey_id),
    )


def _sentiment_chart(health: list[insights.WaveHealth], threshold: int) -> str:
    from reports.charts import sentiment_by_wave
    from survey.charts import cached_svg

    return cached_svg(
        sentiment_by_wave, [wave.label for wave in health], [wave.sentiment_mean for wave in health],
        [wave.sentiment_low for wave in health], [wave.sentiment_high for wave in health],
        min_group_size=threshold,
    )


@bp.route("/themes", defaults={"survey_id": None})
@bp.route("/surveys/<int:survey_id>/themes")
@role_required("brm")
def themes(survey_id: int | None) -> Any:
    if survey_id is None:
        return _choose_survey("workspace.themes", "Concern themes")
    db, threshold = get_db(), current_app.config["MIN_GROUP_SIZE"]
    survey = get_survey(db, survey_id)
    listed = insights.stored_themes(db, survey_id, threshold)
    return render_template(
        "workspace/themes.html", survey=survey, threshold=threshold,
        seeded=[theme for theme in listed if theme.kind == "seeded"],
        emerging=[theme for theme in listed if theme.kind == "emerging"], listed_proposals=LISTED_PROPOSALS,
        analysed=insights.has_analysis(db, survey_id), last_run=insights.last_run(db, survey_id),
        chart=_volume_chart(db, survey_id, listed, threshold), tabs=_survey_tabs(survey_id),
    )


def _volume_chart(db, survey_id: int, listed: list[insights.StoredTheme], threshold: int) -> str:
    """Share of comments per wave for the largest seeded themes."""
    from reports.charts import theme_volume_by_wave
    from survey.charts import cached_svg

    cells = insights.theme_cells(db, survey_id)
    waves = list(dict.fromkeys((cell.wave_id, cell.wave) for cell in cells))
    if not waves:
        return ""
    by_key = {(cell.wave_id, cell.theme_id): cell for cell in cells}
    series = {}
    for theme in [t for t in listed if t.kind == "seeded" and t.units][:CHART_THEMES]:
        values = []
        for wave_id, _ in waves:
            cell = by_key.get((wave_id, theme.id))
            values.append(0.0 if cell is None else cell.share)
        series[theme.name] = values
    return cached_svg(theme_volume_by_wave, [label for _, label in waves], series, min_group_size=threshold)


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>")
@role_required("brm")
def theme(survey_id: int, theme_id: str) -> Any:
    db, config = get_db(), current_app.config
    survey = get_survey(db, survey_id)
    found = insights.get_stored_theme(db, survey_id, theme_id, config["MIN_GROUP_SIZE"])
    quotable = found.responses is not None and found.responses >= config["MIN_QUOTE_GROUP_SIZE"]
    others = [t for t in insights.stored_themes(db, survey_id, config["MIN_GROUP_SIZE"])
              if t.kind == "seeded" and t.id != theme_id]
    units = insights.theme_units(db, survey_id, theme_id) if quotable else []
    forms = _curation_forms(found, others, units)
    cells = insights.theme_cells(db, survey_id, theme_id, all_segments=True)
    return render_template(
        "workspace/theme.html", survey=survey, theme=found, quotable=quotable, units=units,
        quotes=insights.quotes(db, found.quote_unit_ids) if quotable else [],
        waves=list(dict.fromkeys(cell.wave for cell in cells)),
        segments=sorted({cell.segment for cell in cells if cell.segment}),
        cells={(cell.wave, cell.segment): cell for cell in cells}, tabs=_survey_tabs(survey_id),
        threshold=config["MIN_GROUP_SIZE"], quote_threshold=config["MIN_QUOTE_GROUP_SIZE"], **forms,
    )


def _curation_forms(found: insights.StoredTheme, others: list, units: list) -> dict[str, Any]:
    choices = [("", "Choose a theme…")] + [(other.id, other.name) for other in others]
    rename = RenameThemeForm(data={"name": found.name, "description": found.description})
    merge = MergeThemeForm()
    merge.into.choices = choices
    split = SplitThemeForm()
    split.unit_ids.choices = [(unit.unit_id, unit.text) for unit in units]
    move = MoveUnitForm()
    move.theme_id.choices = choices
    if len(choices) == 1:  # no other theme to merge into or move to
        merge.into.choices = move.theme_id.choices = []
    return {"rename_form": rename, "merge_form": merge, "split_form": split, "move_form": move,
            "accept_form": AcceptProposalForm(), "dismiss_form": ConfirmForm()}


def _curate(survey_id: int, theme_id: str, form_class: type, act: Callable[[Any], str | None],
            done: str, choices: bool = False) -> Response:
    """Validate a curation form, run ``act`` (returns the theme id to show next) and redirect."""
    db = get_db()
    get_survey(db, survey_id)
    form = form_class()
    if choices:  # choices were offered from the survey's themes; the store checks the value
        for field in form:
            if hasattr(field, "choices") and field.type == "SelectField":
                field.choices = [(field.data, field.data)] if field.data else []
    next_id: str | None = theme_id
    if form.validate_on_submit():
        try:
            next_id = act(form)
            flash(done, "success")
        except InvalidInput as error:
            flash(str(error), "error")
    else:
        flash("; ".join(f"{form[name].label.text}: {' '.join(errors)}"
                        for name, errors in form.errors.items()) or "Check the form.", "error")
    if next_id is None:
        return redirect(url_for("workspace.themes", survey_id=survey_id), 303)
    return redirect(url_for("workspace.theme", survey_id=survey_id, theme_id=next_id), 303)


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>/rename", methods=["POST"])
@role_required("brm")
def rename_theme(survey_id: int, theme_id: str) -> Response:
    def act(form: RenameThemeForm) -> str:
        curation.rename_theme(get_db(), survey_id, theme_id, form.name.data, form.description.data or "",
                              _limits())
        return theme_id

    return _curate(survey_id, theme_id, RenameThemeForm, act, "Theme renamed.")


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>/merge", methods=["POST"])
@role_required("brm")
def merge_theme(survey_id: int, theme_id: str) -> Response:
    def act(form: MergeThemeForm) -> str:
        curation.merge_theme(get_db(), survey_id, theme_id, form.into.data, _limits())
        return form.into.data

    return _curate(survey_id, theme_id, MergeThemeForm, act, "Themes merged.", choices=True)


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>/split", methods=["POST"])
@role_required("brm")
def split_theme(survey_id: int, theme_id: str) -> Response:
    def act(form: SplitThemeForm) -> str:
        return curation.split_theme(get_db(), survey_id, theme_id, name=form.name.data or "",
                                    unit_ids=form.unit_ids.data or [], limits=_limits())

    return _curate(survey_id, theme_id, SplitThemeForm, act, "New theme split off.")


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>/move", methods=["POST"])
@role_required("brm")
def move_unit(survey_id: int, theme_id: str) -> Response:
    def act(form: MoveUnitForm) -> str:
        curation.move_unit(get_db(), survey_id, form.unit_id.data, form.theme_id.data, _limits())
        return theme_id

    return _curate(survey_id, theme_id, MoveUnitForm, act, "Comment moved.", choices=True)


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>/accept", methods=["POST"])
@role_required("brm")
def accept_proposal(survey_id: int, theme_id: str) -> Response:
    def act(form: AcceptProposalForm) -> str:
        curation.accept_proposal(get_db(), survey_id, theme_id, form.name.data or "", _limits())
        return theme_id

    return _curate(survey_id, theme_id, AcceptProposalForm, act, "Proposal accepted as a theme.")


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>/dismiss", methods=["POST"])
@role_required("brm")
def dismiss_proposal(survey_id: int, theme_id: str) -> Response:
    def act(form: ConfirmForm) -> None:
        curation.dismiss_proposal(get_db(), survey_id, theme_id, _limits())

    return _curate(survey_id, theme_id, ConfirmForm, act, "Proposal dismissed.")
