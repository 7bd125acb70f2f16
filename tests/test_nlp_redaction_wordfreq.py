"""Issue 10: a word-frequency notion of "ordinary word" for name redaction (rare dictionary entries such
as "aditi" or "tolu" are names in feedback; everyday words such as "miles" or "amber" stay)."""

from __future__ import annotations

import pytest

from nlp.redaction import find_personal_data, redact_personal_data
from nlp.redaction.features import frequency_band
from nlp.redaction.lexicon import word_frequencies
from nlp.redaction.ner import is_common_word
from nlp.redaction.tagger import lexicons


def names_in(text: str) -> list[str]:
    return [text[span.start:span.end] for span in find_personal_data(text) if span.label == "NAME"]


def test_rare_dictionary_entries_are_not_ordinary_but_everyday_words_are():
    frequencies = word_frequencies()
    for rare in ("aditi", "tolu", "anele", "lungi"):
        assert is_common_word(rare), rare  # spaCy's word index holds them: the reason for the list
        assert rare not in frequencies and not lexicons().common(rare)
    for everyday in ("miles", "amber", "patience", "printer", "heaps"):
        assert frequencies[everyday] >= 2.5 and lexicons().common(everyday)
    assert frequencies["miles"] > frequencies["heaps"]
    assert len(frequencies) > 20_000 and all(word == word.lower() for word in frequencies)


def test_frequency_bands_are_coarse():
    assert [frequency_band(zipf) for zipf in (0.0, 2.5, 3.4, 3.5, 4.4, 4.5, 7.0)] == [
        "0", "3", "3", "4", "4", "5", "5"]


@pytest.mark.parametrize(("text", "name"), [
    ("kemi and tolu sorted the teams phones, thank you both", "tolu"),
    ("ping lungi or tshepo if the till system goes down again", "lungi"),
    ("Hi, Aditi from marketing. Just wanted to say the new laptops are brilliant.", "Aditi"),
    ("Anele you legend, the new monitors are great", "Anele"),
    ("thanks, aditi, the dock works now", "aditi"),
])
def test_rare_dictionary_entries_in_name_slots_are_redacted(text, name):
    assert name in names_in(text), (text, names_in(text))
    assert name not in redact_personal_data(text)


@pytest.mark.parametrize("text", [
    "miles better than last year honestly",
    "amber alerts from the monitoring tool are ignored until they go red",
    "sterling work on the data centre move, genuinely",
    "precious little communication about the outage",
    "a pat on the back for the networks crew, the wifi is finally usable",
    "thanks heaps for the quick fix",
])
def test_everyday_lower_case_words_stay(text):
    assert names_in(text) == []
    assert redact_personal_data(text) == text


def test_the_shipped_list_matches_wordfreq():
    wordfreq = pytest.importorskip("wordfreq")
    frequencies = word_frequencies()
    for word in ("miles", "amber", "printer", "heaps", "canteen"):
        expected = wordfreq.zipf_frequency(word, "en", wordlist="large")
        assert frequencies[word] == pytest.approx(expected, abs=0.05)
    assert wordfreq.zipf_frequency("tolu", "en", wordlist="large") < 2.5
