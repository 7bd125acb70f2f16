"""Discover concern clusters without being told how many there are.

:class:`ConcernClusterer` is a scikit-learn style estimator. It picks the number of clusters
by the silhouette of KMeans solutions over a geometric range of k on a random sample, then
fits KMeans with that k on all points. Clusters smaller than ``min_cluster_size`` become
noise (``-1``). :func:`concern_features` builds the representation it works best on: the
semantic embedding joined with a TF-IDF -> SVD view of the same texts, since short feedback
is partly keyword-driven ("VPN", "SAP") and partly paraphrase-driven.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array
from threadpoolctl import threadpool_limits

from nlp.embed import LexicalEmbedder


class ConcernClusterer(ClusterMixin, BaseEstimator):
    """KMeans on neighbour-smoothed points, with k chosen by silhouette on a sample.

    Each point is first averaged with the mean of its ``n_neighbors`` nearest neighbours:
    a cheap denoising (in the spirit of UMAP's neighbourhood graph, without the dependency)
    that pulls paraphrases together before KMeans.

    Parameters
    ----------
    n_neighbors
        Neighbours averaged into each point before clustering; 0 disables smoothing.
    min_cluster_size
        Clusters smaller than this are labelled noise (``-1``); it also bounds the largest k
        tried (``sample size / min_cluster_size``).
    max_clusters
        Upper bound on k.
    sample_size
        Points used to choose k (all points when there are fewer).
    k_step
        Ratio between consecutive candidate k values (a geometric grid).
    random_state
        Seed for sampling and KMeans; equal seeds give equal labels.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster per point, ``-1`` for noise.
    n_clusters_ : int
        Number of clusters found (noise excluded).
    cluster_centers_ : ndarray of shape (n_clusters_, n_features)
        Centres of the kept clusters, in label order.
    k_scores_ : dict
        Silhouette score per candidate k.
    """

    def __init__(self, n_neighbors: int = 10, min_cluster_size: int = 5, max_clusters: int = 150,
                 sample_size: int = 2000, k_step: float = 1.2, random_state: int | None = 0) -> None:
        self.n_neighbors = n_neighbors
        self.min_cluster_size = min_cluster_size
        self.max_clusters = max_clusters
        self.sample_size = sample_size
        self.k_step = k_step
        self.random_state = random_state

    def candidate_ks(self, n_points: int) -> list[int]:
        """The geometric grid of k values tried for ``n_points`` sample points."""
        upper = min(self.max_clusters, n_points // max(self.min_cluster_size, 1), n_points - 1)
        ks, k = [], 2.0
        while round(k) <= upper:
            if round(k) not in ks:
                ks.append(round(k))
            k *= self.k_step
        return ks

    def fit(self, X: np.ndarray, y: None = None) -> ConcernClusterer:
        """Choose k, cluster ``X`` and set ``labels_``, ``n_clusters_``, ``cluster_centers_``."""
        X = check_array(X, dtype=[np.float32, np.float64])
        rng = check_random_state(self.random_state)
        n_points = X.shape[0]
        self.k_scores_: dict[int, float] = {}
        if n_points < max(2 * self.min_cluster_size, 3):
            return self._finish(X, np.zeros(n_points, dtype=int) if n_points >= self.min_cluster_size
                                else np.full(n_points, -1))
        smoothed = self._smooth(X)
        sample = smoothed[rng.choice(n_points, self.sample_size, replace=False)] if (
            n_points > self.sample_size) else X
        seed = int(rng.randint(np.iinfo(np.int32).max))
        # Many small fits: OpenMP threads cost more than they give, and badly so on a busy host.
        with threadpool_limits(limits=1):
            for k in self.candidate_ks(sample.shape[0]):
                labels = KMeans(k, n_init=1, random_state=seed).fit_predict(sample)
                if len(set(labels.tolist())) > 1:
                    self.k_scores_[k] = float(silhouette_score(sample, labels))
        if not self.k_scores_:
            return self._finish(X, np.zeros(n_points, dtype=int))
        best_k = max(self.k_scores_, key=lambda k: (self.k_scores_[k], -k))
        labels = KMeans(best_k, n_init=2, random_state=seed).fit_predict(smoothed)
        return self._finish(X, labels)

    def _smooth(self, X: np.ndarray) -> np.ndarray:
        """Average each point with the mean of its nearest neighbours (itself excluded)."""
        neighbours = min(self.n_neighbors, X.shape[0] - 1)
        if neighbours < 1:
            return X
        with threadpool_limits(limits=1):
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


def concern_features(texts: Sequence[str], vectors: np.ndarray, lexical_weight: float = 0.5,
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
