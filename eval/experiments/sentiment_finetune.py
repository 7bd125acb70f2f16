"""Experiment: fine-tune MiniLM's top transformer layers for domain sentiment, out of fold.

Run: ``.venv/bin/python -m eval.experiments.sentiment_finetune [--top 2] [--epochs 6] [--lr 1e-4]``

The shipped sentiment model reads frozen, mean-pooled MiniLM vectors (plus n-grams and lexical
evidence) and plateaus at about 0.74 out-of-fold accuracy on the domain ``train`` rows. This script
measures how far fine-tuning the encoder's top ``--top`` layers (with mean pooling and a linear
head) goes on the same rows: hidden states below those layers are computed once, the top layers
are trained per fold with AdamW, and the 5-fold out-of-fold 3-class accuracy is printed. Only
``train`` rows are read. Shipping it would need the fine-tuned layers as data (about 1.8 M
parameters per layer) and the layer's input from the ONNX export; see ``eval/README.md``.
"""

from __future__ import annotations

import argparse
import copy
import os
import time

import numpy as np

CLASSES = ("negative", "neutral", "positive")


def out_of_fold_accuracy(top: int, epochs: int, lr: float, max_tokens: int = 64, seed: int = 0) -> float:
    """5-fold out-of-fold accuracy of a model whose top ``top`` layers are fine-tuned."""
    import torch
    from sklearn.model_selection import StratifiedKFold
    from transformers import AutoModel, AutoTokenizer

    from nlp.embed import packaged_model_dir
    from nlp.sentiment.corpus import read_domain_set

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.manual_seed(seed)
    path = str(packaged_model_dir())
    tokenizer, encoder = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    rows = read_domain_set("train")
    gold = np.array([CLASSES.index(label) for label in rows.labels])
    batch = tokenizer(list(rows.texts), padding=True, truncation=True, max_length=max_tokens,
                      return_tensors="pt")
    with torch.no_grad():
        states = encoder(**batch, output_hidden_states=True).hidden_states[-1 - top]
    mask = batch["attention_mask"]
    additive = (1.0 - mask[:, None, None, :].float()) * -1e9
    layers = encoder.encoder.layer[len(encoder.encoder.layer) - top:]
    predicted = np.zeros(len(gold), dtype=int)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed).split(np.zeros(len(gold)), gold)
    for fold, (fit, held) in enumerate(folds):
        torch.manual_seed(fold)
        model = _top_layers_model(layers)
        optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        targets, fit = torch.tensor(gold), torch.tensor(fit)
        for _ in range(epochs):
            model.train()
            order = fit[torch.randperm(len(fit))]
            for start in range(0, len(order), 32):
                index = order[start:start + 32]
                loss = torch.nn.functional.cross_entropy(
                    model(states[index], mask[index], additive[index]), targets[index])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
        model.eval()
        with torch.no_grad():
            predicted[held] = model(states[held], mask[held], additive[held]).argmax(1).numpy()
        print(f"fold {fold}: accuracy {np.mean(predicted[held] == gold[held]):.3f}", flush=True)
    return float(np.mean(predicted == gold))


def _top_layers_model(layers):
    """A torch module: copies of ``layers``, mean pooling and a linear head (torch imported here)."""
    import torch

    class TopLayers(torch.nn.Module):
        """Copies of the encoder's top layers, mean pooling and a linear three-class head."""

        def __init__(self) -> None:
            super().__init__()
            self.layers = torch.nn.ModuleList(copy.deepcopy(list(layers)))
            self.head = torch.nn.Linear(layers[0].output.dense.out_features, len(CLASSES))

        def forward(self, hidden, mask, additive):
            for layer in self.layers:
                output = layer(hidden, attention_mask=additive)
                hidden = output[0] if isinstance(output, tuple) else output
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            return self.head(torch.nn.functional.normalize(pooled, dim=1) * 10)

    return TopLayers()


def main(argv: list[str] | None = None) -> None:
    """Print the out-of-fold accuracy for one setting."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=2, help="number of top layers fine-tuned (1-6)")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=1e-4)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    accuracy = out_of_fold_accuracy(args.top, args.epochs, args.lr)
    print(f"top {args.top} layers, {args.epochs} epochs, lr {args.lr}: out-of-fold accuracy "
          f"{accuracy:.3f} on the domain train rows ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
