"""Every Ward cut of discovery's micro-clusters, built as :class:`nlp.themes.discover.ConcernClusterer`
builds them, for the experiments that compare rules for choosing among the cuts."""

from __future__ import annotations

import numpy as np


def ward_cuts(texts, vectors, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Labels per point of every cut (column ``i`` has ``i + 1`` clusters), the view the BIC is
    measured in, the smoothed points KMeans ran on, and the reduced points before smoothing."""
    from scipy.cluster.hierarchy import cut_tree, ward
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    from nlp.themes import discover

    features = discover.concern_features(texts, vectors, random_state=seed)
    with threadpool_limits(limits=1):
        raw = discover._reduce(features, seed)
        smoothed = discover.ConcernClusterer(random_state=seed)._smooth(raw)
        n_micro = max(2, min(discover.micro_cluster_count(len(raw)), len(raw) - 1))
        micro = KMeans(n_micro, n_init=1, max_iter=30, random_state=seed).fit(smoothed)
    cuts = cut_tree(ward(micro.cluster_centers_), n_clusters=np.arange(1, n_micro + 1))[micro.labels_]
    return cuts, discover._bic_view(raw), smoothed, raw
