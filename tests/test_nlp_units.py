"""Sentence units: sentences, contrast clauses that stand on their own, offsets, odd input."""

from __future__ import annotations

import dataclasses

import pytest

from nlp.units import Unit, split_into_units


@pytest.fixture(scope="module", autouse=True)
def nlp_pipeline():
    """Load the real spaCy pipeline once (contrast clauses need its part-of-speech tags)."""
    from nlp.pipeline import load_pipeline

    return load_pipeline()


def unit_texts(text: str) -> list[str]:
    (units,) = split_into_units([text])
    return [unit.text for unit in units]


def test_sentences_become_units_with_offsets_into_the_answer():
    text = "Releases are late. Nobody tells us why!  The desk is good though."
    (units,) = split_into_units([text])
    assert [unit.text for unit in units] == [
        "Releases are late.", "Nobody tells us why!", "The desk is good though.",
    ]
    assert [unit.index for unit in units] == [0, 1, 2]
    assert all(text[unit.start:unit.end] == unit.text for unit in units)


@pytest.mark.parametrize(("text", "expected"), [
    ("The service desk is friendly but nobody fixes anything.",
     ["The service desk is friendly", "but nobody fixes anything."]),
    ("Although the team is nice, delivery is always slow.",
     ["Although the team is nice", "delivery is always slow."]),
    ("The new portal looks nice; however, nobody can find the forms.",
     ["The new portal looks nice", "however, nobody can find the forms."]),
    ("Delivery is not yet on time, yet the team tries hard every day.",
     ["Delivery is not yet on time", "yet the team tries hard every day."]),
])
def test_contrast_clauses_that_each_carry_meaning_are_split(text, expected):
    assert unit_texts(text) == expected


@pytest.mark.parametrize("text", [
    "helpful but understaffed",
    "The team is helpful but understaffed and tired.",
    "It works well enough for us, though.",
    "But the desk is good now.",
    "Nothing but delays from the project office this year.",
])
def test_contrast_words_that_do_not_join_two_clauses_do_not_split(text):
    assert unit_texts(text) == [text]


def test_line_breaks_split_bullet_lists():
    text = "- slow delivery of projects\n- no comms at all from anyone\n\n- costs keep rising every quarter"
    assert unit_texts(text) == [
        "- slow delivery of projects", "- no comms at all from anyone", "- costs keep rising every quarter",
    ]


@pytest.mark.parametrize("text", ["", "   ", "...", " ?! -- ", "\n\n"])
def test_empty_or_punctuation_only_answers_give_no_unit(text):
    assert split_into_units([text]) == [[]]


def test_very_short_answers_stay_one_unit():
    assert unit_texts("Fine. Thanks!") == ["Fine. Thanks!"]
    assert unit_texts("  Good but slow.  ") == ["Good but slow."]


def test_answers_keep_their_order_and_units_are_frozen():
    texts = ["First answer is here and it is long enough.", "", "Ok"]
    units = split_into_units(texts)
    assert [len(per_answer) for per_answer in units] == [1, 0, 1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        units[0][0].text = "changed"
    assert isinstance(units[0][0], Unit)
