"""The sentiment encoder: MiniLM with the shipped domain adapter merged in, on ONNX Runtime or torch,
and its three-class head, whose logits the semantic sentiment model reads."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.embeddings import SemanticEmbedder, semantic_backend_available
from nlp.embeddings.adapter import adapter_digest
from nlp.errors import SentimentModelError
from nlp.sentiment import score_sentiment, storage
from nlp.sentiment.encoder import (
    ADAPTER_PATH,
    HEAD_WIDTH,
    SentimentLogits,
    semantic_features,
    sentiment_embedder,
    sentiment_logits,
    sentiment_vectors,
)

pytestmark = pytest.mark.skipif(not semantic_backend_available(), reason="semantic backend not installed")

TEXTS = [
    "No complaints this quarter.",
    "The data migration took seven months.",
    "Helpful but understaffed.",
    "Kudos to the team for a smooth go-live!",
    "The steering committee meets on Tuesdays.",
]


def test_sentiment_vectors_come_from_the_adapted_model(semantic_embedder):
    vectors = sentiment_vectors(TEXTS)
    assert np.array_equal(sentiment_vectors([text.rstrip(".!") + "  " for text in TEXTS]), vectors)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert sentiment_embedder().name.endswith(f"+adapter-{adapter_digest(ADAPTER_PATH)}")
    assert sentiment_embedder().name != semantic_embedder.name  # cached vectors never mix
    general = semantic_embedder.embed(TEXTS)
    assert (vectors * general).sum(axis=1).max() < 0.95


def test_adapted_vectors_group_by_sentiment_not_by_wording():
    """"No complaints" sits nearer praise than complaints once the adapter is merged."""
    no_complaints, complaint, praise = sentiment_vectors(
        ["No complaints this quarter.", "Complaints about the service desk again this quarter.",
         "The service desk was brilliant this quarter."])
    assert no_complaints @ praise > no_complaints @ complaint


def test_head_logits_read_the_issue_examples_by_their_meaning():
    """The cases general sentence vectors get wrong, read by the adapted encoder's head alone."""
    logits = sentiment_logits(["No complaints this quarter.", "The data migration took seven months.",
                               "Kudos to the team for a smooth go-live!"])
    assert logits.shape == (3, HEAD_WIDTH) and logits.dtype == np.float32
    assert list(logits.argmax(axis=1)) == [2, 0, 2]  # negative, neutral, positive columns


def test_semantic_features_are_the_general_vectors_then_the_logits(semantic_embedder):
    general = semantic_embedder.embed(TEXTS)
    features = semantic_features(TEXTS, general)
    assert features.shape == (len(TEXTS), 384 + HEAD_WIDTH)
    assert np.array_equal(features[:, :384], general)
    assert features[:, 384:] == pytest.approx(sentiment_logits(TEXTS), abs=1e-5)
    assert semantic_features(TEXTS) == pytest.approx(features, abs=1e-5)  # computes the general ones
    assert SentimentLogits().name == f"{sentiment_embedder().name}+head+canonical"


@pytest.mark.slow  # loads the torch backend and, on a fresh machine, exports the adapted model
def test_onnx_and_torch_backends_give_the_same_sentiment_vectors():
    onnx = sentiment_embedder()
    if onnx.active_backend != "onnx":
        pytest.skip("onnxruntime backend not available")
    torch_vectors = SemanticEmbedder(backend="torch", adapter=ADAPTER_PATH).embed(TEXTS)
    assert (onnx.embed(TEXTS) * torch_vectors).sum(axis=1).min() >= 0.99999


def test_a_model_trained_on_other_vectors_is_refused(tmp_path, monkeypatch):
    stale = storage.load_shipped_model("semantic")
    path = tmp_path / "model_semantic.npz"
    storage.save_model(stale, path, metadata={**stale.metadata_,
                                              "vectors": "all-MiniLM-L6-v2@an-older-adapter+head"})
    monkeypatch.setitem(storage.SHIPPED_MODELS, "semantic", path)
    storage.load_shipped_model.cache_clear()
    try:
        with pytest.raises(SentimentModelError, match="retrain"):
            score_sentiment(["The service desk ignored my ticket."])
    finally:
        storage.load_shipped_model.cache_clear()


def test_cross_fitted_vectors_are_keyed_by_rows_and_settings(monkeypatch):
    from nlp.sentiment.training import finetune

    texts, labels = ("Great work.", "Slow again."), ("positive", "negative")
    first = finetune.crossfit_path(texts, labels)
    assert finetune.crossfit_path(texts, labels) == first
    assert finetune.crossfit_path(texts, ("positive", "neutral")) != first
    monkeypatch.setattr(finetune, "RANK", finetune.RANK * 2)
    assert finetune.crossfit_path(texts, labels) != first
