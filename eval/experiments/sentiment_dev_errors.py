"""List the shipped sentiment model's misreads on the domain dev rows (never a test split).

``python -m eval.experiments.sentiment_dev_errors [--hard PATH] [--domain PATH]``

Reads the ``dev`` rows of ``domain_labelled.csv`` and ``domain_hard.csv``, labels them with the
shipped model (:func:`nlp.sentiment.score_sentiment`, three classes) and prints each misread with its
gold label, the predicted label and the score, grouped by gold -> predicted, then the counts. Used to
choose which shapes the next model's new train/dev rows should cover.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from nlp.sentiment import score_sentiment
from nlp.sentiment.labels import three_class
from nlp.sentiment.training.calibrate import HARD_FILE
from nlp.sentiment.training.corpus import DOMAIN_SET, LabelledTexts, read_domain_set


def dev_misreads(rows: LabelledTexts) -> list[tuple[str, str, str, float]]:
    """(text, gold, predicted, score) for each misread row of ``rows``."""
    scores = score_sentiment(list(rows.texts))
    read = [(text, gold, three_class(score), score)
            for text, gold, score in zip(rows.texts, rows.labels, scores, strict=True)]
    return [row for row in read if row[2] != row[1]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", type=Path, default=DOMAIN_SET)
    parser.add_argument("--hard", type=Path, default=HARD_FILE)
    args = parser.parse_args(argv)
    for name, path in (("domain-dev", args.domain), ("hard-dev", args.hard)):
        rows = read_domain_set("dev", path)
        misreads = dev_misreads(rows)
        print(f"== {name}: {len(misreads)} of {len(rows.texts)} misread")
        for text, gold, predicted, score in sorted(misreads, key=lambda row: (row[1], row[2])):
            print(f"{gold:>8} -> {predicted:<8} {score:+.2f}  {text}")
        print(Counter(f"{gold}->{predicted}" for _, gold, predicted, _ in misreads))


if __name__ == "__main__":
    main()
