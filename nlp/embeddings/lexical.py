"""TF-IDF -> truncated SVD sentence vectors: the backend that needs only scikit-learn."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlp.embeddings.base import normalise


class LexicalEmbedder:
    """TF-IDF -> truncated SVD vectors fitted on the texts being analysed (no model download).

    Unlike the semantic backend this one is fitted: call :meth:`fit` on a corpus first, or
    :meth:`embed` fits on the texts it is given.

    Parameters
    ----------
    n_components
        Width of the vectors (fewer when the corpus is small).
    random_state
        Seed of the SVD.
    """

    def __init__(self, n_components: int = 100, random_state: int = 0) -> None:
        self.n_components = n_components
        self.random_state = random_state
        self.name = f"tfidf-svd{n_components}"

    def fit(self, texts: Sequence[str]) -> LexicalEmbedder:
        """Fit the vocabulary and the SVD projection on ``texts``."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(
            sublinear_tf=True, ngram_range=(1, 2), min_df=1, stop_words="english"
        )
        matrix = self.vectorizer_.fit_transform(texts)
        components = max(1, min(self.n_components, matrix.shape[1] - 1, len(texts) - 1))
        self.svd_ = TruncatedSVD(n_components=components, random_state=self.random_state)
        self.svd_.fit(matrix)
        return self

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Project ``texts`` into the fitted space (fitting on them if not yet fitted)."""
        if not hasattr(self, "svd_"):
            self.fit(texts)
        return normalise(self.svd_.transform(self.vectorizer_.transform(texts)))
