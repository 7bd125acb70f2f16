"""Discover concern clusters without being told how many there are.

:class:`ConcernClusterer` is a scikit-learn style estimator. It over-clusters neighbour-smoothed
points with KMeans (about ``2 * sqrt(n)`` micro-clusters), builds the Ward tree of the
micro-cluster centres and cuts it where the simplified silhouette of the points (distance to the
own centre against the nearest other centre) is best, so the number of clusters follows the
data. Data without cluster structure (best silhouette under :data:`MIN_SILHOUETTE`) falls back
to merging up to a Ward distance threshold measured in the micro-clusters' own RMS radius.
Clusters smaller than ``min_cluster_size`` become noise (``-1``). :func:`concern_features` builds
the representation: the semantic embedding, optionally joined with a TF-IDF -> SVD view.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.cluster.hierarchy import cut_tree, ward
from scipy.sparse import csr_matrix
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data
from threadpoolctl import threadpool_limits

from nlp.embeddings import LexicalEmbedder

#: Ward merge threshold in micro-cluster RMS radii, used when the silhouette finds no structure
#: or when ``merge_threshold`` is given; chosen on the dev parts of Banking77 and StackOverflow
#: only (``eval/README.md``, "Concern themes").
MERGE_THRESHOLD = 1.25
#: The tree is cut at the most clusters whose silhouette is within this share of the best one
#: (finer themes are easier for a BRM to merge than mixed ones to split); dev parts only.
SILHOUETTE_TOLERANCE = 0.08
#: Below this best simplified silhouette the points have no cluster structure worth a cut.
MIN_SILHOUETTE = 0.1
#: Number of candidate cuts, spaced geometrically between 2 and the cap.
CANDIDATE_CUTS = 40
#: Weight of the lexical block in :func:`concern_features`; chosen on the same dev parts.
LEXICAL_WEIGHT = 0.5
#: Width the features are reduced to (PCA) before neighbour search and KMeans, for speed.
WORKING_DIMENSIONS = 96


class ConcernClusterer(ClusterMixin, BaseEstimator):
    """Over-cluster with KMeans, then merge micro-clusters by Ward linkage up to a threshold.

    Each point is first averaged with the mean of its ``n_neighbors`` nearest neighbours:
    a cheap denoising (in the spirit of UMAP's neighbourhood graph, without the dependency)
    that pulls paraphrases together before clustering.

    Parameters
    ----------
    n_neighbors
        Neighbours averaged into each point before clustering; 0 disables smoothing.
    min_cluster_size
        Clusters smaller than this are labelled noise (``-1``).
    max_clusters
        Upper bound on the number of clusters (the merge goes on until it is met).
    merge_threshold
        ``None`` (default) cuts the Ward tree where the silhouette is best; a number merges
        micro-clusters up to that Ward distance in their RMS radii instead (larger gives fewer,
        broader clusters), as the default also does when the silhouette finds no structure.
    micro_clusters
        Number of KMeans micro-clusters; ``None`` uses ``2 * sqrt(n_samples)``.
    random_state
        Seed for KMeans; equal seeds give equal labels.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster per point, ``-1`` for noise.
    n_clusters_ : int
        Number of clusters found (noise excluded).
    cluster_centers_ : ndarray of shape (n_clusters_, n_features)
        Centres of the kept clusters, in label order.
    n_micro_clusters_ : int
        Number of micro-clusters merged.
    """

    def __init__(self, n_neighbors: int = 10, min_cluster_size: int = 5, max_clusters: int = 150,
                 merge_threshold: float | None = None, micro_clusters: int | None = None,
                 random_state: int | None = 0) -> None:
        self.n_neighbors = n_neighbors
        self.min_cluster_size = min_cluster_size
        self.max_clusters = max_clusters
        self.merge_threshold = merge_threshold
        self.micro_clusters = micro_clusters
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: None = None) -> ConcernClusterer:
        """Cluster ``X`` and set ``labels_``, ``n_clusters_``, ``cluster_centers_``."""
        X = validate_data(self, X, dtype=[np.float32, np.float64])
        rng = check_random_state(self.random_state)
        n_points = X.shape[0]
        self.n_micro_clusters_ = 0
        if n_points < max(2 * self.min_cluster_size, 3):
            return self._finish(X, np.zeros(n_points, dtype=int) if n_points >= self.min_cluster_size
                                else np.full(n_points, -1))
        seed = int(rng.randint(np.iinfo(np.int32).max))
        # Single-threaded BLAS: on a busy 2-core host more threads cost more than they give.
        with threadpool_limits(limits=1):
            working = _reduce(X, seed)
            smoothed = self._smooth(working)
            # Micro-clusters of at least three points, so their radius measures the spread.
            n_micro = self.micro_clusters or min(round(2 * float(np.sqrt(n_points))), n_points // 3)
            n_micro = max(2, min(n_micro, n_points - 1))
            micro = KMeans(n_micro, n_init=1, max_iter=30, random_state=seed).fit(smoothed)
            labels = self._merge(micro, working, smoothed)
        self.n_micro_clusters_ = n_micro
        return self._finish(X, labels)

    def _merge(self, micro: KMeans, points: np.ndarray, smoothed: np.ndarray) -> np.ndarray:
        """Merge the micro-clusters along their Ward tree; returns a merged label per point.

        The silhouette is measured on the ``smoothed`` points (what KMeans saw): on the raw
        points it favoured a two-way split of small samples (dev parts, ``eval/README.md``).
        """
        centres = micro.cluster_centers_
        if len(centres) < 3:
            return micro.labels_
        tree = ward(centres)
        if self.merge_threshold is None:
            cut = _best_silhouette_cut(tree, micro.labels_, smoothed, self.max_clusters,
                                       self.min_cluster_size)
            if cut is not None:
                return cut
        return self._cut_at_threshold(tree, micro, points, self.merge_threshold or MERGE_THRESHOLD)

    def _cut_at_threshold(self, tree: np.ndarray, micro: KMeans, points: np.ndarray,
                          threshold: float) -> np.ndarray:
        """Cut the Ward ``tree`` at ``threshold`` RMS radii of the micro-clusters (at most
        ``max_clusters`` clusters); returns a merged label per point.

        The radius is the RMS distance of the unsmoothed ``points`` to their micro-cluster
        centre: the noise scale of the data, whatever its units.
        """
        centres = micro.cluster_centers_
        squared = float(((points - centres[micro.labels_]) ** 2).sum(axis=1).mean())
        per_micro = len(points) / len(centres)
        # Unbiased spread: a centre fitted to m points sits (m - 1) / m closer to them on average.
        radius = float(np.sqrt(squared * per_micro / max(per_micro - 1, 1e-9)))
        if radius <= 0:
            return micro.labels_
        n_clusters = len(centres) - int(np.searchsorted(tree[:, 2], threshold * radius))
        merged = cut_tree(tree, n_clusters=min(max(n_clusters, 1), self.max_clusters))[:, 0]
        return merged[micro.labels_]

    def _smooth(self, X: np.ndarray) -> np.ndarray:
        """Average each point with the mean of its nearest neighbours (itself excluded)."""
        # Few points: fewer neighbours, or smoothing would blend distinct small topics.
        neighbours = min(self.n_neighbors, X.shape[0] // 20)
        if neighbours < 1:
            return X
        index = NearestNeighbors(n_neighbors=neighbours + 1).fit(X).kneighbors(X, return_distance=False)
        return 0.5 * (X + X[index[:, 1:]].mean(axis=1))

    def _finish(self, X: np.ndarray, labels: np.ndarray) -> ConcernClusterer:
        """Turn undersized clusters into noise and renumber the rest 0..n-1 by first appearance."""
        labels = np.asarray(labels).copy()
        values, counts = np.unique(labels[labels >= 0], return_counts=True)
        labels[np.isin(labels, values[counts < self.min_cluster_size])] = -1
        kept = list(dict.fromkeys(labels[labels >= 0].tolist()))
        mapping = {old: new for new, old in enumerate(kept)}
        self.labels_ = np.array([mapping.get(label, -1) for label in labels.tolist()], dtype=int)
        self.n_clusters_ = len(kept)
        self.cluster_centers_ = np.array(
            [X[self.labels_ == c].mean(axis=0) for c in range(self.n_clusters_)]
        ).reshape(self.n_clusters_, X.shape[1])
        return self


def simplified_silhouette(points: np.ndarray, labels: np.ndarray, min_size: int = 2) -> float:
    """Mean over points of ``(b - a) / max(a, b)``, with ``a`` the Euclidean distance to the own
    cluster's centre (left out) and ``b`` to the nearest other centre: the silhouette at O(n k).
    Points in clusters smaller than ``min_size`` (noise to be) score 0."""
    n_clusters = int(labels.max()) + 1
    if n_clusters < 2:
        return 0.0
    counts = np.bincount(labels, minlength=n_clusters)[:, None]
    membership = csr_matrix((np.ones(len(labels), dtype=points.dtype), (labels, np.arange(len(labels)))),
                            shape=(n_clusters, len(labels)))
    centres = np.asarray(membership @ points) / np.maximum(counts, 1)
    squared = ((points ** 2).sum(axis=1)[:, None] - 2 * points @ centres.T
               + (centres ** 2).sum(axis=1)[None, :])
    distances = np.sqrt(np.maximum(squared, 0.0))
    rows = np.arange(len(points))
    sizes = counts[labels, 0].astype(float)
    # Distance to the own centre without the point itself (m / (m - 1) times the distance to the
    # centre), so small clusters are not favoured; a point alone in its cluster scores 0.
    own = distances[rows, labels] * sizes / np.maximum(sizes - 1, 1)
    distances[rows, labels] = np.inf
    nearest = distances.min(axis=1)
    scores = (nearest - own) / np.maximum(np.maximum(own, nearest), 1e-12)
    return float(np.mean(np.where(sizes >= max(min_size, 2), scores, 0.0)))


def _best_silhouette_cut(tree: np.ndarray, micro_labels: np.ndarray, points: np.ndarray,
                         max_clusters: int, min_size: int) -> np.ndarray | None:
    """Labels per point of the Ward-tree cut with the most clusters among those whose
    silhouette is within :data:`SILHOUETTE_TOLERANCE` of the best; ``None`` without structure."""
    n_micro = tree.shape[0] + 1
    candidates = np.unique(np.round(np.geomspace(2, max(2, min(max_clusters, n_micro - 1)),
                                                 CANDIDATE_CUTS)).astype(int))
    cuts = cut_tree(tree, n_clusters=candidates)[micro_labels]
    scores = np.array([simplified_silhouette(points, cuts[:, i], min_size) for i in range(len(candidates))])
    if scores.max() < MIN_SILHOUETTE:
        return None
    chosen = int(np.flatnonzero(scores >= scores.max() * (1 - SILHOUETTE_TOLERANCE)).max())
    return cuts[:, chosen]


def _reduce(X: np.ndarray, seed: int) -> np.ndarray:
    """PCA to :data:`WORKING_DIMENSIONS` when ``X`` is wider: neighbour search and KMeans get
    several times faster and the clusters barely change (measured on the dev parts)."""
    if X.shape[1] <= WORKING_DIMENSIONS or X.shape[0] <= WORKING_DIMENSIONS:
        return X
    return PCA(WORKING_DIMENSIONS, svd_solver="randomized", random_state=seed).fit_transform(X)


def concern_features(texts: Sequence[str], vectors: np.ndarray, lexical_weight: float = LEXICAL_WEIGHT,
                     random_state: int = 0) -> np.ndarray:
    """Join unit embeddings with a TF-IDF -> SVD view fitted on the same texts.

    Parameters
    ----------
    texts
        Unit texts.
    vectors
        Their (normalised) semantic embeddings.
    lexical_weight
        Weight of the lexical block relative to the semantic one; 0 returns ``vectors``.
    random_state
        Seed of the SVD.

    Returns
    -------
    ndarray
        L2-normalised rows.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    if lexical_weight <= 0 or len(texts) < 20:
        return vectors
    try:
        lexical = LexicalEmbedder(n_components=100, random_state=random_state).embed(list(texts))
    except ValueError:  # a vocabulary of stop words only
        return vectors
    return normalize(np.hstack([vectors, lexical_weight * lexical])).astype(np.float32)
