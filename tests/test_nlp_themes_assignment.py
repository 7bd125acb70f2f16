"""Seeded assignment is not greedy: off-topic comments and comments of a missing theme stay
unassigned (for discovery); proposals of the last run continue when the data grows a little."""

from __future__ import annotations

import numpy as np
import pytest

from eval.themes import assignment_figures, leave_one_theme_out, load_labelled
from nlp.themes import DEFAULT_THEMES, assign_themes
from nlp.themes.redescribe import describe_groups
from nlp.themes.stability import PreviousProposal, continue_proposals

#: Workplace comments about things other than IT (written for this test, in no data file).
NOT_ABOUT_IT = (
    "The staff car park is being resurfaced all summer.",
    "The warehouse needs more forklift drivers on nights.",
    "Maternity cover for our team was arranged late.",
    "the vending machine eats coins",
    "Our regional sales meeting moved to Tuesdays.",
    "Payslips are hard to read.",
)
#: Greedy assignment: every unit to its nearest theme (no threshold, no "other" class).
GREEDY = {"threshold": 1e-6, "off_topic_margin": None}


def test_comments_not_about_it_stay_unassigned_where_greedy_assignment_absorbs_them(semantic_embedder):
    vectors = semantic_embedder.embed(list(NOT_ABOUT_IT))
    shipped = assign_themes(vectors, DEFAULT_THEMES, semantic_embedder)
    greedy = assign_themes(vectors, DEFAULT_THEMES, semantic_embedder, **GREEDY)
    assert None not in greedy.theme_ids  # the failure this guards against
    assert shipped.theme_ids.count(None) >= len(NOT_ABOUT_IT) - 1
    assert shipped.unassigned.sum() >= len(NOT_ABOUT_IT) - 1  # handed to discovery


@pytest.mark.slow
def test_dev_split_accuracy_and_a_missing_theme_s_comments_left_unassigned(semantic_embedder):
    texts, gold = load_labelled("dev")
    vectors = semantic_embedder.embed(texts)
    figures = assignment_figures(texts, gold, embedder=semantic_embedder, vectors=vectors)
    assert figures["accuracy"] >= 0.85 and figures["other_recall"] >= 0.9
    shipped = leave_one_theme_out(texts, gold, embedder=semantic_embedder, vectors=vectors)
    greedy = leave_one_theme_out(texts, gold, embedder=semantic_embedder, vectors=vectors, **GREEDY)
    assert greedy["left_out_unassigned"] == 0.0
    assert shipped["left_out_unassigned"] >= 0.15
    assert shipped["left_out_accuracy"] > greedy["left_out_accuracy"] + 0.05


def _blob(center: np.ndarray, count: int, rng: np.random.Generator, spread: float = 0.05) -> np.ndarray:
    points = center + spread * rng.standard_normal((count, center.size))
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def test_previous_proposals_keep_their_units_and_take_in_close_new_ones_only():
    rng = np.random.default_rng(0)
    centers = np.eye(8)[:3]
    old_a, old_b, new_a, far = (_blob(centers[0], 10, rng), _blob(centers[1], 10, rng),
                                _blob(centers[0], 2, rng, 0.01), _blob(centers[2], 3, rng))
    vectors = np.vstack([old_a, old_b, new_a, far])
    keys = [f"k{i}" for i in range(len(vectors))]
    previous = [PreviousProposal("emerging-a", "A", frozenset(keys[:10])),
                PreviousProposal("emerging-b", "B", frozenset(keys[10:20])),
                PreviousProposal("emerging-gone", "Gone", frozenset({"vanished-1", "vanished-2", keys[22]}))]
    labels, continuing = continue_proposals(keys, vectors, previous)
    assert [p.id for p in continuing] == ["emerging-a", "emerging-b"]
    assert (labels[:10] == 0).all() and (labels[10:20] == 1).all()
    assert (labels[20:22] == 0).all()  # new comments near A's centre join A
    assert (labels[22:] == -1).all()  # the rest is left for discovery (a proposal that lost most units ends)
    only_new, _ = continue_proposals(keys, vectors, previous, new_keys={keys[20]})
    assert (only_new[20], only_new[21]) == (0, -1)  # a unit the last run left out stays out


def test_a_curated_group_is_described_from_stored_phrases_first_then_its_own_words():
    texts = ["Laptop provisioning takes three weeks for every new starter.",
             "New starters wait weeks for laptop provisioning and accounts.",
             "Laptop provisioning is slow and the accounts arrive late too.",
             "Accounts for new starters are never ready on their first day."]
    vectors = np.eye(4, 6) + 0.5
    summary, = describe_groups(texts, np.zeros(4, dtype=int), vectors,
                               stored_phrases=("laptop provisioning", "canteen menu"), prefix="")
    assert summary.key_phrases[0] == "laptop provisioning"
    assert "canteen menu" not in summary.key_phrases  # a stored phrase the group never uses is dropped
    assert len(summary.key_phrases) > 1 and summary.name == "Laptop provisioning"
    assert summary.quotes and set(summary.quotes) <= set(texts)
