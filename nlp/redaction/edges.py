"""The edges of the person names found: widened over initials and a given name, dropped when a place or
a product.

Detectors find a surname but not what stands before it ("T. Mabaso", "A.B. de Villiers",
"Blessing Mokoena", where "Blessing" is also a word), and they call places and product code names
names ("Giuseppe from Milan", "in Kuala Lumpur", "the Apollo upgrade", "Project Phoenix", "the Mark II
scanners", "#NewHaven"). :func:`settled_names` fixes both from the text around each span, so it
costs nothing on an answer without names. Places are a data list
(``nlp/data/place_names.txt``, :mod:`eval.redaction_places`): towns, countries and US states.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from nlp.redaction.lexicon import NAMING_CALLED, WORD_NAMES, name_lexicon
from nlp.redaction.spans import Redaction

#: Initials straight before a name: "T. Mabaso", "A.B. de Villiers", "E . G . Plott" (tokenised text).
_INITIALS_BEFORE = re.compile(r"(?<![\w.])(?:[A-Z] ?\.[ \t]?){1,3}[ \t]?\Z")
#: A capitalised word straight before a name, that may be a given name ("Blessing Mokoena").
_WORD_BEFORE = re.compile(r"(?<![\w'’\-])([A-Z][a-z]+(?:-[A-Za-z][a-z]+)?) \Z")
#: A word that places the next one: "from Milan", "in Kuala Lumpur", "at the Durban office", "de Lyon".
_LOCATIVE_BEFORE = re.compile(
    r"(?i:\b(?P<word>in|from|at|near|around|outside|across|via|visiting|de|du|di|da)[ \t]+(?:the[ \t]+)?"
    r"|\b(?:move[ds]?|moving|relocat\w+|travel\w*|flew|fly(?:ing)?|went|go(?:ing)?|trip|transferr?ed|posted|"
    r"seconded|back)[ \t]+to[ \t]+)\Z")
#: A word that makes the next one a thing: "the Apollo upgrade", "our Orion printer", "Project Phoenix".
_THING_BEFORE = re.compile(r"(?i:\b(?P<word>the|our|their|new|old|project|operation|programme|"
                           r"program|codename)[ \t]+)\Z")
_CALLED_BEFORE = re.compile(r"(?i:\bcalled[ \t]+)\Z")
_NOUN_AFTER = re.compile(r"[ \t]+(?P<word>[a-z][a-z\-]+)\b")
_NUMERAL_AFTER = re.compile(r"[ \t]+(?:I{1,3}|IV|VI{0,3}|IX|X|\d+)\b")
#: Words after "the X" that make X a person, not a thing: "our Sarah fixed it", "the Okafors both work".
_PERSON_FOLLOWERS = frozenset((
    "is", "was", "has", "had", "does", "did", "will", "would", "can", "could", "and", "or", "who", "from",
    "in", "on", "at", "said", "says", "told", "both", "always", "never", "just", "also", "still", "here",
    "twins", "family", "brothers", "sisters",
))
_ANY_WORD_BEFORE = re.compile(r"(?<![\w'’\-])([^\W\d_]+) \Z")
_LOOK_BACK = 24


@functools.cache
def place_names() -> frozenset[str]:
    """Lower-case town, country and US state names (``nlp/data/place_names.txt``)."""
    path = resources.files("nlp") / "data" / "place_names.txt"
    return frozenset(line for line in path.read_text(encoding="utf-8").splitlines()
                     if line and not line.startswith("#"))


def settled_names(text: str, spans: list[Redaction], given: frozenset[str]) -> list[Redaction]:
    """``spans`` widened over initials and a given name before them, without places and things.

    ``given`` holds lower-case given names (any list: the rules', a gazetteer's) that may stand before a
    surname."""
    settled = []
    for span in spans:
        if _is_place(text, span) or _is_thing(text, span, given):
            continue
        settled.append(_widened(text, span, given))
    return settled


def _is_place(text: str, span: Redaction) -> bool:
    """A town, country or state after a word that places it ("from Milan", not "thanks to Jordan")."""
    if text[span.start - 1:span.start] == "#" or text[span.start - 2:span.start] == "# ":
        word = text[span.start:span.end]
        return word.islower() or not word[1:].islower()  # "#NewHaven", "#gaza": topics; "#Colbert" may be a name
    start, lower = span.start, text[span.start:span.end].lower()
    if lower not in place_names():
        word = _ANY_WORD_BEFORE.search(text, max(0, start - _LOOK_BACK), start)  # "São" "Paulo"
        if word is None or f"{word.group(1)} {lower}".lower() not in place_names():
            return False
        start, lower = word.start(1), f"{word.group(1)} {lower}".lower()
    before = _LOCATIVE_BEFORE.search(text, max(0, start - _LOOK_BACK), start)
    if before is None:
        return False
    word = (before.group("word") or "to").lower()
    return word != "from" or lower not in name_lexicon().given_names  # "an email from Tyler": a person


def _is_thing(text: str, span: Redaction, given: frozenset[str]) -> bool:
    """One capitalised word naming a product or a place after "the/our/Project" and before a noun, or
    before a model number: "the Apollo upgrade", "Project Phoenix", "the Mark II scanners" (but a
    given name before a noun stays: "the Heidi video")."""
    name = text[span.start:span.end]
    called = _CALLED_BEFORE.search(text, max(0, span.start - 12), span.start)
    if called is not None and NAMING_CALLED.search(text, max(0, called.start() - _LOOK_BACK), called.start()):
        return True  # "the new CRM is called Atlas"
    if " " in name or not name[:1].isupper():
        return False
    if _NUMERAL_AFTER.match(text, span.end):
        return bool(_THING_BEFORE.search(text, max(0, span.start - _LOOK_BACK), span.start))
    before = _THING_BEFORE.search(text, max(0, span.start - _LOOK_BACK), span.start)
    if before is None:
        return False
    if before.group("word").lower() in ("project", "operation", "programme", "program", "codename"):
        return True
    after = _NOUN_AFTER.match(text, span.end)
    if after is None or name.lower() in given:
        return False
    following = after.group("word")
    return following not in _PERSON_FOLLOWERS and not following.endswith(("ed", "s"))


def _widened(text: str, span: Redaction, given: frozenset[str]) -> Redaction:
    start = span.start
    word = _WORD_BEFORE.search(text, max(0, start - _LOOK_BACK), start) if text[start:start + 1].isupper() else None
    if word is not None:
        lower = word.group(1).lower()
        if lower in given or lower in WORD_NAMES:
            start = word.start(1)
    initials = _INITIALS_BEFORE.search(text, max(0, start - 12), start)
    if initials is not None:
        start = initials.start()
    return span if start == span.start else Redaction(start, span.end, span.label)
