"""Names known by the company they keep, for :mod:`nlp.redaction.informal`: lists and pairs of names
("Dimitra, Kostas & Eleni", "Tunde + Kehinde", "Faith and Gift were..."), initials ("thank you KB", "SN
on the desk"), a given name with its surname ("priya raghunathan") and a name alone in brackets
("cheers big ears (kev)"). Also the word pattern and name tests that the informal cues share.

Pure functions over ``str``, like the informal cues: offsets in, offsets out, nothing stored or logged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nlp.redaction.lexicon import NOT_AFTER_CUE, WORD_NAMES, name_lexicon

Span = tuple[int, int, str]  # (start, end, label)
#: Characters that end a name token (all but letters, apostrophes and hyphens), mapped to spaces.
_NOT_IN_WORDS = str.maketrans({character: " "
                               for character in "0123456789_.,;:!?()[]{}<>\"“”‘/\\|@#$%^&*+=~`"})
_IRISH_SURNAME = re.compile(r"(?:o|d)['’][^\W\d_]{3,}\Z")

#: A name-like word. Possessive quantifiers: a word that fails the text after it is not retried letter by
#: letter (a third of the cost of these rules).
_NAME_TOKEN = r"[^\W\d_][^\W\d_'’\-]*+(?:['’\-][^\W\d_]++)?"
_NAME_WORD = re.compile(_NAME_TOKEN)
#: Anchors a pattern that opens with a name at a word start (a mid-word start never matches, and
#: the engine then skips the name loop at every other position).
_WORD_START = r"(?<![^\W_'’\-])"
#: Two words with one space between (the second in a look-ahead, so that pairs overlap).
_SPACED_PAIR = re.compile(rf"{_WORD_START}({_NAME_TOKEN}) (?=({_NAME_TOKEN}))")
_PAIR = re.compile(
    rf"{_WORD_START}(?P<first>{_NAME_TOKEN})[ \t]+(?:and|&|\+)[ \t]+(?P<second>{_NAME_TOKEN})"
    r"(?=[ \t]+(?:in|from|at|on|of)[ \t]+(?:the[ \t]+)?[^\W\d_])",
    re.IGNORECASE,
)
#: The part of :data:`_PAIR` from the joiner on, searched first: a quick scan that skips the name-led one
#: in most texts.
_PAIR_TAIL = re.compile(rf"[ \t](?:and|&|\+)[ \t]+{_NAME_TOKEN}[ \t]+(?:in|from|at|on|of)[ \t]",
                        re.IGNORECASE)
#: Two capitalised given or word names joined: "Faith and Gift were on the phone", "Tunde + Kehinde".
_NAMED_PAIR = re.compile(rf"{_WORD_START}(?P<first>[A-Z][^\W\d_'’\-]+)[ \t]+(?:and|&|\+)[ \t]+"
                         r"(?P<second>[A-Z][^\W\d_'’\-]+)\b(?![ \t]+[A-Z])")
#: The joiner of :data:`_NAMED_PAIR` before a capital, searched first: most joiners join lower-case words.
_NAMED_PAIR_JOINER = re.compile(r"[ \t](?:and|&|\+)[ \t]+[A-Z]")
#: Months and days, which are word names too ("May and June were quiet").
_CALENDAR = frozenset(("april", "may", "june", "august", "sunday", "monday", "friday"))
#: Initials standing for a person: "thank you KB", "DW in the project office", "per MH's note". Found as
#: two capitals (a capital first lets the engine skip ahead), then the cue before or the team after.
_TWO_CAPITALS = re.compile(r"[A-Z](?<![\w.][A-Z])(?:[A-Z]|\.[ ]?[A-Z]\.?)(?![\w.])")
_CUE_BEFORE_INITIALS = re.compile(
    r"(?i:\b(?:thank\s+you|thanks|thx|cheers|cc|ask|asked|per|ping|pinged|talk\s+to|spoke\s+to))[ \t]+\Z")
#: Two-letter words and acronyms that are no initials even before a team ("AM in the office").
_NO_INITIALS = frozenset((
    "am", "pm", "uk", "us", "eu", "ok", "no", "so", "hi", "oh", "ah", "ex", "tv", "pc", "id", "hq", "ad",
    "ai", "ui", "ux", "qa", "ba", "vp", "ps", "pa", "re", "fw", "dm", "gm", "md", "ceo", "cto", "cio", "hr",
    "it", "ms", "mr", "dr", "st", "rd", "nd", "th", "ga", "go",
))
_NOT_BEFORE_INITIALS = re.compile(
    r"(?:\d|(?i:\b(?:the|a|an|our|my|your|their|his|her|each|every|any|no)))[ \t]*\Z")
_TEAM_AFTER_INITIALS = re.compile(
    r"[ \t]+(?:in|on|from|at)[ \t]+(?:the[ \t]+)?(?:[\w-]+[ \t]+){0,2}(?:team|desk|office|support)\b")
_LIST = re.compile(rf"{_WORD_START}{_NAME_TOKEN}(?:[ \t]*,[ \t]*{_NAME_TOKEN})*"
                   r"[ \t]*,?[ \t]+(?:and|&|or|\+)[ \t]+"
                   rf"{_NAME_TOKEN}")
#: A single word in brackets that may be the writer's or a colleague's name: "cheers big ears (kev)".
_BRACKETED = re.compile(rf"\((?P<name>{_NAME_TOKEN})\)")
#: Words of address that fill a name slot without naming anyone: "thanks man", "cheers mate".
_NOT_HINTED = frozenset((
    "bye", "cheers", "thanks", "regards", "again", "man", "mate", "mates", "bro", "bruv", "dude", "love",
    "hun", "pal", "buddy", "boss", "chief", "fam", "lads", "ladies", "gents", "heaps", "loads", "lots",
    "anyway", "anyways", "both", "all", "people", "y'all", "yall", "sis", "babe", "doc", "champ", "legend",
))


def _given_or_word_name(word: str, is_given_name: Callable[[str], bool]) -> bool:
    """A known given name, or a capitalised word name ("Fortune", "May") in a name slot."""
    return is_given_name(word.lower()) or (word[:1].isupper() and word.lower() in WORD_NAMES)


def _initials(text: str, is_ordinary: Callable[[str], bool]) -> list[Span]:
    """Two capitals (or "J.K.") that a cue or a team after them marks as a person, unless a known acronym."""
    spans: list[Span] = []
    for match in _TWO_CAPITALS.finditer(text):
        start, end = match.span()
        cued = _CUE_BEFORE_INITIALS.search(text, max(0, start - 16), start) is not None
        whole = end - start == 2 or text[end - 1] == "."  # "JK", "J.K.", not "J.K" before a team
        if not (cued or (whole and _TEAM_AFTER_INITIALS.match(text, end))):
            continue
        lower = match.group().replace(".", "").replace(" ", "").lower()
        if lower in _NO_INITIALS or lower in NOT_AFTER_CUE or name_lexicon().is_known(lower):
            continue  # "thank you KB" and "SN on the desk" are people; "9 AM in the office", "IT" are not
        if cued or not _NOT_BEFORE_INITIALS.search(text, max(0, start - 8), start):
            spans.append((start, end, "NAME"))
    return spans


def _listed_names(text: str, is_ordinary: Callable[[str], bool],
                  is_given_name: Callable[[str], bool]) -> list[Span]:
    """"Dimitra, Kostas & Eleni", "satu and eero": a list of two or more unknown words are names."""
    spans: list[Span] = []
    for match in _LIST.finditer(text):
        words = [m for m in _NAME_WORD.finditer(match.group()) if m.group().lower() not in ("and", "or")]
        unknown = [w for w in words if not is_ordinary(w.group().lower()) and not w.group().isupper()]
        named = [w for w in words if w in unknown or is_given_name(w.group().lower())]
        if len(words) >= 2 and len(named) == len(words) and unknown:  # not "Jess and I"
            spans.append((match.start() + words[0].start(), match.start() + words[-1].end(), "NAME"))
    return spans


def _surname_like(word: str, lower: str, is_ordinary: Callable[[str], bool]) -> bool:
    """No English word (or an Irish "o'neill", which word lists hold), no cue filler, not one letter."""
    if _IRISH_SURNAME.match(lower):
        return True
    return not is_ordinary(lower) and lower not in NOT_AFTER_CUE and len(lower) > 1


def _given_name_surnames(text: str, is_ordinary: Callable[[str], bool],
                         is_given_name: Callable[[str], bool]) -> list[Span]:
    """A known given name (any case) and the unknown word after it: "priya raghunathan"."""
    spans: list[Span] = []
    if not any(map(is_given_name, text.lower().translate(_NOT_IN_WORDS).split())):
        return spans  # four in five answers hold no given name: skip the pair scan
    for match in _SPACED_PAIR.finditer(text):
        if is_given_name(match.group(1).lower()):
            second = match.group(2)
            if _surname_like(second, second.lower(), is_ordinary):
                spans.append((match.start(1), match.end(1) + 1 + len(second), "NAME"))
    return spans


def _named_pairs(text: str, is_given_name: Callable[[str], bool]) -> list[Span]:
    """Two capitalised given or word names joined by "and", "&" or "+" ("Faith and Gift were...")."""
    spans: list[Span] = []
    if not _NAMED_PAIR_JOINER.search(text):
        return spans
    for match in _NAMED_PAIR.finditer(text):
        words = (match.group("first"), match.group("second"))
        if all(_given_or_word_name(word, is_given_name) and word.lower() not in _CALENDAR for word in words):
            spans.append((match.start("first"), match.end("second"), "NAME"))
    return spans


def _bracketed(text: str, is_ordinary: Callable[[str], bool],
               is_given_name: Callable[[str], bool]) -> list[Span]:
    """A name alone in brackets: "cheers big ears (kev)", "the new starter (Thandiwe) has no laptop"."""
    spans: list[Span] = []
    for match in _BRACKETED.finditer(text):
        name = match.group("name")
        lower = name.lower()
        if name.isupper() or len(lower) < 3 or lower in NOT_AFTER_CUE or lower in _NOT_HINTED or (
                name_lexicon().is_known(lower)):
            continue
        if not is_ordinary(lower) or (is_given_name(lower) and lower not in WORD_NAMES):
            spans.append((*match.span("name"), "NAME"))
    return spans


def _paired_before_team(text: str, is_ordinary: Callable[[str], bool],
                        is_given_name: Callable[[str], bool]) -> list[Span]:
    """Two unknown words, or two given or word names, joined before "in/from <team>": "xoliswa and bongani
    in desktop support" (one span: the tagger vetoes the pair or none of it)."""
    spans: list[Span] = []
    if not _PAIR_TAIL.search(text):
        return spans
    for match in _PAIR.finditer(text):
        first, second = match.group("first"), match.group("second")
        unknown = not (is_ordinary(first.lower()) or is_ordinary(second.lower()))
        both_named = _given_or_word_name(first, is_given_name) and _given_or_word_name(second, is_given_name)
        if unknown or both_named:
            spans.append((match.start("first"), match.end("second"), "NAME"))
    return spans
