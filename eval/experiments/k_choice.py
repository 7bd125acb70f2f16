"""Experiment: how discovery's number of clusters was chosen in the third session (dev parts only).

Run: ``.venv/bin/python -m eval.experiments.k_choice [DATA_DIR] [--seed 0]``

For the dev parts of StackOverflow (20 classes), Banking77 (77) and the CFPB complaints (9 merged
products) this builds the micro-clusters exactly as :class:`nlp.themes.discover.ConcernClusterer`
does, cuts their Ward tree at every k, and prints the k (and NMI / ARI) that each rule picks: the
best simplified silhouette (the second session's rule without its "finest within 8%" tolerance),
BIC at several penalty weights, and "the coarsest cut with x% of the best BIC gain". The shipped
rule (weight 1, i.e. plain BIC, at 90%) is the one that put all three within 0.5-2x of the gold
count with NMI over the floors; see ``eval/README.md``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def rule_table(texts, gold, vectors, seed: int) -> list[str]:
    """One line per rule: chosen k, NMI and ARI against ``gold``."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from eval.experiments.ward_cuts import ward_cuts
    from nlp.themes import discover

    cuts, view, smoothed, _ = ward_cuts(texts, vectors, seed)
    candidates = np.arange(1, cuts.shape[1] + 1)
    bic = np.array([discover.bic_score(view, cuts[:, i]) for i in range(len(candidates))])
    width, n_points = view.shape[1], view.shape[0]
    lines = []

    def show(rule: str, index: int) -> None:
        labels = cuts[:, index]
        nmi = normalized_mutual_info_score(gold, labels)
        ari = adjusted_rand_score(gold, labels)
        lines.append(f"  {rule:34s} k {candidates[index]:4d}  NMI {nmi:.3f}  ARI {ari:.3f}")

    silhouettes = [discover.simplified_silhouette(smoothed, cuts[:, i], 5) if k > 1 else -1.0
                   for i, k in enumerate(candidates)]
    show("best simplified silhouette", int(np.argmax(silhouettes)))
    for weight in (1.0, 1.5, 2.0, 2.5):
        # Extra penalty weight on the parameter term of the BIC.
        penalised = bic - (weight - 1) * candidates * (width + 1) / 2 * np.log(n_points)
        show(f"BIC, penalty x{weight}", int(np.argmax(penalised)))
        gains = penalised - penalised[0]
        for share in (0.9, 0.95):
            coarsest = int(np.flatnonzero(gains >= share * gains.max())[0])
            show(f"BIC x{weight}, coarsest with {share:.0%} gain", coarsest)
    return lines


def main(argv: list[str] | None = None) -> None:
    from eval.clustering import DATASETS, DEFAULT_DATA_DIR, dataset_parts
    from nlp.embeddings import SemanticEmbedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    data = dataset_parts(Path(args.data_dir), SemanticEmbedder(), DATASETS)
    for dataset in DATASETS:
        texts, gold, vectors = data[f"{dataset}/dev"]
        print(f"{dataset}/dev (n {len(texts)}, gold k {len(set(gold))}):")
        for line in rule_table(texts, gold, vectors, args.seed):
            print(line)


if __name__ == "__main__":
    main()
