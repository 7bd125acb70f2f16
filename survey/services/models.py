"""The one place the survey package chooses its models: the embedder and the spaCy pipeline.

Both are chosen by configuration keys declared in :mod:`survey.config`: ``EMBEDDINGS``
(``"semantic"`` or ``"lexical"``), ``MODEL_CACHE`` (where exported models are kept; ``None`` means
``~/.cache/rapport``) and ``SPACY_MODEL`` (a spaCy package; ``None`` means the default). Web views
pass ``current_app.config``; jobs and commands pass the values they were given.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from survey.errors import ConfigurationError

if TYPE_CHECKING:
    from spacy.language import Language

    from nlp.embeddings import Embedder

EMBEDDING_BACKENDS = ("semantic", "lexical")


def model_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The model keys of ``config`` (to hand to a job that runs outside the app)."""
    return {key: config.get(key) for key in ("EMBEDDINGS", "MODEL_CACHE", "SPACY_MODEL")}


def embedder_from_config(config: Mapping[str, Any]) -> Embedder:
    """The embedder ``config`` asks for, loaded once per process.

    Raises
    ------
    ConfigurationError
        When ``EMBEDDINGS`` is neither ``"semantic"`` nor ``"lexical"``.
    """
    backend = config.get("EMBEDDINGS") or "semantic"
    if backend not in EMBEDDING_BACKENDS:
        raise ConfigurationError(
            f"EMBEDDINGS must be one of {', '.join(EMBEDDING_BACKENDS)}, not {backend!r}.")
    return _embedder(backend, config.get("MODEL_CACHE"))


@functools.cache
def _embedder(backend: str, model_cache: str | None) -> Embedder:
    # torch and the model load only when an analysis needs them, never in a web worker.
    from nlp.embeddings import default_embedder

    return default_embedder(backend, model_cache)


def spacy_model_from_config(config: Mapping[str, Any]) -> Language:
    """The spaCy pipeline ``config`` asks for (``SPACY_MODEL``), loaded once per process."""
    # spaCy loads in seconds and hundreds of MB: only the processes that analyse or redact pay.
    from nlp.pipeline import load_pipeline

    return load_pipeline(config.get("SPACY_MODEL") or None)
