"""Create the demo organisation through the survey store, so it looks exactly like real use.

Staff accounts, the "IT partnership pulse" survey, its four quarterly public-link waves and the
generated responses all go through the store functions; responses go through
:func:`survey.store.responses.record_response`, so free text is redacted before it is stored.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sqlite_utils

from survey.demo.corpus import DemoResponse, generate_feedback, read_demo_data
from survey.errors import InvalidInput
from survey.store.actions import create_action
from survey.store.responses import record_response
from survey.store.staff import create_staff_user, has_staff_user
from survey.store.surveys import (
    Question,
    Survey,
    Wave,
    add_question,
    create_survey,
    create_wave,
    has_survey,
)
from survey.store.taxonomies import load_taxonomy
from survey.store.themes import sync_seeded_themes

#: The demo organisation: survey texts, questions, waves, department sizes and staff accounts.
DEMO_SURVEY = read_demo_data("survey.json")
#: Title of the demo survey; with the demo staff accounts it marks a database as the demo.
DEMO_SURVEY_TITLE: str = DEMO_SURVEY["title"]


@dataclass(frozen=True)
class DemoLogin:
    """A demo staff account and its fixed, documented password (never use these in production)."""

    username: str
    role: str
    password: str


#: The demo staff accounts, one per role, with fixed passwords printed by ``rapport demo``.
DEMO_LOGINS: tuple[DemoLogin, ...] = tuple(DemoLogin(**entry) for entry in DEMO_SURVEY["staff"])


@dataclass(frozen=True)
class DemoWave:
    """One seeded wave: its label, dates, status on the seeding day, the responses generated for it
    (staff pages count them once an analysis run releases them) and its link token."""

    label: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    responses: int
    token: str


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`seed_demo` created."""

    survey_id: int
    survey_title: str
    logins: tuple[DemoLogin, ...]
    waves: tuple[DemoWave, ...]
    responses_by_department: tuple[tuple[str | None, int], ...]

    @property
    def responses(self) -> int:
        """Total number of responses generated and stored."""
        return sum(wave.responses for wave in self.waves)

    @property
    def open_wave(self) -> DemoWave | None:
        """The wave still accepting responses on the seeding day, if any."""
        return next((wave for wave in self.waves if wave.status == "open"), None)


def is_demo_database(db: sqlite_utils.Database) -> bool:
    """Whether ``db`` holds the demo organisation (the demo survey and the demo admin account)."""
    return has_survey(db, DEMO_SURVEY_TITLE) and has_staff_user(db, DEMO_LOGINS[0].username)


def holds_data(db: sqlite_utils.Database) -> bool:
    """Whether ``db`` has any survey or staff account (an empty database has nothing to lose)."""
    return has_survey(db) or has_staff_user(db)


@dataclass(frozen=True)
class DemoSurvey:
    """The demo survey as stored: its questions by key and its waves by label."""

    survey: Survey
    questions: Mapping[str, Question]
    waves: Mapping[str, Wave]


def create_demo_survey(db: sqlite_utils.Database) -> DemoSurvey:
    """Create the "IT partnership pulse" survey, its questions and its four public-link waves.

    Benchmarks reuse it to get the demo survey without the demo staff or responses.
    """
    survey = create_survey(db, DEMO_SURVEY["title"], DEMO_SURVEY["introduction"],
                           DEMO_SURVEY["privacy_note"])
    questions = {
        spec["key"]: add_question(
            db, survey.id, spec["kind"], spec["prompt"], required=spec["required"],
            options=spec.get("options", ()), help_text=spec.get("help_text", ""),
        )
        for spec in DEMO_SURVEY["questions"]
    }
    waves = {
        spec["label"]: create_wave(
            db, survey.id, spec["label"], dt.date.fromisoformat(spec["opens_on"]),
            dt.date.fromisoformat(spec["closes_on"]), access="public",
        )
        for spec in DEMO_SURVEY["waves"]
    }
    return DemoSurvey(survey, MappingProxyType(questions), MappingProxyType(waves))


def store_demo_responses(
    db: sqlite_utils.Database,
    demo: DemoSurvey,
    corpus: Iterable[DemoResponse],
    *,
    seed: int = 7,
    today: dt.date | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Store generated responses through :func:`record_response` (so text is redacted first).

    Each response is dated inside its wave (most in the first days), never after ``today``
    (default: the real date) for a wave that is still open. ``on_progress(1)`` is called after
    each stored response. Returns the number stored.
    """
    today = today or dt.date.today()
    dates = random.Random(seed + 1)
    question_list = list(demo.questions.values())
    stored = 0
    for response in corpus:
        wave = demo.waves[response.wave]
        answers = {demo.questions[key].id: value for key, value in response.answers.items()}
        record_response(db, wave, question_list, answers,
                        today=_submission_date(dates, wave, today))
        stored += 1
        if on_progress is not None:
            on_progress(1)
    return stored


def seed_demo(
    db: sqlite_utils.Database,
    *,
    responses: int = 800,
    seed: int = 7,
    today: dt.date | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Create the demo staff, survey, waves and ``responses`` generated responses in ``db``.

    ``db`` must be migrated and hold no survey or staff account yet (:class:`InvalidInput`
    otherwise), so demo data never mixes with real data. See :func:`store_demo_responses` for
    ``today`` and ``on_progress``.
    """
    if holds_data(db):
        raise InvalidInput(
            "This database already holds surveys or staff accounts; the demo needs an empty one."
        )
    today = today or dt.date.today()
    for login in DEMO_LOGINS:
        create_staff_user(db, login.username, login.password, login.role)
    demo = create_demo_survey(db)
    departments = demo.questions["department"].options
    corpus = generate_feedback(responses, seed=seed, waves=tuple(demo.waves), departments=departments)
    store_demo_responses(db, demo, corpus, seed=seed, today=today, on_progress=on_progress)
    store_demo_actions(db, demo.survey.id, today)
    return _summary(demo.survey, list(demo.waves.values()), corpus, today)


def store_demo_actions(db: sqlite_utils.Database, survey_id: int, today: dt.date) -> None:
    """The improvement actions of the demo's story (``survey.json``), so the loop shows closed.

    The delivery action started between the second and third waves (the corpus's action wave),
    so the Actions page shows its theme's share falling after it; its public note is on the
    "You said, we did" page. Actions need their theme stored, so the taxonomy's themes are stored
    first, as the first analysis run would.
    """
    taxonomy = load_taxonomy(db, survey_id)
    with db.conn:
        sync_seeded_themes(db, survey_id, [(theme.id, theme.name, theme.description)
                                           for theme in taxonomy.active])
    for spec in DEMO_SURVEY["actions"]:
        started_on = spec.get("started_on")
        if started_on is not None and dt.date.fromisoformat(started_on) > today:
            continue  # a demo seeded before the story's dates keeps only what has happened
        create_action(
            db, survey_id, spec["theme"], spec["title"], owner=spec["owner"],
            due_on=dt.date.fromisoformat(spec["due_on"]), status=spec["status"],
            public_note=spec["public_note"],
            started_on=dt.date.fromisoformat(started_on) if started_on else None, today=today,
        )


def _submission_date(rng: random.Random, wave: Wave, today: dt.date) -> dt.date:
    """A date inside the wave, never after ``today``; most partners answer in the first days."""
    last = min(wave.closes_on, max(today, wave.opens_on))
    span = (last - wave.opens_on).days + 1
    return wave.opens_on + dt.timedelta(days=int(span * rng.random() ** 1.7))


def _summary(survey: Survey, waves: list[Wave], corpus: list[DemoResponse], today: dt.date) -> DemoSummary:
    """What was seeded, counted from the generated responses: the store holds them unreleased until
    the first analysis run (DESIGN.md rule 7), and counts of unreleased responses are read nowhere."""
    by_wave = Counter(response.wave for response in corpus)
    by_department = Counter(response.department for response in corpus)
    return DemoSummary(
        survey_id=survey.id,
        survey_title=survey.title,
        logins=DEMO_LOGINS,
        waves=tuple(
            DemoWave(wave.label, wave.opens_on, wave.closes_on, wave.status(today), by_wave[wave.label],
                     wave.token)
            for wave in waves
        ),
        responses_by_department=tuple(sorted(by_department.items())),
    )
