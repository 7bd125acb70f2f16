"""Ticket and asset numbers (INC..., RITM..., CHG..., REQ..., asset tags): looked up in the ticket system in
seconds, so they become ``[TICKET]``. A pure function over ``str``: offsets in, offsets out."""

from __future__ import annotations

import re

Span = tuple[int, int, str]  # (start, end, label)

_TICKET = re.compile(
    r"(?<![\w-])(?:INC|RITM|CHG|REQ|SCTASK|TASK|PRB|PRJ|PRJTASK|CTASK|CS|SR|WO|RFC|CR|KB)[-_ ]?\d{4,}(?![\w])"
    r"|(?<![\w-])(?:LT|PC|NB|WS|DT|LAP|LPT|DSK|MAC|SRV|MON|TAB|PHN|AST|ASSET)[-_]?\d{4,}(?![\w])"
    r"|(?i:\b(?:ticket|incident|case|request|change|asset(?:\s+tag)?|serial(?:\s+(?:no|number))?|s/n|tag)"
    r"\s*(?:no\.?|number|#|:)?\s*#?\s*)(?=[A-Z0-9-]*\d)([A-Z0-9][A-Z0-9-]{3,})(?![\w])",
    re.IGNORECASE,
)
_HAS_DIGIT = re.compile(r"\d")


def ticket_spans(text: str) -> list[Span]:
    """Ticket and asset numbers as ``(start, end, "TICKET")`` (only the number when a cue word precedes)."""
    spans: list[Span] = []
    if not _HAS_DIGIT.search(text):
        return spans
    for match in _TICKET.finditer(text):
        start, end = match.span(1) if match.group(1) else match.span()
        spans.append((start, end, "TICKET"))
    return spans
