"""The partner form's privacy text: the standard note, plus only what a survey's own note adds to it.

The standard note (``partner/_privacy.html``) says what is stored, what is never stored, how text is
redacted, the reporting threshold and the one session cookie. A survey's own privacy note is often a
copy of an older standard text; repeating it, or contradicting it ("no cookie"), confuses partners.
So the form shows only the own note's sentences about something else (a contact, a retention date).
"""

from __future__ import annotations

import re

from survey.store.surveys import DEFAULT_PRIVACY_NOTE, Survey

#: Words of the subjects the standard note already covers, truthfully, once.
COVERED_SUBJECTS = re.compile(
    r"\b(anonymous|anonymity|cookies?|ip address|e-?mail address|we (store|record|keep)|"
    r"never stor|nothing else|placeholders?|replaced|removed before|groups of at least|"
    r"who answered|time of day)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def own_privacy_note(survey: Survey) -> str:
    """The sentences of the survey's privacy note that the standard note does not already cover."""
    note = survey.privacy_note.strip()
    if note == DEFAULT_PRIVACY_NOTE.strip():
        return ""
    kept = [sentence for sentence in _SENTENCE_END.split(note)
            if sentence and not COVERED_SUBJECTS.search(sentence)]
    return " ".join(kept)
