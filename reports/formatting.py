"""How numbers and dates read, in every page, report and command (one definition each).

Dates read "6 December 2026"; times "6 December 2026, 14:05 UTC"; counts carry thousands
separators ("1,234"); means show two decimals ("3.38") and signed scores two ("+0.12").
"""

from __future__ import annotations

import datetime as dt


def date_text(value: dt.date | dt.datetime | str | None) -> str:
    """``2026-12-06`` -> ``6 December 2026`` (an ISO string is parsed first; ``None`` -> "")."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.day} {value:%B %Y}"


def datetime_text(value: dt.datetime | None) -> str:
    """A moment as ``6 December 2026, 14:05 UTC`` (``None`` -> "")."""
    if value is None:
        return ""
    return f"{date_text(value)}, {value:%H:%M} UTC"


def thousands(value: int | float | None) -> str:
    """``1234`` -> ``1,234``; a float keeps two decimals (``1234.5`` -> ``1,234.50``)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def mean_text(value: float) -> str:
    """A mean rating, always with two decimals (``3.375`` -> ``3.38``)."""
    return f"{value:.2f}"


def signed_text(value: float) -> str:
    """A signed score with two decimals (``0.1`` -> ``+0.10``)."""
    return f"{value:+.2f}"
