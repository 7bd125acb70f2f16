"""BRM corrections adapt a per-survey head that moves away from the shipped model only on evidence."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from nlp.errors import SentimentModelError
from nlp.sentiment.adaptation import (
    CorrectionAdapter,
    HeadInputs,
    adapt_sentiment,
    head_inputs,
    prior_logits,
    three_class_of,
)
from nlp.sentiment.labels import LABEL_BANDS, sentiment_label, three_class


def unit_rows(rng: np.random.Generator, centre: np.ndarray, count: int, spread: float = 0.3) -> np.ndarray:
    rows = centre + spread * rng.normal(size=(count, centre.size)) / np.sqrt(centre.size)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture
def survey() -> dict:
    """Two topics; the shipped model calls both positive, but people mean topic B negatively."""
    rng = np.random.default_rng(3)
    width = 32
    topic_a, topic_b = np.eye(width)[0], np.eye(width)[1]
    vectors = np.vstack([unit_rows(rng, topic_a, 60), unit_rows(rng, topic_b, 60)])
    scores = np.concatenate([rng.uniform(0.3, 0.5, 60), rng.uniform(0.3, 0.5, 60)])
    truth = ["positive"] * 60 + ["negative"] * 60
    return {"vectors": vectors, "scores": scores, "truth": truth, "inputs": head_inputs(vectors, scores)}


def test_no_corrections_returns_the_shipped_outputs_unchanged(survey):
    adapted = adapt_sentiment(survey["inputs"], survey["scores"], {})
    assert adapted.scores == tuple(float(score) for score in survey["scores"])
    assert adapted.labels == tuple(sentiment_label(float(score)) for score in survey["scores"])
    assert adapted.n_corrections == 0 and not any(adapted.corrected) and not any(adapted.changed)
    assert not adapted.adapted


def test_corrections_teach_the_head_about_similar_uncorrected_units(survey):
    corrections = {**{row: "negative" for row in range(60, 68)}, **{row: "positive" for row in range(8)}}
    adapted = adapt_sentiment(survey["inputs"], survey["scores"], corrections)
    assert adapted.adapted, "8 of 8 corrections of topic B contradict the shipped model: the gate opens"
    rest = [row for row in range(120) if row not in corrections]
    learned = [three_class(adapted.scores[row]) == survey["truth"][row] for row in rest]
    assert np.mean(learned) > 0.95
    assert all(adapted.labels[row] in ("positive", "very positive") for row in range(8, 60))
    assert adapted.n_corrections == 16 and sum(adapted.corrected) == 16


def test_a_corrected_unit_always_carries_the_brms_label_including_very(survey):
    corrections = {0: "very negative", 1: "neutral", 60: "very positive", 61: "positive"}
    adapted = adapt_sentiment(survey["inputs"], survey["scores"], corrections)
    for row, label in corrections.items():
        assert adapted.labels[row] == label and adapted.corrected[row]
        assert sentiment_label(adapted.scores[row]) == label
    assert adapted.scores[61] == survey["scores"][61], "a shipped score that already fits is kept"


def test_the_gate_keeps_the_shipped_model_when_corrections_confirm_it(survey):
    corrections = {row: "positive" for row in [*range(10), *range(60, 70)]}
    adapted = adapt_sentiment(survey["inputs"], survey["scores"], corrections)
    assert not adapted.adapted and not any(adapted.changed)


def test_the_gate_keeps_the_shipped_model_on_too_few_or_noisy_corrections(survey):
    """One contradicting correction cannot be cross-validated; a few contradicting corrections among
    many confirming ones are within noise: neither moves an uncorrected label."""
    single = adapt_sentiment(survey["inputs"], survey["scores"], {60: "negative"})
    assert not single.adapted and sum(single.changed) == 1
    mixed = {**{row: "positive" for row in range(60, 78)}, 78: "negative", 79: "negative"}
    noisy = adapt_sentiment(survey["inputs"], survey["scores"], mixed)
    assert not noisy.adapted and sum(noisy.changed) == 2


def test_adapted_scores_lie_in_their_labels_band(survey):
    corrections = {row: "negative" for row in range(60, 72)}
    adapted = adapt_sentiment(survey["inputs"], survey["scores"], corrections)
    for score, label in zip(adapted.scores, adapted.labels, strict=True):
        low, high = LABEL_BANDS[label.split()[-1]]
        assert low <= score <= high


def test_the_prior_alone_reproduces_the_shipped_three_class_label_even_on_band_edges():
    scores = np.array([-1.0, -0.6, -0.21, -0.2, 0.0, 0.2, 0.21, 0.6, 1.0])
    labels = np.array(["negative", "neutral", "positive"])[prior_logits(scores, 5.0).argmax(axis=1)]
    assert list(labels) == [three_class(float(score)) for score in scores]


def test_a_closed_gate_predicts_the_shipped_labels(survey):
    adapter = CorrectionAdapter(C_grid=()).fit(survey["inputs"].take(range(60, 70)), ["negative"] * 10)
    assert adapter.C_ == 0.0 and not adapter.adapted_
    assert adapter.predict(survey["inputs"]) == ["positive"] * 120


def test_the_adapter_follows_scikit_learn_conventions(survey):
    adapter = CorrectionAdapter(embedding_scale=4.0, random_state=7)
    assert adapter.get_params()["embedding_scale"] == 4.0
    copy = clone(adapter)
    assert copy.get_params() == adapter.get_params() and not hasattr(copy, "coef_")
    with pytest.raises(SentimentModelError, match="not fitted"):
        adapter.predict(survey["inputs"])
    labels = ["negative"] * 10 + ["positive"] * 10
    rows = [*range(60, 70), *range(10)]
    first = adapter.fit(survey["inputs"].take(rows), labels, survey["inputs"])
    assert first is adapter and adapter.n_corrections_ == 20 and adapter.C_ in adapter.C_grid
    assert adapter.adapted_ and adapter.cv_accuracy_ > adapter.shipped_accuracy_ == 0.5
    again = clone(adapter).fit(survey["inputs"].take(rows), labels, survey["inputs"])
    np.testing.assert_allclose(again.coef_, adapter.coef_)


def test_the_head_is_a_residual_measured_from_the_survey_mean(survey):
    """No intercept (corrections drawn evenly per class are no sample of the survey's balance), and
    inputs measured from the whole survey's mean."""
    rows = [*range(60, 66), *range(6)]
    adapter = CorrectionAdapter(C_grid=(1.0,), gate_standard_errors=0.0).fit(
        survey["inputs"].take(rows), ["negative"] * 6 + ["positive"] * 6, survey["inputs"])
    np.testing.assert_allclose(adapter.vector_center_, survey["vectors"].mean(axis=0))
    assert adapter.coef_.shape == (3, 32) and np.abs(adapter.coef_).max() > 0.1
    assert not hasattr(adapter, "intercept_")


@pytest.mark.parametrize("corrections, message", [
    ({0: "angry"}, "unknown sentiment label"),
    ({500: "negative"}, "rows"),
    ({-1: "negative"}, "rows"),
])
def test_bad_corrections_raise_a_clear_error(survey, corrections, message):
    with pytest.raises(SentimentModelError, match=message):
        adapt_sentiment(survey["inputs"], survey["scores"], corrections)


def test_mismatched_inputs_raise_a_clear_error(survey):
    with pytest.raises(SentimentModelError, match="one vector per score"):
        adapt_sentiment(survey["inputs"].take(range(5)), survey["scores"], {0: "negative"})
    with pytest.raises(SentimentModelError, match="one vector, three offsets"):
        HeadInputs(survey["vectors"][:5], prior_logits(survey["scores"]), np.zeros((120, 0)))
    assert three_class_of("very positive") == "positive"
