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

from nlp.redaction.lexicon import CUES, NAMING_CALLED, VIRTUES, WORD_NAMES, data_lines, name_lexicon
from nlp.redaction.spans import Redaction

#: Initials straight before a name: "T. Mabaso", "A.B. de Villiers", "E . G . Plott" (tokenised text).
_INITIALS_BEFORE = re.compile(r"(?<![\w.])(?:[A-Z] ?\.[ \t]?){1,3}[ \t]?\Z")
#: Words that place the next one: "from Milan", "in Kuala Lumpur", "at the Durban office", "de Lyon".
_LOCATIVES = frozenset(("in", "from", "at", "near", "around", "outside", "across", "via", "visiting", "de",
                        "du",
                        "di", "da"))
#: Verbs that make "to" place the next word: "moved to Durban" (but "thanks to Jordan", "talk to Austin").
_MOVES = frozenset(("move", "moved", "moves", "moving", "relocated", "relocating", "travel", "travelled",
                    "traveling", "travelling", "flew", "fly", "flying", "went", "go", "going", "trip",
                    "transferred", "posted", "seconded", "back"))
#: Words that make the next one a thing: "the Apollo upgrade", "our Orion printer", "Project Phoenix".
_DETERMINERS = frozenset(("the", "our", "their", "new", "old"))
_PROJECT_WORDS = frozenset(("project", "operation", "programme", "program", "codename"))
_NOUN_AFTER = re.compile(r"[ \t]+(?P<word>[a-z][a-z\-]+)\b")
_NUMERAL_AFTER = re.compile(r"[ \t]+(?:I{1,3}|IV|VI{0,3}|IX|X|\d+)\b")
#: Words after "the X" that make X a person, not a thing: "our Sarah fixed it", "the Okafors both work".
_PERSON_FOLLOWERS = frozenset((
    "is", "was", "has", "had", "does", "did", "will", "would", "can", "could", "and", "or", "who", "from",
    "in", "on", "at", "said", "says", "told", "both", "always", "never", "just", "also", "still", "here",
    "twins", "family", "brothers", "sisters",
))
_LOOK_BACK = 30
#: Words before a lower-case word name that make it a word: "no joy", "little hope", "my patience".
_QUANTIFIERS = frozenset(("no", "any", "some", "little", "much", "more", "less", "the", "a", "an", "of", "my",
                          "our", "your", "their", "his", "her", "zero", "full", "without", "lost", "lose"))
#: Nouns of software that name what follows or is described by what follows.
_THING_NOUN = (r"(?:system|systems|tool|app|application|chatbot|bot|platform|portal|software|database|server|"
               r"service|product|module|suite|erp|crm|intranet|website|site|dashboard|printer|scanner|laptop|"
               r"device|model|version|release)")
_THING_NOUNS = frozenset(("chatbot", "bot", "tool", "app", "system", "platform", "software", "product",
                          "portal",
                          "crm", "erp"))
#: An apposition or a copula that says what the name is: "Watson, the old chatbot,", "Hercules (the
#: warehouse system)", "ROSE is the risk system", "Atlas, our planning tool".
_DESCRIBED_AS_THING = re.compile(
    r"(?:[ \t]*[,(\-–—][ \t]*|[ \t]+(?:is|was|=)[ \t]+)(?:the|our|a|an|their|this)[ \t]+"
    rf"(?:[\w-]+[ \t]+){{0,3}}{_THING_NOUN}\b", re.IGNORECASE)
_WORD_USE_AFTER = re.compile(r"[ \t]+(?:the|a|an|my|our|your|their|its|of|little)\b"
                             r"|[ \t]+(?:and|or)[ \t]+(?P<joined>[a-z]+)\b(?![ \t]+from\b)")
_FUNCTION_WORDS = frozenset(("i", "me", "we", "us", "he", "she", "they", "you", "him", "her", "them", "the",
                             "a", "an", "my", "our", "your", "their", "his", "its", "all", "everyone", "team",
                             "co"))


@functools.cache
def place_names() -> frozenset[str]:
    """Lower-case town, country and US state names (``nlp/data/place_names.txt``)."""
    return frozenset(data_lines(resources.files("nlp") / "data" / "place_names.txt"))


@functools.cache
def _last_words_of_places() -> frozenset[str]:
    """The last word of each place of two or more words ("paulo" of "são paulo")."""
    return frozenset(name.rsplit(" ", 1)[-1] for name in place_names() if " " in name)


def _words_before(text: str, start: int) -> list[str]:
    """Up to three words before ``start``, as written, when only spaces separate the last from it."""
    before = text[max(0, start - _LOOK_BACK):start]
    return before.split()[-3:] if before[-1:] in (" ", "\t") else []


def settled_names(text: str, spans: list[Redaction], given: frozenset[str],
                  person_words: frozenset[str] = frozenset(), signed: list[Redaction] | None = None,
                  ) -> list[Redaction]:
    """``spans`` widened over initials and a given name before them, without places and things.

    ``given`` holds lower-case given names (any list: the rules', a gazetteer's) that may stand before a
    surname; ``person_words`` every given name and surname known: a place none of whose words is one is
    a place wherever it stands ("Chelmsford", "Kuala Lumpur"), others only after "in/from/at"; never a
    name in ``signed`` (the writer signs, greets or introduces: "Cheers, Vinh")."""
    settled = []
    for span in spans:
        before = _words_before(text, span.start)
        sure = signed is not None and span in signed  # the writer signs, greets or introduces: "cheers, joy"
        if _is_place(text, span, before, frozenset() if sure else person_words) or (
                _is_thing(text, span, before, given) or (not sure and _word_in_use(text, span, before))):
            continue
        settled.append(_widened(text, span, before, given))
    return settled


def _is_place(text: str, span: Redaction, before: list[str], person_words: frozenset[str]) -> bool:
    """A town, country or state after a word that places it ("from Milan", not "thanks to Jordan"), or a
    hashtag that is no single capitalised word ("#NewHaven", "#gaza": topics; "#Colbert" may be a name)."""
    if text[span.start - 1:span.start] == "#" or text[span.start - 2:span.start] == "# ":
        word = text[span.start:span.end]
        return word.islower() or not word[1:].islower()
    lower = text[span.start:span.end].lower()
    if lower not in place_names():
        if not before or lower not in _last_words_of_places():
            return False
        lower = f"{before[-1].lower()} {lower}"  # "São" "Paulo"
        if lower not in place_names():
            return False
        before = before[:-1]
    if person_words and not any(word in person_words for word in lower.split()):
        return True  # "Chelmsford", "Shenzhen": no person is called so
    words = [word.lower() for word in before[-2:]]
    if words and words[-1] == "the":
        words = words[:-1]
    if not words:
        return False
    if words[-1] == "to":
        return len(words) > 1 and words[-2] in _MOVES
    if words[-1] not in _LOCATIVES:
        return False
    return words[-1] != "from" or lower not in name_lexicon().given_names  # "an email from Tyler": a person


def _is_thing(text: str, span: Redaction, before: list[str], given: frozenset[str]) -> bool:
    """One capitalised word naming a product or a place after "the/our/Project" and before a noun, or
    before a model number ("the Apollo upgrade", "Project Phoenix", "the Mark II scanners", but a given
    name before a noun stays: "the Heidi video"); any name of a thing "called" so ("the new CRM is
    called Atlas")."""
    previous = before[-1].lower() if before else ""
    if previous == "called" and NAMING_CALLED.search(text, max(0, span.start - _LOOK_BACK - 8),
                                                     text.rindex("called", 0, span.start)):
        return True
    if previous in _THING_NOUNS or _DESCRIBED_AS_THING.match(text, span.end):
        return True  # "the chatbot Ava", "Watson, the old chatbot,", "ROSE is the risk system"
    name = text[span.start:span.end]
    thing_slot = previous in _DETERMINERS or previous in _PROJECT_WORDS
    if not thing_slot or " " in name or not name[:1].isupper():
        return False
    if previous in _PROJECT_WORDS or _NUMERAL_AFTER.match(text, span.end):
        return True
    after = _NOUN_AFTER.match(text, span.end)
    if after is None or name.lower() in given:
        return False
    following = after.group("word")
    return following not in _PERSON_FOLLOWERS and not following.endswith(("ed", "s"))


def _word_in_use(text: str, span: Redaction, before: list[str]) -> bool:
    """A word name used as a word: before an article or "of" ("Rob the old laptops", "the Bill of
    materials", "Precious little help"), or joined to a lower-case noun ("Grace and mercy"); not after
    a cue ("tell mark the link is down", "thanks Bill, the room works")."""
    name = text[span.start:span.end]
    if name.lower() not in WORD_NAMES or (before and before[-1].lower().strip(",") in CUES):
        return False
    if name.islower() and (name in VIRTUES or (before and before[-1].lower() in _QUANTIFIERS)):
        return True  # "hope from the desk is fading", "no patience from the desk", "my faith in IT"
    after = _WORD_USE_AFTER.match(text, span.end)
    return after is not None and not (after.group("joined") and after.group("joined") in _FUNCTION_WORDS)


def _widened(text: str, span: Redaction, before: list[str], given: frozenset[str]) -> Redaction:
    start = span.start
    if before and text[start:start + 1].isupper():
        word = before[-1]
        lower = word.lower()
        if word[:1].isupper() and word.replace("-", "").isalpha() and (lower in given or lower in WORD_NAMES):
            start = text.rindex(word, 0, start)
    if "." in text[max(0, start - 4):start]:
        initials = _INITIALS_BEFORE.search(text, max(0, start - 12), start)
        start = initials.start() if initials is not None else start
    return span if start == span.start else Redaction(start, span.end, span.label)
