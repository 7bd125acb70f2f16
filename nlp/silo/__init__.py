"""Siloing-language detection and partnership-language counting.

Public API
----------
find_silo_language(texts, lexicon=None) -> list[list[SiloFlag]]
count_partnership_language(texts, lexicon=None) -> list[int]
analyse_silo_language(texts, lexicon=None) -> (flags, partnership counts), parsing once
Lexicon, LexiconTerm, ContextRules, default_lexicon()
silo_rate_per_thousand_words, share_of_responses_flagged, partnership_to_silo_ratio, count_words
"""

from __future__ import annotations

from nlp.silo.detect import SiloFlag, analyse_silo_language, count_partnership_language, find_silo_language
from nlp.silo.lexicon import PARTNERSHIP_CATEGORY, ContextRules, Lexicon, LexiconTerm, default_lexicon
from nlp.silo.metrics import (
    count_words,
    partnership_to_silo_ratio,
    share_of_responses_flagged,
    silo_rate_per_thousand_words,
)
from nlp.silo.stance import STANCES

__all__ = [
    "PARTNERSHIP_CATEGORY",
    "STANCES",
    "ContextRules",
    "Lexicon",
    "LexiconTerm",
    "SiloFlag",
    "analyse_silo_language",
    "count_partnership_language",
    "count_words",
    "default_lexicon",
    "find_silo_language",
    "partnership_to_silo_ratio",
    "share_of_responses_flagged",
    "silo_rate_per_thousand_words",
]
