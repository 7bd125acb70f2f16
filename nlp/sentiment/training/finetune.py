"""Fine-tune MiniLM for domain sentiment with low-rank adapters.

``python -m nlp.sentiment.training.finetune [--out FILE] [--cache-dir DIR]``

The frozen, general-purpose MiniLM vectors plateau at about 0.74 out-of-fold 3-class accuracy on
the domain ``train`` rows, whatever head reads them. This script adapts the encoder itself: LoRA
factors (rank :data:`RANK`) on every linear layer of all six transformer layers, plus their biases
and layer norms, trained with a linear three-class head on mean-pooled, normalised vectors. Only
the domain ``train`` split is read.

It writes two things:

- ``nlp/data/sentiment/encoder_adapter.npz`` (about 1.3 MB): the adapter and head trained on all
  ``train`` rows. :mod:`nlp.sentiment.encoder` merges the adapter into the packaged weights; the
  sentiment model reads the head's three logits next to the general vectors.
- ``eval/out/sentiment/crossfit-<digest>.npy``: cross-fitted head logits of the ``train`` rows, each
  from an adapter trained on the other four folds (the out-of-fold accuracy of the head is printed).
  The sentiment model is trained and tuned on these (:mod:`nlp.sentiment.training.train`), so its
  regularisation and biases are not chosen on logits that have seen their own labels. Logits, not
  vectors: the fold models' vector spaces differ, their class logits mean the same.

Deterministic on one machine (fixed seeds, fixed fold assignment); takes about 30 minutes on two
cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp.sentiment.encoder import ADAPTER_PATH, HEAD_SCALE

if TYPE_CHECKING:
    import torch
    from transformers import BertModel
from nlp.sentiment.training.corpus import DEFAULT_CACHE_DIR, LABELS, read_domain_set

CACHE_DIR = DEFAULT_CACHE_DIR
RANK, ALPHA = 16, 32.0
EPOCHS, LEARNING_RATE, BATCH_SIZE = 5, 5e-4, 32
MAX_TOKENS = 128
FOLDS, SEED = 5, 0


def settings() -> dict:
    """Everything that determines the adapter, recorded in it and hashed into cache names."""
    return {"rank": RANK, "alpha": ALPHA, "epochs": EPOCHS, "lr": LEARNING_RATE, "batch": BATCH_SIZE,
            "max_tokens": MAX_TOKENS, "folds": FOLDS, "seed": SEED}


def crossfit_path(texts: tuple[str, ...], labels: tuple[str, ...], cache_dir: Path = CACHE_DIR) -> Path:
    """Where the cross-fitted logits of these rows with the current :func:`settings` are cached."""
    digest = hashlib.sha1(json.dumps([texts, labels, settings()]).encode("utf-8")).hexdigest()[:12]
    return Path(cache_dir) / f"crossfit-{digest}.npy"


class _Trainer:
    """Token states below the first layer (computed once) and the training loop (torch inside)."""

    def __init__(self, texts: tuple[str, ...]) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        from nlp.embeddings import packaged_model_dir

        self.torch = torch
        self.path = str(packaged_model_dir())
        tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
        batch = tokenizer(list(texts), padding=True, truncation=True, max_length=MAX_TOKENS,
                          return_tensors="pt")
        base = AutoModel.from_pretrained(self.path, local_files_only=True).eval()
        with torch.no_grad():
            self.states = base.embeddings(input_ids=batch["input_ids"],
                                          token_type_ids=batch["token_type_ids"])
        self.mask = batch["attention_mask"]
        self.additive = (1.0 - self.mask[:, None, None, :].float()) * torch.finfo(torch.float32).min

    def fresh_model(self) -> tuple[BertModel, torch.nn.Linear, list[torch.nn.Parameter]]:
        """The packaged encoder with LoRA modules and a new three-class head."""
        from transformers import AutoModel

        from nlp.embeddings.adapter import add_lora

        torch = self.torch
        transformer = AutoModel.from_pretrained(self.path, local_files_only=True)
        trainable = add_lora(transformer, RANK, ALPHA)
        head = torch.nn.Linear(transformer.config.hidden_size, len(LABELS))
        return transformer, head, trainable + list(head.parameters())

    def vectors(self, transformer: BertModel, rows: np.ndarray) -> np.ndarray:
        """Mean-pooled, normalised output vectors of ``rows`` (pooled as in
        :mod:`nlp.embeddings.onnx_runtime`)."""
        torch = self.torch
        transformer.eval()
        out = []
        with torch.no_grad():
            for start in range(0, len(rows), 128):
                index = rows[start:start + 128]
                out.append(self._pooled(transformer, index).numpy())
        return np.vstack(out).astype(np.float32)

    def _pooled(self, transformer: BertModel, index: Any) -> torch.Tensor:
        torch = self.torch
        longest = int(self.mask[index].sum(1).max())  # trim the padding of the whole corpus
        hidden, additive = self.states[index, :longest], self.additive[index, :, :, :longest]
        for layer in transformer.encoder.layer:
            output = layer(hidden, attention_mask=additive)
            hidden = output[0] if isinstance(output, tuple) else output
        mask = self.mask[index, :longest][..., None].float()
        return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1)

    def train(self, rows: np.ndarray, gold: np.ndarray, seed: int) -> tuple[BertModel, torch.nn.Linear]:
        """Train a fresh adapter and head on ``rows`` (``gold``: class index of every text, not only
        of ``rows``); returns (transformer, head)."""
        torch = self.torch
        torch.manual_seed(seed)
        transformer, head, parameters = self.fresh_model()
        optimiser = torch.optim.AdamW(parameters, lr=LEARNING_RATE, weight_decay=0.01)
        steps = EPOCHS * -(-len(rows) // BATCH_SIZE)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda step: min(1.0, (step + 1) / (0.1 * steps)) * max(0.0, 1 - step / steps))
        targets, rows = torch.tensor(gold), torch.tensor(rows)
        generator = torch.Generator().manual_seed(seed)
        for _ in range(EPOCHS):
            transformer.train()
            order = rows[torch.randperm(len(rows), generator=generator)]
            for start in range(0, len(order), BATCH_SIZE):
                index = order[start:start + BATCH_SIZE]
                logits = head(self._pooled(transformer, index) * HEAD_SCALE)
                loss = torch.nn.functional.cross_entropy(logits, targets[index])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
        return transformer.eval(), head

    def logits(self, transformer: BertModel, head: torch.nn.Linear, rows: np.ndarray) -> np.ndarray:
        """The head's (negative, neutral, positive) logits per row."""
        with self.torch.no_grad():
            vectors = self.torch.from_numpy(self.vectors(transformer, rows))
            return head(vectors * HEAD_SCALE).numpy().astype(np.float32)


def crossfit_and_train(adapter_path: Path = ADAPTER_PATH, cache_dir: Path = CACHE_DIR) -> dict[str, Any]:
    """Cross-fit logits for the ``train`` rows, then train and save the adapter on all of them."""
    from sklearn.model_selection import StratifiedKFold

    from nlp.embeddings.adapter import save_adapter

    rows = read_domain_set("train")
    gold = np.array([LABELS.index(label) for label in rows.labels])
    trainer = _Trainer(rows.texts)
    logits = np.zeros((len(gold), len(LABELS)), dtype=np.float32)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(len(gold)), gold)
    for fold, (fit, held) in enumerate(folds):
        started = time.perf_counter()
        transformer, head = trainer.train(fit, gold, seed=SEED + fold)
        logits[held] = trainer.logits(transformer, head, held)
        print(f"fold {fold}: head accuracy {np.mean(logits[held].argmax(1) == gold[held]):.3f}"
              f" ({time.perf_counter() - started:.0f} s)", flush=True)
    accuracy = float(np.mean(logits.argmax(1) == gold))
    print(f"out-of-fold head accuracy {accuracy:.3f} on {len(gold)} domain train rows", flush=True)
    path = crossfit_path(rows.texts, rows.labels, cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, logits, allow_pickle=False)
    transformer, head = trainer.train(np.arange(len(gold)), gold, seed=SEED + FOLDS)
    metadata = json.dumps({**settings(), "rows": len(gold), "out_of_fold_head_accuracy": round(accuracy, 4)})
    save_adapter(transformer, adapter_path, metadata, head={
        "weight": head.weight.detach().numpy(), "bias": head.bias.detach().numpy()})
    print(f"wrote {path} and {adapter_path} ({adapter_path.stat().st_size // 1024} KiB)")
    return {"out_of_fold_head_accuracy": accuracy, "crossfit": path, "adapter": adapter_path}


def main(argv: list[str] | None = None) -> None:
    """Cross-fit, train and write the adapter."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ADAPTER_PATH, help="adapter file to write")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    crossfit_and_train(args.out, args.cache_dir)
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
