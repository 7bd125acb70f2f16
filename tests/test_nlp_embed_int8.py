"""The general model runs int8 on ONNX Runtime: made offline from the fp32 export, checked against its
pinned SHA-256, named apart from fp32 vectors, and close to them; the sentiment encoder stays fp32."""

from __future__ import annotations

import csv
import json
import logging
import socket
from pathlib import Path

import numpy as np
import pytest

from nlp.embeddings import SemanticEmbedder, packaged_model_dir, quantised, semantic_backend_available
from nlp.embeddings.onnx_runtime import cached_onnx_model
from nlp.embeddings.semantic import FP32_NAME

pytestmark = pytest.mark.skipif(not semantic_backend_available(), reason="semantic backend not installed")

EVAL_DATA = Path(__file__).resolve().parent.parent / "eval" / "data"


def real_sentences(count: int = 60) -> list[str]:
    """Informal feedback sentences (half) and labelled theme sentences (half) from eval/data."""
    informal = (EVAL_DATA / "redaction_informal_dev2.jsonl").read_text(encoding="utf-8").splitlines()
    with (EVAL_DATA / "themes_labelled.csv").open(encoding="utf-8") as rows:
        themed = [row["text"] for row in csv.DictReader(rows)]
    return [json.loads(line)["text"] for line in informal[:count // 2]] + themed[:count // 2]


@pytest.fixture(scope="module")
def fp32_embedder(onnx_embedder) -> SemanticEmbedder:
    return SemanticEmbedder(backend="onnx", precision="fp32")


def cache_with_fp32_export(folder: Path) -> Path:
    """A model cache holding (a link to) the installed fp32 export, and nothing else."""
    source = cached_onnx_model(packaged_model_dir())
    folder.mkdir()
    (folder / source.name).symlink_to(source)
    return folder


@pytest.mark.slow  # exports the fp32 model into an empty cache first (~10 s)
def test_int8_model_is_made_with_no_network_in_a_fresh_cache_and_is_the_pinned_file(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network access during model loading")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    embedder = SemanticEmbedder(model_cache=tmp_path / "models")
    vectors = embedder.embed(real_sentences(4))
    assert embedder.active_backend == "onnx" and vectors.shape == (4, 384)
    (int8_file,) = (tmp_path / "models").glob(f"*-{quantised.QUANTISATION}.onnx")
    assert quantised.file_sha256(int8_file) == quantised.PINNED_SHA256 == embedder.int8_sha256
    assert int8_file.stat().st_size < 30_000_000  # a quarter of the fp32 export's 90 MB
    assert embedder.name == f"{FP32_NAME}+int8-{quantised.PINNED_SHA256[:12]}"


def test_int8_and_fp32_vectors_have_different_names(onnx_embedder, fp32_embedder):
    assert fp32_embedder.name == FP32_NAME
    assert onnx_embedder.name != fp32_embedder.name and onnx_embedder.precision == "int8"
    assert SemanticEmbedder(backend="torch").name == FP32_NAME  # torch runs fp32 whatever is asked
    unloaded = SemanticEmbedder(precision="fp32")
    assert unloaded.name == FP32_NAME and "_onnx_encoder" not in vars(unloaded)  # named without loading


def test_int8_vectors_are_close_to_fp32_vectors_on_real_sentences(onnx_embedder, fp32_embedder):
    texts = real_sentences()
    cosine = (onnx_embedder.embed(texts) * fp32_embedder.embed(texts)).sum(axis=1)
    # eval.experiments.int8_general on 1,500 sentences: mean 0.992, minimum 0.968
    assert cosine.mean() >= 0.985 and cosine.min() >= 0.96
    assert cosine.max() < 0.99999  # really the int8 file, not the fp32 one


def test_int8_vectors_move_little_with_the_batch_and_keep_their_rows(onnx_embedder):
    """Dynamic quantisation scales activations per batch, so a text's int8 vector depends a little
    on the texts embedded with it (fp32 ones do not: test_nlp_embed.py)."""
    texts = real_sentences(20)
    together = onnx_embedder.embed(texts)
    alone = np.vstack([onnx_embedder.embed([text]) for text in texts])
    similarity = together @ alone.T
    assert np.diag(similarity).min() >= 0.97
    assert (similarity.argmax(axis=1) == np.arange(len(texts))).all()
    assert np.array_equal(onnx_embedder.embed(texts), together)  # same batch, same vectors


def test_an_int8_file_that_is_not_the_pinned_one_is_never_used(tmp_path, monkeypatch, caplog, fp32_embedder):
    cache = cache_with_fp32_export(tmp_path / "models")
    monkeypatch.setattr(quantised, "PINNED_SHA256", "0" * 64)  # as if other library versions made it
    embedder = SemanticEmbedder(model_cache=cache)
    texts = real_sentences(6)
    with caplog.at_level(logging.WARNING, logger="nlp.embeddings.semantic"):
        vectors = embedder.embed(texts)
        embedder.embed(texts[:2])
    (notice,) = caplog.records
    assert "not the pinned" in notice.getMessage() and "fp32 model on ONNX Runtime" in notice.getMessage()
    assert embedder.active_backend == "onnx" and embedder.name == FP32_NAME
    assert np.abs(vectors - fp32_embedder.embed(texts)).max() < 1e-6
    assert not list(cache.glob(f"*-{quantised.QUANTISATION}.onnx"))  # the mismatching file is removed


def test_a_damaged_int8_file_in_the_cache_is_made_again(tmp_path, onnx_embedder):
    cache = cache_with_fp32_export(tmp_path / "models")
    source = next(cache.iterdir())
    damaged = source.with_name(f"{source.stem}-{quantised.QUANTISATION}.onnx")
    damaged.write_bytes(b"not a model")
    embedder = SemanticEmbedder(model_cache=cache)
    texts = real_sentences(6)
    assert np.array_equal(embedder.embed(texts), onnx_embedder.embed(texts))
    assert quantised.file_sha256(damaged) == quantised.PINNED_SHA256
    assert embedder.name == onnx_embedder.name


def test_the_sentiment_encoder_stays_fp32(onnx_embedder):
    from nlp.sentiment.encoder import ADAPTER_PATH, SentimentLogits, sentiment_embedder

    encoder = sentiment_embedder()
    assert encoder.precision == "fp32" and "+int8" not in encoder.name
    assert SentimentLogits().name == f"{encoder.name}+head+canonical"
    assert encoder.name.startswith(f"{FP32_NAME}+adapter-")
    with pytest.raises(ValueError, match="fp32 with an adapter"):
        SemanticEmbedder(adapter=ADAPTER_PATH, precision="int8")
    with pytest.raises(ValueError, match="precision"):
        SemanticEmbedder(precision="int4")
