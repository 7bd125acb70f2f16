"""Representative quotes that say different things, each with how many comments it stands for.

Candidates are complete sentences of a theme (enough words, not a non-answer, close enough to
the theme's centre); they are picked by maximal marginal relevance between centrality and
novelty, and no two picked quotes may share more than half their content words or have a cosine
above :data:`MAX_QUOTE_COSINE`. Every member of the theme is then counted with its nearest quote,
so a quote carries "and N like it".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.preprocessing import normalize

from nlp.themes.nonanswers import is_non_answer

#: Fewest words in a quote: shorter units are fragments ("Too slow.", "Also the VPN.").
MIN_QUOTE_WORDS = 5
#: Most shared content words between two quotes, as a share of the shorter quote's.
MAX_SHARED_WORDS = 0.5
#: Highest cosine between two quotes of a theme. MiniLM gives paraphrases with another opener
#: ("Also, tickets sit for days" / "For what it's worth, tickets sit for days") 0.85-0.95 and two
#: different complaints about the same service 0.5-0.75 (measured in ``tests/test_nlp_quotes.py``
#: and on the issue's examples); 0.8 sits between.
MAX_QUOTE_COSINE = 0.8
#: Quotes never come from the theme's fringe: the least central members (this share) are skipped.
FRINGE_SHARE = 0.25
#: MMR trade-off between centrality (1) and novelty (0).
QUOTE_LAMBDA = 0.6
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_PLACEHOLDERS = {"name", "email", "phone", "url", "number"}
#: A reply to something unseen: a pronoun and an auxiliary alone before the first comma or stop
#: ("They don't, so we ...", "It does.", "we did, twice"). Read on its own it says nothing.
_ELLIPTIC_OPENER = re.compile(
    r"^\s*(?:they|it|we|i|he|she|you|that|this)\s+(?:do|does|did|don't|doesn't|didn't|is|isn't|are|"
    r"aren't|was|wasn't|were|weren't|can|can't|will|won't|would|wouldn't|have|haven't|has|hasn't)"
    r"\s*(?:not\s*)?[,.;:!-]", re.IGNORECASE)


@dataclass(frozen=True)
class Quote:
    """A representative comment and the number of other members nearest to it."""

    text: str
    like_it: int


def content_words(text: str) -> set[str]:
    """Lower-case words of ``text`` that are not stop words or redaction placeholders."""
    return {w for w in _WORD.findall(text.lower().replace("’", "'"))
            if w not in ENGLISH_STOP_WORDS and w not in _PLACEHOLDERS and len(w) > 1}


def is_complete_sentence(text: str) -> bool:
    """A quotable unit: at least :data:`MIN_QUOTE_WORDS` words, not a non-answer, not a clause
    that starts mid-thought ("but the VPN...", "and then...", "also ...", "They don't, so ...")
    or with a redaction placeholder ("[NAME] our new tool on time")."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    if len(words) < MIN_QUOTE_WORDS or is_non_answer(text) or text.lstrip().startswith("["):
        return False  # "[NAME] our new reporting tool on time": redaction took its first words
    if _ELLIPTIC_OPENER.match(text.replace("’", "'")):
        return False
    return words[0] not in {"and", "but", "or", "so", "also", "because", "which", "then"}


def word_overlap(a: set[str], b: set[str]) -> float:
    """Shared content words as a share of the smaller set's (0 when either is empty)."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def select_quotes(texts: Sequence[str], vectors: np.ndarray, count: int = 3) -> list[Quote]:
    """Pick up to ``count`` diverse, central, complete sentences among ``texts``.

    Parameters
    ----------
    texts, vectors
        The theme's member texts and their embeddings (same order).
    count
        Most quotes returned.

    Returns
    -------
    list of Quote
        Most central first; ``like_it`` counts the other members nearest to each quote.
    """
    if not len(texts):
        return []
    unit = normalize(np.asarray(vectors, dtype=np.float32))
    centrality = unit @ normalize(unit.mean(axis=0, keepdims=True))[0]
    floor = float(np.quantile(centrality, FRINGE_SHARE))
    seen: set[str] = set()
    candidates = []
    for i in np.argsort(-centrality, kind="stable"):
        text = texts[int(i)]
        key = " ".join(_WORD.findall(text.lower()))
        if key in seen or centrality[i] < floor or not is_complete_sentence(text):
            continue
        seen.add(key)
        candidates.append(int(i))
        if len(candidates) == 200:
            break
    chosen: list[int] = []
    words = {i: content_words(texts[i]) for i in candidates}
    while candidates and len(chosen) < count:
        best, best_value = -1, -np.inf
        for i in candidates:
            similarity = max((float(unit[i] @ unit[j]) for j in chosen), default=0.0)
            if similarity > MAX_QUOTE_COSINE or any(
                    word_overlap(words[i], words[j]) > MAX_SHARED_WORDS for j in chosen):
                continue
            value = QUOTE_LAMBDA * float(centrality[i]) - (1 - QUOTE_LAMBDA) * similarity
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        candidates.remove(best)
    if not chosen:
        return []
    nearest = (unit @ unit[chosen].T).argmax(axis=1)
    counts = np.bincount(nearest, minlength=len(chosen))
    return [Quote(texts[i], int(counts[n]) - 1) for n, i in enumerate(chosen)]
