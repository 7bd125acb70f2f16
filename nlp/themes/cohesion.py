"""How well a group of comments hangs together, and splitting loose groups until they do.

A proposal is shown to a BRM as one concern, so it must be at least as tight as the loosest
seeded theme of the same run (:func:`loosest_cohesion`). Discovery can return a loose group (the
clusterer's model choice prefers few clusters on a small, mixed pool of leftovers);
:func:`split_until_cohesive` cuts such a group in two (Ward) again and again until each part is
tight enough or too small to propose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.cluster import AgglomerativeClustering

#: Most times one discovered group is cut in two.
MAX_SPLIT_DEPTH = 4


def cohesion(vectors: np.ndarray) -> float:
    """Mean cosine between a group's vectors and their (normalised) centroid: 1 for identical
    comments, near 0 for unrelated ones."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if len(vectors) == 0:
        return 0.0
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    centroid = unit.mean(axis=0)
    return float((unit @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))).mean())


def loosest_cohesion(groups: Iterable[Sequence[int]], vectors: np.ndarray, smallest: int) -> float:
    """The cohesion of the loosest group (row indices into ``vectors``) of at least ``smallest``
    rows; 0 when there is none to compare with."""
    values = [cohesion(vectors[rows]) for rows in groups if len(rows) >= smallest]
    return min(values, default=0.0)


def split_until_cohesive(labels: np.ndarray, vectors: np.ndarray, min_cohesion: float,
                         min_size: int) -> np.ndarray:
    """Labels where each group looser than ``min_cohesion`` is cut in two (Ward, on unit vectors),
    recursively; parts that stay loose after :data:`MAX_SPLIT_DEPTH` cuts or fall under
    ``min_size`` become noise (``-1``). Tight groups keep their label."""
    labels = np.asarray(labels).copy()
    unit = np.asarray(vectors, dtype=np.float64)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    next_label = int(labels.max(initial=-1)) + 1
    pending = [(int(label), 0) for label in np.unique(labels) if label >= 0]
    while pending:
        label, depth = pending.pop()
        rows = np.flatnonzero(labels == label)
        if len(rows) < min_size:
            labels[rows] = -1
        elif cohesion(unit[rows]) < min_cohesion:
            if depth >= MAX_SPLIT_DEPTH or len(rows) < 2 * min_size:
                labels[rows] = -1
                continue
            halves = AgglomerativeClustering(n_clusters=2, linkage="ward").fit_predict(unit[rows])
            labels[rows[halves == 1]] = next_label
            pending += [(label, depth + 1), (next_label, depth + 1)]
            next_label += 1
    return labels
