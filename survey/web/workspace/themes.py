"""BRM workspace: a survey's concern themes, one theme's page, and theme curation (thin views)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlite_utils
from flask import current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from survey.db import get_db
from survey.errors import InvalidInput, NotFound
from survey.services import curation
from survey.services.thresholds import Thresholds
from survey.store import insights
from survey.store.runs import last_run
from survey.store.surveys import get_survey
from survey.store.taxonomies import load_taxonomy
from survey.store.theme_redirects import redirect_target
from survey.web.auth import role_required
from survey.web.charts import ChartImage, chart_image
from survey.web.forms import ConfirmForm
from survey.web.navigation import choose_survey, survey_tabs
from survey.web.workspace.corrections import correction_context, unit_token, units_for_tokens
from survey.web.workspace.forms import (
    AcceptProposalForm,
    MergeThemeForm,
    MoveUnitForm,
    RenameThemeForm,
    SplitThemeForm,
)
from survey.web.workspace.overview import bp

#: Themes drawn in the theme-volume chart (more lines than this are unreadable).
CHART_THEMES = 6
#: Proposals listed in full on the themes page; smaller ones are folded away.
LISTED_PROPOSALS = 12


@bp.route("/themes", defaults={"survey_id": None})
@bp.route("/surveys/<int:survey_id>/themes")
@role_required("brm")
def themes(survey_id: int | None) -> Any:
    """Every concern theme of the survey with size, share, sentiment and trend."""
    if survey_id is None:
        return choose_survey("workspace.themes", "Concern themes")
    db, threshold = get_db(), current_app.config["MIN_GROUP_SIZE"]
    survey = get_survey(db, survey_id)
    listed = insights.stored_themes(db, survey_id, threshold)
    return render_template(
        "workspace/themes.html", survey=survey, threshold=threshold,
        seeded=[theme for theme in listed if theme.kind == "seeded"],
        emerging=[theme for theme in listed if theme.kind == "emerging"], listed_proposals=LISTED_PROPOSALS,
        analysed=insights.has_analysis(db, survey_id), last_run=last_run(db, survey_id),
        chart=_volume_chart(db, survey_id, listed, threshold), tabs=survey_tabs(survey_id),
    )


def _volume_chart(db: sqlite_utils.Database, survey_id: int, listed: list[insights.StoredTheme],
                  threshold: int) -> ChartImage | None:
    """Share of comments per wave for the largest seeded themes."""
    # matplotlib (~30 MB) loads only in workers that draw a chart.
    from reports.charts import theme_volume_by_wave

    cells = insights.theme_cells(db, survey_id)
    waves = list(dict.fromkeys((cell.wave_id, cell.wave) for cell in cells))
    if not waves:
        return None
    by_key = {(cell.wave_id, cell.theme_id): cell for cell in cells}
    series = {}
    chartable = [t for t in listed if t.kind == "seeded" and t.units]
    for theme in chartable[:CHART_THEMES]:
        values = []
        for wave_id, _ in waves:
            cell = by_key.get((wave_id, theme.id))
            values.append(0.0 if cell is None else cell.share)
        series[theme.name] = values
    return chart_image(theme_volume_by_wave, [label for _, label in waves], series, min_group_size=threshold,
                       total_themes=len(chartable))


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>")
@role_required("brm")
def theme(survey_id: int, theme_id: str) -> Any:
    """One theme: key phrases, quotes (above the quote threshold), spread, actions, curation."""
    db, config = get_db(), current_app.config
    survey = get_survey(db, survey_id)
    try:
        found = insights.get_stored_theme(db, survey_id, theme_id, config["MIN_GROUP_SIZE"])
    except NotFound:
        target = redirect_target(db, survey_id, theme_id)
        if target is None:
            raise
        flash("That theme was merged; its comments are here now.", "info")
        return redirect(url_for("workspace.theme", survey_id=survey_id, theme_id=target), 301)
    quotable = found.responses is not None and found.responses >= config["MIN_QUOTE_GROUP_SIZE"]
    others = [t for t in insights.stored_themes(db, survey_id, config["MIN_GROUP_SIZE"])
              if t.kind == "seeded" and t.id != theme_id]
    units = insights.theme_units(db, survey_id, theme_id) if quotable else _chosen(db, survey_id, theme_id)
    forms = _curation_forms(found, others, units)
    cells = insights.theme_cells_by_segment(db, survey_id, theme_id, config["MIN_GROUP_SIZE"])
    return render_template(
        "workspace/theme.html", survey=survey, theme=found, quotable=quotable, units=units,
        quotes=insights.quotes(db, found.quote_unit_ids) if quotable else [],
        like_it=dict(zip(found.quote_unit_ids, found.quote_like_it, strict=False)),
        **_theme_figures(db, survey_id, found, config["MIN_GROUP_SIZE"]),
        waves=list(dict.fromkeys(cell.wave for cell in cells)),
        segments=sorted({cell.segment for cell in cells if cell.segment}),
        cells={(cell.wave, cell.segment): cell for cell in cells}, tabs=survey_tabs(survey_id),
        threshold=config["MIN_GROUP_SIZE"], quote_threshold=config["MIN_QUOTE_GROUP_SIZE"], **forms,
        **correction_context(db, survey_id, [unit.unit_id for unit in units]),
    )


def _chosen(db: Any, survey_id: int, theme_id: str) -> list[insights.Quote]:
    """Below the quote threshold: only the comments a BRM moved into the theme (split off a theme whose
    comments were shown). Curation is not a report: every report and public page still hides them."""
    pinned = {key for key, target in load_taxonomy(db, survey_id).overrides.items() if target == theme_id}
    return insights.chosen_units(db, survey_id, theme_id, pinned) if pinned else []


def _theme_figures(db: sqlite_utils.Database, survey_id: int, found: insights.StoredTheme,
                   threshold: int) -> dict[str, Any]:
    """The theme's complaints / praise split and its share and sentiment trend charts."""
    from reports.charts import sentiment_by_wave, theme_volume_by_wave

    if found.responses is None:  # the theme itself is under the threshold
        return {"split": [], "share_chart": None, "sentiment_chart": None}
    shares = [(cell.wave, cell.share) for cell in insights.theme_cells(db, survey_id, found.id)]
    sentiment = insights.theme_wave_sentiment(db, survey_id, found.id)
    share_chart = sentiment_chart = None
    if len(shares) > 1:
        share_chart = chart_image(theme_volume_by_wave, [wave for wave, _ in shares],
                                  {found.name: [share for _, share in shares]},
                                  title=f"Share of comments: {found.name}", min_group_size=threshold,
                                  in_column=True)
    if len(sentiment) > 1:
        sentiment_chart = chart_image(
            sentiment_by_wave, *[list(column) for column in zip(*sentiment, strict=True)],
            title=f"Mean sentiment: {found.name}", min_group_size=threshold, in_column=True)
    return {"split": insights.theme_sentiment_split(db, survey_id, found.id, threshold),
            "share_chart": share_chart, "sentiment_chart": sentiment_chart}


def _thresholds() -> Thresholds:
    return Thresholds.from_config(current_app.config)


def _curation_forms(found: insights.StoredTheme, others: list, units: list) -> dict[str, Any]:
    choices = [("", "Choose a theme…")] + [(other.id, other.name) for other in others]
    rename = RenameThemeForm(data={"name": found.name, "description": found.description})
    merge = MergeThemeForm()
    merge.into.choices = choices
    split = SplitThemeForm()
    split.unit_ids.choices = [(unit_token(unit.unit_id), unit.text) for unit in units]
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
    """Rename a theme and change its description."""
    def act(form: RenameThemeForm) -> str:
        curation.rename_theme(get_db(), survey_id, theme_id, form.name.data, form.description.data or "",
                              _thresholds())
        return theme_id

    return _curate(survey_id, theme_id, RenameThemeForm, act, "Theme renamed.")


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>/merge", methods=["POST"])
@role_required("brm")
def merge_theme(survey_id: int, theme_id: str) -> Response:
    """Fold this theme or proposal into another theme."""
    def act(form: MergeThemeForm) -> str:
        curation.merge_theme(get_db(), survey_id, theme_id, form.into.data, _thresholds())
        return form.into.data

    return _curate(survey_id, theme_id, MergeThemeForm, act, "Themes merged.", choices=True)


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>/split", methods=["POST"])
@role_required("brm")
def split_theme(survey_id: int, theme_id: str) -> Response:
    """Split selected comments (or a sub-cluster) off into a new theme."""
    def act(form: SplitThemeForm) -> str:
        db = get_db()  # the page names comments by opaque tokens, never by unit id (rule 8)
        return curation.split_theme(db, survey_id, theme_id, name=form.name.data or "",
                                    unit_ids=units_for_tokens(db, survey_id, form.unit_ids.data or []),
                                    thresholds=_thresholds())

    return _curate(survey_id, theme_id, SplitThemeForm, act, "New theme split off.")


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>/move", methods=["POST"])
@role_required("brm")
def move_unit(survey_id: int, theme_id: str) -> Response:
    """Move one comment to another theme."""
    def act(form: MoveUnitForm) -> str:
        db = get_db()
        (unit_id,) = units_for_tokens(db, survey_id, [form.unit_id.data])
        curation.move_unit(db, survey_id, unit_id, form.theme_id.data, _thresholds())
        return theme_id

    return _curate(survey_id, theme_id, MoveUnitForm, act, "Comment moved.", choices=True)


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>/accept", methods=["POST"])
@role_required("brm")
def accept_proposal(survey_id: int, theme_id: str) -> Response:
    """Accept an emerging proposal as a theme."""
    def act(form: AcceptProposalForm) -> str:
        curation.accept_proposal(get_db(), survey_id, theme_id, form.name.data or "", _thresholds())
        return theme_id

    return _curate(survey_id, theme_id, AcceptProposalForm, act, "Proposal accepted as a theme.")


@bp.route("/surveys/<int:survey_id>/themes/<theme_id>/dismiss", methods=["POST"])
@role_required("brm")
def dismiss_proposal(survey_id: int, theme_id: str) -> Response:
    """Dismiss an emerging proposal (look-alikes are not proposed again)."""
    def act(form: ConfirmForm) -> None:
        curation.dismiss_proposal(get_db(), survey_id, theme_id, _thresholds())

    return _curate(survey_id, theme_id, ConfirmForm, act, "Proposal dismissed.")
