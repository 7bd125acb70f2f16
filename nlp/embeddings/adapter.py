"""Low-rank adapters (LoRA) for the MiniLM encoder: train-time modules, storage and merging.

An adapter file (``.npz``, no pickles) holds, per adapted linear layer ``NAME`` of the
``transformers`` model, the low-rank factors ``NAME.lora_a`` (rank x in) and ``NAME.lora_b``
(out x rank, already multiplied by the LoRA scale), and, for any other parameter that was trained
(biases, layer norms), its full new value under the parameter's own name; optionally a task head
(``__head__*``) that is not part of the transformer. Merging adds
``lora_b @ lora_a`` to ``NAME.weight`` and copies the rest, so inference costs the same as the base
model. torch is imported only by the functions that need it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch
    from transformers import BertModel

#: The linear layers of each BERT layer that get low-rank factors.
ADAPTED_LINEARS = ("attention.self.query", "attention.self.key", "attention.self.value",
                   "attention.output.dense", "intermediate.dense", "output.dense")


def adapter_digest(path: Path) -> str:
    """Twelve hex digits of the SHA-256 of an adapter file: part of cache keys."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def add_lora(transformer: BertModel, rank: int, alpha: float,
             dropout: float = 0.1) -> list[torch.nn.Parameter]:
    """Freeze ``transformer`` and wrap its encoder layers' linears in trainable LoRA modules.

    Biases and layer norms inside the encoder layers stay trainable (they are small).

    Returns
    -------
    list of torch.nn.Parameter
        The trainable parameters.
    """
    import torch

    class LoraLinear(torch.nn.Module):
        """``base(x) + scale * B A dropout(x)`` with ``B`` starting at zero."""

        def __init__(self, base: torch.nn.Linear) -> None:
            super().__init__()
            self.base = base
            self.lora_a = torch.nn.Parameter(torch.empty(rank, base.in_features))
            self.lora_b = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            torch.nn.init.kaiming_uniform_(self.lora_a, a=5 ** 0.5)
            self.scale = alpha / rank
            self.dropout = torch.nn.Dropout(dropout)

        def forward(self, inputs: torch.Tensor) -> torch.Tensor:
            return self.base(inputs) + self.dropout(inputs) @ self.lora_a.T @ self.lora_b.T * self.scale

    for parameter in transformer.parameters():
        parameter.requires_grad_(False)
    for layer in transformer.encoder.layer:
        for name in ADAPTED_LINEARS:
            owner_name, attribute = name.rsplit(".", 1)
            owner = layer.get_submodule(owner_name)
            setattr(owner, attribute, LoraLinear(getattr(owner, attribute)))
        for name, parameter in layer.named_parameters():
            if name.endswith("bias") or "LayerNorm" in name:
                parameter.requires_grad_(True)
    return [parameter for parameter in transformer.parameters() if parameter.requires_grad]


def adapter_arrays(transformer: torch.nn.Module) -> dict[str, np.ndarray]:
    """The trained parts of a model prepared by :func:`add_lora`, keyed as in an adapter file."""
    arrays: dict[str, np.ndarray] = {}
    for name, module in transformer.named_modules():
        if hasattr(module, "lora_a"):
            arrays[f"{name}.lora_a"] = module.lora_a.detach().numpy().astype(np.float16)
            arrays[f"{name}.lora_b"] = (module.lora_b.detach() * module.scale).numpy().astype(np.float16)
    for name, parameter in transformer.named_parameters():
        if parameter.requires_grad and ".lora_" not in name:
            arrays[name.replace(".base.", ".")] = parameter.detach().numpy().astype(np.float32)
    return arrays


def save_adapter(transformer: torch.nn.Module, path: Path, metadata: str = "",
                 head: dict[str, np.ndarray] | None = None) -> None:
    """Write the adapter of a model prepared by :func:`add_lora` to ``path`` (``.npz``).

    ``head`` arrays (e.g. a classifier's ``weight`` and ``bias``) are stored as ``__head__<name>``
    and read back by :func:`read_head`; merging ignores them.
    """
    arrays: dict[str, np.ndarray] = {
        **adapter_arrays(transformer),
        **{f"__head__{name}": np.asarray(value, dtype=np.float32) for name, value in (head or {}).items()},
        "__metadata__": np.array(metadata),
    }
    np.savez_compressed(path, allow_pickle=False, **arrays)


def average_adapters(paths: Sequence[Path], weights: Sequence[float], out: Path, metadata: str = "") -> None:
    """Write to ``out`` the weighted average of adapters of the same model (a weight-space ensemble:
    WiSE-FT, model soups): merged, it changes every weight by the weighted mean of their changes.

    The low-rank factors are stacked, not averaged (``[A1; A2]`` and ``[w1 B1, w2 B2]`` multiply to
    ``w1 B1 A1 + w2 B2 A2``), so the rank is the sum of theirs; full values (biases, layer norms) and
    the head are averaged. Every adapter must change the same parameters (a full value one of them
    leaves out would have to be averaged with the base model's, which an adapter file does not hold).
    """
    if len(paths) != len(weights) or not paths:
        raise ValueError("give one weight per adapter, and at least one adapter")
    stored = [dict(np.load(path, allow_pickle=False)) for path in paths]
    keys = {key for arrays in stored for key in arrays if key != "__metadata__"}
    if any(set(arrays) - {"__metadata__"} != keys for arrays in stored):
        raise ValueError(f"the adapters {[str(path) for path in paths]} do not change the same parameters")
    shares = np.asarray(weights, dtype=np.float32) / np.sum(weights)
    averaged: dict[str, np.ndarray] = {"__metadata__": np.array(metadata)}
    for key in sorted(keys):
        values = [arrays[key].astype(np.float32) for arrays in stored]
        if key.endswith(".lora_a"):  # stacked as they are; the weights go on the b factors
            averaged[key] = np.concatenate(values, axis=0).astype(np.float16)
            continue
        weighted = [share * value for share, value in zip(shares, values, strict=True)]
        if key.endswith(".lora_b"):
            averaged[key] = np.concatenate(weighted, axis=1).astype(np.float16)
        else:
            averaged[key] = np.sum(weighted, axis=0)
    np.savez_compressed(out, allow_pickle=False, **averaged)


def read_head(path: Path) -> dict[str, np.ndarray]:
    """The ``head`` arrays stored by :func:`save_adapter`, by name."""
    with np.load(path, allow_pickle=False) as stored:
        return {key.removeprefix("__head__"): stored[key]
                for key in stored.files if key.startswith("__head__")}


def merge_adapter(transformer: torch.nn.Module, path: Path) -> None:
    """Merge the adapter at ``path`` into a plain ``transformers`` model's weights, in place.

    Raises
    ------
    ValueError
        If the adapter names a parameter the model does not have, or one of another shape (it was
        trained for another architecture).
    """
    import torch

    with np.load(path, allow_pickle=False) as stored, torch.no_grad():
        for name, value, added in _parameter_updates(stored):
            try:
                parameter = transformer.get_parameter(name)
            except AttributeError as error:
                raise ValueError(f"adapter {path} changes {name}, which this model does not have") from error
            if tuple(parameter.shape) != value.shape:
                raise ValueError(f"adapter {path} has shape {value.shape} for {name}, the model "
                                 f"{tuple(parameter.shape)}")
            (parameter.add_ if added else parameter.copy_)(torch.from_numpy(value))


def _parameter_updates(stored: np.lib.npyio.NpzFile) -> Iterator[tuple[str, np.ndarray, bool]]:
    """(parameter name, float32 value, whether the value is added) for each change in an adapter file."""
    for key in stored.files:
        if key.endswith(".lora_a"):
            base = key.removesuffix(".lora_a")
            delta = stored[f"{base}.lora_b"].astype(np.float32) @ stored[key].astype(np.float32)
            yield f"{base}.weight", delta, True
        elif not key.startswith("__") and not key.endswith(".lora_b"):
            yield key, stored[key].astype(np.float32), False
