"""Concern-clustering quality on public short-text data (StackOverflow titles, Banking77)."""

from __future__ import annotations

import csv
import hashlib
import os
import sys
from pathlib import Path

import numpy as np

DEFAULT_DATA_DIR = Path("/work/shared/data")
CACHE_DIR = Path(__file__).resolve().parent / "out"


def load_stackoverflow(data_dir: Path) -> tuple[list[str], list[str]]:
    """Return the 20,000 titles and their gold class labels."""
    folder = Path(data_dir) / "clustering" / "stackoverflow"
    titles = (folder / "title_StackOverflow.txt").read_text(encoding="utf-8").splitlines()
    labels = (folder / "label_StackOverflow.txt").read_text(encoding="utf-8").splitlines()
    return [t.strip() for t in titles], [label.strip() for label in labels]


def load_banking77(data_dir: Path, parts: tuple[str, ...] = ("train", "test")) -> tuple[list[str], list[str]]:
    """Return Banking77 queries and intents from the given parts (train first, then test)."""
    texts: list[str] = []
    labels: list[str] = []
    for part in parts:
        with open(Path(data_dir) / "clustering" / "banking77" / f"{part}.csv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                texts.append(row["text"].strip())
                labels.append(row["category"])
    return texts, labels


def cached_embeddings(texts: list[str], embedder, cache_dir: Path = CACHE_DIR) -> np.ndarray:
    """Embed ``texts`` once; later calls read ``eval/out/emb-<backend>-<digest>.npy``."""
    digest = hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()[:16]
    backend = "".join(c if c.isalnum() else "_" for c in embedder.name)[:40]
    path = Path(cache_dir) / f"emb-{backend}-{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = embedder.embed(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from nlp.embed import SemanticEmbedder

    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA_DIR
    embedder = SemanticEmbedder()
    for loader in (load_banking77, load_stackoverflow):
        texts, _ = loader(data_dir)
        print(loader.__name__, cached_embeddings(texts, embedder).shape, flush=True)
