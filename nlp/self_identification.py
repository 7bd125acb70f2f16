"""What in a partner's answer may identify them, before they send it (the "check before sending").

Two kinds of finding, each pointing at a phrase of the text:

- ``removed``: personal data that redaction will replace when the answer is stored (names,
  e-mail addresses, phone numbers, links, long numbers, ticket numbers), with its placeholder;
- ``kept``: quasi-identifiers that redaction keeps (:mod:`nlp.quasi_identifiers`): a rare role,
  "the only ... in ...", a small team, a specific date or event, a small named project, a contact
  number. The partner decides whether to rephrase.

Pure function: nothing is stored, cached or logged (the text is personal data).
"""

from __future__ import annotations

from dataclasses import dataclass

from nlp.quasi_identifiers import KINDS, find_quasi_identifiers

#: What the partner reads for each kind of removed data.
REMOVED_ADVICE = {
    "NAME": "This looks like a person's name: it will be replaced by [NAME].",
    "EMAIL": "E-mail addresses are replaced by [EMAIL].",
    "PHONE": "Phone numbers are replaced by [PHONE].",
    "URL": "Links are replaced by [URL].",
    "NUMBER": "Long numbers (such as employee numbers) are replaced by [NUMBER].",
    "TICKET": "Ticket and asset numbers are replaced by [TICKET]: they can be looked up.",
}


@dataclass(frozen=True)
class Finding:
    """A phrase of the answer that may identify its writer."""

    start: int
    end: int
    text: str
    kind: str  # a redaction label (NAME, EMAIL...) or a quasi-identifier kind (role, date...)
    removed: bool  # True: redaction replaces it on sending; False: it is kept as written
    advice: str


def check_answers(texts: list[str]) -> list[list[Finding]]:
    """Per answer, what may identify its writer, in text order (removed data wins on overlap)."""
    from nlp.redaction import find_personal_data_many

    results = []
    for text, redactions in zip(texts, find_personal_data_many(texts), strict=True):
        findings = [Finding(r.start, r.end, text[r.start:r.end], r.label, True,
                            REMOVED_ADVICE.get(r.label, f"Replaced by [{r.label}]."))
                    for r in redactions]
        for quasi in find_quasi_identifiers(text):
            if not any(f.start < quasi.end and quasi.start < f.end for f in findings):
                findings.append(Finding(quasi.start, quasi.end, quasi.text, quasi.kind, False,
                                        KINDS[quasi.kind]))
        results.append(sorted(findings, key=lambda finding: finding.start))
    return results
