"""Quasi-identifiers (nlp.quasi_identifiers): phrases that redaction keeps but that may identify."""

from __future__ import annotations

import pytest

from nlp.quasi_identifiers import KINDS, find_quasi_identifiers


def found(text: str) -> list[tuple[str, str]]:
    return [(finding.kind, finding.text) for finding in find_quasi_identifiers(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("As the only payroll auditor in Leeds I find the new system slow.",
     [("unique", "As the only payroll auditor in Leeds")]),
    ("I am the head of treasury and the ERP is bad.", [("role", "I am the head of treasury")]),
    ("Our team of three never hears back.", [("team", "Our team of three")]),
    ("On 14 March the laptop broke at the Lisbon offsite.",
     [("date", "14 March"), ("event", "at the Lisbon offsite")]),
    ("Project Kestrel is a mess; the Orion rollout too.",
     [("project", "Project Kestrel"), ("project", "Orion rollout")]),
    ("The Manchester office on floor 3 has had no wifi since last Tuesday at 9am.",
     [("place", "Manchester office"), ("place", "on floor 3"), ("date", "last Tuesday")]),
    ("Call me on extension 4471.", [("contact", "extension 4471")]),
    ("I'm the only in-house patent attorney here.", [("unique", "I'm the only in-house patent attorney")]),
])
def test_phrases_that_may_identify_the_writer(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    "The service desk is slow and tickets take weeks.",
    "May I say the new laptops are great. Will you fix the VPN? Mark my words, Teams on Windows is flaky.",
    "As a team we are fine. The project is late.",
    "The project office never answers.",
    "As a line manager, the approval emails are too frequent.",
    "Every Monday morning the shared drive is slow.",
])
def test_ordinary_feedback_raises_nothing(text):
    assert found(text) == []


def test_every_finding_has_advice_and_points_into_the_text():
    text = "As the only Oracle DBA in Lagos, on 3 May I raised it at the town hall."
    findings = find_quasi_identifiers(text)
    assert findings
    for finding in findings:
        assert text[finding.start:finding.end] == finding.text
        assert finding.advice == KINDS[finding.kind]
