"""Fix the train/test split of new domain sentences: ``python -m nlp.sentiment.training.splits``.

New rows are appended to ``domain_labelled.csv`` with an empty ``split`` column; this command
assigns them, and only them, to ``train`` or ``test`` (stratified by label, 30% test, a fixed
seed) before any model sees them. Rows that already have a split keep it, so the held-out set
only ever grows and is never reshuffled into training.

A ``dev`` split exists too: 15% of the ``train`` rows (stratified by label, seed 20261207) were
moved to it once for sentiment model 2, which selects its checkpoint and calibration on them; the
encoder never trains on them. New rows still go to ``train`` or ``test`` only. (The 292 rows written
for the model 2.3 candidate were given ``train`` or ``dev`` by hand, 78/22 stratified by label, and no
``test`` row: the held-out set stayed as it was.)
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from nlp.errors import SentimentModelError
from nlp.sentiment.training.corpus import DOMAIN_SET

#: Seed and test share of the stratified split (the values the first batch was split with).
DOMAIN_SPLIT_SEED = 20261128
DOMAIN_TEST_SHARE = 0.3


def assign_missing_splits(rows: list[dict[str, str]], seed: int = DOMAIN_SPLIT_SEED,
                          test_share: float = DOMAIN_TEST_SHARE) -> list[dict[str, str]]:
    """Return ``rows`` with every empty ``split`` set to ``train`` or ``test``.

    Parameters
    ----------
    rows
        Dicts with keys ``text``, ``label`` and ``split``; only rows whose split is empty change.
    seed, test_share
        The stratified split's random state and held-out share.

    Returns
    -------
    list of dict
        New dicts, in the input order.
    """
    from sklearn.model_selection import train_test_split

    rows = [dict(row) for row in rows]
    pending = [index for index, row in enumerate(rows) if not row["split"].strip()]
    if len(pending) < 2:
        if pending:
            raise SentimentModelError("add at least two sentences per batch to split them")
        return rows
    labels = [rows[index]["label"] for index in pending]
    train, test = train_test_split(pending, test_size=test_share, stratify=labels, random_state=seed)
    for index in train:
        rows[index]["split"] = "train"
    for index in test:
        rows[index]["split"] = "test"
    return rows


def main(argv: list[str] | None = None) -> None:
    """Assign a split to the rows of the domain set that have none, in place."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DOMAIN_SET)
    args = parser.parse_args(argv)
    with open(args.path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assigned = assign_missing_splits(rows)
    with open(args.path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label", "split"])
        writer.writeheader()
        writer.writerows(assigned)
    changed = sum(old["split"] != new["split"] for old, new in zip(rows, assigned, strict=True))
    print(f"assigned a split to {changed} of {len(rows)} rows")


if __name__ == "__main__":
    main()
