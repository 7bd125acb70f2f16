"""Siloing-language metrics for a group of responses (a wave, a segment, a wave x segment cell).

Counts may be given per response (a sequence) or already summed (an int), so callers aggregate
whatever grouping they need. Undefined values are ``None``, never 0 (which would read as "no
siloing language") and never infinity (which JSON and SQLite exports cannot carry cleanly).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def count_words(text: str) -> int:
    """Count words as the rates do: letter or digit runs; ``don't`` and ``IT-side`` count once."""
    return len(_WORD.findall(text))


def _total(counts: int | Sequence[int], name: str) -> int:
    total = counts if isinstance(counts, int) else sum(counts)
    if total < 0:
        raise ValueError(f"{name} must not be negative")
    return total


def silo_rate_per_thousand_words(
    flag_counts: int | Sequence[int], word_counts: int | Sequence[int]
) -> float | None:
    """Return siloing flags per 1,000 words over the group.

    Parameters
    ----------
    flag_counts, word_counts
        Per response, the number of flags and of words (sequences of the same length), or the
        group totals.

    Returns
    -------
    float or None
        ``1000 * flags / words``; ``None`` when the group has no words at all.

    Raises
    ------
    ValueError
        If per-response sequences differ in length, or a total is negative.
    """
    if not isinstance(flag_counts, int) and not isinstance(word_counts, int) and (
        len(flag_counts) != len(word_counts)
    ):
        raise ValueError("flag_counts and word_counts must have one entry per response")
    words = _total(word_counts, "word_counts")
    return None if words == 0 else 1000 * _total(flag_counts, "flag_counts") / words


def share_of_responses_flagged(flag_counts: Sequence[int]) -> float | None:
    """Return the share (0..1) of responses with at least one flag.

    Parameters
    ----------
    flag_counts
        Per response, the number of siloing flags.

    Returns
    -------
    float or None
        ``None`` when the group has no responses.
    """
    if not flag_counts:
        return None
    return sum(1 for count in flag_counts if count > 0) / len(flag_counts)


def partnership_to_silo_ratio(
    partnership_counts: int | Sequence[int], flag_counts: int | Sequence[int]
) -> float | None:
    """Return partnership phrases per siloing flag over the group.

    Parameters
    ----------
    partnership_counts, flag_counts
        Per response counts (see :func:`nlp.silo.count_partnership_language`) or group totals.

    Returns
    -------
    float or None
        ``partnership / flags``; ``0.0`` when there is siloing but no partnership language.
        ``None`` when there are no siloing flags: the ratio is undefined, whether or not partnership
        language occurs (the partnership count itself tells the two cases apart).
    """
    partnership = _total(partnership_counts, "partnership_counts")
    silo = _total(flag_counts, "flag_counts")
    return None if silo == 0 else partnership / silo
