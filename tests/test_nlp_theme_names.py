"""Theme names and key phrases a person would write, and quotes that say different things (issue 13)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from nlp.themes.labels import describe_clusters
from nlp.themes.names import (
    FILLER_WORDS,
    GENERIC_NOUNS,
    PhraseRanking,
    choose_name,
    cluster_phrases,
    is_clean_name,
    is_clean_phrase,
    is_specific_word,
    phrase_words,
    surface_form,
    text_candidates,
)
from nlp.themes.quotes import (
    MAX_QUOTE_COSINE,
    MAX_SHARED_WORDS,
    content_words,
    is_complete_sentence,
    word_overlap,
)

E_SIGNATURE = [
    "Signature requests expire after 48 hours, so suppliers abroad open a dead envelope.",
    "Customers can't sign contracts on a phone with the new e-signature tool.",
    "The e-signature tool has no witness field, so every deed still goes out on paper.",
    "Counterparties keep asking for a wet-ink signed copy of the contract instead.",
    "The signature certificate doesn't say when each signer signed the contract.",
    "Whenever a signer declines the contract nobody gets told.",
    "Our contract templates were never moved to the e-signature tool.",
    "Signers on Android see a blank page instead of the contract.",
    "Senior partners refuse to sign contracts electronically.",
    "The signing reminders keep chasing clients who already signed the contract.",
]
DESK = [
    "The desk never picks up after five.",
    "the desk is slow to answer the phone.",
    "Nobody at the desk knows the warehouse scanners.",
    "The desk closed my ticket before anything was fixed.",
    "I waited forty minutes on hold for the desk this morning.",
    "The desk asks for the same details three times.",
]
VPN = [
    "The VPN drops every afternoon.",
    "Working from home the VPN disconnects every hour.",
    "Our VPN is too slow for video calls.",
    "I lose the VPN whenever the laptop sleeps.",
    "Since the update the VPN will not connect at all.",
]


@pytest.mark.parametrize("phrase", ["issue", "business", "problem", "team", "process", "things"])
def test_a_generic_noun_alone_is_not_a_key_phrase_but_fits_inside_one(phrase):
    assert not is_clean_phrase(phrase)
    assert phrase in GENERIC_NOUNS or phrase in FILLER_WORDS
    if phrase in GENERIC_NOUNS:
        assert is_clean_phrase(f"approval {phrase}")


@pytest.mark.parametrize("name, clean", [
    ("Laptop provisioning delays", True), ("Cards and fees", True), ("E-signature tool", True),
    ("Desk and desk", False), ("Feels like", False), ("Cards and fees and rates", False), ("The team", False),
])
def test_a_clean_name_is_one_or_two_clean_phrases(name, clean):
    assert is_clean_name(name) is clean


def test_capitals_inside_a_sentence_make_a_word_specific():
    assert is_specific_word("vpn", VPN)
    assert not is_specific_word("desk", DESK)  # "The desk..." at the start of a text does not count
    assert surface_form("vpn", VPN) == "VPN"
    assert surface_form("desk", DESK) == "desk"


def test_candidates_include_verb_object_phrases_and_keep_hyphens():
    found = text_candidates(["I want to activate my new card", "The new e-signature tool is slow.",
                             "My card payment was declined twice."])
    assert "activate card" in found[0]
    assert "e-signature tool" in found[1] and "tool" in found[1]
    assert "declined payment" in found[2] or "declined card payment" in found[2]


def test_a_bare_generic_word_never_names_a_theme():
    # Only generic single words: the name falls back to a pair rather than "Desk".
    ranking = PhraseRanking(key_phrases=("desk", "hold", "ticket"), best=("desk", "hold"))
    name = choose_name(ranking, DESK)
    assert len(phrase_words(name)) > 1 and is_clean_name(name)
    assert name[0].isupper()
    # A specific word may stand alone, in the members' spelling.
    assert choose_name(PhraseRanking(("vpn",), ("vpn",)), VPN) == "VPN"
    # A generic noun is never one half of a pair ("Card and process").
    pair = choose_name(PhraseRanking(("card", "process"), ("card", "process")), ["a card"])
    assert "process" not in pair.lower()


@pytest.mark.slow
def test_emerging_clusters_get_clean_noun_phrase_names_and_key_phrases(semantic_embedder):
    texts = E_SIGNATURE + DESK + VPN
    labels = np.array([0] * len(E_SIGNATURE) + [1] * len(DESK) + [2] * len(VPN))
    vectors = semantic_embedder.embed(texts)
    summaries = describe_clusters(texts, labels, vectors, embed=semantic_embedder.embed)
    names = {s.label: s.name for s in summaries}
    assert any(word in names[0].lower() for word in ("sign", "contract")), names[0]
    assert names[1].lower() != "desk" and "desk" in names[1].lower(), names[1]
    assert "VPN" in names[2], names[2]
    for summary in summaries:
        assert is_clean_name(summary.name), summary.name
        assert len(phrase_words(summary.name)) > 1 or is_specific_word(summary.name, texts), summary.name
        for phrase in summary.key_phrases:
            words = phrase_words(phrase)
            assert is_clean_phrase(phrase), phrase
            assert words[0] not in ENGLISH_STOP_WORDS and words[-1] not in ENGLISH_STOP_WORDS
            assert not set(words) & FILLER_WORDS
        stems = [w.rstrip("s") for phrase in summary.key_phrases for w in phrase.split()]
        assert len(stems) == len(set(stems)), summary.key_phrases  # no word twice, not even plural


@pytest.mark.slow
def test_quotes_are_complete_diverse_and_count_their_look_alikes(semantic_embedder):
    texts = [
        *E_SIGNATURE,
        "Also, signature requests expire after 48 hours, so suppliers abroad open a dead envelope.",
        "Honestly, signature requests expire after 48 hours, so suppliers abroad open a dead envelope.",
        "contracts", "Signing.", "and the envelope",
    ]
    vectors = semantic_embedder.embed(texts)
    labels = np.zeros(len(texts), dtype=int)
    summary, = describe_clusters(texts, labels, vectors, embed=semantic_embedder.embed)
    assert len(summary.quotes) == 3 and len(summary.quote_like_it) == 3
    assert sum(summary.quote_like_it) + len(summary.quotes) == len(texts)  # every member counted once
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    index = {text: i for i, text in enumerate(texts)}
    for quote in summary.quotes:
        assert is_complete_sentence(quote), quote
    for a, b in combinations(summary.quotes, 2):
        assert word_overlap(content_words(a), content_words(b)) <= MAX_SHARED_WORDS, (a, b)
        assert float(unit[index[a]] @ unit[index[b]]) <= MAX_QUOTE_COSINE, (a, b)


@pytest.mark.parametrize("text, complete", [
    ("Signature requests expire after 48 hours.", True),
    ("[NAME] our new reporting tool on time and it does what we need.", False),
    ("Thanks to [NAME], who brings us together with the right people.", True),
    ("but the envelope never comes back signed", False),
    ("Signing.", False),
    ("They don't, so we save every signed PDF by hand.", False),
    ("It doesn’t. We sign on paper and scan it again.", False),
    ("They don't answer the phone after four on Fridays.", True),
    ("It is the slowest laptop I have ever used.", True),
])
def test_a_quote_is_a_complete_sentence(text, complete):
    assert is_complete_sentence(text) is complete


def test_phrases_given_as_lists_are_ranked_without_a_parse():
    texts = DESK + VPN
    labels = np.array([0] * len(DESK) + [1] * len(VPN))
    candidates = {0: ["the desk", "desk", "phone", "feels like", "ticket"],
                  1: ["vpn", "video calls", "the laptop"]}
    ranked = cluster_phrases(texts, labels, candidates, {}, None)
    assert ranked[0][0] == "desk" and "feels like" not in ranked[0]
    assert ranked[1][0] == "vpn" and all(is_clean_phrase(p) for p in ranked[1])
