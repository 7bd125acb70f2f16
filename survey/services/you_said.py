"""The partner-facing "You said, we did" summary of a survey (DESIGN.md section 5), in plain words.

The main themes of the last finished wave, what clearly moved since the wave before, and IT's
actions. Every figure comes from :mod:`survey.store.public`, already suppressed under the reporting
threshold; a theme list never lets 100% minus the listed shares reveal a suppressed theme.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

from survey.services.action_effect import percent
from survey.store.actions import Action, actions_for_survey
from survey.store.public import (
    PublicThemeRow,
    WaveFigures,
    public_theme_rows,
    reported_waves,
    survey_id_for_slug,
)
from survey.store.publications import Publication, record_publication
from survey.store.surveys import get_survey

#: How many themes the public page lists at most.
PUBLIC_THEME_COUNT = 5


@dataclass(frozen=True)
class PublicTheme:
    """A theme partners raised, with its share of comments (``None``: listed without a number)."""

    name: str
    share: float | None


@dataclass(frozen=True)
class YouSaidWeDid:
    """Everything the public page shows; every figure already passed the reporting threshold."""

    survey_id: int
    title: str
    wave_label: str | None
    previous_label: str | None
    responses: int | None
    themes: tuple[PublicTheme, ...]
    changes: tuple[str, ...]
    actions: tuple[Action, ...]
    commenters: int | None = None
    publication: Publication | None = None


def _public_themes(rows: list[PublicThemeRow]) -> list[PublicThemeRow]:
    """The largest themes to list with numbers, never letting 100% minus them reveal a hidden theme.

    The themes left out must hold none under the threshold, or at least two themes, so that their
    combined share (what the listed shares leave over) never is one suppressed theme's share.
    """
    shown = [row for row in rows if not row.suppressed][:PUBLIC_THEME_COUNT]
    left_out = [row for row in rows if row not in shown]
    while shown and len(left_out) == 1 and left_out[0].suppressed:
        left_out.append(shown.pop())
    return shown


def _change_sentences(current: list[PublicThemeRow], previous: list[PublicThemeRow],
                      shown: list[PublicThemeRow],
                      previous_label: str) -> list[str]:
    """Plain sentences about themes that clearly rose, fell or appeared since the previous wave."""
    before = {row.theme_id: row.share for row in previous if not row.suppressed}
    listed = {row.theme_id for row in shown}
    sentences = []
    for row in current:
        was, now = before.get(row.theme_id), row.share
        exact = row.theme_id in listed and was is not None and now is not None
        now, was = now or 0.0, was or 0.0
        if row.marker == "rising":
            sentences.append(f"{row.name} came up more often than in {previous_label}"
                             + (f": {percent(now)} of comments, up from {percent(was)}." if exact else "."))
        elif row.marker == "falling":
            sentences.append(f"{row.name} came up less often than in {previous_label}"
                             + (f": {percent(now)} of comments, down from {percent(was)}." if exact else "."))
        elif row.marker == "new":
            sentences.append(f"{row.name} came up for the first time.")
    return sentences


def _tone_sentence(wave: WaveFigures, previous: WaveFigures) -> str | None:
    """Whether comments overall became more or less positive (the stored Welch test on sentiment)."""
    if wave.suppressed or previous.suppressed or wave.change_p_value is None \
            or wave.sentiment_mean is None or previous.sentiment_mean is None:
        return None
    if wave.change_p_value >= 0.05:
        return f"The overall tone of comments was about the same as in {previous.label}."
    better = "more positive" if wave.sentiment_mean > previous.sentiment_mean else "less positive"
    return f"Overall, comments were {better} than in {previous.label}."


def you_said_we_did(db: sqlite_utils.Database, slug: str, today: dt.date | None = None) -> YouSaidWeDid:
    """The partner-facing summary of a survey: last wave's themes, what moved, and the actions."""
    survey = get_survey(db, survey_id_for_slug(db, slug))
    actions = tuple(actions_for_survey(db, survey.id))
    waves = reported_waves(db, survey.id, today or dt.date.today())
    if not waves:
        return YouSaidWeDid(survey.id, survey.title, None, None, None, (), (), actions)
    wave, previous = waves[-1], (waves[-2] if len(waves) > 1 else None)
    rows = public_theme_rows(db, survey.id, wave.id)
    shown = [] if wave.suppressed else _public_themes(rows)
    changes: list[str] = []
    if previous is not None and not wave.suppressed:
        before = public_theme_rows(db, survey.id, previous.id)
        changes = _change_sentences(rows, before, shown, previous.label)
        tone = _tone_sentence(wave, previous)
        changes += [tone] if tone else []
    themes = tuple(PublicTheme(row.name, row.share) for row in shown)
    responses, commenters = (None, None) if wave.suppressed else (wave.released, wave.responses)
    figures = {"responses": responses, "commenters": commenters,
               "themes": [[theme.name, theme.share] for theme in themes]}
    return YouSaidWeDid(
        survey.id, survey.title, wave.label, previous.label if previous else None, responses, themes,
        tuple(changes), actions, commenters=commenters,
        publication=record_publication(db, survey.id, wave.id, figures, today or dt.date.today()),
    )
