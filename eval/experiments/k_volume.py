"""Experiment: a number of clusters that does not grow with the volume of data (dev parts only).

Run: ``.venv/bin/python -m eval.experiments.k_volume [DATA_DIR] [--seeds 0,1] [--sizes 1000,3000]``

Plain BIC weighs the likelihood gain of one more cluster (it grows with n) against a penalty that
grows with log n only, so the same kind of data supports more clusters the more of it there is
(fifth session: k 24 on 10,000 StackOverflow titles, 53 on 20,000). This builds the micro-clusters
exactly as :class:`nlp.themes.discover.ConcernClusterer` does on each dev part and on seeded
random dev subsets, computes every Ward cut's log-likelihood once, and prints the k (NMI, ARI)
that the "coarsest cut with :data:`~nlp.themes.discover.BIC_GAIN_SHARE` of the best gain" rule
picks when the BIC is taken at a reference volume (likelihood per point times the reference,
penalty with log of the reference; ``none`` is plain BIC at n). The reference kept is the one
whose k moves least between the subset sizes and the whole dev parts; see ``eval/README.md``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

REFERENCES = (None, 2000, 3000, 4000, 5000, 7000)


def cut_terms(texts, vectors, seed: int):
    """Every Ward cut of the micro-clusters (labels per point) and its BIC terms."""
    from eval.experiments.ward_cuts import ward_cuts
    from nlp.themes import discover

    cuts, view, _, _ = ward_cuts(texts, vectors, seed)
    terms = np.array([discover.bic_terms(view, cuts[:, i]) for i in range(cuts.shape[1])])
    return cuts, terms[:, 0], terms[:, 1]


def choose(log_likelihood: np.ndarray, parameters: np.ndarray, n_points: int, reference: int | None) -> int:
    """Index of the coarsest cut with the shipped share of the best BIC gain at ``reference``."""
    from nlp.themes.discover import BIC_GAIN_SHARE

    scale = n_points if reference is None else min(n_points, reference)
    scores = log_likelihood * scale / n_points - parameters / 2 * np.log(scale)
    gains = scores - scores[0]
    return int(np.flatnonzero(gains >= BIC_GAIN_SHARE * max(float(gains.max()), 0.0))[0])


def main(argv: list[str] | None = None) -> None:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from eval.clustering import DATASETS, DEFAULT_DATA_DIR, dataset_parts
    from nlp.embeddings import SemanticEmbedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--sizes", default="1000,3000")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--part", default="dev")
    args = parser.parse_args(argv)
    datasets = tuple(args.datasets.split(","))
    data = dataset_parts(Path(args.data_dir), SemanticEmbedder(), datasets)
    print("reference:" + "".join(f" {r!s:>19s}" for r in REFERENCES) + "   (k NMI ARI)", flush=True)
    for dataset in datasets:
        texts, gold, vectors = data[f"{dataset}/{args.part}"]
        for seed in (int(s) for s in args.seeds.split(",")):
            rng = np.random.default_rng(seed)
            for size in [int(s) for s in args.sizes.split(",") if int(s) < len(texts)] + [len(texts)]:
                rows = np.sort(rng.choice(len(texts), size, replace=False)) if size < len(texts) \
                    else np.arange(len(texts))
                truth = [gold[i] for i in rows]
                cuts, log_likelihood, parameters = cut_terms([texts[i] for i in rows], vectors[rows], seed)
                cells = []
                for reference in REFERENCES:
                    labels = cuts[:, choose(log_likelihood, parameters, size, reference)]
                    cells.append(f" {labels.max() + 1:4d} {normalized_mutual_info_score(truth, labels):.3f} "
                                 f"{adjusted_rand_score(truth, labels):.3f}")
                print(f"{dataset}/{args.part}@{size} seed {seed} gold {len(set(truth))}: " + "".join(cells),
                      flush=True)


if __name__ == "__main__":
    main()
