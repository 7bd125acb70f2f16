"""Training and evaluation corpora for the sentiment scorer, and an on-disk embedding cache.

Two sources: the labelled IT-partner feedback set shipped in ``nlp/data/sentiment`` and the
public human-rated snippets of Hutto & Gilbert (2014) read from a data directory. The public
files are split once, by a seeded permutation, into a training half and a held-out half.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, overload

import numpy as np

from nlp.embeddings import Embedder, default_embedder
from nlp.sentiment.storage import MODEL_DIR as DATA_DIR

REPO_ROOT = Path(__file__).resolve().parents[3]
#: Where the training scripts cache embeddings, cross-fitted logits and out-of-fold predictions.
DEFAULT_CACHE_DIR = REPO_ROOT / "eval" / "out" / "sentiment"
DOMAIN_SET = DATA_DIR / "domain_labelled.csv"
PUBLIC_FILES = {
    "tweets": "tweets_GroundTruth.txt",
    "movie": "movieReviewSnippets_GroundTruth.txt",
    "amazon": "amazonReviewSnippets_GroundTruth.txt",
    "nyt": "nytEditorialSnippets_GroundTruth.txt",
}
#: Seed of the fixed train/held-out split of the public files.
PUBLIC_SPLIT_SEED = 20141
#: Share of each public file used for training; the rest is only ever evaluated on.
PUBLIC_TRAIN_SHARE = 0.5
#: Mean human ratings (-4..4) beyond these bounds count as negative / positive.
PUBLIC_NEUTRAL_BAND = 0.5
LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with a three-class label and, for the public data, the mean human rating."""

    name: str
    texts: tuple[str, ...]
    labels: tuple[str, ...]
    ratings: tuple[float, ...] | None = None


def read_domain_set(split: str | None = None, path: Path = DOMAIN_SET) -> LabelledTexts:
    """Read the labelled domain set (columns text, label, split), optionally one split only."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if split is None or row["split"] == split]
    return LabelledTexts(
        name=f"domain-{split or 'all'}",
        texts=tuple(row["text"] for row in rows),
        labels=tuple(row["label"] for row in rows),
    )


def rating_to_label(rating: float) -> str:
    """Map a mean human rating (-4..4) to negative, neutral or positive."""
    if rating < -PUBLIC_NEUTRAL_BAND:
        return "negative"
    if rating > PUBLIC_NEUTRAL_BAND:
        return "positive"
    return "neutral"


def read_public_file(data_dir: Path, name: str, part: str | None = None) -> LabelledTexts:
    """Read one public ground-truth file; ``part`` is ``train``, ``heldout`` or None for all.

    The files are tab-separated ``id``, ``mean rating``, ``text`` with CRLF line ends and a
    few undecodable bytes, which are replaced.
    """
    path = Path(data_dir) / "sentiment" / PUBLIC_FILES[name]
    texts, ratings = [], []
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        for line in handle.read().splitlines():
            fields = line.split("\t", 2)
            if len(fields) == 3 and fields[2].strip():
                ratings.append(float(fields[1]))
                texts.append(fields[2].strip())
    if part is not None:
        keep = public_split_mask(len(texts)) == (part == "train")
        texts = [text for text, kept in zip(texts, keep, strict=True) if kept]
        ratings = [rating for rating, kept in zip(ratings, keep, strict=True) if kept]
    return LabelledTexts(
        name=f"{name}-{part or 'all'}",
        texts=tuple(texts),
        labels=tuple(rating_to_label(rating) for rating in ratings),
        ratings=tuple(ratings),
    )


def public_split_mask(size: int) -> np.ndarray:
    """Boolean mask, True for rows in the training half (a fixed, seeded permutation)."""
    order = np.random.default_rng(PUBLIC_SPLIT_SEED).permutation(size)
    mask = np.zeros(size, dtype=bool)
    mask[order[: round(size * PUBLIC_TRAIN_SHARE)]] = True
    return mask


@overload
def cached_embeddings(texts: Sequence[str], key: str, cache_dir: Path, compute: Literal[True] = ...,
                      embedder: Embedder | None = ...) -> np.ndarray: ...


@overload
def cached_embeddings(texts: Sequence[str], key: str, cache_dir: Path, compute: bool = ...,
                      embedder: Embedder | None = ...) -> np.ndarray | None: ...


def cached_embeddings(texts: Sequence[str], key: str, cache_dir: Path,
                      compute: bool = True, embedder: Embedder | None = None) -> np.ndarray | None:
    """Embed ``texts`` with ``embedder`` (default: the general one), caching the array under ``cache_dir``.

    The cache file is named after ``key``, the embedder name and a digest of the texts, so a
    changed corpus or model never reuses stale vectors. With ``compute=False`` a cache miss
    returns None instead of embedding.
    """
    embedder = embedder or default_embedder()
    digest = hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()[:12]
    model = re.sub(r"[^A-Za-z0-9.-]+", "_", embedder.name)
    path = Path(cache_dir) / f"embeddings-{key}-{model}-{digest}.npy"
    if path.exists():
        return np.load(path, allow_pickle=False)
    if not compute:
        return None
    vectors = embedder.embed(list(texts))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors, allow_pickle=False)
    return vectors
