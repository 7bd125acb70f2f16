"""Personal data that a regular expression finds: e-mails, URLs, ``@handles``, phones, long numbers.

These run on every text and cost microseconds. Dates, IP addresses, versions, money and lists of
small numbers are told apart from phone numbers and ID numbers by the checks below.
"""

from __future__ import annotations

import re

from nlp.redaction.spans import Redaction, overlaps
from nlp.redaction.tickets import ticket_spans

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_ENDINGS = (r"(?:com|org|net|io|co|uk|de|fr|nl|eu|gov|edu|info|biz|local|corp|internal|intranet|app|dev|"
                r"cloud)")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|(?<![\w@.-])(?:[A-Za-z0-9-]+\.)+"
    rf"{_URL_ENDINGS}"
    r"\b(?:/[^\s<>\"']*)?"
)
_HANDLE = re.compile(r"(?<![\w.@])@[^\W\d_][\w.'-]*[^\W_]")
_PHONE = re.compile(
    r"(?<![\w/.:,+-])(?:\+\d{1,3}[ \t.-]?)?(?:\(\d{1,5}\)[ \t.-]?)?\d{1,5}(?:[ \t.-]\d{1,8}){1,5}"
    r"(?:[ \t]?(?:ext\.?|x)[ \t]?\d{1,5})?(?![\w/:]|[.,-]\d)"
)
_INTL_PHONE = re.compile(r"(?<![\w+])\+\d{7,15}(?!\w)")
_NUMBER = re.compile(r"(?<![\w.,$€£¥-])(?:[A-Za-z]-?)?\d{6,}(?![\w]|[.,]\d)")
_DATE = re.compile(r"\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4}")
_MONEY_AFTER = re.compile(r"\s?(?:%|k\b|m\b|bn\b|eur|usd|gbp|euros?\b|dollars?\b|pounds?\b)", re.IGNORECASE)
_MONEY_BEFORE = re.compile(r"[$€£¥]\s?$|(?:eur|usd|gbp)\s?$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
#: What every URL holds (a scheme, "www." or a dot before a listed domain ending): a quick search that
#: skips the costly URL scan (a try at every letter) in the many answers that hold none.
_URL_HINT = re.compile(rf"https?://|www\.|\.{_URL_ENDINGS}\b")
#: Patterns that need an "@" or a digit to match, skipped without running when the text has none.
_NEED_AT = frozenset((_EMAIL, _HANDLE))
_NEED_DIGIT = frozenset((_INTL_PHONE, _PHONE, _NUMBER))
_TRAILING_PUNCT = ".,;:!?)]}'\""
#: (label, pattern) in the order they run; an earlier match wins over a later overlapping one.
_PATTERNS = (("EMAIL", _EMAIL), ("URL", _URL), ("NAME", _HANDLE), ("PHONE", _INTL_PHONE),
             ("PHONE", _PHONE), ("NUMBER", _NUMBER))


def pattern_spans(text: str) -> list[Redaction]:
    """E-mails, URLs, handles (as ``NAME``), tickets, phones and long numbers in ``text``, non-overlapping.

    Ticket and asset numbers (``INC0012345``, ``LT-004512``) become ``TICKET`` before phones and
    numbers are looked for, unless they are part of an e-mail address or a link."""
    spans: list[Redaction] = []
    tickets = [Redaction(start, end, label) for start, end, label in ticket_spans(text)]
    has_at, has_digit = "@" in text, _DIGIT.search(text) is not None
    for label, pattern in _PATTERNS:
        if (pattern in _NEED_AT and not has_at) or (pattern in _NEED_DIGIT and not has_digit) or (
                pattern is _URL and not _URL_HINT.search(text)):
            continue  # the pattern cannot match: most answers have no "@" and many no digit
        if label == "PHONE" and tickets:
            spans += [ticket for ticket in tickets if not overlaps(spans, ticket.start, ticket.end)]
            tickets = []
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if label == "URL":
                end = start + len(match.group().rstrip(_TRAILING_PUNCT))
            if label == "PHONE" and not _looks_like_phone(text, start, end):
                continue
            if label == "NUMBER" and _is_money(text, start, end):
                continue
            if not overlaps(spans, start, end):
                spans.append(Redaction(start, end, label))
    return spans


def _looks_like_phone(text: str, start: int, end: int) -> bool:
    """Tell a phone number from dates, IP addresses, versions, money and lists of small numbers."""
    candidate = text[start:end]
    digits = sum(char.isdigit() for char in candidate)
    if not 7 <= digits <= 15 or _DATE.fullmatch(candidate) or _is_money(text, start, end):
        return False
    if candidate.startswith("+") or "(" in candidate:
        return True
    groups = re.findall(r"\d+", candidate)
    if any(len(group) < 2 for group in groups):
        return False
    if all(len(group) == 4 and group[:2] in ("19", "20") for group in groups):
        return False  # a run of years
    is_ipv4 = "." in candidate and len(groups) == 4 and all(len(group) <= 3 for group in groups)
    return not is_ipv4


def _is_money(text: str, start: int, end: int) -> bool:
    return bool(_MONEY_BEFORE.search(text[max(0, start - 4):start]) or _MONEY_AFTER.match(text, end))
