"""API: released results of a survey: aggregates per wave, segment and theme; themes with quotes; silo
metrics.

Every figure comes from the read models of the staff pages (:mod:`survey.store.insights`,
:mod:`survey.store.reports`, :mod:`survey.store.culture`), which hold only released responses
as of the last analysis and return suppressed figures as ``None``. No unit or response id is ever
sent: a quote is its wave and its redacted text, so two quotes cannot be tied to one respondent.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from survey.db import get_db
from survey.errors import NotFound
from survey.store import culture, insights, result_cells
from survey.store import reports as report_store
from survey.store.surveys import get_survey, waves_for
from survey.web.api.auth import requires
from survey.web.api.base import bp, thresholds
from survey.web.api.openapi import find_operation
from survey.web.api.payloads import query_args
from survey.web.api.surveys import SURVEY

#: Quotes per wave on a theme (as in the wave report).
QUOTES_PER_WAVE = 3


def _estimate(mean: float | None, low: float | None, high: float | None) -> dict[str, float | None]:
    return {"mean": mean, "low": low, "high": high}


def cell_json(cell: result_cells.TrendCell) -> dict[str, Any]:
    return {"wave_id": cell.wave_id, "wave": cell.wave, "segment": cell.segment, "theme_id": cell.theme_id,
            "theme": cell.theme, "respondents": cell.respondents, "units": cell.units, "share": cell.share,
            "sentiment": _estimate(cell.sentiment_mean, cell.sentiment_low, cell.sentiment_high),
            "change_p_value": cell.change_p_value, "marker": cell.marker, "suppressed": cell.suppressed}


def theme_json(theme: insights.StoredTheme) -> dict[str, Any]:
    return {"id": theme.id, "name": theme.name, "description": theme.description, "kind": theme.kind,
            "respondents": theme.responses, "units": theme.units, "share": theme.share,
            "mean_sentiment": theme.mean_sentiment, "key_phrases": list(theme.key_phrases),
            "marker": theme.marker}


@bp.route(f"{SURVEY}/aggregates")
@requires("read")
def list_aggregates_view(survey_id: int) -> Response:
    """Result cells per wave, segment and theme: counts, shares and sentiment with intervals."""
    db = get_db()
    get_survey(db, survey_id)
    args = query_args(find_operation("listAggregates"))
    if "wave_id" in args and args["wave_id"] not in {wave.id for wave in waves_for(db, survey_id)}:
        raise NotFound(f"Survey {survey_id} has no wave {args['wave_id']}.")
    minimum = thresholds().min_group_size
    cells = result_cells.trend_cells(db, survey_id, minimum, wave_id=args.get("wave_id"),
                                 segment=args.get("segment"), theme_id=args.get("theme_id"))
    return jsonify({"survey_id": survey_id, "min_group_size": minimum,
                    "cells": [cell_json(cell) for cell in cells]})


@bp.route(f"{SURVEY}/themes")
@requires("read")
def list_themes_view(survey_id: int) -> Response:
    """The survey's themes, largest first, with names, sizes and the latest marker."""
    db = get_db()
    get_survey(db, survey_id)
    themes = insights.stored_themes(db, survey_id, thresholds().min_group_size)
    return jsonify([theme_json(theme) for theme in themes])


@bp.route(f"{SURVEY}/themes/<theme_id>")
@requires("read")
def get_theme_view(survey_id: int, theme_id: str) -> Response:
    """One theme with redacted quotes per wave, only where the wave report would quote them."""
    db, limits = get_db(), thresholds()
    get_survey(db, survey_id)
    found = insights.get_stored_theme(db, survey_id, theme_id, limits.min_group_size)  # or NotFound
    listed = insights.stored_themes(db, survey_id, limits.min_group_size)  # with the latest marker
    theme = next((row for row in listed if row.id == found.id), found)
    quotes, waves = [], {wave.id: wave for wave in waves_for(db, survey_id)}
    for wave_id in insights.analysed_wave_ids(db, survey_id):
        wave = waves[wave_id]
        in_wave = [row for row in report_store.wave_themes(db, wave, None, limits.min_group_size)
                   if row.theme_id == theme_id]
        for row in in_wave:
            texts = report_store.wave_quotes(db, wave, row, limits.text_threshold, QUOTES_PER_WAVE)
            quotes += [{"wave_id": wave.id, "wave": wave.label, "text": text} for text in texts]
    return jsonify({"theme": theme_json(theme), "quotes": quotes,
                    "min_quote_group_size": limits.text_threshold})


@bp.route(f"{SURVEY}/silo")
@requires("read")
def get_silo_view(survey_id: int) -> Response:
    """Siloing-language rates per wave and segment, and the most used terms wave by wave."""
    db = get_db()
    get_survey(db, survey_id)
    minimum = thresholds().min_group_size
    cells = [{"wave": cell.wave, "segment": cell.segment, "respondents": cell.responses,
              "rate_per_thousand_words": cell.rate_per_thousand_words,
              "share_of_responses_flagged": cell.share_of_responses_flagged,
              "partnership_to_silo_ratio": cell.partnership_to_silo_ratio, "suppressed": cell.suppressed}
             for cell in culture.silo_cells(db, survey_id, minimum)]
    terms = [{"term_id": term.term_id, "category": term.category, "wording": term.wording,
              "waves": [{"wave": cell.wave, "respondents": cell.responses,
                         "rate_per_thousand_words": cell.rate_per_thousand_words,
                         "suppressed": cell.suppressed} for cell in term.waves]}
             for term in culture.term_trends(db, survey_id, minimum)]
    return jsonify({"survey_id": survey_id, "min_group_size": minimum, "cells": cells, "terms": terms})
