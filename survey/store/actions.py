"""Improvement actions on concern themes (table ``actions``), and their theme's figures by wave.

An action belongs to one theme of one survey. ``started_on`` is the day it left "planned" (set
automatically, editable). :func:`theme_by_wave` reads the theme's stored trend points around that
day; :mod:`survey.services.action_effect` says what they show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

from survey.errors import InvalidInput, NotFound
from survey.store import inserted_id

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


def resolved_status(status: str, started_on: dt.date | None, today: dt.date | None = None) -> str:
    """A "planned" action given a start date that has come is in progress; a future one is refused."""
    if status != "planned" or started_on is None:
        return status
    if started_on <= (today or dt.date.today()):
        return "in_progress"
    raise InvalidInput("A planned action has no start date yet: leave Started on empty. It is filled in "
                       "when the action moves to In progress.")


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
    status = resolved_status(status, started_on, today)
    if theme_id not in dict(theme_choices(db, survey_id)):
        raise InvalidInput("Pick one of the survey's themes.")
    action_id = inserted_id(db.table("actions").insert({
        "survey_id": survey_id, "theme_id": theme_id, "title": title.strip(), "owner": owner.strip(),
        "due_on": due_on.isoformat() if due_on else None, "status": status,
        "public_note": public_note.strip(), "started_on": _start_date(status, started_on, today),
    }))
    return get_action(db, action_id)


def update_action(
    db: sqlite_utils.Database, action_id: int, *, title: str, owner: str, due_on: dt.date | None,
    status: str, public_note: str, started_on: dt.date | None, today: dt.date | None = None,
) -> Action:
    """Change every field of an action; ``started_on`` is cleared while it is planned."""
    get_action(db, action_id)
    _checked(title, status, public_note)
    status = resolved_status(status, started_on, today)
    db.table("actions").update(action_id, {
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
        public_note=action.public_note, started_on=None if status == "planned" else action.started_on,
        today=today,
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
    where, params = " WHERE actions.survey_id = ?", list[object]([survey_id])
    if theme_id is not None:
        where, params = where + " AND actions.theme_id = ?", [*params, theme_id]
    order = (" ORDER BY CASE actions.status WHEN 'in_progress' THEN 0 WHEN 'planned' THEN 1 ELSE 2 END,"
             " actions.due_on IS NULL, actions.due_on, actions.title")
    return [_action(row) for row in db.execute(_SELECT + where + order, params)]


def overdue_actions(db: sqlite_utils.Database, today: dt.date | None = None) -> list[Action]:
    """Actions of every survey whose due date has passed and that are not done, oldest due first."""
    today = today or dt.date.today()
    sql = _SELECT + (" WHERE actions.status != 'done' AND actions.due_on < ?"
                     " ORDER BY actions.due_on, actions.title")
    return [_action(row) for row in db.execute(sql, [today.isoformat()])]


# -- the action's theme, wave by wave ----------------------------------------------------------
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
            wave_id, label, _period(dt.date.fromisoformat(opens_on), dt.date.fromisoformat(closes_on),
                                    action.started_on), hidden,
            0 if hidden else units, 0 if hidden else respondents, wave_units, None if hidden else share,
            None if hidden else mean, None if hidden else low, None if hidden else high,
        ))
    return points
