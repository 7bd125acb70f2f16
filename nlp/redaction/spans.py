"""Found personal data as character spans, and how spans combine and replace text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Placeholder labels, in the order their patterns run (earlier ones win on overlap).
LABELS = ("EMAIL", "URL", "NAME", "TICKET", "PHONE", "NUMBER")


@dataclass(frozen=True)
class Redaction:
    """One piece of personal data found in a text.

    Attributes
    ----------
    start, end
        Character offsets in the original text.
    label
        One of ``NAME``, ``EMAIL``, ``PHONE``, ``URL``, ``NUMBER``.
    """

    start: int
    end: int
    label: str

    @property
    def placeholder(self) -> str:
        """The text that replaces the span, such as ``[NAME]``."""
        return f"[{self.label}]"


def overlaps(spans: Iterable[Redaction], start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps any of ``spans``."""
    return any(span.start < end and start < span.end for span in spans)


def non_overlapping(spans: list[Redaction]) -> list[Redaction]:
    """``spans`` sorted by offset; of overlapping ones the first kept, adjacent NAME pieces merged."""
    kept: list[Redaction] = []
    for span in sorted(spans, key=lambda span: (span.start, -span.end)):
        if kept and span.start < kept[-1].end:
            if span.end > kept[-1].end and span.label == kept[-1].label == "NAME":
                kept[-1] = Redaction(kept[-1].start, span.end, "NAME")
            continue
        kept.append(span)
    return kept


def apply_redactions(text: str, redactions: Iterable[Redaction]) -> str:
    """Return ``text`` with each (non-overlapping, sorted) redaction replaced by its placeholder."""
    pieces, cursor = [], 0
    for redaction in redactions:
        pieces.append(text[cursor:redaction.start])
        pieces.append(redaction.placeholder)
        cursor = redaction.end
    pieces.append(text[cursor:])
    return "".join(pieces)
