"""Phrases that may identify a partner although redaction keeps them: quasi-identifiers.

Redaction (:mod:`nlp.redaction`) removes names and contact details. What it keeps can still single a
partner out to a reader who knows the organisation: a rare job title ("as the only payroll
auditor"), uniqueness ("the only one in Legal who..."), a small team ("our team of three"), a
specific date or event ("on 14 March", "at the Lisbon offsite"), or a named project few people work
on ("Project Kestrel"). :func:`find_quasi_identifiers` points at such phrases so the partner form can
warn before sending; it never changes the text and keeps nothing.

Rules only (regular expressions over short word lists): fast enough to run on every check, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Kinds of finding, with the sentence the partner form shows for each.
KINDS = {
    "contact": "An extension, phone, desk or staff number points straight at you.",
    "role": "A job title or role: if few people hold it, readers may know who wrote this.",
    "unique": "Saying you are the only one (or one of very few) can identify you.",
    "team": "A small team or group size can narrow down who wrote this.",
    "date": "A specific date, day or time can be matched to who was there.",
    "event": "A specific meeting or event can be matched to who attended it.",
    "project": "A named project with few people on it can identify you.",
    "place": "A specific office, floor or site can narrow down who wrote this.",
}

_ROLE_WORDS = (
    r"(?:chief\s+\w+\s+officer|c[efiot]o|cfo|vp|vice[\s-]president|director|head|lead|manager|"
    r"supervisor|controller|coordinator|administrator|admin|analyst|accountant|auditor|architect|"
    r"engineer|officer|partner|assistant|pa|secretary|intern|apprentice|graduate|trainee|"
    r"receptionist|buyer|specialist|consultant|owner|founder|chair|treasurer|clerk)"
)
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_MAY = r"may"  # only with a day number next to it: "May" alone is a word
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUMBER_WORDS = r"(?:two|three|four|five|six|seven|eight|nine|ten|2|3|4|5|6|7|8|9|10)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("unique", re.compile(
        r"\b(?:(?:i\s*(?:am|'m)|as)\s+)?the\s+(?:only|sole|single|one\s+and\s+only)\s+"
        r"(?:[\w-]+\s+){0,4}?(?:in|on|at|from|of|who|that|for)\b(?!-)"
        r"(?:\s+(?:the\s+)?(?!(?:i|we|and|but|so|it|is|was)\b)[\w-]+){0,3}",
        re.IGNORECASE)),
    ("unique", re.compile(r"\b(?:i\s*(?:am|'m)|as)\s+the\s+(?:only|sole|last|first|newest|youngest|oldest)"
                          r"\s+[\w-]+(?:\s+[\w-]+){0,2}", re.IGNORECASE)),
    ("unique", re.compile(r"\b(?:one\s+of\s+(?:the\s+)?(?:only\s+)?(?:two|three|four|a\s+few|very\s+few))"
                          r"\s+[\w-]+(?:\s+(?:in|on|at|who)\s+[\w-]+)?", re.IGNORECASE)),
    ("contact", re.compile(
        r"\b(?:ext(?:ension)?\.?(?:\s+is)?|x)\s*(?P<n>\d{3,5})\b|\b(?:staff|employee|payroll|badge)\s+"
        r"(?:no\.?|number|id)\s*(?:is\s+)?:?\s*(?P<m>[A-Z]?\d{3,})\b|\b(?:direct\s+line|mobile|phone|landline|"
        r"number)\s+is\s+(?P<p>\+?[\d ()-]{7,}\d)|\bdesk\s+(?P<d>[A-Z]?\d+(?:\.\d+)?[A-Z]?)\b",
        re.IGNORECASE)),
    ("role", re.compile(
        r"\b(?:(?:i\s*(?:am|'m)|as|being|i\s+work\s+as)\s+(?:the|our|their)|our|the)\s+(?:[\w'’&-]+\s+){0,3}?"
        r"(?:head|chief|director|lead)\s+of\s+(?:[\w&-]+)(?:\s+(?!and\b|has\b|had\b|keeps\b|is\b|was\b)[a-z&-]+)?",
        re.IGNORECASE)),
    ("role", re.compile(r"\b(?:the|our)\s+(?:[\w'’&-]+\s+){1,4}?(?:\(me\)|role\b)", re.IGNORECASE)),
    ("role", re.compile(r"\b(?:the|as\s+the|i'?m\s+the)\s+(?:\w+'s\s+)?(?:only\s+)?in-house\s+[\w-]+"
                        r"(?:\s+[a-z-]+)?|\b(?:the|as\s+the)\s+(?:\w+'s\s+)only\s+[\w-]+(?:\s+[\w-]+){0,2}",
                        re.IGNORECASE)),
    ("role", re.compile(
        rf"\b(?:i\s*(?:am|'m)|as|being|i\s+work\s+as)\s+(?:the|our|their)\s+(?:[\w&-]+\s+){{0,3}}?"
        rf"{_ROLE_WORDS}\b(?:\s+(?:of|for)\s+(?:the\s+)?[\w&-]+(?:\s+[\w&-]+)?)?", re.IGNORECASE)),
    ("role", re.compile(rf"\b(?:my\s+role\s+as|in\s+my\s+(?:role|job|position)\s+as)\s+(?:the\s+|a\s+|an\s+)?"
                        rf"(?:[\w&-]+\s+){{0,3}}{_ROLE_WORDS}?", re.IGNORECASE)),
    ("team", re.compile(rf"\b(?:our|my|the)\s+{_NUMBER_WORDS}[-\s](?:strong|person|people|man|woman)\s+"
                        r"(?:[\w-]+\s+){0,2}?(?:team|group|unit|crew|office)\b|\bjust\s+me\s+and\s+(?:my\s+)?[\w-]+"
                        r"(?:\s+in\s+[\w-]+(?:\s+[\w-]+)?)?|\b(?:our|my)\s+(?:two|three|four|five|2|3|4|5)\s+"
                        r"[A-Z]?[\w-]+\s+[\w-]+\s+(?:in|at|on)\s+[A-Z][\w-]+|\bthe\s+(?:youngest|oldest|newest|only)\s+"
                        r"(?:person|one|woman|man|member)\s+(?:on|in|at)\s+the\s+[\w-]+", re.IGNORECASE)),
    ("team", re.compile(rf"\b(?:(?:our|my)\s+(?:small\s+)?(?:team|group|unit|office|department)\s+of\s+"
                        rf"(?:just\s+|only\s+)?{_NUMBER_WORDS}|(?:there\s+are|we\s+are|we're)\s+"
                        rf"(?:only|just)\s+{_NUMBER_WORDS}(?:\s+of\s+us|\s+people)?|the\s+{_NUMBER_WORDS}"
                        rf"\s+of\s+us)\b", re.IGNORECASE)),
    ("date", re.compile(rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS}|{_MAY})\b|"
                        rf"(?:{_MONTHS}|{_MAY})\s+\d{{1,2}}(?:st|nd|rd|th)?\b)", re.IGNORECASE)),
    ("date", re.compile(r"\b\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b")),
    ("date", re.compile(rf"\b(?:on|last|this|next|since)\s+{_DAYS}\b|"
                        rf"(?<!every\s){_DAYS}\s+(?:morning|afternoon|evening|night)\b", re.IGNORECASE)),
    ("date", re.compile(r"\b(?:christmas\s+(?:eve|day)|boxing\s+day|new\s+year'?s\s+(?:eve|day)|easter\s+"
                        r"(?:sunday|monday)|good\s+friday|my\s+(?:birthday|wedding|first\s+day|last\s+day)|"
                        r"last\s+night'?s\s+[\w-]+(?:\s+[\w-]+)?|(?:mon|tues|wednes|thurs|fri|satur|sun)day'?s\s+"
                        r"(?:[A-Z][\w-]+\s+)?[\w-]+(?:\s+[\w-]+)?)\b", re.IGNORECASE)),
    ("date", re.compile(r"\bthe\s+(?:(?:first|last|morning|evening|night|day|week|weekend|afternoon|eve|"
                        r"sunday|saturday|monday|friday)\s+){1,2}of\s+(?:the|my|our)\s+(?:[\w-]+\s+){0,2}?[\w-]+",
                        re.IGNORECASE)),
    ("event", re.compile(r"\b(?:at|during|after|before|in)\s+(?:the|our|my|last\s+week's|yesterday's|"
                         r"today's)\s+(?:[A-Z][\w-]+\s+){0,2}(?:[\w-]+\s+)?(?:offsite|off-site|away\s*day|"
                         r"town\s*hall|all[\s-]hands|board\s+meeting|steering\s+(?:group|committee)|"
                         r"workshop|conference|retreat|kick[\s-]?off|launch|party|review\s+meeting)\b",
                         re.IGNORECASE)),
    ("project", re.compile(r"\b(?i:project|programme|program|initiative|workstream|squad)\s+[A-Z][\w-]+"
                           r"(?:\s+[A-Z][\w-]+)?|\b[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?\s+(?:project|programme|"
                           r"program|initiative|workstream|pilot|rollout)\b|\b(?:the\s+)?[A-Z][a-z][\w-]+\s+"
                           r"(?:[a-z]+\s+)?(?:integration|migration|dashboard|cleanse|tool|app|bot|tracker|portal)\b")),
    ("place", re.compile(r"\b(?:the\s+)?[A-Z][a-z]+\s+(?:office|site|branch|depot|warehouse|plant|campus|"
                         r"store)\b|\b(?:on\s+)?(?:floor|level)\s+\d+\b|\b\d+(?:st|nd|rd|th)\s+floor\b|"
                         r"\b(?:desk|room)\s+[A-Z]?\d+[A-Z]?\b")),
)
#: Capitalised words that start a sentence and are no project or place name.
_NOT_NAMES = frozenset(("the", "our", "my", "this", "that", "a", "an", "new", "old", "last", "next", "every",
                        "each", "any", "whole", "big", "main", "head"))


@dataclass(frozen=True)
class QuasiIdentifier:
    """A phrase of the text that may identify its writer: ``text[start:end]`` of ``kind``."""

    start: int
    end: int
    kind: str
    text: str

    @property
    def advice(self) -> str:
        """What the partner form says about this kind of phrase."""
        return KINDS[self.kind]


def find_quasi_identifiers(text: str) -> list[QuasiIdentifier]:
    """Quasi-identifying phrases of ``text``, in text order, overlapping findings merged (first kind wins)."""
    found: list[QuasiIdentifier] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            phrase = _trim(text[start:end])
            if not phrase or _is_false_alarm(kind, phrase):
                continue
            end = start + len(phrase)
            if any(other.start < end and start < other.end for other in found):
                continue
            found.append(QuasiIdentifier(start, end, kind, phrase))
    return sorted(found, key=lambda finding: finding.start)


#: Words a phrase never ends on ("the only auditor in Leeds I find" ends at "Leeds").
_TRAILING = frozenset(("and", "or", "but", "i", "we", "is", "are", "was", "were", "the", "a", "an", "to",
                       "it", "so", "that", "who", "which", "find", "think", "feel", "have", "has", "had",
                       "am", "can", "do", "did", "of", "for", "in", "on", "at", "this", "my", "our"))


def _trim(phrase: str) -> str:
    """Drop trailing punctuation and function words (the patterns read a few words too far)."""
    words = phrase.rstrip(" ,.;:!?").split(" ")
    while len(words) > 1 and words[-1].lower().strip(",.;:!?") in _TRAILING:
        words.pop()
    return " ".join(words).rstrip(" ,.;:!?")


def _is_false_alarm(kind: str, phrase: str) -> bool:
    """Project and place names need a real name, not a capitalised ordinary word."""
    if kind in ("project", "place"):
        words = [word for word in re.findall(r"[A-Za-z][\w-]*", phrase)]
        named = [word for word in words if word[0].isupper() and word.lower() not in _NOT_NAMES
                 and word.lower() not in ("project", "programme", "program", "initiative", "workstream",
                                          "squad", "pilot", "rollout", "office", "site", "floor", "level",
                                          "desk", "room", "branch", "depot", "warehouse", "plant",
                                          "campus", "store")]
        return not named and not re.search(r"\d", phrase)
    return False
