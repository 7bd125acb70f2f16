"""Cheap lexical evidence for the sentiment scorer: VADER, a domain lexicon, negation, contrast, sarcasm.

Everything here is pure Python over a regex tokenisation (no spaCy), so scoring 10,000 units adds
seconds, not minutes, to the embedding time. The same evidence feeds the classifier (as a feature
vector) and the explanations (as signed phrases).

The domain lexicon (``nlp/data/sentiment/domain_lexicon.csv``) holds IT-feedback phrases with a
weight in -2.5..2.5. In a pattern, ``word*`` matches any ending (``delay*``: delayed, delays) and a
lone ``*`` matches one word (``took * months``). The cue lists (negations, contrast markers,
sarcasm openers, repetition markers, neutral cues) live in ``cues.json``.
"""

from __future__ import annotations

import csv
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "sentiment"
TOKEN = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")
#: A negated domain phrase keeps this share of its weight, with the sign flipped ("not late").
NEGATION_FLIP = 0.8
#: Longest text (in characters) that the lexical analysis reads; the rest is ignored.
MAX_CHARS = 5000

FEATURE_NAMES = (
    "vader_compound", "vader_pos", "vader_neg", "vader_after_contrast", "vader_before_contrast",
    "has_contrast", "domain_positive", "domain_negative", "domain_after_contrast", "negations",
    "sarcasm", "neutral_cues", "question", "exclamations", "log_tokens",
)


@dataclass(frozen=True)
class LexiconEntry:
    """One domain phrase: its pattern as written, its weight, and a note on what it covers."""

    pattern: str
    weight: float
    note: str


@dataclass(frozen=True)
class Cues:
    """Word lists that steer negation, contrast, sarcasm and neutrality detection."""

    negations: frozenset[str]
    negation_window: int
    contrasts: tuple[str, ...]
    sarcasm_openers: tuple[str, ...]
    repetition_markers: tuple[str, ...]
    neutral_cues: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """What the lexical analysis found in one text; weights are signed (negative pushes down)."""

    domain_hits: tuple[tuple[str, float], ...]
    vader_hits: tuple[tuple[str, float], ...]
    negations: tuple[str, ...]
    contrast: tuple[str, str] | None
    sarcasm: str | None
    features: tuple[float, ...]


@functools.cache
def load_domain_lexicon(path: Path = DATA_DIR / "domain_lexicon.csv") -> tuple[LexiconEntry, ...]:
    """Read the domain lexicon, once per process."""
    with open(path, encoding="utf-8", newline="") as handle:
        return tuple(
            LexiconEntry(row["pattern"].strip().lower(), float(row["weight"]), row["note"])
            for row in csv.DictReader(handle)
        )


@functools.cache
def load_cues(path: Path = DATA_DIR / "cues.json") -> Cues:
    """Read the cue lists, once per process."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return Cues(
        negations=frozenset(raw["negations"]),
        negation_window=int(raw["negation_window"]),
        contrasts=tuple(raw["contrasts"]),
        sarcasm_openers=tuple(raw["sarcasm_openers"]),
        repetition_markers=tuple(raw["repetition_markers"]),
        neutral_cues=tuple(raw["neutral_cues"]),
    )


def _word_matches(pattern_word: str, token: str) -> bool:
    if pattern_word == "*":
        return True
    if pattern_word.endswith("*"):
        return token.startswith(pattern_word[:-1])
    return token == pattern_word


@functools.cache
def _lexicon_index() -> dict[str, tuple[tuple[tuple[str, ...], float], ...]]:
    """Phrases as word tuples keyed by their first word (or its first 4 letters for ``word*``),
    longest first, so "months late" wins over "late". Wildcard first words need >= 4 letters."""
    index: dict[str, list[tuple[tuple[str, ...], float]]] = {}
    for entry in sorted(load_domain_lexicon(), key=lambda e: -len(e.pattern.split())):
        words = tuple(entry.pattern.split())
        key = words[0][:4] + "*" if words[0].endswith("*") else words[0]
        index.setdefault(key, []).append((words, entry.weight))
    return {key: tuple(entries) for key, entries in index.items()}


def _match_at(tokens: list[str], start: int) -> tuple[int, float] | None:
    index = _lexicon_index()
    token = tokens[start]
    candidates = index.get(token, ()) + index.get(token[:4] + "*", ())
    for words, weight in sorted(candidates, key=lambda c: -len(c[0])) if len(candidates) > 1 else candidates:
        end = start + len(words)
        if end <= len(tokens) and all(map(_word_matches, words, tokens[start:end])):
            return end, weight
    return None


@functools.cache
def _phrase_regex(phrases: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9'\-])(?:" + "|".join(map(re.escape, ordered)) + r")(?![a-z0-9'\-])")


@functools.cache
def vader_analyzer() -> SentimentIntensityAnalyzer:
    """The VADER analyser, built once per process (it reads its lexicon on construction)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def normalise(text: str) -> str:
    """Lower-case ``text``, unify apostrophes and join its tokens with single spaces."""
    text = text[:MAX_CHARS].lower().replace("\u2019", "'").replace("`", "'")
    return " ".join(TOKEN.findall(text))


def _is_negated(tokens: list[str], start: int, cues: Cues) -> str | None:
    window = tokens[max(0, start - cues.negation_window):start]
    for token in reversed(window):
        if token in cues.negations or token.endswith("n't"):
            return token
    return None


def domain_hits(norm: str, cues: Cues) -> tuple[list[tuple[str, float]], list[str]]:
    """Domain phrases found in normalised text, with weights flipped under negation.

    Returns the hits as ``(phrase, weight)`` and the negation words that flipped a hit.
    """
    tokens = norm.split(" ") if norm else []
    hits, negators, position = [], [], 0
    while position < len(tokens):
        found = _match_at(tokens, position)
        if found is None:
            position += 1
            continue
        end, weight = found
        phrase = " ".join(tokens[position:end])
        negator = _is_negated(tokens, position, cues)
        if negator:
            negators.append(negator)
            hits.append((f"{negator} ... {phrase}", -NEGATION_FLIP * weight))
        else:
            hits.append((phrase, weight))
        position = end
    return hits, negators


def split_contrast(raw: str, cues: Cues) -> tuple[str, str] | None:
    """Split at the contrast that carries the verdict: ``(conceded part, main part)``, normalised.

    "X but Y" -> (X, Y), split at the last contrast marker; "Although X, Y" -> (X, Y), split at
    the first comma, because there the main clause follows the subordinate one. None if no split.
    """
    lowered = raw.lower()
    opening = re.match(r"\W*(even though|although|though|whereas|while)\b([^,;]+)[,;](.+)", lowered, re.S)
    if opening:
        return normalise(opening.group(2)), normalise(opening.group(3))
    norm = normalise(raw)
    matches = list(_phrase_regex(cues.contrasts).finditer(norm))
    if not matches:
        return None
    last = matches[-1]
    before, after = norm[: last.start()].strip(), norm[last.end():].strip()
    return (before, after) if before and after else None


def _sarcasm(norm: str, raw: str, negative_evidence: bool, cues: Cues) -> str | None:
    opener = _phrase_regex(cues.sarcasm_openers).match(norm)
    if opener is None:
        return None
    punctuated = re.match(r"\W*(oh\s+)?\w+(\s\w+)?\s*[,!.]", raw.lower()) is not None
    repeated = _phrase_regex(cues.repetition_markers).search(norm) is not None
    if (punctuated or opener.group() in ("love how", "thanks for", "so-called", "oh sure")) and (
        negative_evidence or repeated
    ):
        return opener.group()
    return None


def _vader_word_hits(tokens: list[str], cues: Cues) -> list[tuple[str, float]]:
    lexicon = vader_analyzer().lexicon
    hits = []
    for index, token in enumerate(tokens):
        if token in lexicon:
            valence = lexicon[token] / 4.0
            negator = _is_negated(tokens, index, cues)
            hits.append((f"{negator} ... {token}", -0.74 * valence) if negator else (token, valence))
    return hits


def analyse_text(text: str) -> Evidence:
    """Collect the lexical evidence and the feature vector (see :data:`FEATURE_NAMES`) for one text."""
    cues = load_cues()
    raw = (text or "")[:MAX_CHARS]
    norm = normalise(raw)
    vader = vader_analyzer().polarity_scores(raw)
    hits, negators = domain_hits(norm, cues)
    contrast = split_contrast(raw, cues)
    if contrast:
        before_compound = vader_analyzer().polarity_scores(contrast[0])["compound"]
        after_compound = vader_analyzer().polarity_scores(contrast[1])["compound"]
        after_domain = sum(w for _, w in domain_hits(contrast[1], cues)[0])
    else:
        before_compound, after_compound, after_domain = 0.0, vader["compound"], sum(w for _, w in hits)
    negative_evidence = any(w < 0 for _, w in hits) or vader["neg"] > 0
    sarcasm = _sarcasm(norm, raw, negative_evidence, cues)
    tokens = norm.split(" ") if norm else []
    features = (
        vader["compound"], vader["pos"], vader["neg"], after_compound, before_compound,
        float(contrast is not None),
        np.tanh(sum(w for _, w in hits if w > 0) / 2.0),
        np.tanh(sum(w for _, w in hits if w < 0) / 2.0),
        np.tanh(after_domain / 2.0),
        float(any(t in cues.negations or t.endswith("n't") for t in tokens)),
        float(sarcasm is not None),
        float(len(_phrase_regex(cues.neutral_cues).findall(norm))),
        float("?" in raw),
        float(min(raw.count("!"), 3)),
        float(np.log1p(len(tokens))),
    )
    return Evidence(
        domain_hits=tuple(hits), vader_hits=tuple(_vader_word_hits(tokens, cues)),
        negations=tuple(negators), contrast=contrast, sarcasm=sarcasm,
        features=tuple(float(value) for value in features),
    )


def lexical_features(texts: list[str]) -> np.ndarray:
    """The feature matrix, shape ``(len(texts), len(FEATURE_NAMES))``, float64."""
    if not texts:
        return np.zeros((0, len(FEATURE_NAMES)))
    return np.array([analyse_text(text).features for text in texts], dtype=np.float64)
