"""The three-class label comes from the classifier, and the score always lies in that label's band."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.errors import SentimentModelError
from nlp.sentiment import load_shipped_model, score_sentiment, sentiment_label
from nlp.sentiment.encoder import sentiment_logits
from nlp.sentiment.labels import LABEL_BANDS, score_within_label, three_class
from nlp.sentiment.model import SentimentModel

#: Plain cases whose class no reasonable model gets wrong.
EASY_EXAMPLES = {
    "The service desk was quick, friendly and fixed my laptop in ten minutes.": "positive",
    "Thank you, the new reporting tool is excellent.": "positive",
    "The outage lasted two days and nobody told us anything.": "negative",
    "The project was late, over budget and nobody listened to us.": "negative",
    "The steering meeting is on Tuesday.": "neutral",
}
BATCH = [
    *EASY_EXAMPLES, "Helpful but understaffed.", "Great, another outage.", "No complaints this quarter.",
    "Could be worse, I suppose.", "They treat us as an internal customer.", "ok", "",
    "We were consulted early and the plan changed because of our input.",
]


def test_score_within_label_keeps_agreeing_scores_and_clips_the_others():
    scores = np.array([-0.9, 0.5, 0.1, 0.9, -0.5, 0.0, -0.05, 0.7])
    labels = np.array(["negative", "negative", "neutral", "neutral", "positive", "positive", "neutral",
                       "positive"])
    moved = score_within_label(scores, labels)
    assert [three_class(score) for score in moved] == list(labels)
    np.testing.assert_allclose(moved[[0, 2, 6, 7]], scores[[0, 2, 6, 7]])
    assert moved[1] == LABEL_BANDS["negative"][1] and moved[3] == LABEL_BANDS["neutral"][1]
    assert moved[4] == moved[5] == LABEL_BANDS["positive"][0]


def test_label_bands_sit_inside_the_five_level_cut_points():
    assert sentiment_label(LABEL_BANDS["negative"][1]) == "negative"
    assert sentiment_label(LABEL_BANDS["positive"][0]) == "positive"
    assert {sentiment_label(bound) for bound in LABEL_BANDS["neutral"]} == {"neutral"}


def test_lexical_label_agrees_with_the_score_on_a_batch():
    _assert_label_agrees_with_score("lexical", None)


@pytest.mark.slow
def test_semantic_label_agrees_with_the_score_on_a_batch(semantic_embedder):
    _assert_label_agrees_with_score("semantic", sentiment_logits(BATCH))


def test_semantic_model_refuses_vectors_without_the_sentiment_logits(semantic_embedder):
    with pytest.raises(SentimentModelError, match="sentiment_logits"):
        load_shipped_model("semantic").features(BATCH, semantic_embedder.embed(BATCH))


def _assert_label_agrees_with_score(kind, vectors):
    model = load_shipped_model(kind)
    features = model.features(BATCH, vectors)
    labels = model.predict(features).tolist()
    scores = model.sentiment_scores(features)
    assert [three_class(score) for score in scores] == labels
    assert all(score < 0 for score, label in zip(scores, labels, strict=True) if label == "negative")
    assert all(score > 0 for score, label in zip(scores, labels, strict=True) if label == "positive")


@pytest.mark.slow
def test_shipped_models_get_the_easy_examples_right(semantic_embedder):
    texts = list(EASY_EXAMPLES)
    expected = list(EASY_EXAMPLES.values())
    vectors = semantic_embedder.embed(texts)
    semantic, lexical = load_shipped_model("semantic"), load_shipped_model("lexical")
    assert semantic.predict(semantic.features(texts, sentiment_logits(texts))).tolist() == expected
    assert [three_class(score) for score in score_sentiment(texts, vectors)] == expected
    assert lexical.predict(lexical.features(texts)).tolist() == expected


def test_class_bias_moves_the_argmax_and_the_score_follows():
    texts = [f"alpha item {i}" for i in range(15)] + [f"beta item {i}" for i in range(15)] + [
        f"gamma item {i}" for i in range(15)]
    labels = ["negative"] * 15 + ["neutral"] * 15 + ["positive"] * 15
    model = SentimentModel(text_features="hashed_ngrams", C=0.01)
    model.fit(model.features(texts), labels)
    probe = model.features(["delta item"])  # unseen words: probabilities near a third each
    model.set_params(class_bias=(0.0, 0.0, 5.0))
    assert model.predict(probe).tolist() == ["positive"] and model.sentiment_scores(probe)[0] > 0.2
    model.set_params(class_bias=(5.0, 0.0, 0.0))
    assert model.predict(probe).tolist() == ["negative"] and model.sentiment_scores(probe)[0] < -0.2
