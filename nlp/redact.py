"""Placeholder: replaced by the real redaction (spaCy NER + patterns)."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def redact_personal_data(text: str) -> str:
    """Replace personal data in ``text`` with placeholders such as ``[EMAIL]``."""
    return _EMAIL.sub("[EMAIL]", text)
