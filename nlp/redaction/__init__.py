"""Personal-data redaction for partner free text, run before anything is stored.

Two detectors, one module each: :mod:`nlp.redaction.patterns` (e-mails, URLs, phone numbers, long
digit runs, ``@handles``, ticket and asset numbers; microseconds, on every text) and
:mod:`nlp.redaction.names` (person names from cheap rules and informal cues, a learned tagger
(:mod:`nlp.redaction.tagger`: hashed-feature logistic regression stored as plain arrays) that adds
names and vetoes rule names it is sure are none, and spaCy's NER only for the capitalised words
that neither the rules nor the tagger can settle, which keeps the survey submit path fast).
Patterns run first; names are looked for only outside what they found; overlaps are then resolved
in :func:`nlp.redaction.spans.non_overlapping`.

Nothing here logs text: the input is personal data until this package has finished with it.

Public API
----------
redact_personal_data(text) -> str
redact_many(texts) -> list[str]
find_personal_data(text) -> list[Redaction]
find_personal_data_many(texts) -> list[list[Redaction]]
apply_redactions(text, redactions) -> str
Redaction, LABELS
"""

from __future__ import annotations

from nlp.redaction.names import find_names
from nlp.redaction.patterns import pattern_spans
from nlp.redaction.spans import LABELS, Redaction, apply_redactions, non_overlapping

__all__ = [
    "LABELS",
    "Redaction",
    "apply_redactions",
    "find_personal_data",
    "find_personal_data_many",
    "redact_many",
    "redact_personal_data",
]


def redact_personal_data(text: str) -> str:
    """Replace personal data in ``text`` with ``[NAME]``, ``[EMAIL]``, ``[PHONE]``, ``[URL]``, ``[NUMBER]``,
    ``[TICKET]``.

    Parameters
    ----------
    text
        One free-text answer. Empty or odd input (control characters, very long text) is fine.

    Returns
    -------
    str
        The text with each personal-data span replaced by its placeholder.
    """
    return redact_many([text])[0]


def redact_many(texts: list[str]) -> list[str]:
    """Redact a batch of texts; NER runs once over all candidate sentences with ``nlp.pipe``."""
    return [
        apply_redactions(text, found)
        for text, found in zip(texts, find_personal_data_many(texts), strict=True)
    ]


def find_personal_data(text: str) -> list[Redaction]:
    """Return the personal-data spans in ``text``, sorted and non-overlapping."""
    return find_personal_data_many([text])[0]


def find_personal_data_many(texts: list[str]) -> list[list[Redaction]]:
    """Return the personal-data spans of each text (see :func:`find_personal_data`).

    Parameters
    ----------
    texts
        Free-text answers.

    Returns
    -------
    list of list of Redaction
        Per text, spans sorted by offset, never overlapping.
    """
    texts = [text if isinstance(text, str) else "" for text in texts]
    patterns = [pattern_spans(text) for text in texts]
    names = find_names(texts, patterns)
    return [non_overlapping(found + named) for found, named in zip(patterns, names, strict=True)]
