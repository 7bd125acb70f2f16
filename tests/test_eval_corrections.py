"""The learning-curve script draws balanced corrections and calls a fall only beyond noise."""

from __future__ import annotations

import numpy as np

from eval.corrections import draw_corrections, verdict


def test_corrections_are_drawn_per_class_without_repeats_and_reproducibly():
    gold = np.array(["negative"] * 30 + ["neutral"] * 50 + ["positive"] * 20)
    drawn = draw_corrections(gold, 8, seed=3)
    assert len(set(drawn)) == 24
    assert {label: int(np.sum(gold[drawn] == label)) for label in ("negative", "neutral", "positive")} == {
        "negative": 8, "neutral": 8, "positive": 8}
    np.testing.assert_array_equal(drawn, draw_corrections(gold, 8, seed=3))
    assert not np.array_equal(drawn, draw_corrections(gold, 8, seed=4))


def test_the_verdict_separates_rises_noise_and_falls():
    assert verdict(np.array([0.03, 0.04, 0.05, 0.04, 0.035])) == "rises"
    assert verdict(np.array([0.02, -0.02, 0.01, -0.01, 0.0])) == "holds"
    assert verdict(np.array([-0.002, -0.003, -0.001, -0.002, -0.004])) == "holds"
    assert verdict(np.array([-0.03, -0.04, -0.05, -0.04, -0.035])) == "FALLS"


def test_the_simulation_rises_where_the_shipped_model_misreads_a_topic_and_holds_where_it_fits():
    from eval.corrections import simulate
    from nlp.sentiment.adaptation import head_inputs

    rng = np.random.default_rng(5)
    topics = np.repeat(np.eye(16)[:3], 80, axis=0) + 0.2 * rng.normal(size=(240, 16)) / 4
    gold = np.array(["negative"] * 80 + ["neutral"] * 80 + ["positive"] * 80)
    fits = head_inputs(topics, np.repeat([-0.5, 0.0, 0.5], 80))
    misreads = head_inputs(topics, np.repeat([-0.5, 0.0, 0.0], 80))  # calls every positive neutral
    held = simulate(fits, gold, 8, seeds=3)
    np.testing.assert_array_equal(held["after_accuracy"], held["before_accuracy"])
    assert not held["adapted"].any()
    rose = simulate(misreads, gold, 8, seeds=3)
    assert rose["adapted"].all() and np.all(rose["after_accuracy"] - rose["before_accuracy"] > 0.2)
