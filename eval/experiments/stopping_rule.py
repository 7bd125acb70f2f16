"""Experiment: how discovery's cut of the micro-cluster Ward tree was chosen (dev parts only).

Run: ``.venv/bin/python -m eval.experiments.stopping_rule [DATA_DIR] [--seeds 0,4,5,6]``

For the dev parts (Banking77 ``train.csv``, even-numbered StackOverflow titles) at 300, 1,000,
3,000 texts and the whole part, and for each seed, this builds the micro-clusters exactly as
:class:`nlp.themes.discover.ConcernClusterer` does, scores 40 candidate cuts of their Ward tree
with :func:`nlp.themes.discover.simplified_silhouette` on the raw and on the smoothed points, and
prints the mean NMI of "the finest cut within x% of the best silhouette" for several x. The shipped
choice (smoothed points, 8%) is the row with the best mean; the third replaced it with BIC (``k_choice``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

TOLERANCES = (0.02, 0.04, 0.06, 0.08, 0.1, 0.12)
SIZES = (300, 1000, 3000, None)


def cut_scores(texts, gold, vectors, seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per point space (``raw``, ``smoothed``): silhouette and NMI of every candidate cut."""
    from sklearn.metrics import normalized_mutual_info_score

    from eval.experiments.ward_cuts import ward_cuts
    from nlp.themes import discover

    every_cut, _, smoothed, raw = ward_cuts(texts, vectors, seed)
    candidates = np.unique(np.round(np.geomspace(2, min(150, every_cut.shape[1] - 1), 40)).astype(int))
    cuts = every_cut[:, candidates - 1]  # column i of every_cut has i + 1 clusters
    nmi = np.array([normalized_mutual_info_score(gold, cuts[:, i]) for i in range(len(candidates))])
    return {space: (np.array([discover.simplified_silhouette(points, cuts[:, i], 5)
                              for i in range(len(candidates))]), nmi)
            for space, points in (("raw", raw), ("smoothed", smoothed))}


def main(argv: list[str] | None = None) -> None:
    """Print mean dev NMI per (point space, tolerance) and per data size."""
    from eval.clustering import DEFAULT_DATA_DIR, dataset_parts
    from nlp.embeddings import SemanticEmbedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--seeds", default="0,4,5,6")
    args = parser.parse_args(argv)
    data = dataset_parts(Path(args.data_dir), SemanticEmbedder())
    results: dict[tuple, list[float]] = {}
    cells = [(part, size) for part in ("stackoverflow/dev", "banking77/dev") for size in SIZES]
    for part, size in cells:
        texts, gold, vectors = data[part]
        for seed in (int(s) for s in args.seeds.split(",")):
            rng = np.random.default_rng(seed)
            rows = np.arange(len(texts)) if size is None else np.sort(rng.choice(len(texts), size, False))
            scores = cut_scores([texts[i] for i in rows], [gold[i] for i in rows], vectors[rows], seed)
            for space, (silhouette, nmi) in scores.items():
                for tolerance in TOLERANCES:
                    chosen = np.flatnonzero(silhouette >= silhouette.max() * (1 - tolerance)).max()
                    results.setdefault((space, tolerance, part, size), []).append(nmi[chosen])
    print("space     tol  " + " ".join(f"{p.split('/')[0][:5]}@{s or 'all'}" for p, s in cells) + "  mean")
    for space in ("raw", "smoothed"):
        for tolerance in TOLERANCES:
            means = [float(np.mean(results[(space, tolerance, p, s)])) for p, s in cells]
            print(f"{space:8s} {tolerance:4.2f}  " + " ".join(f"{m:9.3f}" for m in means)
                  + f"  {np.mean(means):.4f}")


if __name__ == "__main__":
    main()
