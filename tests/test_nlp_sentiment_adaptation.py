"""BRM corrections adapt a per-survey head that moves away from the shipped model only on evidence."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from nlp.errors import SentimentModelError
from nlp.sentiment.adaptation import (
    CorrectionAdapter,
    adapt_sentiment,
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
    return {"vectors": vectors, "scores": scores, "truth": truth}


def test_no_corrections_returns_the_shipped_outputs_unchanged(survey):
    adapted = adapt_sentiment(survey["vectors"], survey["scores"], {})
    assert adapted.scores == tuple(float(score) for score in survey["scores"])
    assert adapted.labels == tuple(sentiment_label(float(score)) for score in survey["scores"])
    assert adapted.n_corrections == 0 and not any(adapted.corrected) and not any(adapted.changed)


def test_corrections_teach_the_head_about_similar_uncorrected_units(survey):
    corrections = {**{row: "negative" for row in range(60, 68)}, **{row: "positive" for row in range(8)}}
    adapted = adapt_sentiment(survey["vectors"], survey["scores"], corrections)
    rest = [row for row in range(120) if row not in corrections]
    learned = [three_class(adapted.scores[row]) == survey["truth"][row] for row in rest]
    assert np.mean(learned) > 0.95
    assert all(adapted.labels[row] == "positive" or adapted.labels[row] == "very positive"
               for row in range(8, 60))
    assert adapted.n_corrections == 16 and sum(adapted.corrected) == 16


def test_a_corrected_unit_always_carries_the_brms_label_including_very(survey):
    corrections = {0: "very negative", 1: "neutral", 60: "very positive", 61: "positive"}
    adapted = adapt_sentiment(survey["vectors"], survey["scores"], corrections)
    for row, label in corrections.items():
        assert adapted.labels[row] == label and adapted.corrected[row]
        assert sentiment_label(adapted.scores[row]) == label
    assert adapted.scores[61] == survey["scores"][61], "a shipped score that already fits is kept"


def test_corrections_that_confirm_the_shipped_model_change_no_other_label(survey):
    corrections = {row: "positive" for row in [*range(10), *range(60, 70)]}
    adapted = adapt_sentiment(survey["vectors"], survey["scores"], corrections)
    assert not any(adapted.changed)


def test_adapted_scores_lie_in_their_labels_band(survey):
    corrections = {row: "negative" for row in range(60, 72)}
    adapted = adapt_sentiment(survey["vectors"], survey["scores"], corrections)
    for score, label in zip(adapted.scores, adapted.labels, strict=True):
        low, high = LABEL_BANDS[label.split()[-1]]
        assert low <= score <= high


def test_the_prior_alone_reproduces_the_shipped_three_class_label_even_on_band_edges():
    scores = np.array([-1.0, -0.6, -0.21, -0.2, 0.0, 0.2, 0.21, 0.6, 1.0])
    labels = np.array(["negative", "neutral", "positive"])[prior_logits(scores, 5.0).argmax(axis=1)]
    assert list(labels) == [three_class(float(score)) for score in scores]


def test_a_head_with_no_positive_C_is_the_shipped_model(survey):
    adapter = CorrectionAdapter(C_grid=(0.0,)).fit(survey["vectors"][60:70], survey["scores"][60:70],
                                                     ["negative"] * 10)
    assert adapter.C_ == 0.0
    assert adapter.predict(survey["vectors"], survey["scores"]) == ["positive"] * 120


def test_the_adapter_follows_scikit_learn_conventions(survey):
    adapter = CorrectionAdapter(prior_temperature=4.0, random_state=7)
    assert adapter.get_params()["prior_temperature"] == 4.0
    copy = clone(adapter)
    assert copy.get_params() == adapter.get_params() and not hasattr(copy, "coef_")
    with pytest.raises(SentimentModelError, match="not fitted"):
        adapter.predict(survey["vectors"], survey["scores"])
    labels = ["negative"] * 10 + ["positive"] * 10
    rows = [*range(60, 70), *range(10)]
    first = adapter.fit(survey["vectors"][rows], survey["scores"][rows], labels)
    assert first is adapter and adapter.n_corrections_ == 20 and adapter.C_ in adapter.C_grid
    again = clone(adapter).fit(survey["vectors"][rows], survey["scores"][rows], labels)
    np.testing.assert_allclose(again.coef_, adapter.coef_)


@pytest.mark.parametrize("corrections, message", [
    ({0: "angry"}, "unknown sentiment label"),
    ({500: "negative"}, "rows"),
    ({-1: "negative"}, "rows"),
])
def test_bad_corrections_raise_a_clear_error(survey, corrections, message):
    with pytest.raises(SentimentModelError, match=message):
        adapt_sentiment(survey["vectors"], survey["scores"], corrections)


def test_mismatched_inputs_raise_a_clear_error(survey):
    with pytest.raises(SentimentModelError, match="one vector per score"):
        adapt_sentiment(survey["vectors"][:5], survey["scores"], {0: "negative"})
    assert three_class_of("very positive") == "positive"


def test_the_head_is_a_residual_that_keeps_the_shipped_prior(survey):
    """Corrections drawn evenly per class are no sample of a survey the shipped model calls mostly
    positive: the default head learns no intercept (the class balance of the corrections) and
    measures vectors from the survey's mean; ``keep_prior=False`` is the older head that did."""
    rows = [*range(60, 66), *range(6)]
    labels = ["negative"] * 6 + ["positive"] * 6
    kept = CorrectionAdapter(C_grid=(1.0,)).fit(survey["vectors"][rows], survey["scores"][rows], labels,
                                                survey["vectors"])
    assert np.all(kept.intercept_ == 0.0)
    np.testing.assert_allclose(kept.center_, survey["vectors"].mean(axis=0))
    assert np.abs(kept.coef_).max() > 0.1, "the residual still learns from the corrections"
    free = CorrectionAdapter(C_grid=(1.0,), keep_prior=False).fit(survey["vectors"][rows],
                                                                  survey["scores"][rows], labels)
    assert np.abs(free.intercept_).max() > 0.1
    np.testing.assert_allclose(free.center_, survey["vectors"][rows].mean(axis=0))
