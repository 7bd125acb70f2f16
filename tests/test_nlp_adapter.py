"""Low-rank adapters: a saved adapter merged into plain weights (torch or an ONNX export) gives the
trained model's vectors, the export cache is keyed by the adapter, and a foreign adapter is refused."""

from __future__ import annotations

import numpy as np
import pytest
from test_nlp_embed import make_tiny_bert, tiny_bert_mean_pooled

from nlp.embeddings import semantic_backend_available
from nlp.embeddings.adapter import adapter_digest, add_lora, average_adapters, merge_adapter, save_adapter
from nlp.embeddings.onnx_runtime import OnnxSentenceEncoder, cached_onnx_model

pytestmark = pytest.mark.skipif(not semantic_backend_available(), reason="torch not installed")

TEXTS = ["The service desk never calls back.", "No complaints this quarter.", "Great, another outage."]


def trained_tiny_adapter(model_dir, path, seed=3):
    """Wrap a tiny BERT in LoRA, move every trainable parameter as training would, save the adapter.

    Returns the adapted model's own mean-pooled vectors of :data:`TEXTS`.
    """
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(seed)
    transformer = AutoModel.from_pretrained(str(model_dir))
    trainable = add_lora(transformer, rank=4, alpha=8.0)
    with torch.no_grad():
        for parameter in trainable:
            parameter.add_(torch.randn_like(parameter) * 0.2)
    save_adapter(transformer.eval(), path, "test")
    batch = AutoTokenizer.from_pretrained(str(model_dir))(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = transformer(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def test_only_adapter_factors_biases_and_layer_norms_train(tmp_path):
    from transformers import AutoModel

    transformer = AutoModel.from_pretrained(str(make_tiny_bert(tmp_path / "model", seed=1)))
    trainable = {id(parameter) for parameter in add_lora(transformer, rank=4, alpha=8.0)}
    names = [name for name, parameter in transformer.named_parameters() if id(parameter) in trainable]
    assert names and all(".lora_" in name or name.endswith("bias") or "LayerNorm" in name for name in names)
    assert not any(name.startswith("embeddings.") for name in names)
    assert not any(name.endswith("base.weight") for name in names)


def test_merged_adapter_reproduces_the_adapted_model_in_torch_and_onnx(tmp_path):
    from transformers import AutoModel

    model_dir = make_tiny_bert(tmp_path / "model", seed=1)
    adapter = tmp_path / "adapter.npz"
    expected = trained_tiny_adapter(model_dir, adapter)

    merged = AutoModel.from_pretrained(str(model_dir))
    merge_adapter(merged, adapter)
    merged.save_pretrained(str(tmp_path / "merged"))
    for name in ("tokenizer.json", "sentence_bert_config.json"):
        (tmp_path / "merged" / name).write_bytes((model_dir / name).read_bytes())
    assert (tiny_bert_mean_pooled(tmp_path / "merged", TEXTS) * expected).sum(axis=1).min() > 0.9999
    base = tiny_bert_mean_pooled(model_dir, TEXTS)
    assert (base * expected).sum(axis=1).min() < 0.99  # the adapter does change the vectors

    cache = tmp_path / "cache"
    exported = cached_onnx_model(model_dir, cache, adapter)
    assert exported.name.endswith(f"-adapter-{adapter_digest(adapter)}.onnx")
    onnx_vectors = OnnxSentenceEncoder(model_dir, cache_dir=cache, adapter=adapter).encode(TEXTS)
    assert (onnx_vectors * expected).sum(axis=1).min() > 0.9999
    plain = OnnxSentenceEncoder(model_dir, cache_dir=cache).encode(TEXTS)
    assert (plain * base).sum(axis=1).min() > 0.9999  # the plain export is a separate cache entry
    assert len(list(cache.iterdir())) == 2


def test_an_adapter_for_another_architecture_is_refused(tmp_path):
    from transformers import AutoModel

    adapter = tmp_path / "adapter.npz"
    trained_tiny_adapter(make_tiny_bert(tmp_path / "small", seed=1), adapter)
    other = AutoModel.from_pretrained(str(make_tiny_bert(tmp_path / "other", seed=1)))
    other.encoder.layer = other.encoder.layer[:1]  # one layer: the second layer's names are missing
    with pytest.raises(ValueError, match="does not have"):
        merge_adapter(other, adapter)


def test_an_averaged_adapter_changes_each_weight_by_the_weighted_mean_of_the_changes(tmp_path):
    """Weight-space averaging (WiSE-FT): merged, ``average_adapters([A, B], [1, 3])`` moves every
    parameter of the base model by a quarter of A's change plus three quarters of B's."""
    from transformers import AutoModel

    model_dir = make_tiny_bert(tmp_path / "model", seed=1)
    first, second, averaged = tmp_path / "a.npz", tmp_path / "b.npz", tmp_path / "avg.npz"
    trained_tiny_adapter(model_dir, first, seed=3)
    trained_tiny_adapter(model_dir, second, seed=4)
    average_adapters([first, second], [1.0, 3.0], averaged, "test")

    models = {}
    for name, adapter in (("a", first), ("b", second), ("avg", averaged), ("base", None)):
        models[name] = AutoModel.from_pretrained(str(model_dir))
        if adapter is not None:
            merge_adapter(models[name], adapter)
    parameters = {name: dict(model.named_parameters()) for name, model in models.items()}
    moved = 0
    for name, value in parameters["avg"].items():
        expected = 0.25 * parameters["a"][name].detach() + 0.75 * parameters["b"][name].detach()
        assert np.allclose(value.detach().numpy(), expected.numpy(), atol=2e-3), name
        moved += not np.allclose(value.detach().numpy(), parameters["base"][name].detach().numpy())
    assert moved > 10  # the averaged adapter does change the model
    with np.load(averaged) as stored:  # the factors are stacked: rank 4 + 4
        assert stored["encoder.layer.0.attention.self.query.lora_a"].shape[0] == 8


def test_adapters_that_change_different_parameters_are_not_averaged(tmp_path):
    model_dir = make_tiny_bert(tmp_path / "model", seed=1)
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    trained_tiny_adapter(model_dir, first)
    trained_tiny_adapter(model_dir, second, seed=4)
    with np.load(second) as stored:
        arrays = {key: stored[key] for key in stored.files if not key.endswith("LayerNorm.bias")}
    np.savez(second, **arrays)
    with pytest.raises(ValueError, match="do not change the same parameters"):
        average_adapters([first, second], [0.5, 0.5], tmp_path / "avg.npz")
    with pytest.raises(ValueError, match="one weight per adapter"):
        average_adapters([first], [0.5, 0.5], tmp_path / "avg.npz")
