"""spaCy's part of name detection: PERSON entities in chosen sentences, and the English word index.

NER costs a few milliseconds a sentence, so it only runs on the sentences (:func:`ner_windows`)
that hold a capitalised word the rules could not explain, batched with ``nlp.pipe``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from nlp.pipeline import load_pipeline
from nlp.redaction.lexicon import HONORIFICS, name_lexicon
from nlp.redaction.spans import Redaction

if TYPE_CHECKING:
    from spacy.language import Language

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
#: Longest window, in characters, handed to NER around a candidate word.
_NER_WINDOW = 5000
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "ies", "er", "est")

#: One NER request: the window's text, and (index of the text, offset of the window in it).
NerRequest = tuple[str, tuple[int, int]]


@functools.cache
def ner_pipeline() -> Language:
    """The shared spaCy pipeline (:func:`nlp.pipeline.load_pipeline`)."""
    return load_pipeline()


def _not_for_ner(nlp: Language) -> list[str]:
    """Components NER does not read: all but ``ner`` and any it listens to (none in the small English
    pipeline, whose NER has its own tok2vec, so running the shared one would only cost time)."""
    feeding = {name for name, pipe in nlp.pipeline if "ner" in getattr(pipe, "listening_components", ())}
    return [name for name in nlp.pipe_names if name != "ner" and name not in feeding]


def is_common_word(lower: str) -> bool:
    """An English dictionary word or a simple inflection of one (spaCy's lemmatizer index)."""
    words = _common_words()
    return lower in words or any(
        lower.endswith(suffix) and lower[: -len(suffix)] in words for suffix in _SUFFIXES
    ) or (lower[-3:] == "ied" and lower[:-3] + "y" in words)  # "replied"


def is_inflected_word(lower: str) -> bool:
    """An inflection of a dictionary word that the word index does not list itself ("nicer", "closest");
    unlike :func:`is_common_word`, never a rare entry of the index ("aditi")."""
    words = _common_words()
    if lower in words:
        return False
    return is_common_word(lower) or (lower[-2:] == "er" and lower[:-1] in words) or (
        lower[-3:] == "est" and lower[:-2] in words)


@functools.cache
def _common_words() -> frozenset[str]:
    nlp = ner_pipeline()
    words = set(nlp.Defaults.stop_words)
    lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
    lookups = getattr(lemmatizer, "lookups", None)
    if lookups is not None and lookups.has_table("lemma_index"):
        words.update(word for entries in lookups.get_table("lemma_index").values() for word in entries)
    return frozenset(words)


def ner_windows(text: str, candidates: list[int]) -> Iterator[tuple[str, int]]:
    """The sentences (capped in length) that hold a candidate word, with their offsets."""
    if not candidates:
        return
    pending = iter(sorted(candidates))
    candidate = next(pending, None)
    for sentence in _SENTENCE.finditer(text):
        if candidate is None:
            return
        if candidate >= sentence.end():
            continue
        start, end = sentence.start(), sentence.end()
        if end - start > _NER_WINDOW:
            start = max(start, candidate - _NER_WINDOW // 2)
            end = min(end, start + _NER_WINDOW)
        yield text[start:end], start
        while candidate is not None and candidate < end:
            candidate = next(pending, None)


def ner_names(requests: list[NerRequest]) -> Iterator[tuple[int, Redaction]]:
    """PERSON entities in the requested windows, trimmed of known words, as ``(text index, span)``."""
    known_words = name_lexicon().known_words
    nlp = ner_pipeline()
    for doc, (index, offset) in nlp.pipe(requests, as_tuples=True, disable=_not_for_ner(nlp)):
        for entity in doc.ents:
            if entity.label_ != "PERSON":
                continue
            tokens = [token for token in entity if token.is_alpha and not token.is_upper
                      and token.lower_ not in known_words and token.lower_ not in HONORIFICS]
            if len(tokens) == 1 and is_common_word(tokens[0].lower_):
                continue  # "Zoom Rooms", "Smith": one dictionary word is too weak a sign on its own
            if tokens and any(token.text[0].isupper() for token in tokens):
                start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
                yield index, Redaction(offset + start, offset + end, "NAME")
