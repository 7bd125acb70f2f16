"""A pure, seeded generator of partner feedback for the demo and the benchmarks.

Every open answer is a comment written whole for Rapport (``data/comments.jsonl``, see
:mod:`survey.demo.comments`); nothing is composed from templates. Each response first draws a
latent *mood*: its rating, its NPS and the tone of the comments it gets all follow from it, so
scores and text agree.

The corpus tells a story across the waves (at least three waves are needed to see it all):

* delivery complaints fall after the second wave (an improvement action started then), and praise
  for delivery rises;
* service-desk complaints rise in :data:`STORY_DEPARTMENT` in the later waves (more in the last);
* siloing language ("internal customer", "the business", "order taker", ...) declines wave by
  wave while partnership language grows;
* ratings and NPS improve a little, except in the story department in the later waves;
* a new e-signature tool is rolled out after the second wave, and partners complain about it (and
  later praise the fixes): a concern outside the seeded taxonomy, for the analysis to propose as
  an emerging theme.

Within one call comments are dealt without replacement while the pool lasts: a comment repeats
only once every comment that fits a response (its question, wave period and department) has been
used. The pool holds about 2,200 comments, enough for the demo's 800 responses (about 1,500
answers) without a repeat (up to about 1,000 responses); beyond that comments start to repeat, and
benchmarks at 100,000 responses and more see each comment dozens of times: they need another
text source if repeats matter to them.
"""

from __future__ import annotations

import bisect
import json
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import accumulate
from types import MappingProxyType

from survey.demo.comments import EMERGING_THEMES, NO_THEME, Cell, CommentPool, load_comments

#: The department whose service-desk complaints rise in the later waves.
STORY_DEPARTMENT = "Operations"
#: Waves from this index on come after the improvement action ("late" comments fit them).
ACTION_WAVE = 2
#: Multipliers and rates that carry the story (see the module docstring).
DELIVERY_COMPLAINTS_AFTER_ACTION = 0.2
DELIVERY_PRAISE_AFTER_ACTION = 2.0
SERVICE_DESK_COMPLAINTS_IN_STORY_DEPARTMENT = (3.5, 7.0)  # first late wave, later ones
SILO_RATE_FIRST_WAVE = 0.33
SILO_RATE_LAST_WAVE = 0.05
PARTNERSHIP_RATE_FIRST_WAVE = 0.03
PARTNERSHIP_RATE_LAST_WAVE = 0.24
#: Complaint and praise weights of the emerging themes (``EMERGING_THEMES``) after the action wave.
EMERGING_COMPLAINT_WEIGHT = 1.6
EMERGING_PRAISE_WEIGHT = 0.4

#: How often each theme is what a partner complains about or suggests (answers to "change").
COMPLAINT_WEIGHTS: Mapping[str, float] = MappingProxyType({
    "delivery": 1.9, "support": 1.3, "tools": 1.4, "security": 0.8, "communication": 0.8,
    "listening": 0.6, "trust": 0.45, "value": 0.45, "skills": 0.5, "strategic-alignment": 0.45,
})
#: How often each theme is what a partner praises (answers to "doing well").
PRAISE_WEIGHTS: Mapping[str, float] = MappingProxyType({
    "praise": 1.2, "support": 1.1, "tools": 1.0, "delivery": 0.3, "communication": 0.6,
    "listening": 0.45, "security": 0.4, "skills": 0.4, "trust": 0.35, "strategic-alignment": 0.25,
    "value": 0.15,
})


def read_demo_data(name: str) -> dict:
    """Parse one JSON file of ``survey/demo/data``."""
    text = resources.files("survey.demo").joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)


_SURVEY = read_demo_data("survey.json")
#: Wave labels of the demo survey, oldest first.
DEFAULT_WAVES: tuple[str, ...] = tuple(wave["label"] for wave in _SURVEY["waves"])
#: Departments offered by the demo survey's segment question.
DEFAULT_DEPARTMENTS: tuple[str, ...] = tuple(
    next(q for q in _SURVEY["questions"] if q["kind"] == "segment")["options"]
)
_DEPARTMENT_SHARES: Mapping[str, float] = MappingProxyType(_SURVEY["department_shares"])
_FREQUENCIES: tuple[str, ...] = tuple(_SURVEY["frequency_shares"])
_FREQUENCY_CUMULATIVE: tuple[float, ...] = tuple(accumulate(_SURVEY["frequency_shares"].values()))


@dataclass(frozen=True)
class DemoResponse:
    """One generated partner response.

    ``answers`` is keyed by the demo survey's question keys: ``department``, ``frequency``,
    ``rating``, ``nps``, ``doing_well`` and ``change``; a blank optional answer is ``None``.
    """

    wave: str
    department: str
    rating: int
    nps: int
    answers: Mapping[str, str | int | None]


@dataclass(frozen=True)
class WaveStory:
    """What the story asks of one (wave, department) cell: theme weights, rates and mean mood."""

    cell: Cell
    complaint_weights: Mapping[str, float]
    praise_weights: Mapping[str, float]
    silo_rate: float
    partnership_rate: float
    mood_mean: float


def wave_story(wave_index: int, wave_count: int, department: str) -> WaveStory:
    """The theme weights, silo and partnership rates and mean mood for one wave and department."""
    progress = wave_index / max(wave_count - 1, 1)
    after_action = wave_index >= ACTION_WAVE
    story_cell = after_action and department == STORY_DEPARTMENT
    complaint, praise = dict(COMPLAINT_WEIGHTS), dict(PRAISE_WEIGHTS)
    if after_action:
        complaint["delivery"] *= DELIVERY_COMPLAINTS_AFTER_ACTION
        praise["delivery"] *= DELIVERY_PRAISE_AFTER_ACTION
        for emerging in EMERGING_THEMES:
            complaint[emerging] = EMERGING_COMPLAINT_WEIGHT
            praise[emerging] = EMERGING_PRAISE_WEIGHT
    if story_cell:
        rise = SERVICE_DESK_COMPLAINTS_IN_STORY_DEPARTMENT
        complaint["support"] *= rise[0] if wave_index == ACTION_WAVE else rise[1]
        praise["support"] *= 0.3
    # A small fixed offset per department name, so departments differ a little in mood.
    department_offset = (sum(map(ord, department)) % 7 - 3) * 0.05
    return WaveStory(
        cell=Cell("late" if after_action else "early", department),
        complaint_weights=MappingProxyType(complaint),
        praise_weights=MappingProxyType(praise),
        silo_rate=SILO_RATE_FIRST_WAVE + (SILO_RATE_LAST_WAVE - SILO_RATE_FIRST_WAVE) * progress,
        partnership_rate=PARTNERSHIP_RATE_FIRST_WAVE
        + (PARTNERSHIP_RATE_LAST_WAVE - PARTNERSHIP_RATE_FIRST_WAVE) * progress,
        mood_mean=-0.25 + 0.5 * progress + department_offset - (0.4 if story_cell else 0.0),
    )


def generate_feedback(
    n: int,
    seed: int = 7,
    waves: Sequence[str] = DEFAULT_WAVES,
    departments: Sequence[str] = DEFAULT_DEPARTMENTS,
) -> list[DemoResponse]:
    """Generate ``n`` partner responses spread over ``waves`` (oldest first) and ``departments``.

    Deterministic for a given ``seed`` and arguments, and fast (100,000 responses in a few
    seconds). Waves get slightly fewer responses as the year goes on; departments are weighted by
    their size in the demo company. Comments repeat only when ``n`` outgrows the hand-written
    pool (see the module docstring).
    """
    if n < 0:
        raise ValueError("n must be zero or more.")
    if not waves or not departments:
        raise ValueError("Give at least one wave and one department.")
    rng = random.Random(seed)
    pool = CommentPool(load_comments(), random.Random(seed + 1))
    department_cumulative = tuple(accumulate(
        _DEPARTMENT_SHARES.get(name, 1 / len(departments)) for name in departments
    ))
    responses: list[DemoResponse] = []
    for wave_index, (wave, count) in enumerate(zip(waves, _wave_counts(n, len(waves)), strict=True)):
        stories = {name: wave_story(wave_index, len(waves), name) for name in departments}
        for _ in range(count):
            department = departments[_pick(rng, department_cumulative)]
            responses.append(_response(rng, pool, wave, stories[department]))
    return responses


def _wave_counts(n: int, wave_count: int) -> list[int]:
    """Split ``n`` over the waves, a little fewer each wave, summing exactly to ``n``."""
    weights = [1.0 - 0.18 * index / max(wave_count - 1, 1) for index in range(wave_count)]
    exact = [n * weight / sum(weights) for weight in weights]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(wave_count), key=lambda index: counts[index] - exact[index])
    for index in by_remainder[: n - sum(counts)]:
        counts[index] += 1
    return counts


def _pick(rng: random.Random, cumulative: Sequence[float]) -> int:
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


def _response(rng: random.Random, pool: CommentPool, wave: str, story: WaveStory) -> DemoResponse:
    mood = rng.gauss(story.mood_mean, 0.9)
    rating = min(5, max(1, round(3.2 + 0.95 * mood + rng.gauss(0, 0.45))))
    nps = min(10, max(0, round(6.6 + 2.1 * mood + rng.gauss(0, 0.9))))
    answers = {
        "department": story.cell.department,
        "frequency": _FREQUENCIES[_pick(rng, _FREQUENCY_CUMULATIVE)] if rng.random() < 0.9
        else None,
        "rating": rating, "nps": nps,
        "doing_well": _praise_answer(rng, pool, story, mood),
        "change": _change_answer(rng, pool, story, mood),
    }
    return DemoResponse(wave, story.cell.department, rating, nps, MappingProxyType(answers))


def _praise_answer(rng: random.Random, pool: CommentPool, story: WaveStory, mood: float) -> str | None:
    """The answer to "What is IT doing well?": praise, a shrug, a dig, or nothing."""
    if rng.random() < (0.2 if mood < -0.8 else 0.08):
        return None
    tone = mood + rng.gauss(0, 0.5)
    sentiments = ("negative", "neutral", "positive") if tone < -1.3 else \
        ("neutral", "positive", "negative") if tone < -0.7 else ("positive", "neutral", "negative")
    kind = "plain"
    if sentiments[0] == "positive" and rng.random() < story.partnership_rate:
        kind = "partnership"
    elif rng.random() < story.silo_rate * 0.2:
        kind = "silo"
    non_answer = {"negative": 0.35, "neutral": 0.3, "positive": 0.03}[sentiments[0]]
    weights = story.praise_weights if sentiments[0] == "positive" else story.complaint_weights
    theme = NO_THEME if kind == "plain" and rng.random() < non_answer else _theme(rng, weights)
    comment = pool.deal("doing_well", sentiments, theme, kind, story.cell, weights)
    return comment.text


def _change_answer(rng: random.Random, pool: CommentPool, story: WaveStory, mood: float) -> str | None:
    """The answer to "What should IT change or improve?": complaints, suggestions, or nothing."""
    if rng.random() < 0.06:
        return None
    tone = mood + rng.gauss(0, 0.5)
    sentiments = ("positive", "neutral", "negative") if tone > 1.4 else \
        ("neutral", "negative", "positive") if tone > 0.4 else ("negative", "neutral", "positive")
    kind = "plain"
    silo_rate = {"negative": story.silo_rate, "neutral": 0.6 * story.silo_rate}.get(sentiments[0], 0.0)
    if rng.random() < silo_rate:
        kind = "silo"
    elif sentiments[0] != "negative" and rng.random() < story.partnership_rate * 0.3:
        kind = "partnership"
    non_answer = {"negative": 0.03, "neutral": 0.12, "positive": 0.65}[sentiments[0]]
    weights = story.complaint_weights
    theme = NO_THEME if kind == "plain" and rng.random() < non_answer else _theme(rng, weights)
    comment = pool.deal("change", sentiments, theme, kind, story.cell, weights)
    return comment.text


def _theme(rng: random.Random, weights: Mapping[str, float]) -> str:
    names = sorted(weights)
    return rng.choices(names, weights=[weights[name] for name in names])[0]
