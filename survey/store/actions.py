"""Improvement actions on concern themes, and whether the theme moved after an action started.

An action belongs to one theme of one survey. ``started_on`` is the day it left "planned" (set
automatically, editable); the effect of an action compares the theme in the last wave that closed
before that day with the latest wave that opened on or after it, using the stored trend points.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import sqlite_utils

from survey.errors import InvalidInput, NotFound

#: Status value -> label shown to staff and partners, in workflow order.
ACTION_STATUSES = {"planned": "Planned", "in_progress": "In progress", "done": "Done"}
MAX_TITLE_CHARS = 200
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True)
class Action:
    """One improvement action, with the name of its theme (empty when the theme no longer exists)."""

    id: int
    survey_id: int
    theme_id: str
    theme_name: str
    title: str
    owner: str
    due_on: dt.date | None
    status: str
    public_note: str
    started_on: dt.date | None

    @property
    def status_label(self) -> str:
        """``In progress`` for ``in_progress``, and so on."""
        return ACTION_STATUSES[self.status]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Whether the due date has passed and the action is not done."""
        today = today or dt.date.today()
        return self.status != "done" and self.due_on is not None and self.due_on < today


_SELECT = """
    SELECT actions.id, actions.survey_id, actions.theme_id, COALESCE(themes.name, ''), actions.title,
           actions.owner, actions.due_on, actions.status, actions.public_note, actions.started_on
    FROM actions LEFT JOIN themes ON themes.survey_id = actions.survey_id AND themes.id = actions.theme_id
"""


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _action(row: tuple) -> Action:
    (action_id, survey_id, theme_id, theme_name, title, owner, due_on, status, note, started_on) = row
    return Action(action_id, survey_id, theme_id, theme_name, title, owner, _date(due_on), status, note,
                  _date(started_on))


def _checked(title: str, status: str, public_note: str) -> None:
    if not title.strip():
        raise InvalidInput("An action needs a title.")
    if len(title) > MAX_TITLE_CHARS or len(public_note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"Keep the title under {MAX_TITLE_CHARS} characters and the note under "
                           f"{MAX_NOTE_CHARS}.")
    if status not in ACTION_STATUSES:
        raise InvalidInput(f"Status must be one of {', '.join(ACTION_STATUSES)}.")


def _start_date(status: str, started_on: dt.date | None, today: dt.date | None) -> str | None:
    """A planned action has not started; any other status has, by default today."""
    if status == "planned":
        return None
    return (started_on or today or dt.date.today()).isoformat()


def theme_choices(db: sqlite_utils.Database, survey_id: int) -> list[tuple[str, str]]:
    """``(theme id, name)`` of the survey's curated themes, largest first.

    Emerging-theme proposals are left out until a BRM accepts them into the taxonomy.
    """
    return [tuple(row) for row in db.execute(
        "SELECT id, name FROM themes WHERE survey_id = ? AND kind != 'emerging' ORDER BY units DESC, name",
        [survey_id])]


def create_action(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, title: str, *, owner: str = "",
    due_on: dt.date | None = None, status: str = "planned", public_note: str = "",
    started_on: dt.date | None = None, today: dt.date | None = None,
) -> Action:
    """Attach an action to one of the survey's themes and return it."""
    _checked(title, status, public_note)
    if theme_id not in dict(theme_choices(db, survey_id)):
        raise InvalidInput("Pick one of the survey's themes.")
    action_id = db["actions"].insert({
        "survey_id": survey_id, "theme_id": theme_id, "title": title.strip(), "owner": owner.strip(),
        "due_on": due_on.isoformat() if due_on else None, "status": status,
        "public_note": public_note.strip(), "started_on": _start_date(status, started_on, today),
    }).last_pk
    return get_action(db, action_id)


def update_action(
    db: sqlite_utils.Database, action_id: int, *, title: str, owner: str, due_on: dt.date | None,
    status: str, public_note: str, started_on: dt.date | None, today: dt.date | None = None,
) -> Action:
    """Change every field of an action; ``started_on`` is cleared while it is planned."""
    get_action(db, action_id)
    _checked(title, status, public_note)
    db["actions"].update(action_id, {
        "title": title.strip(), "owner": owner.strip(), "due_on": due_on.isoformat() if due_on else None,
        "status": status, "public_note": public_note.strip(),
        "started_on": _start_date(status, started_on, today),
    })
    return get_action(db, action_id)


def set_action_status(
    db: sqlite_utils.Database, action_id: int, status: str, today: dt.date | None = None
) -> Action:
    """Move an action to ``status``, keeping its start date if it had already started."""
    action = get_action(db, action_id)
    return update_action(
        db, action_id, title=action.title, owner=action.owner, due_on=action.due_on, status=status,
        public_note=action.public_note, started_on=action.started_on, today=today,
    )


def get_action(db: sqlite_utils.Database, action_id: int) -> Action:
    """Return one action or raise :class:`NotFound`."""
    row = db.execute(_SELECT + " WHERE actions.id = ?", [action_id]).fetchone()
    if row is None:
        raise NotFound(f"There is no action {action_id}.")
    return _action(row)


def actions_for_survey(
    db: sqlite_utils.Database, survey_id: int, theme_id: str | None = None
) -> list[Action]:
    """The survey's actions (or one theme's), by status, then due date, then title."""
    where, params = " WHERE actions.survey_id = ?", [survey_id]
    if theme_id is not None:
        where, params = where + " AND actions.theme_id = ?", [survey_id, theme_id]
    order = (" ORDER BY CASE actions.status WHEN 'in_progress' THEN 0 WHEN 'planned' THEN 1 ELSE 2 END,"
             " actions.due_on IS NULL, actions.due_on, actions.title")
    return [_action(row) for row in db.execute(_SELECT + where + order, params)]


def overdue_actions(db: sqlite_utils.Database, today: dt.date | None = None) -> list[Action]:
    """Actions of every survey whose due date has passed and that are not done, oldest due first."""
    today = today or dt.date.today()
    sql = _SELECT + (" WHERE actions.status != 'done' AND actions.due_on < ?"
                     " ORDER BY actions.due_on, actions.title")
    return [_action(row) for row in db.execute(sql, [today.isoformat()])]


# -- effect of an action ------------------------------------------------------------------------
@dataclass(frozen=True)
class ThemeInWave:
    """A theme's stored figures in one wave (segment "all"); suppressed figures are ``None`` or 0."""

    wave_id: int
    wave_label: str
    period: str  # "before", "during" or "after" the action started ("" when it has not started)
    suppressed: bool
    units: int
    respondents: int
    wave_units: int
    share: float | None
    sentiment_mean: float | None
    sentiment_low: float | None
    sentiment_high: float | None


@dataclass(frozen=True)
class Effect:
    """The theme around an action's start, and what the data can honestly say about the change."""

    waves: tuple[ThemeInWave, ...]
    before: ThemeInWave | None
    after: ThemeInWave | None
    share_verdict: str
    sentiment_verdict: str | None


def format_p_value(p_value: float) -> str:
    """``p < 0.001``, ``p < 0.01`` or ``p = 0.04`` (two significant digits)."""
    if p_value < 0.001:
        return "p < 0.001"
    if p_value < 0.01:
        return "p < 0.01"
    rounded = f"{p_value:.2g}"
    if p_value < 0.05 <= float(rounded):
        return "p < 0.05"  # 0.0496 must not read as "p = 0.05" next to a significant change
    return f"p = {rounded}"


def percent(share: float) -> str:
    """``0.183`` -> ``18%``."""
    return f"{share * 100:.0f}%"


def _period(opens_on: dt.date, closes_on: dt.date, started_on: dt.date | None) -> str:
    if started_on is None:
        return ""
    if closes_on < started_on:
        return "before"
    return "after" if opens_on >= started_on else "during"


def theme_by_wave(db: sqlite_utils.Database, action: Action) -> list[ThemeInWave]:
    """The action's theme in every analysed wave; a wave where nobody raised it counts as suppressed."""
    sql = """
        SELECT waves.id, waves.label, waves.opens_on, waves.closes_on, overall.units, theme.units,
               theme.sentiment_n, theme.share, theme.suppressed, theme.sentiment_mean, theme.sentiment_low,
               theme.sentiment_high
        FROM waves
        JOIN trend_points AS overall ON overall.survey_id = waves.survey_id AND overall.wave_id = waves.id
             AND overall.segment = '' AND overall.theme_id = ''
        LEFT JOIN trend_points AS theme ON theme.survey_id = waves.survey_id AND theme.wave_id = waves.id
             AND theme.segment = '' AND theme.theme_id = ?
        WHERE waves.survey_id = ? ORDER BY waves.opens_on, waves.label
    """
    points = []
    for (wave_id, label, opens_on, closes_on, wave_units, units, respondents, share, suppressed, mean, low,
         high) in db.execute(sql, [action.theme_id, action.survey_id]):
        hidden = units is None or bool(suppressed)
        points.append(ThemeInWave(
            wave_id, label, _period(_date(opens_on), _date(closes_on), action.started_on), hidden,
            0 if hidden else units, 0 if hidden else respondents, wave_units, None if hidden else share,
            None if hidden else mean, None if hidden else low, None if hidden else high,
        ))
    return points


def action_effect(db: sqlite_utils.Database, action: Action, min_group_size: int = 5) -> Effect:
    """Compare the theme in the last wave before the action started with the latest wave after it."""
    points = theme_by_wave(db, action)
    before = next((p for p in reversed(points) if p.period == "before"), None)
    after = next((p for p in reversed(points) if p.period == "after"), None)
    if action.started_on is None:
        return Effect(tuple(points), None, None,
                      "Not started yet: the effect is measured from the day the action starts.", None)
    if before is None:
        return Effect(tuple(points), None, after, "No survey wave closed before the action started, "
                      "so there is nothing to compare with.", None)
    if after is None:
        return Effect(tuple(points), before, None, "No survey wave has opened since the action started "
                      f"on {action.started_on:%d %B %Y}; the effect can be read after the next wave.", None)
    for point in (before, after):
        if point.suppressed:
            return Effect(tuple(points), before, after, "Not enough responses to tell: fewer than "
                          f"{min_group_size} people raised this theme in {point.wave_label}.", None)
    return Effect(tuple(points), before, after, _share_verdict(before, after),
                  _sentiment_verdict(before, after))


def _share_verdict(before: ThemeInWave, after: ThemeInWave) -> str:
    from nlp.trends import compare_shares

    change = compare_shares(before.units, before.wave_units, after.units, after.wave_units)
    shares = f"{percent(before.share or 0)} to {percent(after.share or 0)} of comments"
    between = f"between {before.wave_label} and {after.wave_label}"
    if change.significant:
        direction = "Fell" if change.difference < 0 else "Rose"
        return f"{direction} from {shares} {between} ({format_p_value(change.p_value)})."
    return f"No clear change yet: {shares} {between} ({format_p_value(change.p_value)})."


def _welch_p_value(before: ThemeInWave, after: ThemeInWave) -> float:
    """Welch's t test from the stored means, 95% bootstrap intervals and respondent counts.

    The standard deviation is recovered from the interval width (normal approximation), so a list
    of actions costs no read of the units table, even with a million responses.
    """
    from scipy import stats

    def spread(point: ThemeInWave) -> float:
        width = (point.sentiment_high or 0.0) - (point.sentiment_low or 0.0)
        return width / (2 * 1.959964) * math.sqrt(point.respondents)

    first, second = spread(before), spread(after)
    if first == 0 and second == 0:
        return 0.0 if before.sentiment_mean != after.sentiment_mean else 1.0
    return float(stats.ttest_ind_from_stats(
        before.sentiment_mean, first, before.respondents, after.sentiment_mean, second, after.respondents,
        equal_var=False).pvalue)


def _sentiment_verdict(before: ThemeInWave, after: ThemeInWave) -> str | None:
    from nlp.trends import ALPHA

    if before.sentiment_mean is None or after.sentiment_mean is None:
        return None
    means = f"{before.sentiment_mean:+.2f} to {after.sentiment_mean:+.2f}"
    p_value = _welch_p_value(before, after)
    if p_value < ALPHA:
        direction = "improved" if after.sentiment_mean > before.sentiment_mean else "worsened"
        return f"Sentiment {direction} from {means} ({format_p_value(p_value)})."
    return f"No clear change in sentiment yet: {means} ({format_p_value(p_value)})."


# -- "You said, we did" -------------------------------------------------------------------------
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


@dataclass(frozen=True)
class _Row:
    theme_id: str
    name: str
    share: float | None
    marker: str | None
    suppressed: bool


def survey_id_for_slug(db: sqlite_utils.Database, slug: str) -> int:
    """The id of the survey behind a public slug, or :class:`NotFound`."""
    row = db.execute("SELECT id FROM surveys WHERE slug = ?", [slug]).fetchone()
    if row is None:
        raise NotFound("There is no survey at this address. Check that you copied the whole link.")
    return row[0]


@dataclass(frozen=True)
class _WaveFigures:
    id: int
    label: str
    responses: int
    suppressed: bool
    change_p_value: float | None
    sentiment_mean: float | None


def _reported_waves(db: sqlite_utils.Database, survey_id: int, today: dt.date) -> list[_WaveFigures]:
    """Analysed waves in order; a wave still open is left out unless no wave has closed yet."""
    rows = db.execute(
        "SELECT waves.closes_on, waves.id, waves.label, p.responses, p.suppressed, p.change_p_value, "
        "p.sentiment_mean FROM waves JOIN trend_points AS p ON p.survey_id = waves.survey_id "
        "AND p.wave_id = waves.id AND p.segment = '' AND p.theme_id = '' WHERE waves.survey_id = ? "
        "ORDER BY waves.opens_on, waves.label", [survey_id]).fetchall()
    closed = [row for row in rows if _date(row[0]) < today]
    # Partners see a finished wave: partial results of an open wave could sway those still answering.
    return [_WaveFigures(wave_id, label, responses, bool(suppressed), p_value, mean)
            for _, wave_id, label, responses, suppressed, p_value, mean in (closed or rows)]


def _theme_rows(db: sqlite_utils.Database, survey_id: int, wave_id: int) -> list[_Row]:
    rows = db.execute(
        "SELECT p.theme_id, themes.name, p.share, p.marker, p.suppressed FROM trend_points AS p "
        "JOIN themes ON themes.survey_id = p.survey_id AND themes.id = p.theme_id "
        "WHERE p.survey_id = ? AND p.wave_id = ? AND p.segment = '' AND p.theme_id != '' "
        # Proposals are named after key phrases of partners' own words: never published.
        "AND themes.kind != 'emerging' "
        "ORDER BY p.share DESC, themes.name", [survey_id, wave_id])
    return [_Row(tid, name, None if hidden else share, None if hidden else marker, bool(hidden))
            for tid, name, share, marker, hidden in rows]


def _public_themes(rows: list[_Row]) -> list[_Row]:
    """The largest themes to list with numbers, never letting 100% minus them reveal a hidden theme.

    The themes left out must hold none under the threshold, or at least two themes, so that their
    combined share (what the listed shares leave over) never is one suppressed theme's share.
    """
    shown = [row for row in rows if not row.suppressed][:PUBLIC_THEME_COUNT]
    left_out = [row for row in rows if row not in shown]
    while shown and len(left_out) == 1 and left_out[0].suppressed:
        left_out.append(shown.pop())
    return shown


def _change_sentences(current: list[_Row], previous: list[_Row], shown: list[_Row],
                      previous_label: str) -> list[str]:
    """Plain sentences about themes that clearly rose, fell or appeared since the previous wave."""
    before = {row.theme_id: row.share for row in previous if not row.suppressed}
    listed = {row.theme_id for row in shown}
    sentences = []
    for row in current:
        was, now = before.get(row.theme_id), row.share
        exact = row.theme_id in listed and was is not None and now is not None
        if row.marker == "rising":
            sentences.append(f"{row.name} came up more often than in {previous_label}"
                             + (f": {percent(now)} of comments, up from {percent(was)}." if exact else "."))
        elif row.marker == "falling":
            sentences.append(f"{row.name} came up less often than in {previous_label}"
                             + (f": {percent(now)} of comments, down from {percent(was)}." if exact else "."))
        elif row.marker == "new":
            sentences.append(f"{row.name} came up for the first time.")
    return sentences


def _tone_sentence(wave: _WaveFigures, previous: _WaveFigures) -> str | None:
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
    from survey.store.surveys import get_survey

    survey = get_survey(db, survey_id_for_slug(db, slug))
    actions = tuple(actions_for_survey(db, survey.id))
    waves = _reported_waves(db, survey.id, today or dt.date.today())
    if not waves:
        return YouSaidWeDid(survey.id, survey.title, None, None, None, (), (), actions)
    wave, previous = waves[-1], (waves[-2] if len(waves) > 1 else None)
    rows = _theme_rows(db, survey.id, wave.id)
    shown = [] if wave.suppressed else _public_themes(rows)
    changes: list[str] = []
    if previous is not None and not wave.suppressed:
        changes = _change_sentences(rows, _theme_rows(db, survey.id, previous.id), shown, previous.label)
        tone = _tone_sentence(wave, previous)
        changes += [tone] if tone else []
    return YouSaidWeDid(
        survey.id, survey.title, wave.label, previous.label if previous else None,
        None if wave.suppressed else wave.responses,
        tuple(PublicTheme(row.name, row.share) for row in shown), tuple(changes), actions,
    )
