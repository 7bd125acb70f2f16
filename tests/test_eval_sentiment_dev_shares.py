"""The dev share check's figures: shares, per-gold-class rates and the mix-free lean."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eval.experiments.sentiment_dev_shares import parse_model, share_figures


def test_a_model_that_reads_some_neutral_rows_negative_shows_it_whatever_the_class_mix():
    # 10 negative, 20 neutral, 10 positive; 5 of the neutral rows read negative
    gold = np.array(["negative"] * 10 + ["neutral"] * 20 + ["positive"] * 10)
    predicted = gold.copy()
    predicted[10:15] = "negative"
    figures = share_figures(gold, predicted)
    assert figures["gold"] == pytest.approx([25.0, 50.0, 25.0])
    assert figures["predicted"] == pytest.approx([37.5, 37.5, 25.0])
    assert figures["rates"][1, 0] == pytest.approx(25.0)  # neutral read negative
    assert figures["macro_recall"] == pytest.approx((1 + 0.75 + 1) / 3)
    assert figures["accuracy"] == pytest.approx(35 / 40)
    # on a balanced mix the model would predict 33.3 + 8.3 negative: the lean does not see the mix
    assert figures["lean"] == pytest.approx([25 / 3, -25 / 3, 0.0])
    doubled = np.concatenate([gold, gold[10:30]]), np.concatenate([predicted, predicted[10:30]])
    assert share_figures(*doubled)["lean"] == pytest.approx(figures["lean"])
    assert share_figures(*doubled)["predicted"][0] != pytest.approx(figures["predicted"][0])


def test_a_perfect_model_has_no_lean_and_a_missing_class_is_left_out_of_it():
    gold = np.array(["negative", "neutral", "neutral", "positive"])
    assert share_figures(gold, gold.copy())["lean"] == pytest.approx([0.0, 0.0, 0.0])
    two_classes = share_figures(np.array(["negative", "positive"]), np.array(["negative", "negative"]))
    assert np.isnan(two_classes["rates"][1]).all() and two_classes["macro_recall"] == pytest.approx(0.5)
    assert two_classes["lean"] == pytest.approx([100 * (1 - 1 / 3), -100 / 3, -100 / 3])


def test_a_model_argument_names_its_adapter_and_defaults_the_head_next_to_it():
    assert parse_model("s300=ck/adapter-step300.npz") == (
        "s300", Path("ck/adapter-step300.npz"), Path("ck/adapter-step300.model_semantic.npz"), None)
    assert parse_model("b=ck/a.npz,ck/head.npz") == ("b", Path("ck/a.npz"), Path("ck/head.npz"), None)
    assert parse_model("c=ck/a.npz@-0.3:0:0.1") == (
        "c", Path("ck/a.npz"), Path("ck/a.model_semantic.npz"), (-0.3, 0.0, 0.1))
