"""Learning-curve changes of other correction-head settings (``eval.corrections``' simulation).

``python -m eval.experiments.corrections_variants '[{"keep_prior": false}, {"standard_errors": 1.0}]'
[SEEDS] [K,K,...]`` runs :func:`eval.corrections.simulate` on the same dev sets and draws as
``python -m eval.corrections`` for each JSON dict of :class:`nlp.sentiment.adaptation.CorrectionAdapter`
settings and prints, per set and k, the mean change in accuracy / macro recall and the standard error
of the accuracy change over seeds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from eval.corrections import (
    DEFAULT_DATA_DIR,
    PER_CLASS,
    read_dynasent,
    read_tweeteval,
    simulate,
    vectors_and_scores,
)


def main(argv: list[str]) -> None:
    """Print the changes for each settings dict given."""
    variants = json.loads(argv[0]) if argv else [{}]
    seeds = int(argv[1]) if len(argv) > 1 else 5
    ks = [int(k) for k in argv[2].split(",")] if len(argv) > 2 else list(PER_CLASS)
    data = Path(DEFAULT_DATA_DIR)
    sets = [read_tweeteval(data, "val"), read_dynasent(data, "round01-yelp"),
            read_dynasent(data, "round02-dynabench")]
    loaded = [(labelled.name, *vectors_and_scores(labelled.texts), np.array(labelled.labels))
              for labelled in sets]
    print(f"{seeds} seeds; per k in {ks}: accuracy change / macro recall change (standard error)")
    for params in variants:
        print(params, flush=True)
        for name, vectors, scores, gold in loaded:
            cells = []
            for k in ks:
                result = simulate(vectors, scores, gold, k, seeds, params)
                accuracy = result["after_accuracy"] - result["before_accuracy"]
                recall = result["after_recall"] - result["before_recall"]
                cells.append(f"{accuracy.mean():+.3f}/{recall.mean():+.3f}"
                             f"({accuracy.std(ddof=1) / np.sqrt(seeds):.3f})")
            print(f"  {name}: " + " ".join(cells), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
