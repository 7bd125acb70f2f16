"""Theme names, quotes, non-answers and proposal stability (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.themes.labels import describe_clusters
from nlp.themes.names import is_clean_phrase
from nlp.themes.nonanswers import is_non_answer
from nlp.themes.quotes import MAX_QUOTE_COSINE, content_words, select_quotes, word_overlap
from nlp.themes.stability import PreviousProposal, carry_over

NON_ANSWERS = ["n/a", "N/A", "Nothing.", "Nothing really", "No comment.", "Mixed picture.", "see above",
               "Same as above", "Useless.", "-", "", "...", "Not sure", "nothing to add at this time",
               "No comments at the moment", "None.", "ok"]
ANSWERS = ["Service desk tickets sit for days.", "The VPN drops every afternoon.",
           "Nothing works when the VPN is down.", "No one answers the phone at the service desk.",
           "Laptop provisioning takes weeks."]

SERVICE_DESK = [
    "Also, service desk tickets sit for days before anyone looks at them.",
    "For what it's worth, service desk tickets sit for days before anyone looks at them.",
    "Service desk tickets sit for days before anyone looks at them.",
    "Honestly, service desk tickets sit for days before anyone looks at them.",
    "Nobody at the service desk picks up the phone after four o'clock.",
    "The service desk closed my ticket without fixing the printer.",
    "Password resets through the service desk take a whole afternoon.",
    "Slow.",
    "but the desk",
]
LAPTOPS = [
    "New starters wait three weeks for a laptop to be provisioned.",
    "Laptop provisioning for new hires takes far too long.",
    "My replacement laptop arrived without the software I need.",
    "Laptop provisioning delays keep new joiners idle for their first week.",
    "We had to lend a new hire a personal laptop while provisioning dragged on.",
]


@pytest.mark.parametrize("text", NON_ANSWERS)
def test_non_answers_are_recognised(text):
    assert is_non_answer(text)


@pytest.mark.parametrize("text", ANSWERS)
def test_real_answers_are_not_non_answers(text):
    assert not is_non_answer(text)


@pytest.mark.parametrize("phrase, clean", [
    ("laptop provisioning delays", True), ("service desk", True), ("vpn", True),
    ("things wrong", False), ("wrong like", False), ("hard reach", False), ("wants wants details", False),
    ("honestly", False), ("feels like", False), ("the team", False), ("internal lot pay", False),
])
def test_names_keep_filler_stop_and_repeated_words_out(phrase, clean):
    assert is_clean_phrase(phrase) is clean


def test_quotes_are_diverse_complete_sentences_with_their_look_alike_counts(semantic_embedder):
    vectors = semantic_embedder.embed(SERVICE_DESK)
    quotes = select_quotes(SERVICE_DESK, vectors)
    texts = [q.text for q in quotes]
    assert len(quotes) >= 2
    assert "Slow." not in texts and "but the desk" not in texts
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    index = {t: i for i, t in enumerate(SERVICE_DESK)}
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert word_overlap(content_words(a), content_words(b)) <= 0.5
            assert float(unit[index[a]] @ unit[index[b]]) <= MAX_QUOTE_COSINE
    # The four "tickets sit for days" variants are one quote standing for the other three or more.
    tickets = next(q for q in quotes if "tickets sit for days" in q.text)
    assert tickets.like_it >= 3
    assert sum(q.like_it for q in quotes) + len(quotes) == len(SERVICE_DESK)


def test_paraphrases_with_another_opener_exceed_the_quote_cosine(semantic_embedder):
    vectors = semantic_embedder.embed(SERVICE_DESK[:3])
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert float(unit[0] @ unit[1]) > MAX_QUOTE_COSINE


def test_clusters_get_a_readable_noun_phrase_name(semantic_embedder):
    texts = SERVICE_DESK[:7] + LAPTOPS
    labels = np.array([0] * 7 + [1] * len(LAPTOPS))
    vectors = semantic_embedder.embed(texts)
    summaries = describe_clusters(texts, labels, vectors, embed=semantic_embedder.embed)
    names = {s.label: s.name.lower() for s in summaries}
    assert "service desk" in names[0]
    assert "laptop" in names[1]
    for summary in summaries:
        assert all(is_clean_phrase(p) for p in summary.key_phrases)
        assert len(summary.quote_like_it) == len(summary.quotes)


def test_carry_over_keeps_ids_and_names_and_redirects_merged_proposals():
    summaries = describe_clusters(LAPTOPS + SERVICE_DESK[4:7], np.array([0] * 5 + [1] * 3),
                                  np.eye(8, 16, dtype=np.float32))
    members = {0: {f"l{i}" for i in range(5)}, 1: {"s1", "s2", "s3"}}
    previous = [PreviousProposal("emerging-old-laptops", "Laptop delays",
                                 frozenset({"l0", "l1", "l2", "l3"})),
                PreviousProposal("emerging-gone", "Gone", frozenset({"l4", "x"})),
                PreviousProposal("emerging-desk", "Service desk", frozenset({"s1", "s2", "s3", "s4"}))]
    carried = carry_over(summaries, members, previous)
    by_label = {s.label: s for s in carried.summaries}
    assert (by_label[0].id, by_label[0].name) == ("emerging-old-laptops", "Laptop delays")
    assert (by_label[1].id, by_label[1].name) == ("emerging-desk", "Service desk")
    assert carried.redirects == {"emerging-gone": "emerging-old-laptops"}


@pytest.mark.parametrize("text", [
    "nothing springs to mind sadly", "Honestly? Nothing.", "Can't think of a single thing.",
    "not much at all honestly", "no idea tbh", "I'll get back to you on that one", "difficult to say",
])
def test_ways_of_declining_are_non_answers_whatever_the_hedges(text):
    assert is_non_answer(text)


@pytest.mark.parametrize("text", [
    "nothing works since the upgrade", "not much support at weekends", "no idea who to call about the VPN",
    "very little communication from IT", "hard to say who owns the CRM",
])
def test_a_decline_opener_followed_by_a_concern_is_content(text):
    assert not is_non_answer(text)


def test_a_loose_group_is_cut_until_its_parts_hang_together(semantic_embedder):
    from nlp.themes.cohesion import cohesion, split_until_cohesive

    printers = ["The printer on our floor jams every morning.", "Printers are always out of toner.",
                "The office printer never connects to my laptop.", "Printing a PDF takes five minutes.",
                "Nobody fixes the broken printers in the east wing."]
    texts = LAPTOPS + printers
    vectors = semantic_embedder.embed(texts)
    tight = min(cohesion(vectors[:5]), cohesion(vectors[5:]))
    assert cohesion(vectors) < tight, "two topics together are looser than each alone"
    labels = split_until_cohesive(np.zeros(len(texts), dtype=int), vectors, tight - 0.01, min_size=3)
    assert len(set(labels[:5])) == 1 and len(set(labels[5:])) == 1 and labels[0] != labels[5]
    noise = split_until_cohesive(np.zeros(len(texts), dtype=int), vectors, 0.99, min_size=3)
    assert (noise == -1).all(), "parts that never get tight enough are not proposed"
