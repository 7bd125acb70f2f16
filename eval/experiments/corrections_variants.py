"""Learning-curve changes of other correction-head settings (``eval.corrections``' simulation).

``python -m eval.experiments.corrections_variants '[{"gate_standard_errors": 1.0}, {"embedding_scale": 0}]'
[SEEDS] [K,K,...] [SET ...]`` runs :func:`eval.corrections.simulate` on the same sets and draws as
``python -m eval.corrections`` for each JSON dict of
:class:`nlp.sentiment.correction_head.CorrectionAdapter` settings and prints, per set and k, the
mean change in accuracy / macro recall, the standard error of the accuracy change over seeds and
the seeds in which the gate used the head.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from eval.corrections import DEFAULT_DATA_DIR, PER_CLASS, SETS, read_set, set_inputs, simulate


def main(argv: list[str]) -> None:
    """Print the changes for each settings dict given."""
    variants = json.loads(argv[0]) if argv else [{}]
    seeds = int(argv[1]) if len(argv) > 1 else 5
    ks = [int(k) for k in argv[2].split(",")] if len(argv) > 2 else list(PER_CLASS)
    names = argv[3:] or list(SETS)
    data = Path(DEFAULT_DATA_DIR) if Path(DEFAULT_DATA_DIR).is_dir() else Path("/work/shared/data")
    loaded = [(name, set_inputs(labelled.texts)[0], np.array(labelled.labels))
              for name in names for labelled in [read_set(data, name)]]
    print(f"{seeds} seeds; data {data}; per k in {ks}: accuracy change / macro recall change "
          "(standard error of the accuracy change, seeds with the head used)")
    for params in variants:
        print(params, flush=True)
        for name, inputs, gold in loaded:
            cells = []
            for k in ks:
                result = simulate(inputs, gold, k, seeds, params)
                accuracy = result["after_accuracy"] - result["before_accuracy"]
                recall = result["after_recall"] - result["before_recall"]
                cells.append(f"{accuracy.mean():+.3f}/{recall.mean():+.3f}"
                             f"({accuracy.std(ddof=1) / np.sqrt(seeds):.3f},{int(result['adapted'].sum())})")
            print(f"  {name}: " + " ".join(cells), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
