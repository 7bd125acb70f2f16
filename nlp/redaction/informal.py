"""Names and ticket numbers in informal writing that the capitalisation-led rules and NER miss.

Partners type the way they chat: ``thanks, sipho``, ``Cheers, Jordan from Payroll``, ``Kind regards -
Siobhan``, ``xoliswa and bongani in desktop support``, ``i asked priya raghunathan``, ``Okonkwo fixed
the printer``. The cues here are positional, not typographic: a sign-off or greeting, a cue verb
("ask", "talk to", "thanks"), a pair joined by "and" before "in/from <team>", a surname after a
known given name, a sentence-opening unknown word before a verb of doing. A word is only taken when
it is no English word and no known product or department (``is_ordinary`` decides, so this module
needs no model). Ticket and asset numbers (INC..., RITM..., CHG..., REQ..., asset tags) are looked up
in the ticket system in seconds, so they become ``[TICKET]``.

Pure functions over ``str``: offsets in, offsets out, nothing stored or logged.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

Span = tuple[int, int, str]  # (start, end, label)

_TICKET = re.compile(
    r"(?<![\w-])(?:INC|RITM|CHG|REQ|SCTASK|TASK|PRB|PRJ|PRJTASK|CTASK|CS|SR|WO|RFC|CR|KB)[-_ ]?\d{4,}(?![\w])"
    r"|(?<![\w-])(?:LT|PC|NB|WS|DT|LAP|LPT|DSK|MAC|SRV|MON|TAB|PHN|AST|ASSET)[-_]?\d{4,}(?![\w])"
    r"|(?i:\b(?:ticket|incident|case|request|change|asset(?:\s+tag)?|serial(?:\s+(?:no|number))?|s/n|tag)"
    r"\s*(?:no\.?|number|#|:)?\s*#?\s*)(?=[A-Z0-9-]*\d)([A-Z0-9][A-Z0-9-]{3,})(?![\w])",
    re.IGNORECASE,
)
_NAME_TOKEN = r"[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)?"
#: Anchors a pattern that opens with a name at a word start (a mid-word start never matches, and
#: the engine then skips the name loop at every other position).
_WORD_START = r"(?<![^\W_'’\-])"
_HAS_DIGIT = re.compile(r"\d")
_HAS_CONJUNCTION = re.compile(r"(?i)[ \t](?:and|or|&)[ \t]")
_SIGN_OFF = re.compile(
    r"(?:^|(?<=[\n.!?;,)]))[ \t]*(?:many\s+thanks|thanks\s+again|thank\s+you|thanks|thx|ta|cheers|"
    r"(?:kind(?:est)?|warm(?:est)?|best|many)\s+regards|regards|best\s+wishes|best|br|rgds|"
    r"all\s+the\s+best|take\s+care|sincerely|yours|ty|tyvm)\b[ \t]*[,!.:;\-–—]*[ \t]*\n?[ \t]*"
    rf"(?P<name>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?)",
    re.IGNORECASE,
)
_GREETING = re.compile(
    rf"(?:^|(?<=[\n.!?]))[ \t]*(?:hi|hey|hello|hiya|dear|morning|afternoon|yo)[ \t]+(?P<name>{_NAME_TOKEN})"
    r"(?=\s*[,!:\n]|\s*$)",
    re.IGNORECASE,
)
_CUE = re.compile(
    r"\b(?:ask(?:ed|ing)?|talk(?:ed|ing)?\s+to|spoke\s+to|speak\s+to|thanks(?:\s+to)?|thank(?:ed)?|"
    r"cc(?:'?d)?|ping(?:ed)?|email(?:ed)?|messag(?:e|ed)|call(?:ed)?|told|tell|chase(?:d)?|"
    r"escalated\s+to|assigned\s+to|helped\s+by|fixed\s+by|shout[\s-]?out\s+to|kudos\s+to|props\s+to)"
    rf"[ \t]+(?P<name>{_NAME_TOKEN}(?:[ \t]+{_NAME_TOKEN})?)",
    re.IGNORECASE,
)
_PAIR = re.compile(
    rf"{_WORD_START}(?P<first>{_NAME_TOKEN})[ \t]+(?:and|&)[ \t]+(?P<second>{_NAME_TOKEN})"
    r"(?=[ \t]+(?:in|from|at|on|of)[ \t]+(?:the[ \t]+)?[^\W\d_])",
    re.IGNORECASE,
)
_FROM_TEAM = re.compile(
    rf"{_WORD_START}(?P<name>{_NAME_TOKEN})[ \t]+(?:from|in|at|on)[ \t]+(?:the[ \t]+)?"
    r"(?:service\s*desk|help\s*desk|"
    r"desktop\s+support|it|payroll|hr|finance|legal|procurement|facilities|networks?|infra(?:structure)?|"
    r"security|ops|operations|accounts|sales|marketing|support|the\s+\w+\s+team)\b",
    re.IGNORECASE,
)
_DOER = re.compile(
    r"(?:^|(?<=[\n.!?]))[ \t\"'“(]*(?P<name>[A-Z][^\W\d_]+)[ \t]+"
    r"(?:fixed|sorted|solved|resolved|helped|replied|answered|said|says|told|came|called|rang|emailed|"
    r"explained|promised|closed|reopened|ignored|escalated|set\s+up|installed|configured|did|was|is|has|had)\b",
)
_START = r"(?:^|(?<=[\n.!?;,–—(:]))[ \t\"'“]*"
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
_LIST = re.compile(rf"{_WORD_START}{_NAME_TOKEN}(?:[ \t]*,[ \t]*{_NAME_TOKEN})*"
                   r"[ \t]*,?[ \t]+(?:and|&|or)[ \t]+"
                   rf"{_NAME_TOKEN}")
#: Words that follow a cue but are no name ("thanks a lot", "ask the team", "cheers all").
_NOT_AFTER_CUE = frozenset((
    "a", "an", "the", "all", "everyone", "everybody", "team", "guys", "folks", "again", "so", "very", "much",
    "lot", "for", "to", "in", "on", "at", "it", "them", "him", "her", "me", "us", "you", "your", "our", "my",
    "their", "his", "someone", "anyone", "nobody", "if", "whether", "about", "again", "and", "or", "but",
    "i", "we", "they", "he", "she", "this", "that", "these", "those", "what", "why", "how", "when", "which",
    "who", "please", "kindly", "in", "advance", "any", "some", "no", "not", "just", "also", "only",
))


def ticket_spans(text: str) -> list[Span]:
    """Ticket and asset numbers as ``(start, end, "TICKET")`` (only the number when a cue word precedes)."""
    spans: list[Span] = []
    if not _HAS_DIGIT.search(text):
        return spans
    for match in _TICKET.finditer(text):
        start, end = match.span(1) if match.group(1) else match.span()
        spans.append((start, end, "TICKET"))
    return spans


def informal_name_spans(text: str, is_ordinary: Callable[[str], bool],
                        is_given_name: Callable[[str], bool]) -> list[Span]:
    """Person names that informal cues point at, as ``(start, end, "NAME")``, possibly overlapping.

    ``is_ordinary(lower)`` says a lower-cased word is an English word, product or department (never
    taken on a cue alone unless ``is_given_name`` knows it: "Will", "Grace" after "thanks" are names).
    """
    spans: list[Span] = []

    def take(start: int, end: int, *, cued: bool) -> None:
        words = [(m.start() + start, m.end() + start) for m in re.finditer(_NAME_TOKEN, text[start:end])]
        kept: list[tuple[int, int]] = []
        for index, (word_start, word_end) in enumerate(words):
            lower = text[word_start:word_end].lower()
            if lower in _NOT_AFTER_CUE:
                break
            surname = index > 0 and kept and _surname_like(text[word_start:word_end], lower, is_ordinary)
            if (index == 0 and (is_given_name(lower) or (cued and not is_ordinary(lower)))) or surname:
                kept.append((word_start, word_end))
            else:
                break
        if kept:
            spans.append((kept[0][0], kept[-1][1], "NAME"))

    for pattern in (_SIGN_OFF, _GREETING, _CUE, _FROM_TEAM):
        for match in pattern.finditer(text):
            start, end = match.span("name")
            if pattern in (_SIGN_OFF, _GREETING) and _closes_a_line(text, start):
                token = re.match(_NAME_TOKEN, text[start:])
                word = token.group() if token else text[start:end]
                if is_given_name(word.lower()) or not is_ordinary(word.lower()):  # not "Regards – Facilities"
                    spans.append((start, start + len(word), "NAME"))
                continue
            take(start, end, cued=True)
    for number, pattern in enumerate(_SLOTS):
        for match in pattern.finditer(text):
            lower = match.group("name").lower()
            known_name = is_given_name(lower) and number != 1  # "Will the laptops...": not a name
            if lower not in _NOT_AFTER_CUE and not match.group("name").isupper() and (
                    not is_ordinary(lower) or known_name):
                spans.append((*match.span("name"), "NAME"))
    conjunction = bool(_HAS_CONJUNCTION.search(text))
    spans += _listed_names(text, is_ordinary, is_given_name) if conjunction else []
    for match in _PAIR.finditer(text) if conjunction else ():
        first, second = match.group("first").lower(), match.group("second").lower()
        unknown = not (is_ordinary(first) or is_ordinary(second))
        if unknown or (is_given_name(first) and is_given_name(second)):
            spans += [(*match.span("first"), "NAME"), (*match.span("second"), "NAME")]
    for match in _DOER.finditer(text):
        lower = match.group("name").lower()
        if is_given_name(lower) or not is_ordinary(lower):
            spans.append((*match.span("name"), "NAME"))
    spans += _given_name_surnames(text, is_ordinary, is_given_name)
    return spans


def _listed_names(text: str, is_ordinary: Callable[[str], bool],
                  is_given_name: Callable[[str], bool]) -> list[Span]:
    """"Dimitra, Kostas & Eleni", "satu and eero": a list of two or more unknown words are names."""
    spans: list[Span] = []
    for match in _LIST.finditer(text):
        words = [m for m in re.finditer(_NAME_TOKEN, match.group()) if m.group().lower() not in ("and", "or")]
        known = [w for w in words if is_given_name(w.group().lower())]
        unknown = [w for w in words if not is_ordinary(w.group().lower()) and not w.group().isupper()]
        if len(words) >= 2 and len(unknown) + len(known) >= len(words) and unknown:
            spans += [(match.start() + w.start(), match.start() + w.end(), "NAME") for w in words]
    return spans


def _closes_a_line(text: str, start: int) -> bool:
    """A capitalised word signed off or greeted on its own: "Cheers, Jordan", "Jordan from Payroll"."""
    word = re.match(_NAME_TOKEN, text[start:])
    if word is None or not text[start].isupper() or word.group().lower() in _NOT_AFTER_CUE:
        return False
    rest = text[start + word.end():]
    return bool(re.match(r"\s*(?:$|\n|[,!:)(@]|x\b|(?:from|in|at|on)\s)", rest))


def _surname_like(word: str, lower: str, is_ordinary: Callable[[str], bool]) -> bool:
    return not is_ordinary(lower) and lower not in _NOT_AFTER_CUE and len(lower) > 1


def _given_name_surnames(text: str, is_ordinary: Callable[[str], bool],
                         is_given_name: Callable[[str], bool]) -> list[Span]:
    """A known given name (any case) and the unknown word after it: "priya raghunathan"."""
    spans = []
    words = list(re.finditer(_NAME_TOKEN, text))
    for first, second in itertools.pairwise(words):
        if text[first.end():second.start()] != " " or not is_given_name(first.group().lower()):
            continue
        lower = second.group().lower()
        if _surname_like(second.group(), lower, is_ordinary):
            spans.append((first.start(), second.end(), "NAME"))
    return spans
