"""A learned name tagger: logistic regression over hashed token features, stored as plain arrays.

The weights (``nlp/data/redaction_tagger.npz``: ``weights`` float32 per hash bucket, ``intercept``,
``threshold``) are written by :mod:`eval.redaction_model`, trained on WNUT-17 train and dev, the Broad
Twitter Corpus train split (CC BY 4.0) and templated feedback, and tuned on the BTC and informal
feedback dev splits.
They are read with ``allow_pickle=False``. The features (:mod:`nlp.redaction.features`) need no
model: word lists, English word frequencies (``nlp/data/frequent_words.txt``,
:mod:`eval.redaction_wordfreq`: a dictionary word missing from it is rare and may be a name), and the
name gazetteer ``nlp/data/name_gazetteer.txt`` (:mod:`eval.redaction_gazetteer`).
Only words that could be names are scored (:func:`nlp.redaction.features.worth_scoring`), so a
plain comment costs a few dozen microseconds.
"""

from __future__ import annotations

import functools
import math
from importlib import resources
from typing import NamedTuple

import numpy as np

from nlp.redaction.features import (
    WORD_TOKEN,
    Lexicons,
    Token,
    case_of,
    context_features,
    gazetteer_flags,
    hashed,
    is_initial,
    scoring_indices,
    text_case,
    tokenize,
    word_features,
)
from nlp.redaction.lexicon import HONORIFICS, NOT_AFTER_CUE, WORD_NAMES, name_lexicon, word_frequencies
from nlp.redaction.ner import is_inflected_word, ner_pipeline
from nlp.redaction.spans import Redaction

Span = tuple[int, int, str]
_JOINERS = frozenset((" ", "-", " - "))
#: A lower-case English word ("mark", "dawn", "rose") is a name only at this probability (dev splits).
DICTIONARY_WORD_CUT = 0.6
#: A lower-case word at least this frequent (Zipf; "miles", "patience", "amber") needs FREQUENT_WORD_CUT
#: (dev sweep: Zipf 4.0 or 4.5, cut 0.6-0.9).
FREQUENT_ZIPF = 4.0
FREQUENT_WORD_CUT = 0.9
#: A lower-case word that is also a word name ("patience", "bill", "jack", "frank") needs this probability
#: when the tagger finds it alone (dev splits: true ones score 0.96-0.99, false ones 0.90-0.95).
WORD_NAME_CUT = 0.96
#: Below this probability a candidate word is not sent to spaCy's NER (chosen on the dev splits: 0.07
#: keeps the share of answers sent to NER at main's level after the word-frequency retrain, same dev scores).
NER_FLOOR = 0.07


class TaggerModel(NamedTuple):
    """The learned weights: one per hash bucket, the intercept and the decision threshold."""

    weights: np.ndarray
    intercept: float
    threshold: float
    veto: float


@functools.cache
def tagger_model() -> TaggerModel:
    """The shipped model, read once per process (plain arrays, no pickle)."""
    path = resources.files("nlp") / "data" / "redaction_tagger.npz"
    with resources.as_file(path) as file, np.load(file, allow_pickle=False) as arrays:
        return TaggerModel(arrays["weights"].astype(np.float32), float(arrays["intercept"]),
                           float(arrays["threshold"]), float(arrays["veto"]))


@functools.cache
def lexicons() -> Lexicons:
    """The word sets the features read, loaded once per process."""
    from spacy.lang.en.stop_words import STOP_WORDS

    given, surnames = set(), set()
    gazetteer = resources.files("nlp") / "data" / "name_gazetteer.txt"
    for line in gazetteer.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, kinds = line.partition("\t")
            if "g" in kinds:
                given.add(name)
            if "s" in kinds:
                surnames.add(name)
    local = name_lexicon()
    irregular = irregular_forms()
    frequencies = word_frequencies()
    return Lexicons(frozenset(given), frozenset(surnames), local.given_names | local.ambiguous_names,
                    local.is_known, lambda lower: lower in irregular or lower in frequencies,
                    frozenset(STOP_WORDS), lambda lower: frequencies.get(lower, 0.0))


@functools.cache
def irregular_forms() -> frozenset[str]:
    """Irregular verb forms ("hung", "went", "taught") and y-to-i comparatives ("easier", "busiest")
    from spaCy's lemmatizer exceptions: the lemma index behind
    :func:`nlp.redaction.ner.is_common_word` holds base forms only."""
    nlp = ner_pipeline()
    lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
    lookups = getattr(lemmatizer, "lookups", None)
    if lookups is None or not lookups.has_table("lemma_exc"):
        return frozenset()
    exceptions = lookups.get_table("lemma_exc")
    comparatives = (form for form in exceptions.get("adj", {}) if form.endswith(("ier", "iest")))
    return frozenset((*exceptions.get("verb", {}), *comparatives))


def scored_tokens(text: str, lexicon: Lexicons, model: TaggerModel,
                  tokens: list[Token] | None = None) -> list[tuple[Token, float]]:
    """Each word worth scoring with its probability of being (part of) a person name (``tokens``:
    :func:`tokenize` of ``text``, when the caller has them)."""
    tokens = tokenize(text) if tokens is None else tokens
    writing = text_case(text, tokens)
    chosen = scoring_indices(tokens, lexicon, writing)
    if not chosen:
        return []
    buckets = len(model.weights)
    rows = [feature_buckets(tokens, index, lexicon, writing, buckets) for index in chosen]
    weights = model.weights.take([bucket for row in rows for bucket in row]).tolist()
    scored, cursor = [], 0
    for index, row in zip(chosen, rows, strict=True):
        score = model.intercept + sum(weights[cursor:cursor + len(row)])
        cursor += len(row)
        scored.append((tokens[index], 1.0 / (1.0 + math.exp(-score))))
    return scored


def feature_buckets(tokens: list[Token], index: int, lexicon: Lexicons, writing: str,
                    buckets: int) -> list[int]:
    """``hashed(token_features(tokens, index, lexicon, writing), buckets)``, the features the model was
    trained on, with the word's own buckets remembered from its last occurrence."""
    token = tokens[index]
    initial = "1" if is_initial(tokens, index) else "0"
    own, case, flags = _word_buckets(token.text, token.lower, initial, writing, lexicon, buckets)
    return [*own, *hashed(context_features(tokens, index, lexicon, case, flags), buckets)]


@functools.lru_cache(maxsize=4096)
def _word_buckets(word: str, lower: str, initial: str, writing: str, lexicon: Lexicons,
                  buckets: int) -> tuple[tuple[int, ...], str, str]:
    """The hashed :func:`~nlp.redaction.features.word_features` of a word, with its case and
    gazetteer flags (for its context features). Cached: the same words (sentence openers, names,
    products) come back answer after answer, and these are half of a scored word's features."""
    own = hashed(word_features(word, lower, initial, lexicon, writing), buckets)
    return tuple(own), case_of(word), gazetteer_flags(lower, lexicon)


def tagged_name_spans(text: str, threshold: float | None = None) -> list[Span]:
    """Person names the tagger finds in ``text``, adjacent name words joined into one span."""
    model = tagger_model()
    cut = model.threshold if threshold is None else threshold
    return spans_of(text, scored_tokens(text, lexicons(), model), cut)


def spans_of(text: str, scored: list[tuple[Token, float]], threshold: float) -> list[Span]:
    """The words scored at or above ``threshold`` (never an honorific: "Dr."), adjacent ones joined."""
    spans: list[Span] = []
    words = lexicons()
    for token, probability in scored:
        if probability < threshold or token.lower in HONORIFICS or token.lower in NOT_AFTER_CUE:
            continue  # "Dr.", "thanks to everybody involved"
        if probability < DICTIONARY_WORD_CUT and token.text.islower() and (
                words.common(token.lower) or is_inflected_word(token.lower)):
            continue  # "mark the ticket", "at dawn", "nicer": a lower-case English word needs a surer score
        if probability < WORD_NAME_CUT and token.text.islower() and token.lower in WORD_NAMES:
            continue  # "patience is running thin", "bill the cost back": a word name in lower case, surest
        if probability < FREQUENT_WORD_CUT and token.text.islower() and (
                words.frequency(token.lower) >= FREQUENT_ZIPF):
            continue  # "miles better", "patience is running thin": an everyday word, surer still
        if spans and text[spans[-1][1]:token.start] in _JOINERS:
            spans[-1] = (spans[-1][0], token.end, "NAME")
        else:
            spans.append((token.start, token.end, "NAME"))
    return spans


def still_uncertain(candidates: list[int], scored: list[tuple[Token, float]], threshold: float) -> list[int]:
    """The candidate word offsets (for spaCy's NER) the tagger is unsure of.

    A word the tagger scores at or above ``threshold`` is already a name, and one below
    :data:`NER_FLOOR` is almost surely none, so NER, the costly step, runs only for the rest (and
    for words the tagger does not score)."""
    probabilities = {token.start: probability for token, probability in scored}
    return [start for start in candidates
            if NER_FLOOR <= probabilities.get(start, NER_FLOOR) < threshold]


def confirmed(text: str, spans: list[Redaction], scored: list[tuple[Token, float]],
              veto: float) -> list[Redaction]:
    """The rules' ``spans`` minus those whose every word the tagger scored below ``veto``.

    Sentence-opening slang and misspellings ("Bruh", "Altho") fit the positional rules; the tagger,
    which has seen them, outvotes the rules there. A span with a word the tagger did not score
    (a stop word, a known term) is kept as the rules found it."""
    if not spans:
        return spans
    probabilities = {token.start: probability for token, probability in scored}
    kept = []
    for span in spans:
        words = [match.start() for match in WORD_TOKEN.finditer(text, span.start, span.end)]  # as tokenize()
        inside = [probabilities.get(start) for start in words]
        if not words or None in inside or max(p for p in inside if p is not None) >= veto:
            kept.append(span)
    return kept


def agreed(spans: list[Redaction], scored: list[tuple[Token, float]], threshold: float) -> list[Redaction]:
    """The ``spans`` (everyday words in a name slot: "thx, mo") whose word the tagger scored at or above
    ``threshold``: the slot stands in for the surer score :func:`spans_of` asks of a lower-case word."""
    if not spans or not scored:
        return []
    probabilities = {token.start: probability for token, probability in scored}
    return [span for span in spans if probabilities.get(span.start, 0.0) >= threshold]
