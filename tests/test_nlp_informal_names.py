"""Informal names and ticket numbers (nlp.informal_names): positional cues, not capital letters."""

from __future__ import annotations

import pytest

from nlp.redaction.informal import informal_name_spans, informal_names
from nlp.redaction.tickets import ticket_spans

ORDINARY = frozenset((
    "the", "a", "an", "and", "or", "from", "in", "at", "on", "of", "to", "it", "is", "was", "were", "fixed",
    "printer", "payroll", "desktop", "support", "team", "thanks", "great", "work", "job", "good", "all",
    "everyone", "lot", "again", "for", "may", "will", "mark", "grace", "bill", "teams", "windows",
    "victoria", "help", "desk", "service", "sorted", "quickly", "about", "laptop", "issue", "new", "kind",
    "regards", "see", "raised", "my", "asset", "tag", "ticket", "took", "incident", "response", "talk", "ask",
))
GIVEN = frozenset(("priya", "will", "mark", "grace", "bill", "victoria", "jordan"))


def names(text: str) -> list[str]:
    spans = informal_name_spans(text, lambda word: word in ORDINARY, lambda word: word in GIVEN)
    return sorted({text[start:end] for start, end, _ in spans})


@pytest.mark.parametrize(("text", "expected"), [
    ("i asked priya raghunathan about it", ["priya raghunathan"]),
    ("Cheers, Jordan from Payroll", ["Jordan"]),
    ("great job.\nthanks, sipho", ["sipho"]),
    ("Kind regards - Siobhan", ["Siobhan"]),
    ("xoliswa and bongani in desktop support sorted it", ["bongani", "xoliswa and bongani"]),  # one group
    ("Okonkwo fixed the printer", ["Okonkwo"]),
    ("hi thandeka, the laptop issue is new", ["thandeka"]),
    ("talk to nkosi about it", ["nkosi"]),
])
def test_names_that_informal_cues_point_at(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "thanks a lot, great work", "Thanks again for the help", "cheers all", "ask the team about it",
    "May I say the service desk sorted it quickly.", "Teams and Windows in the help desk",
    "Thanks, great job!",
])
def test_ordinary_words_after_cues_stay(text):
    assert names(text) == []


@pytest.mark.parametrize(("text", "ticket"), [
    ("see INC0012345 please", "INC0012345"), ("RITM0045678 is stuck", "RITM0045678"),
    ("chg12345 broke it", "chg12345"), ("raised REQ-000981 twice", "REQ-000981"),
    ("asset tag LT-004512 is mine", "LT-004512"), ("ticket #48213 was closed", "48213"),
    ("my laptop PC-20931 died", "PC-20931"),
])
def test_tickets_and_asset_tags(text, ticket):
    assert [text[start:end] for start, end, _ in ticket_spans(text)] == [ticket]


def test_ordinary_numbers_and_words_are_no_tickets():
    text = "It took 3 weeks and 2 tickets; the change was in 2024. Incident response is slow."
    assert ticket_spans(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("May from Payroll set up the new floor", ["May"]),  # a word name before a team
    ("Summer in the apps team wrote the guide", ["Summer"]),
    ("thank you KB for the laptop swap", ["KB"]),  # initials after a cue
    ("DW in the project office sends the minutes late", ["DW"]),  # initials before a team
    ("ap Rhys from the Welsh team sorted the keyboards", ["Rhys", "ap Rhys"]),  # a particle opening a clause
    ("the vpn is fine now.\n~ bex", ["bex"]),  # a sign-off tail
    ("kasia you star, the shared drive works", ["kasia"]),  # a name hailed
    ("Hi, thandeka from risk here", ["thandeka"]),  # a greeting with a comma
    ("Promise fixed my Outlook in a minute", ["Promise"]),  # a word name before a helping verb
])
def test_names_in_new_informal_slots(text, expected):
    assert names(text) == expected


def test_writer_slots_are_sure_and_positional_cues_may_be_vetoed():
    text = "hey it's mandisa. Okonkwo fixed the printer"
    found = informal_names(text, lambda word: word in ORDINARY, lambda word: word in GIVEN)
    assert [text[start:end] for start, end, _ in found.signed] == ["mandisa"]
    assert {text[start:end] for start, end, _ in found.cued} == {"Okonkwo"}


def test_everyday_words_in_name_slots_are_hints_for_the_tagger():
    text = "thnx ruth for the help. no joy from the service desk, thanks man"
    everyday = ORDINARY | {"ruth", "joy", "man", "no", "help", "service"}
    found = informal_names(text, lambda word: word in everyday, lambda word: False)
    assert {text[start:end] for start, end, _ in found.hinted} == {"ruth"}  # not "joy" after "no", not "man"
    assert found.signed == [] and found.cued == []
