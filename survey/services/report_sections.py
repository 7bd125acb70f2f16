"""The sections of the wave report, one function each, from stored and already-suppressed figures.

Tables carry ``None`` for a suppressed figure (printed as "fewer than N"); paragraphs spell the
same words out. Charts come from :mod:`reports.charts` and draw suppressed figures as gaps or grey
cells. Nothing here imports Flask.
"""

from __future__ import annotations

from dataclasses import replace

import sqlite_utils

from nlp.silo.wording import category_name
from reports.document import Chart, Section, Table
from reports.formatting import date_text
from survey.services.thresholds import Thresholds
from survey.store import reports as store
from survey.store.actions import actions_for_survey
from survey.store.culture import events_for, silo_cells, term_trends, wave_after
from survey.store.insights import SIGNIFICANCE_LEVEL, WaveHealth, wave_health
from survey.store.runs import last_run
from survey.store.surveys import Survey, Wave

#: Lines in the theme-volume chart and columns in the heat map (more are unreadable).
CHART_THEMES = 6
HEATMAP_THEMES = 8
#: Rows of the themes table.
TABLE_THEMES = 12
#: Silo-language terms listed in the report.
REPORTED_TERMS = 8
MARKERS = {"rising": "Rising", "falling": "Falling", "steady": "Steady", "new": "New"}
ALL_PARTNERS = "All partners"


def _percent(share: float | None) -> int | None:
    return None if share is None else round(100 * share)


def _figure(value: float | None, thresholds: Thresholds, template: str) -> str:
    return thresholds.suppressed_text if value is None else template.format(value)


# -- headline figures ---------------------------------------------------------------------------
def headline_section(db: sqlite_utils.Database, survey: Survey, waves: list[Wave],
                     thresholds: Thresholds) -> Section:
    """Responses, response rate, mean rating, NPS and mean sentiment with its interval, by wave."""
    # matplotlib (~30 MB) loads only when a report is built, not in every web worker.
    from reports.charts import nps_by_wave, sentiment_by_wave

    wanted = {wave.id for wave in waves}
    health = _wave_health(db, survey.id, wanted, thresholds.min_group_size)
    labels = [row.label for row in health]
    invitations = any(row.access == "invitation" for row in health)
    columns = ["Wave", "Responses", "Left a comment", *(["Response rate (%)"] if invitations else []),
               "Mean rating (1-5)",
               "NPS", "Mean sentiment", "95% interval"]
    rows = [_health_row(row, invitations) for row in health]
    charts = [Chart("Sentiment by wave", sentiment_by_wave(
        labels, [row.sentiment_mean for row in health], [row.sentiment_low for row in health],
        [row.sentiment_high for row in health], min_group_size=thresholds.min_group_size),
        caption="Mean sentiment of comments from -1 (very negative) to +1 (very positive); "
                "bars and band: 95% bootstrap interval.")]
    if any(row.nps is not None for row in health):
        charts.append(Chart("NPS by wave", nps_by_wave(labels, [row.nps for row in health],
                                                       min_group_size=thresholds.min_group_size)))
    p_value = store.sentiment_change_p_value(db, waves[-1], thresholds.min_group_size)
    paragraphs = _headline_sentences(health, p_value, thresholds)
    return Section(
        heading="Headline figures", paragraphs=paragraphs, charts=charts,
        tables=[Table(columns, rows, caption="Relationship health by wave. Responses: people who submitted "
                      "the form; left a comment: those of them who wrote at least one comment (themes and "
                      "sentiment are measured over their comments).",
                      suppressed_text=thresholds.suppressed_text)],
    )


def _wave_health(db: sqlite_utils.Database, survey_id: int, wave_ids: set[int],
                 min_group_size: int) -> list[WaveHealth]:
    """Wave health of the given waves; mean sentiment suppressed under the current threshold too."""
    respondents = store.wave_sentiment_respondents(db, survey_id)
    return [
        row if respondents.get(row.wave_id, 0) >= min_group_size else
        replace(row, sentiment_mean=None, sentiment_low=None, sentiment_high=None)
        for row in wave_health(db, survey_id, min_group_size) if row.wave_id in wave_ids
    ]


def _health_row(row: WaveHealth, invitations: bool) -> list:
    interval = None if row.sentiment_low is None or row.sentiment_high is None else \
        f"{row.sentiment_low:+.2f} to {row.sentiment_high:+.2f}"
    rate = [("" if row.access != "invitation" else _percent(row.response_rate))] if invitations else []
    nps = None if row.nps is None else round(row.nps)
    return [row.label, row.responses, row.commenters, *rate, row.mean_rating, nps, row.sentiment_mean,
            interval]


def _headline_sentences(health: list[WaveHealth], p_value: float | None, thresholds: Thresholds) -> list[str]:
    now = health[-1]
    if now.responses is None:
        return [f"{thresholds.suppressed_text.capitalize()} partners answered in {now.label}, so no figures "
                "of this wave are shown."]
    sentences = [f"{now.responses:,} partners answered in {now.label}"
                 + (f"; {now.commenters:,} of them left a comment." if now.commenters is not None else ".")]
    if now.mean_rating is not None or now.nps is not None:
        sentences.append(f"Mean rating: {_figure(now.mean_rating, thresholds, '{:.2f} out of 5')}; "
                         f"NPS: {_figure(now.nps, thresholds, '{:+.0f}')}.")
    if now.sentiment_mean is not None:
        sentences.append(f"Mean sentiment of comments: {now.sentiment_mean:+.2f} (95% interval "
                         f"{now.sentiment_low:+.2f} to {now.sentiment_high:+.2f}).")
    if len(health) > 1 and health[-2].sentiment_mean is not None and now.sentiment_mean is not None:
        before = health[-2]
        significant = p_value is not None and p_value < SIGNIFICANCE_LEVEL
        sentences.append(f"In {before.label} it was {before.sentiment_mean:+.2f}: "
                         + ("a significant change." if significant else
                            "not enough responses to tell whether that is a real change."))
    return sentences


# -- concern themes -----------------------------------------------------------------------------
def themes_section(db: sqlite_utils.Database, wave: Wave, waves: list[Wave],
                   themes: list[store.WaveTheme], thresholds: Thresholds) -> Section:
    """Every theme of the wave with its share, change and sentiment; volume chart and heat map."""
    # matplotlib (~30 MB) loads only when a report is built, not in every web worker.
    from reports.charts import segment_theme_heatmap, theme_volume_by_wave

    if not themes:
        return Section("Concern themes", paragraphs=[
            f"{wave.label} has not been analysed yet: run `rapport analyze` and build the report again."])
    reportable = [theme for theme in themes if not theme.suppressed]
    listed = listed_themes(themes)
    rows = [_theme_row(theme) for theme in listed]
    charted = reportable[:CHART_THEMES]
    shares = store.theme_shares_by_wave(db, wave.survey_id, waves, [theme.theme_id for theme in charted],
                                        thresholds.min_group_size)
    series = {display_name(theme): shares[theme.theme_id] for theme in charted}
    volume = theme_volume_by_wave([w.label for w in waves], series, min_group_size=thresholds.min_group_size,
                                  title="Largest concern themes by wave")
    mapped = reportable[:HEATMAP_THEMES]
    grid = store.segment_theme_grid(db, wave, [theme.theme_id for theme in mapped], thresholds.min_group_size)
    charts = [Chart("Concern themes by wave", volume,
                    caption="Share of comment units in each theme; gaps are suppressed figures.")]
    if grid.segments:
        charts.append(Chart("Themes by segment", segment_theme_heatmap(
            grid.segments, [display_name(theme) for theme in mapped], grid.values, kind="share",
            title=f"Theme share by segment, {wave.label}", min_group_size=thresholds.min_group_size),
            caption=f"Grey cells: fewer than {thresholds.min_group_size} respondents, or hidden so that "
                    "totals cannot reveal a small group."))
    return Section(
        heading="Concern themes", paragraphs=_theme_sentences(wave, themes), charts=charts,
        tables=[Table(("Theme", "Share of comments (%)", "Previous wave (%)", "Change", "Mean sentiment",
                       "Key phrases"), rows, caption=f"Concern themes in {wave.label}",
                      suppressed_text=thresholds.suppressed_text)],
    )


def listed_themes(themes: list[store.WaveTheme]) -> list[store.WaveTheme]:
    """The largest reportable themes to list, never letting 100% minus them reveal a suppressed theme.

    The themes left out hold no suppressed theme or at least two themes, so their combined share
    (what the listed shares leave over) is never one suppressed theme's share.
    """
    shown = [theme for theme in themes if not theme.suppressed][:TABLE_THEMES]
    left_out = [theme for theme in themes if theme not in shown]
    while shown and len(left_out) == 1 and left_out[0].suppressed:
        left_out.append(shown.pop())
    return shown


def display_name(theme: store.WaveTheme) -> str:
    """A seeded theme's name; an emerging theme's key-phrase label, marked as such."""
    return theme.name if theme.kind == "seeded" else f"Emerging: \u201c{theme.name}\u201d"


def _theme_row(theme: store.WaveTheme) -> tuple:
    return (display_name(theme), _percent(theme.share), _percent(theme.previous_share),
            MARKERS.get(theme.marker or "", ""), theme.sentiment_mean, ", ".join(theme.key_phrases[:4]))


def _theme_sentences(wave: Wave, themes: list[store.WaveTheme]) -> list[str]:
    reportable = [theme for theme in themes if not theme.suppressed]
    sentences = []
    if reportable:
        top = reportable[0]
        sentences.append(f"The most frequent concern in {wave.label} was {display_name(top)} "
                         f"({_percent(top.share)}% of comments).")
    for marker, verb in (("rising", "came up more often than in the previous wave"),
                         ("falling", "came up less often than in the previous wave"),
                         ("new", "appeared for the first time")):
        names = [display_name(theme) for theme in reportable if theme.marker == marker]
        if names:
            sentences.append(f"{'; '.join(names)} {verb} (significant change).")
    listed = listed_themes(themes)
    left_out = [theme for theme in themes if theme not in listed]
    if left_out:
        why = (", some raised by too few partners to report safely" if any(t.suppressed for t in left_out)
               else "")
        sentences.append(f"The table lists the {len(listed)} largest themes; {len(left_out)} smaller "
                         f"theme{'s are' if len(left_out) > 1 else ' is'} left out{why}.")
    return sentences


def theme_detail_section(db: sqlite_utils.Database, wave: Wave, theme: store.WaveTheme,
                         previous: Wave | None, thresholds: Thresholds) -> Section:
    """One of the wave's largest themes: its figures, key phrases and quotes the threshold allows."""
    paragraphs = [theme_summary(theme, previous)]
    if theme.key_phrases:
        paragraphs.append("Key phrases: " + ", ".join(theme.key_phrases[:6]) + ".")
    quotes = store.wave_quotes(db, wave, theme, thresholds.text_threshold)
    if not quotes:
        paragraphs.append(f"No quotes: comments are quoted only from groups of at least "
                          f"{thresholds.text_threshold} partners.")
    return Section(heading=f"Theme: {display_name(theme)}", paragraphs=paragraphs, quotes=quotes)


def theme_summary(theme: store.WaveTheme, previous: Wave | None) -> str:
    """A sentence with a reportable theme's share, change and mean sentiment."""
    text = f"{_percent(theme.share)}% of comments"
    if previous is not None and theme.previous_share is not None:
        text += f" ({_percent(theme.previous_share)}% in {previous.label}"
        text += f", {MARKERS[theme.marker].lower()})" if theme.marker in MARKERS else ")"
    if theme.sentiment_mean is not None:
        text += f"; mean sentiment {theme.sentiment_mean:+.2f}"
    return text + "."


# -- siloing language ---------------------------------------------------------------------------
def silo_section(db: sqlite_utils.Database, survey_id: int, waves: list[Wave],
                 thresholds: Thresholds) -> Section:
    """Silo-language rate by wave and segment, this wave's segments, and the most frequent terms."""
    # matplotlib (~30 MB) loads only when a report is built, not in every web worker.
    from reports.charts import EventMarker, silo_rate_by_wave

    labels = [wave.label for wave in waves]
    wave = waves[-1]
    cells = [cell for cell in silo_cells(db, survey_id, thresholds.min_group_size) if cell.wave in labels]
    if not any(cell.wave == wave.label for cell in cells):
        return Section("Siloing language", paragraphs=[f"{wave.label} has no silo-language measurement yet."])
    by_key = {(cell.wave, cell.segment): cell for cell in cells}
    series = {ALL_PARTNERS: [_rate(by_key.get((label, None))) for label in labels]}
    for segment in sorted({cell.segment for cell in cells if cell.segment is not None}):
        values = [_rate(by_key.get((label, segment))) for label in labels]
        if any(value is not None for value in values):
            series[segment] = values
    markers = [EventMarker(event.label, after.label, event.on_date) for event in events_for(db, survey_id)
               if (after := wave_after(event, waves)) is not None and after.label != labels[0]]
    chart = Chart("Siloing language by wave", silo_rate_by_wave(
        labels, series, events=markers, min_group_size=thresholds.min_group_size),
        caption="Flags per 1,000 words of comments; gaps are suppressed figures.")
    wave_cells = [cell for cell in cells if cell.wave == wave.label]
    rows = [(cell.segment or ALL_PARTNERS, cell.responses, cell.rate_per_thousand_words,
             _percent(cell.share_of_responses_flagged), cell.partnership_to_silo_ratio)
            for cell in wave_cells]
    tables = [Table(("Segment", "Responses", "Flags per 1,000 words", "Responses flagged (%)",
                     "Partnership-to-silo ratio"), rows, caption=f"Siloing language in {wave.label}",
                    suppressed_text=thresholds.suppressed_text)]
    terms = _term_rows(db, survey_id, wave, thresholds)
    if terms:
        tables.append(Table(("Term", "Category", "Flags per 1,000 words", "Change since previous wave"),
                            terms, caption="Most frequent siloing terms",
                            suppressed_text=thresholds.suppressed_text))
    overall = by_key.get((wave.label, None))
    return Section("Siloing language", paragraphs=[_silo_sentence(overall, thresholds)] if overall else [],
                   charts=[chart], tables=tables)


def _rate(cell) -> float | None:
    return None if cell is None else cell.rate_per_thousand_words


def _silo_sentence(cell, thresholds: Thresholds) -> str:
    if cell.suppressed:
        return (f"Silo-language figures of {cell.wave} are suppressed: {thresholds.suppressed_text} "
                "partners answered.")
    ratio = cell.partnership_to_silo_ratio
    return (f"In {cell.wave}, comments used {cell.rate_per_thousand_words:.1f} siloing terms per 1,000 "
            f"words; {_percent(cell.share_of_responses_flagged)}% of responses used at least one. "
            + ("No siloing term was found." if ratio is None else
               f"Partnership language (\u201cpartner\u201d, \u201ctogether\u201d...) was used {ratio:.2f} "
               "times as often as siloing language."))


def _term_rows(db: sqlite_utils.Database, survey_id: int, wave: Wave, thresholds: Thresholds) -> list:
    rows = []
    for trend in term_trends(db, survey_id, thresholds.min_group_size, limit=REPORTED_TERMS):
        cell = next((w for w in trend.waves if w.wave == wave.label), None)
        if cell is None or (not cell.suppressed and not cell.rate_per_thousand_words):
            continue
        rows.append((trend.wording, category_name(trend.category), cell.rate_per_thousand_words,
                     cell.change))
    return rows


# -- actions and method -------------------------------------------------------------------------
def actions_section(db: sqlite_utils.Database, survey_id: int, include_owners: bool = False) -> Section:
    """The improvement actions attached to the survey's themes, with their status.

    Owners are staff names: a shared report leaves them out unless ``include_owners`` is set.
    """
    actions = actions_for_survey(db, survey_id)
    if not actions:
        return Section("Improvement actions", paragraphs=["No improvement action has been recorded yet."])
    owner = (lambda action: [action.owner or ""]) if include_owners else (lambda action: [])
    rows = [(action.theme_name or "(theme removed)", action.title, *owner(action),
             date_text(action.due_on), action.status_label, action.public_note)
            for action in actions]
    done = sum(action.status == "done" for action in actions)
    columns = ("Theme", "Action", *(["Owner"] if include_owners else []), "Due", "Status", "Note")
    return Section("Improvement actions", paragraphs=[f"{len(actions):,} actions, {done:,} done."],
                   tables=[Table(columns, rows)])


def method_section(db: sqlite_utils.Database, survey_id: int, thresholds: Thresholds) -> Section:
    """How to read the report: thresholds, what a unit is, and when the analysis ran."""
    run = last_run(db, survey_id)
    ran = f"The analysis last ran on {date_text(run.started_at)}." if run else \
        "The survey has not been analysed yet."
    return Section("How to read this report", paragraphs=[
        "Comments are split into units (sentences, or clauses where the tone turns); each unit gets a "
        "concern theme, a sentiment score from -1 to +1 and any siloing-language flags.",
        f"Figures about fewer than {thresholds.min_group_size} partners are shown as "
        f"\u201c{thresholds.suppressed_text}\u201d, together with enough other figures that totals cannot "
        f"reveal them. Comments are quoted only from groups of at least {thresholds.text_threshold} "
        "partners, and names, e-mail addresses, phone numbers, links and long numbers were removed "
        "before they were stored.",
        ran,
    ])
