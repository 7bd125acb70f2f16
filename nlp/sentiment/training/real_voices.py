"""Fine-tune the sentiment encoder on real voices: ``python -m nlp.sentiment.training.real_voices``.

all-MiniLM-L6-v2 with low-rank adapters (:func:`nlp.embeddings.adapter.add_lora`) and a linear three-class
head on the mean-pooled, normalised vector times :data:`nlp.sentiment.encoder.HEAD_SCALE`, trained
on the sources of a data manifest (``nlp/data/sentiment/training_manifest.json``): TweetEval
train, the domain ``train`` rows and the hard-shape ``train`` rows (and, for a ``public`` source, the
training half of one of VADER's human-rated files, ratings banded to classes), each repeated as the
manifest says, with class weights that balance the mix (the leaderboard metric is macro recall). Texts
are batched by length (dynamic padding) to keep the two CPU cores busy with real tokens. When the
manifest's ``settings.average_with_init`` is W, the adapter written is the weight-space average of
the starting adapter (``settings.init_adapter``, W of it) and the trained one (WiSE-FT: a continuation
that learns new rows keeps part of what its start did well); the trained one goes to the checkpoints.

Progress goes to stdout (run it with ``nice`` and redirect to a log): loss and rows/s every
:data:`LOG_EVERY` steps, and at every checkpoint the dev figures (TweetEval val macro recall,
DynaSent dev accuracy, hard-shape dev accuracy) of the adapter saved there. Only dev/val data is
read for those figures; the test splits are left to ``python -m eval.sentiment``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nlp.embeddings.adapter import average_adapters
from nlp.sentiment.encoder import ADAPTER_PATH, HEAD_SCALE
from nlp.sentiment.training.corpus import LABELS, LabelledTexts, read_domain_set, read_public_file
from nlp.sentiment.training.real_corpus import read_real_set, sample_rows

if TYPE_CHECKING:
    import torch

REPO_ROOT = Path(__file__).resolve().parents[3]
MANIFEST_PATH = REPO_ROOT / "nlp" / "data" / "sentiment" / "training_manifest.json"
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
CHECKPOINT_DIR = REPO_ROOT / "eval" / "out" / "sentiment" / "checkpoints"
#: Files read from git at a pinned commit, named by their SHA-256 (see :func:`file_at_commit`).
PINNED_DIR = REPO_ROOT / "eval" / "out" / "sentiment" / "pinned"
LOG_EVERY = 25
DEV_SETS = ("tweeteval-val", "dynasent-r1-devselect", "dynasent-r2-devselect")


def file_at_commit(source: dict) -> Path:
    """A file of this repository at a git commit (``source['commit']``, ``source['path']``), checked
    against ``source['sha256']`` and kept in :data:`PINNED_DIR` under its digest (read from git once)."""
    import subprocess

    kept = PINNED_DIR / f"{source['sha256']}-{Path(source['path']).name}"
    if kept.exists() and file_digest(kept) == source["sha256"]:
        return kept
    blob = subprocess.run(["git", "show", f"{source['commit']}:{source['path']}"], cwd=REPO_ROOT,
                          capture_output=True, check=True).stdout
    if hashlib.sha256(blob).hexdigest() != source["sha256"]:
        raise ValueError(f"{source['path']} at {source['commit']} does not match the manifest's sha256")
    PINNED_DIR.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f"{kept.name}.{os.getpid()}.partial")
    partial.write_bytes(blob)
    partial.replace(kept)
    return kept


def initial_adapter(source: dict) -> Path:
    """The adapter training starts from: a file of this repository at a git commit, checked by digest."""
    return file_at_commit(source)


def read_manifest(path: Path = MANIFEST_PATH) -> dict:
    """The manifest: ``settings`` (rank, lr, steps, ...) and ``sources`` (name, path, sha256, repeat)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def file_digest(path: Path) -> str:
    """SHA-256 of a file, hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_source(source: dict, data_dir: Path) -> LabelledTexts:
    """The rows of one manifest source, after checking its file's digest (a repository source pinned
    to a ``commit`` is read as it was at that commit)."""
    root = Path(data_dir) if source["root"] == "data" else REPO_ROOT
    pinned = source["root"] == "repo" and source.get("commit")
    path = file_at_commit(source) if pinned else root / source["path"]
    if source.get("sha256") and file_digest(path) != source["sha256"]:
        raise ValueError(f"{path} does not match the manifest's sha256; the data changed")
    if source["kind"] == "real":
        return read_real_set(data_dir, source["name"])
    if source["kind"] == "public":  # a VADER human-rated file's training half, ratings banded to classes
        return read_public_file(data_dir, source["file"], part="train")
    return read_domain_set(source.get("split"), path)


def training_rows(manifest: dict, data_dir: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts, class indices and sample weights of the training mix (repeats expanded)."""
    texts: list[str] = []
    gold: list[int] = []
    weights: list[float] = []
    for source in manifest["sources"]:
        rows = read_source(source, data_dir)
        for _ in range(int(source.get("repeat", 1))):
            texts += rows.texts
            gold += [LABELS.index(label) for label in rows.labels]
            weights += [float(source.get("weight", 1.0))] * len(rows.texts)
        print(f"source {source['name']}: {len(rows.texts)} rows x {source.get('repeat', 1)}", flush=True)
    return texts, np.array(gold), np.array(weights, dtype=np.float32)


def class_weights(gold: np.ndarray, power: float) -> np.ndarray:
    """(n / (k * count_c)) ** power per class: 1 balances the mix fully, 0 leaves it as it is."""
    counts = np.bincount(gold, minlength=len(LABELS)).astype(np.float64)
    return ((len(gold) / (len(LABELS) * counts)) ** power).astype(np.float32)


def length_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch of batches: shuffled, sorted by length within pools of 50 batches, batches shuffled."""
    order = rng.permutation(len(lengths))
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = order[start:start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


class Encoder:
    """Tokeniser, LoRA-wrapped transformer and head (torch inside)."""

    def __init__(self, settings: dict, seed: int) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        from nlp.embeddings import packaged_model_dir
        from nlp.embeddings.adapter import add_lora

        torch.manual_seed(seed)
        self.torch, self.settings = torch, settings
        path = str(packaged_model_dir())
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.transformer = AutoModel.from_pretrained(path)
        trainable = add_lora(self.transformer, settings["rank"], settings["alpha"], settings["dropout"])
        self.head = torch.nn.Linear(self.transformer.config.hidden_size, len(LABELS))
        self.parameters = trainable + list(self.head.parameters())
        if settings.get("init_adapter"):
            self.warm_start(initial_adapter(settings["init_adapter"]))

    def warm_start(self, path: Path) -> None:
        """Start from a saved adapter and head (its LoRA factors, biases, layer norms and head)."""
        torch = self.torch
        with np.load(path, allow_pickle=False) as stored, torch.no_grad():
            for key in (key for key in stored.files if key != "__metadata__"):
                value = torch.from_numpy(stored[key].astype(np.float32))
                if key.startswith("__head__"):
                    getattr(self.head, key.removeprefix("__head__")).copy_(value)
                elif key.endswith((".lora_a", ".lora_b")):
                    module = self.transformer.get_submodule(key.rsplit(".", 1)[0])
                    scale = module.scale if key.endswith(".lora_b") else 1.0
                    getattr(module, key.rsplit(".", 1)[1]).copy_(value / scale)
                elif not key.startswith("__"):
                    owner, name = key.rsplit(".", 1)
                    module = self.transformer.get_submodule(owner)
                    getattr(getattr(module, "base", module), name).copy_(value)

    def tokens(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text, truncated to ``max_tokens``."""
        from nlp.sentiment.encoder import canonical_text

        canonical = [canonical_text(text) for text in texts]
        return self.tokenizer(canonical, truncation=True, max_length=self.settings["max_tokens"])["input_ids"]

    def logits(self, ids: list[list[int]]) -> torch.Tensor:
        """Head logits of a batch of token id lists (padded here)."""
        torch = self.torch
        longest = max(len(row) for row in ids)
        input_ids = torch.zeros((len(ids), longest), dtype=torch.long)
        mask = torch.zeros((len(ids), longest), dtype=torch.long)
        for row, tokens in enumerate(ids):
            input_ids[row, :len(tokens)] = torch.tensor(tokens)
            mask[row, :len(tokens)] = 1
        hidden = self._hidden(input_ids, mask)
        weights = mask[..., None].float()
        pooled = torch.nn.functional.normalize((hidden * weights).sum(1) / weights.sum(1), dim=1)
        return self.head(pooled * HEAD_SCALE)

    def _hidden(self, input_ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Last hidden states; the layers below the top ``train_layers`` run without gradients (and
        without dropout), so a step costs a forward pass plus the backward pass of the top layers."""
        torch = self.torch
        layers = self.transformer.encoder.layer
        frozen = len(layers) - int(self.settings.get("train_layers", len(layers)))
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        with torch.set_grad_enabled(torch.is_grad_enabled() and frozen == 0):
            hidden = self.transformer.embeddings(input_ids=input_ids,
                                                 token_type_ids=torch.zeros_like(input_ids))
        for index, layer in enumerate(layers):
            if index < frozen and self.transformer.training:
                layer.eval()
            with torch.set_grad_enabled(torch.is_grad_enabled() and index >= frozen):
                output = layer(hidden, attention_mask=additive)
            hidden = output[0] if isinstance(output, tuple) else output
        return hidden

    def predict(self, texts: list[str], batch_size: int = 128) -> np.ndarray:
        """Logits of ``texts`` in eval mode, shape ``(n, 3)``."""
        ids = self.tokens(list(texts))
        order = np.argsort([len(row) for row in ids])
        out = np.zeros((len(ids), len(LABELS)), dtype=np.float32)
        self.transformer.eval()
        with self.torch.no_grad():
            for start in range(0, len(order), batch_size):
                index = order[start:start + batch_size]
                out[index] = self.logits([ids[i] for i in index]).numpy()
        return out

    def save(self, path: Path, metadata: dict) -> None:
        """Write the adapter and head (:func:`nlp.embeddings.adapter.save_adapter`)."""
        from nlp.embeddings.adapter import save_adapter

        path.parent.mkdir(parents=True, exist_ok=True)
        save_adapter(self.transformer, path, json.dumps(metadata), head={
            "weight": self.head.weight.detach().numpy(), "bias": self.head.bias.detach().numpy()})


def average_with_init(init_adapter: dict, trained: Path, init_weight: float, out: Path) -> None:
    """Write to ``out`` the weight-space average of the manifest's ``init_adapter`` (``init_weight``
    of it) and the adapter file ``trained`` (:func:`nlp.embeddings.adapter.average_adapters`); the
    metadata is ``trained``'s plus how it was averaged."""
    with np.load(trained, allow_pickle=False) as stored:
        metadata = json.loads(str(stored["__metadata__"]))
    metadata["averaged"] = f"{init_weight} x init_adapter + {1 - init_weight} x step {metadata.get('step')}"
    average_adapters([initial_adapter(init_adapter), trained], [init_weight, 1 - init_weight], out,
                     json.dumps(metadata))


def dev_figures(encoder: Encoder, dev: dict[str, LabelledTexts]) -> dict[str, float]:
    """Macro recall on TweetEval val, accuracy on the rest, from the encoder's argmax."""
    from sklearn.metrics import accuracy_score, recall_score

    figures = {}
    for name, rows in dev.items():
        predicted = [LABELS[i] for i in encoder.predict(list(rows.texts)).argmax(1)]
        metric = recall_score if name.startswith("tweeteval") else accuracy_score
        kwargs = {"average": "macro"} if name.startswith("tweeteval") else {}
        figures[name] = round(float(metric(rows.labels, predicted, **kwargs)), 4)
    return figures


def dev_sets(manifest: dict, data_dir: Path) -> dict[str, LabelledTexts]:
    """The dev/val sets checkpoints are measured on (hard-shape dev rows when the manifest names them)."""
    size = int(manifest["settings"].get("dev_sample", 0))
    sets = {name: sample_rows(read_real_set(data_dir, name), size) for name in DEV_SETS}
    for source in manifest["sources"]:
        if source.get("dev_split"):
            sets[f"{source['name']}-dev"] = read_source({**source, "split": source["dev_split"]}, data_dir)
    return sets


def train(manifest: dict, data_dir: Path, out: Path, checkpoint_dir: Path, measure_dev: bool = False) -> None:
    """Train for ``settings['stop_step']`` of a ``settings['steps']``-step schedule, checkpointing every
    ``checkpoint_every`` steps (and measuring dev figures there if ``measure_dev``)."""
    import torch

    settings = manifest["settings"]
    torch.set_num_threads(settings.get("threads", 2))
    texts, gold, sample_weights = training_rows(manifest, data_dir)
    encoder = Encoder(settings, settings["seed"])
    ids = encoder.tokens(texts)
    lengths = np.array([len(row) for row in ids])
    per_class = torch.tensor(class_weights(gold, settings["class_weight_power"]))
    print(f"{len(texts)} training rows, mean {lengths.mean():.1f} tokens; class weights {per_class.tolist()}",
          flush=True)
    dev = dev_sets(manifest, data_dir) if measure_dev else {}
    steps, rng = settings["steps"], np.random.default_rng(settings["seed"])
    stop = settings.get("stop_step", steps)
    optimiser = torch.optim.AdamW(encoder.parameters, lr=settings["lr"], weight_decay=0.01)
    warmup = max(1, int(settings["warmup"] * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, 1 - step / steps))
    batches: list[np.ndarray] = []
    step, started, seen, running = 0, time.perf_counter(), 0, 0.0
    while step < stop:
        if not batches:
            batches = length_batches(lengths, settings["batch"], rng)
        index = batches.pop()
        encoder.transformer.train()
        logits = encoder.logits([ids[i] for i in index])
        target = torch.from_numpy(gold[index])
        losses = torch.nn.functional.cross_entropy(logits, target, weight=per_class, reduction="none")
        weights = per_class[target] * torch.from_numpy(sample_weights[index])
        loss = (losses * torch.from_numpy(sample_weights[index])).sum() / weights.sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        step, seen, running = step + 1, seen + len(index), running + float(loss.detach())
        if step % LOG_EVERY == 0:
            elapsed = time.perf_counter() - started
            print(f"step {step}/{steps} loss {running / LOG_EVERY:.4f} {seen / elapsed:.1f} rows/s "
                  f"elapsed {elapsed / 60:.1f} min", flush=True)
            running = 0.0
        if step % settings["checkpoint_every"] == 0 and step < stop:
            path = checkpoint_dir / f"adapter-step{step}.npz"
            encoder.save(path, {**settings, "step": step})
            figures = json.dumps(dev_figures(encoder, dev)) if dev else "not measured here (--dev)"
            print(f"checkpoint {path}: dev {figures}", flush=True)
    metadata = {**settings, "step": step, "rows": len(texts)}
    init_weight = settings.get("average_with_init", 0.0)
    if init_weight and settings.get("init_adapter"):
        trained = checkpoint_dir / f"adapter-step{step}.npz"
        encoder.save(trained, metadata)
        average_with_init(settings["init_adapter"], trained, init_weight, out)
    else:
        encoder.save(out, metadata)
    print(f"wrote {out} after {(time.perf_counter() - started) / 60:.1f} min", flush=True)


def main(argv: list[str] | None = None) -> None:
    """Read the manifest, train, write the adapter."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--manifest", type=Path, default=MANIFEST_PATH)
    parser.add_argument("--out", type=Path, default=ADAPTER_PATH)
    parser.add_argument("--checkpoint-dir", type=Path, default=CHECKPOINT_DIR)
    parser.add_argument("--stop-step", type=int, help="stop at this step of the manifest's schedule")
    parser.add_argument("--dev", action="store_true", help="measure dev figures at each checkpoint")
    args = parser.parse_args(argv)
    manifest = read_manifest(args.manifest)
    if args.stop_step:
        manifest["settings"]["stop_step"] = args.stop_step
    train(manifest, args.data_dir, args.out, args.checkpoint_dir, args.dev)


if __name__ == "__main__":
    main()
