"""A pure, seeded generator of realistic partner feedback for the demo and the benchmarks.

Answers are composed from the templates and phrase banks in ``survey/demo/data/phrases.json``
(written for Rapport, not taken from a dataset). Each response first draws a latent *mood*; the
rating, the NPS and the tone of both open answers follow from it, so scores and text agree.

The corpus tells a story across the waves (at least two waves are assumed):

* delivery complaints fall after the second wave (an improvement action started then), and praise
  for delivery rises;
* service-desk complaints rise in :data:`STORY_DEPARTMENT` in the later waves;
* siloing language ("internal customer", "IT and the business", "order taker", ...) declines wave
  by wave while partnership language grows;
* ratings and NPS improve a little, except in the story department in the later waves.
"""

from __future__ import annotations

import bisect
import json
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from itertools import accumulate
from types import MappingProxyType

#: The department whose service-desk complaints rise in the later waves.
STORY_DEPARTMENT = "Operations"
#: Multipliers that carry the story (see the module docstring).
DELIVERY_COMPLAINTS_AFTER_ACTION = 0.3
DELIVERY_PRAISE_AFTER_ACTION = 2.5
SERVICE_DESK_COMPLAINTS_IN_STORY_DEPARTMENT = 3.0
SILO_RATE_FIRST_WAVE = 0.34
SILO_RATE_LAST_WAVE = 0.06
PARTNERSHIP_RATE_FIRST_WAVE = 0.04
PARTNERSHIP_RATE_LAST_WAVE = 0.22


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
class ThemePhrases:
    """The phrase bank of one concern theme."""

    name: str
    complaint_weight: float
    praise_weight: float
    negative: tuple[str, ...]
    positive: tuple[str, ...]
    short_negative: tuple[str, ...]
    short_positive: tuple[str, ...]


@dataclass(frozen=True)
class PhraseBank:
    """Every template and slot value the generator draws from (immutable)."""

    slots: Mapping[str, tuple[str, ...]]
    themes: tuple[ThemePhrases, ...]
    named_praise: tuple[str, ...]
    contact_details: tuple[str, ...]
    silo_phrases: tuple[str, ...]
    contrast_negative: tuple[str, ...]
    contrast_positive: tuple[str, ...]
    lead_ins: tuple[str, ...]
    partnership_phrases: tuple[str, ...]
    openers_negative: tuple[str, ...]
    openers_neutral: tuple[str, ...]
    closers_negative: tuple[str, ...]
    closers_positive: tuple[str, ...]
    no_praise: tuple[str, ...]
    no_complaint: tuple[str, ...]


@cache
def load_phrase_bank() -> PhraseBank:
    """Read ``data/phrases.json`` once into an immutable :class:`PhraseBank`."""
    raw = read_demo_data("phrases.json")
    themes = tuple(
        ThemePhrases(name, body["complaint_weight"], body["praise_weight"],
                     *(tuple(body[key]) for key in
                       ("negative", "positive", "short_negative", "short_positive")))
        for name, body in raw["themes"].items()
    )
    lists = {field.name: tuple(raw[field.name]) for field in fields(PhraseBank)
             if field.name not in ("slots", "themes")}
    slots = MappingProxyType({name: tuple(values) for name, values in raw["slots"].items()})
    return PhraseBank(slots=slots, themes=themes, **lists)


@dataclass(frozen=True)
class WaveStory:
    """What the story asks of one (wave, department) cell: theme weights and phrase rates."""

    complaint_cumulative: tuple[float, ...]
    praise_cumulative: tuple[float, ...]
    silo_rate: float
    partnership_rate: float
    mood_mean: float


def wave_story(bank: PhraseBank, wave_index: int, wave_count: int, department: str) -> WaveStory:
    """The theme weights, silo and partnership rates and mean mood for one wave and department."""
    progress = wave_index / max(wave_count - 1, 1)
    after_action = wave_index >= 2
    story_cell = after_action and department == STORY_DEPARTMENT
    complaint, praise = [], []
    for theme in bank.themes:
        complaint_weight, praise_weight = theme.complaint_weight, theme.praise_weight
        if theme.name == "delivery" and after_action:
            complaint_weight *= DELIVERY_COMPLAINTS_AFTER_ACTION
            praise_weight *= DELIVERY_PRAISE_AFTER_ACTION
        if theme.name == "support" and story_cell:
            complaint_weight *= SERVICE_DESK_COMPLAINTS_IN_STORY_DEPARTMENT
            praise_weight *= 0.3
        complaint.append(complaint_weight)
        praise.append(praise_weight)
    # A small fixed offset per department name, so departments differ a little in mood.
    department_offset = (sum(map(ord, department)) % 7 - 3) * 0.05
    return WaveStory(
        complaint_cumulative=_cumulative(complaint),
        praise_cumulative=_cumulative(praise),
        silo_rate=SILO_RATE_FIRST_WAVE + (SILO_RATE_LAST_WAVE - SILO_RATE_FIRST_WAVE) * progress,
        partnership_rate=PARTNERSHIP_RATE_FIRST_WAVE
        + (PARTNERSHIP_RATE_LAST_WAVE - PARTNERSHIP_RATE_FIRST_WAVE) * progress,
        mood_mean=-0.2 + 0.35 * progress + department_offset - (0.35 if story_cell else 0.0),
    )


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    return tuple(accumulate(weights))


def _choice(rng: random.Random, options: Sequence[str]) -> str:
    """``rng.choice`` without its overhead (this loop runs millions of times in benchmarks)."""
    return options[int(rng.random() * len(options))]


class _Slots(dict):
    """A ``format_map`` mapping that draws a fresh slot value each time a slot is used."""

    def __init__(self, rng: random.Random, bank: PhraseBank, department: str):
        super().__init__(dept=department)
        self._rng = rng
        self._slots = bank.slots

    def __missing__(self, key: str) -> str:
        if key == "ticket":
            return f"INC{int(self._rng.random() * 9_000_000) + 1_000_000:07d}"
        return _choice(self._rng, self._slots[key])


def generate_feedback(
    n: int,
    seed: int = 7,
    waves: Sequence[str] = DEFAULT_WAVES,
    departments: Sequence[str] = DEFAULT_DEPARTMENTS,
) -> list[DemoResponse]:
    """Generate ``n`` partner responses spread over ``waves`` (oldest first) and ``departments``.

    Deterministic for a given ``seed`` and arguments, and fast (about 100,000 responses in a few
    seconds), so benchmarks can generate large realistic corpora. Waves get slightly fewer
    responses as the year goes on; departments are weighted by their size in the demo company.
    """
    if n < 0:
        raise ValueError("n must be zero or more.")
    if not waves or not departments:
        raise ValueError("Give at least one wave and one department.")
    bank = load_phrase_bank()
    rng = random.Random(seed)
    department_cumulative = _cumulative(
        [_DEPARTMENT_SHARES.get(name, 1 / len(departments)) for name in departments]
    )
    responses: list[DemoResponse] = []
    for wave_index, (wave, count) in enumerate(zip(waves, _wave_counts(n, len(waves)), strict=True)):
        stories = {name: wave_story(bank, wave_index, len(waves), name) for name in departments}
        for _ in range(count):
            department = departments[_pick(rng, department_cumulative)]
            responses.append(
                _response(rng, bank, wave, department, stories[department])
            )
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


def _response(
    rng: random.Random, bank: PhraseBank, wave: str, department: str, story: WaveStory
) -> DemoResponse:
    mood = rng.gauss(story.mood_mean, 0.9)
    rating = min(5, max(1, round(3.2 + 0.95 * mood + rng.gauss(0, 0.45))))
    nps = min(10, max(0, round(6.6 + 2.1 * mood + rng.gauss(0, 0.9))))
    slots = _Slots(rng, bank, department)
    doing_well = _praise_answer(rng, bank, story, mood, slots)
    change = _complaint_answer(rng, bank, story, mood, slots)
    answers = {
        "department": department,
        "frequency": _FREQUENCIES[_pick(rng, _FREQUENCY_CUMULATIVE)] if rng.random() < 0.9
        else None,
        "rating": rating, "nps": nps,
        "doing_well": _roughen(rng, doing_well) if doing_well else None,
        "change": _roughen(rng, change) if change else None,
    }
    return DemoResponse(wave, department, rating, nps, MappingProxyType(answers))


def _praise_answer(
    rng: random.Random, bank: PhraseBank, story: WaveStory, mood: float, slots: _Slots
) -> str | None:
    """The answer to "What is IT doing well?": praise, a shrug, or nothing."""
    partnership = rng.random() < story.partnership_rate
    if rng.random() < (0.22 if mood < -0.8 else 0.1) and not partnership:
        return None
    parts: list[str] = []
    if mood < -0.9 and rng.random() < 0.55:
        if not partnership:
            parts.append(_choice(rng, bank.no_praise))
    else:
        parts.extend(_theme_sentences(rng, bank, story.praise_cumulative, "positive", mood))
        if mood < 0.3 and rng.random() < 0.15:
            parts.insert(0, _choice(rng, bank.contrast_positive))
        if rng.random() < 0.06:
            parts.append(_choice(rng, bank.named_praise))
        if mood > 0.6 and len(parts) > 1 and rng.random() < 0.3:
            parts.append(_choice(rng, bank.closers_positive))
    if partnership:
        parts.append(_choice(rng, bank.partnership_phrases))
    return _compose(parts, slots)


def _complaint_answer(
    rng: random.Random, bank: PhraseBank, story: WaveStory, mood: float, slots: _Slots
) -> str | None:
    """The answer to "What should IT change or improve?": complaints, suggestions, or nothing."""
    silo = rng.random() < story.silo_rate
    if rng.random() < 0.07 and not silo:
        return None
    parts: list[str] = []
    opener = ""
    if mood > 0.9 and rng.random() < 0.5 and not silo:
        parts.append(_choice(rng, bank.no_complaint))
    else:
        parts.extend(_theme_sentences(rng, bank, story.complaint_cumulative, "negative", -mood))
        if rng.random() < 0.1:
            parts.insert(0, _choice(rng, bank.contrast_negative))
        if len(parts) > 1 and rng.random() < 0.5:
            opener = _choice(rng, bank.openers_negative if mood < 0 else bank.openers_neutral)
        if rng.random() < 0.06:
            parts.append(_choice(rng, bank.contact_details))
        if mood < -0.5 and rng.random() < 0.2:
            parts.append(_choice(rng, bank.closers_negative))
    if silo:
        parts.insert(rng.randrange(len(parts) + 1), _choice(rng, bank.silo_phrases))
    text = _compose(parts, slots)
    if not opener:
        return text
    if opener[-1] not in ".:" and text[1:2].islower():
        text = text[0].lower() + text[1:]
    return f"{opener} {text}"


def _compose(templates: Sequence[str], slots: _Slots) -> str:
    """Fill the templates' slots and join them into sentences (a fragment gets a full stop)."""
    sentences = []
    for template in templates:
        text = template.format_map(slots) if "{" in template else template
        if template[0] == "{":
            text = text[0].upper() + text[1:]
        sentences.append(text)
    for index in range(len(sentences) - 1):
        if sentences[index][-1] not in ".!?":
            sentences[index] += "."
    return " ".join(sentences)


def _theme_sentences(
    rng: random.Random, bank: PhraseBank, cumulative: Sequence[float], tone: str, lean: float
) -> list[str]:
    """One short fragment, or one to five sentences from themes drawn by the story's weights.

    ``lean`` is how strongly the partner feels this way (their mood, signed to match ``tone``):
    the more they lean, the more they write; the less, the likelier a terse fragment.
    """
    length = rng.random()
    if lean < -0.5:
        length *= 0.6
    if length < 0.2:
        theme = bank.themes[_pick(rng, cumulative)]
        fragments = theme.short_negative if tone == "negative" else theme.short_positive
        if fragments:
            return [_choice(rng, fragments)]
    count = 1 if length < 0.65 else 2 if length < 0.88 else 3 + int(rng.random() * 2)
    if lean > 0 and rng.random() < min(0.6, 0.4 * lean):
        count += 1
    sentences = []
    for _ in range(count):
        theme = bank.themes[_pick(rng, cumulative)]
        sentence = _choice(rng, theme.negative if tone == "negative" else theme.positive)
        if rng.random() < 0.3:
            sentence = _lead_in(_choice(rng, bank.lead_ins), sentence)
        sentences.append(sentence)
    return sentences


def _lead_in(lead: str, sentence: str) -> str:
    """Prefix ``sentence`` with a lead-in such as "For us,", lowercasing its first word if plain."""
    if sentence[1:2].islower() and not sentence.startswith(("I ", "Teams", "Salesforce")):
        sentence = sentence[0].lower() + sentence[1:]
    return f"{lead} {sentence}"


_APOSTROPHE_SLIPS = (("don't", "dont"), ("doesn't", "doesnt"), ("can't", "cant"), ("it's", "its"),
                     ("didn't", "didnt"), ("won't", "wont"))


def _roughen(rng: random.Random, text: str) -> str:
    """Add the typos, lowercase and missing punctuation of text typed in a hurry."""
    roll = rng.random()
    if roll < 0.12:
        text = text.lower()
    if rng.random() < 0.07:
        text = _swap_letters(rng, text)
    if rng.random() < 0.1:
        for correct, slip in _APOSTROPHE_SLIPS:
            text = text.replace(correct, slip)
    if rng.random() < 0.12 and text.endswith("."):
        text = text[:-1]
    if rng.random() < 0.03:
        text = text.replace(". ", ".  ", 1)
    return text


def _swap_letters(rng: random.Random, text: str) -> str:
    """Swap two neighbouring letters inside one longer word (a classic typing slip)."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) > 5 and word.isalpha()]
    if not candidates:
        return text
    index = _choice(rng, candidates)
    word = words[index]
    position = rng.randrange(1, len(word) - 2)
    words[index] = word[:position] + word[position + 1] + word[position] + word[position + 2:]
    return " ".join(words)
