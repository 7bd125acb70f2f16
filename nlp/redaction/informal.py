"""Names and ticket numbers in informal writing that the capitalisation-led rules and NER miss.

Partners type the way they chat: ``thanks, sipho``, ``Cheers, Jordan from Payroll``, ``Kind regards -
Siobhan``, ``xoliswa and bongani in desktop support``, ``i asked priya raghunathan``, ``Okonkwo fixed
the printer``. The cues here are positional, not typographic: a sign-off or greeting, a cue verb
("ask", "talk to", "thanks"), a pair joined by "and" before "in/from <team>", a surname after a
known given name, a sentence-opening unknown word before a verb of doing, a word name before a team
("May from Facilities"), initials ("thank you KB"), a particle opening a clause ("ap Rhys"), the
message's last word after "~" or a new line. A word is only taken when it is no English word and no
known product or department (``is_ordinary`` decides, so this module needs no model), unless it is a
known name. :func:`informal_names` says which finds are the writer's own slots (sign-offs, greetings,
introductions: sure) and which are positional cues a learned tagger may veto. Ticket numbers
(:mod:`nlp.redaction.tickets`) are re-exported here for older callers.

Pure functions over ``str``: offsets in, offsets out, nothing stored or logged. Cost matters (this
runs on every partner answer): name tokens are possessive, clause-start cues are tried only at
clause starts, and cue words and team phrases are matched on the lower-cased text first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from nlp.redaction.lexicon import HONORIFICS, NAMING_CALLED, NOT_AFTER_CUE, VIRTUES, WORD_NAMES, name_lexicon
from nlp.redaction.name_groups import (
    _NAME_TOKEN,
    _NAME_WORD,
    _NOT_HINTED,
    _WORD_START,
    Span,
    _bracketed,
    _given_name_surnames,
    _given_or_word_name,
    _initials,
    _listed_names,
    _named_pairs,
    _paired_before_team,
    _surname_like,
)
from nlp.redaction.tickets import ticket_spans  # noqa: F401 (re-exported)

_HAS_CONJUNCTION = re.compile(r"(?i)[ \t](?:and|or|&|\+)[ \t]")
_SIGN_OFF = re.compile(
    r"(?<![^\n.!?;,)])[ \t]*(?:many\s+thanks|thanks\s+again|thank\s+you|thanks|thx|thnx|thanx|ta|cheers|"
    r"(?:kind(?:est)?|warm(?:est)?|best|many)\s+regards|regards|best\s+wishes|best|br|rgds|"
    r"all\s+the\s+best|take\s+care|sincerely|yours|ty|tyvm)\b[ \t]*[,!.:;\-–—]*[ \t]*\n?[ \t]*"
    rf"(?P<name>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?)",
    re.IGNORECASE,
)
_GREETING = re.compile(
    rf"(?<![^\n.!?])[ \t]*(?:hi|hey|hello|hiya|dear|morning|afternoon|yo)[ \t]*,?[ \t]+"
    rf"(?P<name>{_NAME_TOKEN})(?=\s*[,!:\n]|\s*$|[ \t]+(?:from|here)\b)",
    re.IGNORECASE,
)
_CUE = re.compile(
    r"\b(?:ask(?:ed|ing)?|talk(?:ed|ing)?\s+to|spoke\s+to|speak\s+to|thanks(?:\s+to)?|thank\s+(?:you|u)|"
    r"thank(?:ed)?|thx|thnx|thanx|ty|"
    r"cc(?:'?d)?|ping(?:ed)?|email(?:ed)?|messag(?:e|ed)|call(?:ed)?|told|tell|chase(?:d)?|"
    r"escalated\s+to|assigned\s+to|helped\s+by|fixed\s+by|shout[\s-]?out\s+to|kudos\s+to|props\s+to|big\s+up|"
    r"colleague|manager|boss|supervisor|brm|(?:me|myself)\s+(?:and|&))"
    rf"[ \t]+(?P<name>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?)",
    re.IGNORECASE,
)
_CUE_LOWER = re.compile(_CUE.pattern)
_AND_ME = re.compile(rf"{_WORD_START}(?P<name>{_NAME_TOKEN})[ \t]+(?:and|&)[ \t]+(?:I|i|me|myself)\b")
#: The tail of :data:`_AND_ME`, searched first: a quick scan that skips the name-led one in most texts.
_AND_ME_TAIL = re.compile(r"[ \t](?:and|&)[ \t]+(?:I|i|me|myself)\b")
#: Words before a lower-case word name that make it a word: "no joy from IT", "little hope from the desk".
_NOT_BEFORE_LOWER_NAME = frozenset((
    "no", "any", "some", "little", "much", "more", "less", "the", "a", "an", "of", "my", "our", "your",
    "their",
    "his", "her", "zero", "full", "without", "lost", "lose", "losing", "have", "had", "has", "get", "got",
))
_FROM_TEAM = re.compile(
    rf"{_WORD_START}(?P<name>{_NAME_TOKEN})[ \t]+(?:from|in|at|on)[ \t]+(?:the[ \t]+)?"
    r"(?:service\s*desk|help\s*desk|"
    r"desktop\s+support|it|payroll|hr|finance|legal|procurement|facilities|networks?|infra(?:structure)?|"
    r"security|ops|operations|accounts|sales|marketing|support|comms|communications|onboarding|risk|claims|"
    r"compliance|audit|treasury|engineering|training|reception|apps|[\w-]+\s+(?:team|desk|office))\b",
    re.IGNORECASE,
)
#: The team half of :data:`_FROM_TEAM`, matched first (case-sensitive on the lower-cased text: a space
#: first lets the engine skip ahead); the word before it is then checked with ``_FROM_TEAM.match``.
_TEAM_AFTER = re.compile(_FROM_TEAM.pattern.split("(?P<name>" + _NAME_TOKEN + ")", 1)[1])
_WORD_BEFORE = re.compile(rf"{_WORD_START}{_NAME_TOKEN}\Z")
_DOER = re.compile(
    r"(?<![^\n.!?])[ \t\"'“(]*(?P<name>[A-Z][^\W\d_]+(?:-[^\W\d_]+)?(?:[ \t]+[A-Z][^\W\d_]+)?)[ \t]+"
    r"(?P<verb>fixed|sorted|solved|resolved|helped|replied|answered|said|says|told|came|called|rang|emailed|"
    r"explained|promised|closed|reopened|ignored|escalated|set\s+up|installed|configured|did|was|is|has|had)\b",
)
#: Verbs after which even a word name opening a sentence is a person: "Promise fixed my Outlook".
_HELPING_VERBS = frozenset(("fixed", "sorted", "solved", "resolved", "helped", "replied", "answered", "rang",
                            "emailed", "explained", "installed", "configured"))
#: A name hailed as a legend: "Anele you legend", "kasia you star".
_HAILING = (r"(?:you|u)(?:['’]re|[ \t]+are)?[ \t]+(?:an?[ \t]+)?(?:absolute[ \t]+)?"
            r"(?:legend|star|hero|champ|gem|lifesaver|life[ \t]+saver|superstar|angel|genius|rock)\b")
_HAILED = re.compile(rf"{_WORD_START}(?P<name>{_NAME_TOKEN})[ \t]*,?[ \t]+{_HAILING}", re.IGNORECASE)
#: The hailing after the name, searched first: a quick scan that skips the name-led one in most texts.
_HAILED_TAIL = re.compile(rf"[ \t]{_HAILING}", re.IGNORECASE)
#: A clause start: the text's start or after a break (one negative look-behind: cheaper than "^|(?<=...)").
_START = r"(?<![^\n.!?;,–—(:])[ \t\"'“]*"
#: Every character after which a clause-start pattern (sign-offs, greetings, slots) may match.
_CLAUSE_BREAK = re.compile(r"[\n.!?;,)–—(:]")
#: Slots where an unknown word is a name: before "from/in/on/at <place>", opening a clause before a
#: verb or "'s", after "with/for/to" before "who/and/,", introducing oneself.
_SLOTS = (
    re.compile(rf"{_START}(?P<name>{_NAME_TOKEN})[ \t]+(?:from|in|on|at|@)[ \t]+(?:the[ \t]+)?[^\W\d_]"),
    re.compile(rf"{_START}(?P<name>[A-Z][^\W\d_'’\-]*(?:-[^\W\d_]+)?)(?=['’]s\b|[ \t]+[a-z])"),
    re.compile(rf"\b(?:with|for|to|by)[ \t]+(?P<name>{_NAME_TOKEN})"
               r"(?=[ \t]+(?:who|and|or|for|we|he|she|than|has|had|is|was)\b|[ \t]*[,.!?]|[ \t]*$)"),
    re.compile(rf"\b(?:my\s+name\s+is|it'?s|i'?m|this\s+is)[ \t]+(?P<name>{_NAME_TOKEN})"
               r"(?=[ \t]*(?:[,.(]|$|in\b|from\b|here\b|at\b))", re.IGNORECASE),
    re.compile(rf"{_START}(?P<name>{_NAME_TOKEN})[ \t]+(?:here|writing)\b", re.IGNORECASE),
)
#: A particle opening a clause before a capitalised surname: "ap Rhys from...", "van Niekerk in infra".
_PARTICLE_NAME = re.compile(
    rf"{_START}(?P<name>(?:ap|dela|van|von|de|da|di|du|le|la|del|della|dos|das|bin|ibn|abu|ter|ten)"
    r"(?:[ \t]+(?:der|den|la|los|las|de))?[ \t]+[A-Z][^\W\d_'’\-]+)"
    r"(?=[ \t]+(?:from|in|at|on|and|fixed|sorted|helped|did|was|is|has|had|said|came|set)\b"
    r"|['’]s\b|[ \t]*[,.!]|$)",
)
#: The last word of a message on its own after a break: "sorry for typos. ayo", "~ bex", ".. nomsa".
_TAIL_GAP = frozenset(" \t~.-–—")
_DASH_GAP = re.compile(r"[ \t]+[-–—]")
_STRETCHED = re.compile(r"(.)\1\1|(..)\2\2")  # "Damnnnn", "hahaha": no name
_TAIL_WINDOW = 40  # characters looked back over for the word before a team



class InformalNames(NamedTuple):
    """Names found by informal cues, by how sure the slot is."""

    signed: list[Span]  # the writer's own slots (sign-off, greeting, "it's X here"): no veto
    cued: list[Span]  # positional cues a learned tagger may still veto ("Bruh fixed it")
    hinted: list[Span]  # everyday words in a name slot ("thnx ruth"): names only if the tagger agrees


def informal_name_spans(text: str, is_ordinary: Callable[[str], bool],
                        is_given_name: Callable[[str], bool]) -> list[Span]:
    """Person names that informal cues point at, as ``(start, end, "NAME")``, possibly overlapping.

    ``is_ordinary(lower)`` says a lower-cased word is an English word, product or department (never
    taken on a cue alone unless ``is_given_name`` knows it: "Will", "Grace" after "thanks" are names).
    """
    found = informal_names(text, is_ordinary, is_given_name)
    return found.signed + found.cued


def informal_names(text: str, is_ordinary: Callable[[str], bool],
                   is_given_name: Callable[[str], bool]) -> InformalNames:
    """The spans of :func:`informal_name_spans`, split into signed and cued (see :class:`InformalNames`)."""
    signed: list[Span] = []
    cued: list[Span] = []
    hinted: list[Span] = []
    starts = [0, *(match.end() for match in _CLAUSE_BREAK.finditer(text))]
    for span in _writer_slot_names(text, starts, is_ordinary, is_given_name, hinted):
        (signed if _CLAUSE_END.match(text, span[1]) and text[max(0, span[0] - 4):span[0]].lower() != "its "
         else cued).append(span)
    lowered = text.lower()
    cues = _CUE_LOWER.finditer(lowered) if len(lowered) == len(text) else _CUE.finditer(text)
    for match in cues:  # case-sensitive on the lower-cased text: twice as fast as IGNORECASE
        start = match.start()
        named_thing = lowered.startswith("call", start) and NAMING_CALLED.search(lowered, 0, start)
        if not named_thing:
            taken = _take(text, *match.span("name"), is_ordinary, is_given_name)
            cued += taken
            hinted += [] if taken else _hint(text, match)
    for match in _from_team(text, lowered):  # a known name before "from/in <team>" is sure: "May from HR"
        lower_word_name = match.group("name").islower() and match.group("name") in WORD_NAMES  # "faith in IT"
        taken = [] if lower_word_name else _take(text, *match.span("name"), is_ordinary, is_given_name)
        taken = taken or _lower_name_from(text, match, is_given_name)
        hinted += [] if taken else _hint(text, match)
        sure = _sure_before_team(match.group("name"), is_ordinary, is_given_name)
        (signed if sure else cued).extend(taken)
    for number, pattern in enumerate(_SLOTS[:3]):
        for match in _clause_matches(pattern, text, starts) if number < 2 else pattern.finditer(text):
            lower = match.group("name").lower()
            known_name = is_given_name(lower) and number != 1 and (  # "Will the laptops...": not a name
                lower not in WORD_NAMES or match.group("name")[:1].isupper())  # "faith in IT": a word
            if lower not in NOT_AFTER_CUE and not match.group("name").isupper() and (
                    not is_ordinary(lower) or known_name):
                cued.append((*match.span("name"), "NAME"))
    conjunction = bool(_HAS_CONJUNCTION.search(text))
    cued += _listed_names(text, is_ordinary, is_given_name) if conjunction else []
    cued += _named_pairs(text, is_given_name) if conjunction else []
    with_me = conjunction and _AND_ME_TAIL.search(text) is not None
    for match in _AND_ME.finditer(text) if with_me else ():  # "vusi and I raised it twice"
        cued += _take(text, *match.span("name"), is_ordinary, is_given_name)
    cued += _paired_before_team(text, is_ordinary, is_given_name) if conjunction else []
    for match in _clause_matches(_DOER, text, starts):
        lower, _, surname = match.group("name").lower().partition(" ")
        surname = surname.strip()
        if (is_given_name(lower) or not is_ordinary(lower) or (
                lower in WORD_NAMES and match.group("verb").lower() in _HELPING_VERBS)) and (
                not surname or not (name_lexicon().is_known(surname) or surname in NOT_AFTER_CUE)):
            cued.append((*match.span("name"), "NAME"))
    cued += _given_name_surnames(text, is_ordinary, is_given_name) + _initials(text, is_ordinary)
    cued += _particle_names(text, starts, is_ordinary) + (_bracketed(text, is_ordinary, is_given_name)
                                                         if "(" in text else [])
    tail, tail_signed = _tail_name(text, is_ordinary, is_given_name)
    return InformalNames(signed + tail if tail_signed else signed, cued if tail_signed else cued + tail,
                         hinted)


#: What may follow a name the writer signs or greets with: "thx, mo", "Hi Aditi,", "it's mandisa here".
_CLAUSE_END = re.compile(r"[ \t]*(?:[,!.:;)(\n~\-–—]|$|x\b|here\b|from\b|in\b|at\b|on\b|you\b|u\b)")


def _from_team(text: str, lowered: str) -> list[re.Match[str]]:
    """The matches of :data:`_FROM_TEAM`, found from their team half ("... from the service desk")."""
    if len(lowered) != len(text):
        return list(_FROM_TEAM.finditer(text))
    matches: list[re.Match[str]] = []
    for team in _TEAM_AFTER.finditer(lowered):
        word = _WORD_BEFORE.search(text, max(0, team.start() - _TAIL_WINDOW), team.start())
        match = _FROM_TEAM.match(text, word.start()) if word else None
        if match and (not matches or match.start() >= matches[-1].end()):
            matches.append(match)
    return matches


def _clause_matches(pattern: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """The matches of a pattern that opens with a clause-start look-behind (a subset of
    :data:`_CLAUSE_BREAK`), tried only at the clause ``starts``: a handful of anchored tries instead of
    one at every character."""
    matches: list[re.Match[str]] = []
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            matches.append(match)
            end = max(match.end(), start + 1)
    return matches


def _writer_slot_names(text: str, starts: list[int], is_ordinary: Callable[[str], bool],
                       is_given_name: Callable[[str], bool], hinted: list[Span]) -> list[Span]:
    """Names in a sign-off or greeting, or introducing the writer ("it's mandisa", "Aditi here"); an
    everyday word signed off with goes to ``hinted`` ("thx, mo")."""
    spans: list[Span] = []
    for pattern in (_SIGN_OFF, _GREETING):
        for match in _clause_matches(pattern, text, starts):
            start, end = match.span("name")
            if _closes_a_line(text, start):
                token = _NAME_WORD.match(text[start:])
                word = token.group() if token else text[start:end]
                if is_given_name(word.lower()) or not is_ordinary(word.lower()):  # not "Regards – Facilities"
                    spans.append((start, start + len(word), "NAME"))
                continue
            taken = _take(text, start, end, is_ordinary, is_given_name)
            last = pattern is _SIGN_OFF and not taken and _ENDS_MESSAGE.match(text, start + len(
                match.group("name").split(None, 1)[0]))
            spans += taken or (_hint(text, match) if last else [])  # "thx, mo" signing the message off
            hinted += [] if taken or last or pattern is _GREETING else _hint(text, match)
    hailing = ("you" in text or " u " in text or "You" in text or "YOU" in text) and bool(
        _HAILED_TAIL.search(text))
    for pattern in (*_SLOTS[3:], _HAILED) if hailing else _SLOTS[3:]:
        anchored = pattern is _SLOTS[4]
        for match in _clause_matches(pattern, text, starts) if anchored else pattern.finditer(text):
            name = match.group("name")
            if name.lower() not in NOT_AFTER_CUE and not name.isupper() and (
                    not is_ordinary(name.lower()) or is_given_name(name.lower())):
                spans.append((*match.span("name"), "NAME"))
    return spans


def _take(text: str, start: int, end: int, is_ordinary: Callable[[str], bool],
          is_given_name: Callable[[str], bool]) -> list[Span]:
    """The name a cue points at: its first word (a known or unknown name) and any surname after it."""
    kept: list[tuple[int, int]] = []
    for index, word in enumerate(_NAME_WORD.finditer(text[start:end])):
        lower = word.group().lower()
        if lower in NOT_AFTER_CUE:
            break
        if index == 0 and lower in HONORIFICS:  # "Thanks Dr. Ferreira": the honorific is no name
            rest = start + word.end()
            return _take(text, rest, end, is_ordinary, is_given_name) if rest < end else []
        first = index == 0 and (_given_or_word_name(word.group(), is_given_name) or not is_ordinary(lower))
        if first or (kept and _surname_like(word.group(), lower, is_ordinary)):
            kept.append((start + word.start(), start + word.end()))
        else:
            break
    return [(kept[0][0], kept[-1][1], "NAME")] if kept else []


def _sure_before_team(word: str, is_ordinary: Callable[[str], bool],
                      is_given_name: Callable[[str], bool]) -> bool:
    """A capitalised known or word name ("May from HR"), or a lower-case given name that is no English
    word ("priya from hr", not "faith in IT")."""
    if word[:1].isupper():
        return _given_or_word_name(word, is_given_name)
    return is_given_name(word.lower()) and not is_ordinary(word.lower())








def _particle_names(text: str, starts: list[int], is_ordinary: Callable[[str], bool]) -> list[Span]:
    """A surname with its particle opening a clause: "ap Rhys from the Welsh team", "van Niekerk in infra"."""
    spans: list[Span] = []
    for match in _clause_matches(_PARTICLE_NAME, text, starts):
        surname = match.group("name").rsplit(None, 1)[-1].lower()
        if not is_ordinary(surname):
            spans.append((*match.span("name"), "NAME"))
    return spans


def _tail_name(text: str, is_ordinary: Callable[[str], bool],
               is_given_name: Callable[[str], bool]) -> tuple[list[Span], bool]:
    """The message's last word standing alone after a break, if it is a name or no ordinary word, and
    whether the break signs the message off (a new line, "~", "..", a dash) rather than ends a sentence."""
    end = len(text.rstrip(" \t"))
    if end and text[end - 1] in ".!":
        end = len(text[:end - 1].rstrip(" \t"))
    start = end
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] in "'’-"):
        start -= 1
    while start < end and not text[start].isalpha():  # "-Rumi": the dash is part of the break
        start += 1
    word = _NAME_WORD.match(text, start, end)
    if word is None or word.end() != end:
        return [], False
    gap_start = start
    while gap_start > 0 and text[gap_start - 1] in _TAIL_GAP:
        gap_start -= 1
    gap, before = text[gap_start:start], text[gap_start - 1:gap_start]
    signed = before == "\n" or "~" in gap or ".." in gap or bool(_DASH_GAP.match(gap))
    if not (signed or before in (".", "!", "?") or "." in gap):
        return [], False
    lower = word.group().lower()
    if lower in NOT_AFTER_CUE or word.group().isupper() or len(lower) < 2 or _STRETCHED.search(lower) or (
            is_ordinary(lower) and not is_given_name(lower)):
        return [], False
    return [(start, end, "NAME")], signed





def _closes_a_line(text: str, start: int) -> bool:
    """A capitalised word signed off or greeted on its own: "Cheers, Jordan", "Jordan from Payroll"."""
    word = _NAME_WORD.match(text[start:])
    if word is None or not text[start].isupper() or word.group().lower() in NOT_AFTER_CUE:
        return False
    rest = text[start + word.end():]
    return bool(re.match(r"\s*(?:$|\n|[,!:)(@]|x\b|(?:from|in|at|on)\s)", rest))











def _lower_name_from(text: str, match: re.Match[str], is_given_name: Callable[[str], bool]) -> list[Span]:
    """A lower-case given or word name before "from <team>": "had a call with sunday from infra" (not
    "no joy from IT", not "faith in IT": only "from", and no determiner before)."""
    name = match.group("name")
    lower = name.lower()
    if not name.islower() or not (lower in WORD_NAMES or is_given_name(lower)) or lower in VIRTUES:
        return []
    if not re.match(r"[ \t]+from\b", text[match.end("name"):match.end("name") + 8]):
        return []
    before = _WORD_BEFORE.search(text, max(0, match.start() - _TAIL_WINDOW), max(0, match.start() - 1))
    if before is not None and text[before.end():match.start()].strip() == "" and (
            before.group().lower() in _NOT_BEFORE_LOWER_NAME):
        return []
    return [(*match.span("name"), "NAME")]


#: The end of a message after a signed name: "thx, mo", "cheers, ayo :)", "ta - kev x".
_ENDS_MESSAGE = re.compile(r"[ \t]*(?:[.!,~]+|[ \t]x+|[ \t]*[:;][-]?[)(pPD3])?[ \t]*\Z")



def _hint(text: str, match: re.Match[str]) -> list[Span]:
    """The first word of a name slot that held an everyday word, for the tagger to settle."""
    word = _NAME_WORD.match(text, match.start("name"), match.end("name"))
    if word is None or word.group().isupper() or len(word.group()) < 2:
        return []
    lower = word.group().lower()
    if lower in NOT_AFTER_CUE or lower in HONORIFICS or lower in _NOT_HINTED:
        return []
    before = _WORD_BEFORE.search(text, max(0, word.start() - _TAIL_WINDOW), max(0, word.start() - 1))
    if before is not None and before.group().lower() in _NOT_BEFORE_LOWER_NAME and (
            text[before.end():word.start()].isspace()):
        return []  # "no joy from the service desk", "little hope from IT"
    return [(word.start(), word.end(), "NAME")]


