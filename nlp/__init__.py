"""Rapport's analysis library: redaction, sentiment, siloing language, concern themes, trends.

No Flask here, and nothing heavy at import time: each name below is imported from its module on
first use (PEP 562), so ``import nlp`` stays cheap for web workers that only redact.

Public API
----------
redact_personal_data(text) -> str
    Replace person names, e-mails, phones, URLs and long digit runs with ``[NAME]`` etc.
score_sentiment(texts, vectors=None) -> list[float]
    Domain-aware sentiment in [-1, 1]; ``sentiment_label`` and ``explain_sentiment`` go with it.
find_silo_language(texts, lexicon=None) -> list[list[SiloFlag]]
    Siloing phrases with offsets, category, suggestion and stance; ``count_partnership_language``
    counts the counterpart; ``Lexicon`` is the immutable, versioned term list.
cluster_concerns(texts, themes=None) -> list[str]
    A theme or cluster id per text; ``DEFAULT_THEMES`` is the shipped BRM taxonomy.
analyse(answers, ...) -> Analysis
    The whole analysis of a set of answers as frozen dataclasses (``nlp.results``).
split_into_units, bootstrap_mean_interval, compare_means, compare_shares, trend_marker,
suppress_small_cells, is_reportable
    The building blocks the analysis composes.
"""

from __future__ import annotations

import importlib
from typing import Any

from nlp.errors import LexiconError, ModelNotInstalled, NLPError, TaxonomyError

_LAZY = {
    "redact_personal_data": "nlp.redaction",
    "redact_many": "nlp.redaction",
    "find_personal_data": "nlp.redaction",
    "Redaction": "nlp.redaction",
    "score_sentiment": "nlp.sentiment",
    "sentiment_label": "nlp.sentiment",
    "explain_sentiment": "nlp.sentiment",
    "SentimentExplanation": "nlp.sentiment",
    "find_silo_language": "nlp.silo",
    "count_partnership_language": "nlp.silo",
    "analyse_silo_language": "nlp.silo",
    "SiloFlag": "nlp.silo",
    "Lexicon": "nlp.silo",
    "cluster_concerns": "nlp.themes",
    "DEFAULT_THEMES": "nlp.themes",
    "Taxonomy": "nlp.themes",
    "Theme": "nlp.themes",
    "analyse": "nlp.analysis",
    "analyse_units": "nlp.analysis",
    "summarise": "nlp.summary",
    "split_into_units": "nlp.units",
    "Unit": "nlp.units",
    "bootstrap_mean_interval": "nlp.trends",
    "compare_means": "nlp.trends",
    "compare_shares": "nlp.trends",
    "trend_marker": "nlp.trends",
    "suppress_small_cells": "nlp.suppression",
    "is_reportable": "nlp.suppression",
    "Analysis": "nlp.results",
    "AnswerInput": "nlp.results",
}

__all__ = ["LexiconError", "ModelNotInstalled", "NLPError", "TaxonomyError", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    """Import public names on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nlp' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
