"""Rapport's analysis library: redaction, sentiment, siloing language, concern themes, trends.

No Flask here. Heavy dependencies (spaCy, torch) load lazily on first use, so importing ``nlp``
stays cheap for the web workers.

Public API
----------
redact_personal_data(text) -> str
    Replace person names, e-mails, phones, URLs and long digit runs with placeholders.
"""

from __future__ import annotations

from nlp.errors import LexiconError, ModelNotInstalled, NLPError, TaxonomyError

__all__ = [
    "LexiconError",
    "ModelNotInstalled",
    "NLPError",
    "TaxonomyError",
]
