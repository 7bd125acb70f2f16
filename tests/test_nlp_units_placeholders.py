"""Redaction placeholders survive sentence splitting intact (issue 10: "... is solid. [" / "NAME] was")."""

from __future__ import annotations

import re

import pytest

from nlp.units import split_into_units


@pytest.mark.parametrize("text", [
    "Support from [NAME] is solid. [NAME] was great and [EMAIL] replied.",
    "The rollout is solid. [NAME] was great.",
    "Thanks [NAME]! [TICKET] is still open, but [NAME] said it is fine.",
    "Ask [NAME]. [PHONE] is the number. [URL] has the form.",
])
def test_every_placeholder_stays_whole_in_one_unit(text):
    units = [unit.text for unit in split_into_units([text])[0]]
    assert len(units) >= 2
    for unit in units:
        assert unit.count("[") == unit.count("]"), units
        assert all(re.fullmatch(r"\[[A-Z]+\]", piece) for piece in re.findall(r"\[[^\]]*\]?", unit)), units
    assert sorted(re.findall(r"\[[A-Z]+\]", text)) == sorted(
        piece for unit in units for piece in re.findall(r"\[[A-Z]+\]", unit))
