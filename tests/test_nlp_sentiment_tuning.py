"""Out-of-fold selection of the sentiment model's label bias, blend and training settings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nlp.sentiment.features import lexical_features
from nlp.sentiment.training.corpus import read_domain_set
from nlp.sentiment.training.train import MODEL_PARAMS, TrainingSet, chosen_settings, with_domain_weight
from nlp.sentiment.training.tuning import OutOfFold, choose_class_bias, evaluate_candidate, out_of_fold

CLASSES = np.array(["negative", "neutral", "positive"])


def _training_set(rows: int = 150) -> TrainingSet:
    domain = read_domain_set("train")
    texts, labels = domain.texts[:rows], domain.labels[:rows]
    public_texts = ("lol this is awesome", "worst day ever", "meh", "love it", "hate it", "ok then",
                    "so good", "awful", "fine I guess")
    public_labels = ("positive", "negative", "neutral") * 3
    return TrainingSet(
        texts=(*texts, *public_texts), labels=(*labels, *public_labels),
        weights=np.ones(rows + 9), vectors=np.zeros((rows + 9, 4), dtype=np.float32),
        lexical=lexical_features([*texts, *public_texts]),
        targets=np.concatenate([np.full(rows, np.nan), [0.8, -0.9, 0.0, 0.7, -0.8, 0.1, 0.6, -0.7, 0.0]]),
        sources=("domain",) * rows + ("tweets",) * 9)


def test_class_bias_corrects_a_class_the_probabilities_underrate():
    rng = np.random.default_rng(0)
    gold = np.repeat(CLASSES, 100)
    proba = rng.dirichlet([1, 1, 1], size=300) * 0.2
    truth = {"negative": 0, "neutral": 1, "positive": 2}
    for row, label in enumerate(gold):
        proba[row, truth[label]] += 0.5 if label != "neutral" else 0.3  # neutral loses to noise often
    proba[gold == "neutral", 0] += 0.25
    proba /= proba.sum(axis=1, keepdims=True)
    plain = float(np.mean(CLASSES[proba.argmax(axis=1)] == gold))
    bias, accuracy = choose_class_bias(proba, gold)
    assert bias[0] == 0.0 and bias[1] > 0
    assert accuracy > plain


def test_no_bias_when_the_argmax_is_already_perfect():
    gold = np.repeat(CLASSES, 10)
    proba = np.full((30, 3), 0.1)
    proba[np.arange(30), np.repeat([0, 1, 2], 10)] = 0.8
    assert choose_class_bias(proba, gold) == ((0.0, 0.0, 0.0), 1.0)


def test_candidate_takes_the_label_from_the_biased_argmax_and_a_valid_blend():
    training = _training_set(60)
    gold = np.array(training.labels)
    proba = np.where(gold[:, None] == CLASSES, 0.7, 0.15)
    components = np.column_stack([proba[:, 2] - proba[:, 0], np.zeros(len(gold)), training.lexical[:, 0]])
    candidate = evaluate_candidate(OutOfFold(components, proba), training, MODEL_PARAMS["lexical"], 8.0)
    assert candidate.domain_accuracy == 1.0 and candidate.domain_macro_f1 == 1.0
    weights = (candidate.params["regression_weight"], candidate.params["vader_weight"])
    assert min(weights) >= 0 and sum(weights) <= 1.0 + 1e-9
    assert candidate.pearson["tweets"] > 0.9
    assert candidate.objective == pytest.approx(1.0 + candidate.pearson["tweets"])


@pytest.mark.slow
def test_out_of_fold_scores_every_row_with_a_model_that_did_not_see_it():
    training = _training_set(150)
    params = {**MODEL_PARAMS["lexical"], "n_hash_features": 1024}
    oof = out_of_fold(training, params, folds=3)
    np.testing.assert_allclose(oof.proba.sum(axis=1), 1.0)
    assert oof.components.shape == (len(training.texts), 3)
    domain = np.array(training.sources) == "domain"
    accuracy = np.mean(CLASSES[oof.proba[domain].argmax(axis=1)] == np.array(training.labels)[domain])
    assert accuracy > 0.45  # three balanced classes: chance is about 0.33


def test_domain_weight_applies_to_domain_rows_only():
    weighted = with_domain_weight(_training_set(20), 12.0)
    assert set(weighted.weights[:20]) == {12.0} and set(weighted.weights[20:]) == {1.0}


def test_chosen_settings_prefer_the_tuned_file_and_fall_back_to_defaults(tmp_path):
    path = tmp_path / "tuned.json"
    assert chosen_settings("semantic", path)["params"] == MODEL_PARAMS["semantic"]
    path.write_text(json.dumps({"semantic": {"params": {"C": 2.0, "class_bias": [0, 0.25, 0]},
                                             "domain_weight": 24.0, "public": ["tweets"]}}))
    settings = chosen_settings("semantic", path)
    assert settings["params"]["C"] == 2.0 and settings["params"]["class_bias"] == [0, 0.25, 0]
    assert settings["params"]["text_features"] == MODEL_PARAMS["semantic"]["text_features"]
    assert settings["domain_weight"] == 24.0 and settings["public"] == ["tweets"]
    assert chosen_settings("lexical", path)["params"] == MODEL_PARAMS["lexical"]
