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
introductions: sure) and which are positional cues a learned tagger may veto. Ticket and asset
numbers (INC..., RITM..., CHG..., REQ..., asset tags) are looked up in the ticket system in seconds,
so they become ``[TICKET]``.

Pure functions over ``str``: offsets in, offsets out, nothing stored or logged. Cost matters (this
runs on every partner answer): name tokens are possessive, clause-start cues are tried only at
clause starts, and cue words and team phrases are matched on the lower-cased text first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from nlp.redaction.lexicon import HONORIFICS, NAMING_CALLED, NOT_AFTER_CUE, WORD_NAMES, name_lexicon

Span = tuple[int, int, str]  # (start, end, label)

_TICKET = re.compile(
    r"(?<![\w-])(?:INC|RITM|CHG|REQ|SCTASK|TASK|PRB|PRJ|PRJTASK|CTASK|CS|SR|WO|RFC|CR|KB)[-_ ]?\d{4,}(?![\w])"
    r"|(?<![\w-])(?:LT|PC|NB|WS|DT|LAP|LPT|DSK|MAC|SRV|MON|TAB|PHN|AST|ASSET)[-_]?\d{4,}(?![\w])"
    r"|(?i:\b(?:ticket|incident|case|request|change|asset(?:\s+tag)?|serial(?:\s+(?:no|number))?|s/n|tag)"
    r"\s*(?:no\.?|number|#|:)?\s*#?\s*)(?=[A-Z0-9-]*\d)([A-Z0-9][A-Z0-9-]{3,})(?![\w])",
    re.IGNORECASE,
)
#: A name-like word. Possessive quantifiers: a word that fails the text after it is not retried letter by
#: letter (a third of the cost of these rules).
_NAME_TOKEN = r"[^\W\d_][^\W\d_'’\-]*+(?:['’\-][^\W\d_]++)?"
_NAME_WORD = re.compile(_NAME_TOKEN)
#: Anchors a pattern that opens with a name at a word start (a mid-word start never matches, and
#: the engine then skips the name loop at every other position).
_WORD_START = r"(?<![^\W_'’\-])"
_HAS_DIGIT = re.compile(r"\d")
#: Two words with one space between (the second in a look-ahead, so that pairs overlap).
_SPACED_PAIR = re.compile(rf"{_WORD_START}({_NAME_TOKEN}) (?=({_NAME_TOKEN}))")
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
    r"escalated\s+to|assigned\s+to|helped\s+by|fixed\s+by|shout[\s-]?out\s+to|kudos\s+to|props\s+to|big\s+up)"
    rf"[ \t]+(?P<name>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?)",
    re.IGNORECASE,
)
_CUE_LOWER = re.compile(_CUE.pattern)
_PAIR = re.compile(
    rf"{_WORD_START}(?P<first>{_NAME_TOKEN})[ \t]+(?:and|&|\+)[ \t]+(?P<second>{_NAME_TOKEN})"
    r"(?=[ \t]+(?:in|from|at|on|of)[ \t]+(?:the[ \t]+)?[^\W\d_])",
    re.IGNORECASE,
)
#: Two capitalised given or word names joined: "Faith and Gift were on the phone", "Tunde + Kehinde".
_NAMED_PAIR = re.compile(rf"{_WORD_START}(?P<first>[A-Z][^\W\d_'’\-]+)[ \t]+(?:and|&|\+)[ \t]+"
                         r"(?P<second>[A-Z][^\W\d_'’\-]+)\b(?![ \t]+[A-Z])")
#: Months and days, which are word names too ("May and June were quiet").
_CALENDAR = frozenset(("april", "may", "june", "august", "sunday", "monday", "friday"))
#: Words before a lower-case word name that make it a word: "no joy from IT", "little hope from the desk".
_NOT_BEFORE_LOWER_NAME = frozenset((
    "no", "any", "some", "little", "much", "more", "less", "the", "a", "an", "of", "my", "our", "your", "their",
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
_HAILED = re.compile(
    rf"{_WORD_START}(?P<name>{_NAME_TOKEN})[ \t]*,?[ \t]+(?:you|u)(?:['’]re|[ \t]+are)?[ \t]+(?:an?[ \t]+)?"
    r"(?:absolute[ \t]+)?(?:legend|star|hero|champ|gem|lifesaver|life[ \t]+saver|superstar|angel|genius|"
    r"rock)\b",
    re.IGNORECASE,
)
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
               r"(?=[ \t]+(?:who|and|or|for|we|he|she|than)\b|[ \t]*[,.!?]|[ \t]*$)"),
    re.compile(rf"\b(?:my\s+name\s+is|it'?s|i'?m|this\s+is)[ \t]+(?P<name>{_NAME_TOKEN})"
               r"(?=[ \t]*(?:[,.(]|$|in\b|from\b|here\b|at\b))", re.IGNORECASE),
    re.compile(rf"{_START}(?P<name>{_NAME_TOKEN})[ \t]+(?:here|writing)\b", re.IGNORECASE),
)
#: Initials standing for a person: "thank you KB", "DW in the project office", "per MH's note". Found as
#: two capitals (a capital first lets the engine skip ahead), then the cue before or the team after.
_TWO_CAPITALS = re.compile(r"[A-Z](?<![\w.][A-Z])(?:[A-Z]|\.[ ]?[A-Z]\.?)(?![\w.])")
_CUE_BEFORE_INITIALS = re.compile(
    r"(?i:\b(?:thank\s+you|thanks|thx|cheers|cc|ask|asked|per|ping|pinged|talk\s+to|spoke\s+to))[ \t]+\Z")
#: Two-letter words and acronyms that are no initials even before a team ("AM in the office").
_NO_INITIALS = frozenset(("am", "pm", "uk", "us", "eu", "ok", "no", "so", "hi", "oh", "ah", "ex", "tv", "pc", "id",
                          "hq", "ad", "ai", "ui", "ux", "qa", "ba", "vp", "ps", "pa", "re", "fw", "dm", "gm", "md",
                          "ceo", "cto", "cio", "hr", "it", "ms", "mr", "dr", "st", "rd", "nd", "th", "ga", "go"))
_NOT_BEFORE_INITIALS = re.compile(r"(?:\d|(?i:\b(?:the|a|an|our|my|your|their|his|her|each|every|any|no)))[ \t]*\Z")
_TEAM_AFTER_INITIALS = re.compile(
    r"[ \t]+(?:in|on|from|at)[ \t]+(?:the[ \t]+)?(?:[\w-]+[ \t]+){0,2}(?:team|desk|office|support)\b")
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
_LIST = re.compile(rf"{_WORD_START}{_NAME_TOKEN}(?:[ \t]*,[ \t]*{_NAME_TOKEN})*"
                   r"[ \t]*,?[ \t]+(?:and|&|or|\+)[ \t]+"
                   rf"{_NAME_TOKEN}")


def ticket_spans(text: str) -> list[Span]:
    """Ticket and asset numbers as ``(start, end, "TICKET")`` (only the number when a cue word precedes)."""
    spans: list[Span] = []
    if not _HAS_DIGIT.search(text):
        return spans
    for match in _TICKET.finditer(text):
        start, end = match.span(1) if match.group(1) else match.span()
        spans.append((start, end, "TICKET"))
    return spans


class InformalNames(NamedTuple):
    """Names found by informal cues, by how sure the slot is."""

    signed: list[Span]  # the writer's own slots (sign-off, greeting, "it's X here"): no veto
    cued: list[Span]  # positional cues a learned tagger may still veto ("Bruh fixed it")
    hinted: list[Span]  # everyday words in a name slot ("thx, mo", "thnx ruth"): names only if the tagger agrees


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
        if not (lowered.startswith("call", match.start()) and NAMING_CALLED.search(lowered, 0, match.start())):
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
    for match in _PAIR.finditer(text) if conjunction else ():
        first, second = match.group("first"), match.group("second")
        unknown = not (is_ordinary(first.lower()) or is_ordinary(second.lower()))
        both_named = _given_or_word_name(first, is_given_name) and _given_or_word_name(second, is_given_name)
        if unknown or both_named:
            cued.append((match.start("first"), match.end("second"), "NAME"))  # one span: one veto
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
    hailing = "you" in text or " u " in text or "You" in text or "YOU" in text
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


def _closes_a_line(text: str, start: int) -> bool:
    """A capitalised word signed off or greeted on its own: "Cheers, Jordan", "Jordan from Payroll"."""
    word = _NAME_WORD.match(text[start:])
    if word is None or not text[start].isupper() or word.group().lower() in NOT_AFTER_CUE:
        return False
    rest = text[start + word.end():]
    return bool(re.match(r"\s*(?:$|\n|[,!:)(@]|x\b|(?:from|in|at|on)\s)", rest))


def _surname_like(word: str, lower: str, is_ordinary: Callable[[str], bool]) -> bool:
    return not is_ordinary(lower) and lower not in NOT_AFTER_CUE and len(lower) > 1


def _given_name_surnames(text: str, is_ordinary: Callable[[str], bool],
                         is_given_name: Callable[[str], bool]) -> list[Span]:
    """A known given name (any case) and the unknown word after it: "priya raghunathan"."""
    spans = []
    for match in _SPACED_PAIR.finditer(text):
        if is_given_name(match.group(1).lower()):
            second = match.group(2)
            if _surname_like(second, second.lower(), is_ordinary):
                spans.append((match.start(1), match.end(1) + 1 + len(second), "NAME"))
    return spans


def _named_pairs(text: str, is_given_name: Callable[[str], bool]) -> list[Span]:
    """Two capitalised given or word names joined by "and", "&" or "+" ("Faith and Gift were...")."""
    spans: list[Span] = []
    for match in _NAMED_PAIR.finditer(text):
        words = (match.group("first"), match.group("second"))
        if all(_given_or_word_name(word, is_given_name) and word.lower() not in _CALENDAR for word in words):
            spans.append((match.start("first"), match.end("second"), "NAME"))
    return spans


def _lower_name_from(text: str, match: re.Match[str], is_given_name: Callable[[str], bool]) -> list[Span]:
    """A lower-case given or word name before "from <team>": "had a call with sunday from infra" (not
    "no joy from IT", not "faith in IT": only "from", and no determiner before)."""
    name = match.group("name")
    lower = name.lower()
    if not name.islower() or not (lower in WORD_NAMES or is_given_name(lower)):
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
#: A single word in brackets that may be the writer's or a colleague's name: "cheers big ears (kev)".
_BRACKETED = re.compile(rf"\((?P<name>{_NAME_TOKEN})\)")
#: Words of address that fill a name slot without naming anyone: "thanks man", "cheers mate".
_NOT_HINTED = frozenset(("bye", "cheers", "thanks", "regards", "again", "man", "mate", "mates", "bro", "bruv", "dude", "love", "hun", "pal", "buddy", "boss",
                         "chief", "fam", "lads", "ladies", "gents", "heaps", "loads", "lots", "anyway", "anyways",
                         "both", "all", "people", "y'all", "yall", "sis", "babe", "doc", "champ", "legend"))


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


def _bracketed(text: str, is_ordinary: Callable[[str], bool], is_given_name: Callable[[str], bool]) -> list[Span]:
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
