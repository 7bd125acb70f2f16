"""Real, human-labelled three-class sentiment sets read from the shared data directory.

TweetEval sentiment (train / val / test), DynaSent rounds 1 and 2 (dev / test) and Financial
PhraseBank (one agreement level; evaluation only: its licence is non-commercial, so no shipped model
is trained on it). The files are described in the data directory's ``README.md``; none of them is
copied into the repository. Every reader returns :class:`nlp.sentiment.training.corpus.LabelledTexts`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nlp.sentiment.training.corpus import LABELS, LabelledTexts

DYNASENT_FILES = {
    ("r1", "dev"): "dynasent-v1.1-round01-yelp-dev.jsonl",
    ("r1", "test"): "dynasent-v1.1-round01-yelp-test.jsonl",
    ("r2", "dev"): "dynasent-v1.1-round02-dynabench-dev.jsonl",
    ("r2", "test"): "dynasent-v1.1-round02-dynabench-test.jsonl",
}
TWEETEVAL_SPLITS = {"train": "train_{}.reconstructed.txt", "val": "val_{}.txt", "test": "test_{}.txt"}
#: The real sets by name, as ``read_real_set`` accepts them. DynaSent's train splits are missing from
#: the shared data, so each dev split is halved (seeded, stratified): ``devtrain`` is trained on,
#: ``devselect`` is what checkpoints and settings are chosen on; ``test`` is only reported.
REAL_SETS = ("tweeteval-train", "tweeteval-val", "tweeteval-test", "dynasent-r1-dev", "dynasent-r1-test",
             "dynasent-r2-dev", "dynasent-r2-test", "dynasent-r1-devtrain", "dynasent-r1-devselect",
             "dynasent-r2-devtrain", "dynasent-r2-devselect", "fpb-allagree")
#: Seed of the DynaSent dev halving.
DEV_HALF_SEED = 20210



def read_tweeteval(data_dir: Path, split: str) -> LabelledTexts:
    """TweetEval sentiment ``train`` (reconstructed), ``val`` or ``test``; trailing spaces stripped."""
    folder = Path(data_dir) / "sentiment" / "tweeteval"
    pattern = TWEETEVAL_SPLITS[split]
    texts = (folder / pattern.format("text")).read_text(encoding="utf-8").split("\n")
    labels = (folder / pattern.format("labels")).read_text(encoding="utf-8").split()
    texts = texts[:len(labels)]
    if len(texts) != len(labels):
        raise ValueError(f"TweetEval {split}: {len(texts)} texts but {len(labels)} labels")
    return LabelledTexts(f"tweeteval-{split}", tuple(text.strip() for text in texts),
                         tuple(LABELS[int(label)] for label in labels))


def read_dynasent(data_dir: Path, round_name: str, split: str) -> LabelledTexts:
    """DynaSent round ``r1`` (Yelp) or ``r2`` (Dynabench), ``dev`` or ``test``: sentence and gold label."""
    path = Path(data_dir) / "sentiment" / "dynasent" / DYNASENT_FILES[(round_name, split)]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [row for row in rows if row.get("gold_label") in LABELS]
    return LabelledTexts(f"dynasent-{round_name}-{split}", tuple(row["sentence"] for row in rows),
                         tuple(row["gold_label"] for row in rows))


def dev_half(rows: LabelledTexts, half: str, seed: int = DEV_HALF_SEED) -> LabelledTexts:
    """The ``devtrain`` or ``devselect`` half of a dev split (stratified by label, seeded, in file order)."""
    from sklearn.model_selection import train_test_split

    index = np.arange(len(rows.texts))
    first, second = train_test_split(index, test_size=0.5, stratify=rows.labels, random_state=seed)
    keep = np.sort(first if half == "devtrain" else second)
    return LabelledTexts(f"{rows.name.removesuffix('-dev')}-{half}", tuple(rows.texts[i] for i in keep),
                         tuple(rows.labels[i] for i in keep))


def read_phrasebank(data_dir: Path, agreement: str = "AllAgree") -> LabelledTexts:
    """Financial PhraseBank sentences at one agreement level (``sentence@label`` lines). Evaluation only."""
    path = Path(data_dir) / "sentiment" / "financial_phrasebank" / f"Sentences_{agreement}.txt"
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        sentence, _, label = line.rpartition("@")
        if sentence.strip() and label.strip() in LABELS:
            texts.append(sentence.strip())
            labels.append(label.strip())
    return LabelledTexts(f"fpb-{agreement.lower()}", tuple(texts), tuple(labels))


def read_real_set(data_dir: Path, name: str) -> LabelledTexts:
    """One of :data:`REAL_SETS` by name."""
    if name not in REAL_SETS:
        raise ValueError(f"unknown real sentiment set {name!r}; use one of {REAL_SETS}")
    source, *rest = name.split("-")
    if source == "tweeteval":
        return read_tweeteval(data_dir, rest[0])
    if source == "dynasent" and rest[1] in ("devtrain", "devselect"):
        return dev_half(read_dynasent(data_dir, rest[0], "dev"), rest[1])
    if source == "dynasent":
        return read_dynasent(data_dir, rest[0], rest[1])
    return read_phrasebank(data_dir, "AllAgree")


def sample_rows(rows: LabelledTexts, size: int, seed: int = 12) -> LabelledTexts:
    """A seeded sample of ``size`` rows in their original order (all rows if ``size`` is 0 or larger)."""
    if not 0 < size < len(rows.texts):
        return rows
    keep = np.sort(np.random.default_rng(seed).choice(len(rows.texts), size, replace=False))
    ratings = None if rows.ratings is None else tuple(rows.ratings[i] for i in keep)
    return LabelledTexts(f"{rows.name}-sample{size}", tuple(rows.texts[i] for i in keep),
                         tuple(rows.labels[i] for i in keep), ratings)
