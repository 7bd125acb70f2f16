"""The hand-written partner comments of the demo corpus and a pool that deals them out.

``data/comments.jsonl`` holds one comment per line, written whole for Rapport (never composed from
templates), with the metadata the demo story needs:

``question``
    ``doing_well`` ("What is IT doing well?") or ``change`` ("What should IT change or improve?").
``theme``
    The concern theme it is mainly about (a theme id of ``nlp/data/themes.json``), ``none`` for
    a non-answer such as "n/a", "nothing really" or "see above", or one of
    :data:`EMERGING_THEMES`: a real situation outside the seeded taxonomy (the rollout of a new
    e-signature tool in the later waves) that the analysis should propose as an emerging theme.
``sentiment``
    ``negative``, ``neutral`` or ``positive``.
``period``
    ``early`` (fits the first two waves only, e.g. most delivery complaints and siloing language),
    ``late`` (the later waves only, e.g. praise for delivery after the improvement) or ``any``.
``department``
    The department the text implies (warehouse scanners: Operations), or ``""``.
``flags``
    Any of ``silo`` (siloing language such as "internal customer" or "the business"),
    ``partnership`` ("together", "one team", "partner"), ``names`` (a person named informally),
    ``quasi_identifier`` (a rare role, a date, a small named project), ``ticket`` (a ticket number
    or asset tag) and ``contact`` (an e-mail address or phone number).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

QUESTIONS = ("doing_well", "change")
SENTIMENTS = ("negative", "neutral", "positive")
PERIODS = ("early", "late", "any")
FLAGS = frozenset({"silo", "partnership", "names", "quasi_identifier", "ticket", "contact"})
#: The theme of a non-answer ("n/a", "nothing really", "see above").
NO_THEME = "none"
#: Situations outside the seeded taxonomy that the corpus brings up in the later waves, for the
#: analysis to discover as emerging themes (their comments are all ``late``).
EMERGING_THEMES = ("e-signature",)
#: Kinds of comment the story asks for by rate: siloing language, partnership language, neither.
KINDS = ("silo", "partnership", "plain")


@dataclass(frozen=True)
class DemoComment:
    """One hand-written partner comment and its metadata (see the module docstring)."""

    id: str
    text: str
    question: str
    theme: str
    sentiment: str
    period: str
    department: str
    flags: frozenset[str]

    @property
    def kind(self) -> str:
        """``silo`` if it uses siloing language, else ``partnership`` if it uses partnership
        language, else ``plain``."""
        if "silo" in self.flags:
            return "silo"
        return "partnership" if "partnership" in self.flags else "plain"


def read_comment(line: str, theme_ids: Iterable[str]) -> DemoComment:
    """Parse one JSON line of ``comments.jsonl``; :class:`ValueError` names what is wrong."""
    record = json.loads(line)
    comment = DemoComment(
        id=record["id"], text=record["text"], question=record["question"], theme=record["theme"],
        sentiment=record["sentiment"], period=record["period"], department=record["department"],
        flags=frozenset(record["flags"]),
    )
    problems = [
        name for name, ok in (
            ("text", bool(comment.text.strip()) and comment.text == comment.text.strip()),
            ("question", comment.question in QUESTIONS),
            ("theme", comment.theme in set(theme_ids) | {NO_THEME, *EMERGING_THEMES}),
            ("sentiment", comment.sentiment in SENTIMENTS),
            ("period", comment.period in PERIODS),
            ("flags", comment.flags <= FLAGS),
        ) if not ok
    ]
    if problems:
        raise ValueError(f"Demo comment {comment.id} has an invalid {', '.join(problems)}.")
    return comment


@cache
def load_comments() -> tuple[DemoComment, ...]:
    """Read ``data/comments.jsonl`` once, checking every record against the shipped taxonomy.

    The taxonomy's JSON is read directly (not through :mod:`nlp.themes`, which loads NumPy and
    scikit-learn), so the demo stays quick to import.
    """
    themes = json.loads(resources.files("nlp").joinpath("data", "themes.json").read_text(encoding="utf-8"))
    theme_ids = [theme["id"] for theme in themes["themes"]]
    text = resources.files("survey.demo").joinpath("data", "comments.jsonl").read_text(encoding="utf-8")
    return tuple(read_comment(line, theme_ids) for line in text.splitlines() if line.strip())


@dataclass(frozen=True)
class Cell:
    """Where a response comes from: the period of its wave and its department."""

    period: str
    department: str


class CommentPool:
    """Deals comments without replacement until every comment that fits has been dealt.

    Comments are grouped by (question, sentiment, theme, kind) and, inside a group, by (period,
    department); each list is shuffled once with ``rng``. A comment fits a response when its
    period is the response's or ``any`` and its department is the response's or empty.
    """

    def __init__(self, comments: Sequence[DemoComment], rng: random.Random):
        self._comments = comments
        self._rng = rng
        self._groups: dict[tuple[str, str, str, str], dict[tuple[str, str], list[DemoComment]]] = {}
        for question in QUESTIONS:
            self._refill(question)

    def _refill(self, question: str) -> None:
        """Put every comment answering ``question`` back, reshuffled (a new round begins)."""
        for key in [key for key in self._groups if key[0] == question]:
            del self._groups[key]
        for comment in self._comments:
            if comment.question == question:
                key = (question, comment.sentiment, comment.theme, comment.kind)
                self._groups.setdefault(key, {}).setdefault(
                    (comment.period, comment.department), []).append(comment)
        for key in sorted(key for key in self._groups if key[0] == question):
            for place in sorted(self._groups[key]):
                self._rng.shuffle(self._groups[key][place])

    def _fitting(self, key: tuple[str, str, str, str], cell: Cell) -> list[list[DemoComment]]:
        """The non-empty lists of ``key`` that fit ``cell``, the most specific first."""
        group = self._groups.get(key)
        if not group:
            return []
        places = ((period, department) for period in (cell.period, "any")
                  for department in (cell.department, ""))
        return [comments for place in places if (comments := group.get(place))]

    def _pop(self, lists: list[list[DemoComment]]) -> DemoComment:
        """Pop the next comment of the first (most specific) list (each list is shuffled).

        Comments that fit only this period (or department) go first, so the ones that fit any
        period are left for the waves that have nothing else to say it with.
        """
        return lists[0].pop()

    def _take(self, question: str, sentiment: str, theme: str | None, kind: str, cell: Cell,
              weights: Mapping[str, float]) -> DemoComment | None:
        """One fitting comment of ``theme``, or of a theme drawn by ``weights`` when it is None."""
        if theme is not None:
            lists = self._fitting((question, sentiment, theme, kind), cell)
            return self._pop(lists) if lists else None
        available = {name: lists for name, weight in weights.items() if weight > 0 and
                     (lists := self._fitting((question, sentiment, name, kind), cell))}
        if not available:
            return None
        names = sorted(available)
        chosen = self._rng.choices(names, weights=[weights[name] for name in names])[0]
        return self._pop(available[chosen])

    def deal(self, question: str, sentiments: Sequence[str], theme: str, kind: str, cell: Cell,
             weights: Mapping[str, float]) -> DemoComment:
        """The best unused comment for a request, relaxing it step by step when none is left.

        Tried in order: the first sentiment with ``theme`` and ``kind``; with another theme drawn
        by ``weights``; a silo or partnership ``kind`` then with the next sentiment, before both
        again as a plain comment; then the next sentiments, plain. Only when
        no unused comment fits at all does the question's pool start a new round (repeats).
        """
        relaxed = [(sentiments[0], theme, kind), (sentiments[0], None, kind)]
        if kind != "plain":
            relaxed += [(sentiments[1], None, kind), (sentiments[0], theme, "plain"),
                        (sentiments[0], None, "plain")]
        relaxed += [(sentiment, option, "plain") for sentiment in sentiments[1:]
                    for option in (theme, None)]
        for _ in range(2):
            for sentiment, option, wanted_kind in relaxed:
                comment = self._take(question, sentiment, option, wanted_kind, cell, weights)
                if comment is not None:
                    return comment
            self._refill(question)
        raise LookupError(f"No demo comment answers {question!r} for {cell}.")


@cache
def comments_by_text() -> Mapping[str, DemoComment]:
    """Every comment by its text (texts are unique), to read back what a generated answer is."""
    return MappingProxyType({comment.text: comment for comment in load_comments()})
