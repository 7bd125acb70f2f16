"""Split answers into analysis units: sentences, and contrast clauses where the meaning turns.

Sentences come from spaCy's rule-based ``sentencizer`` on a blank English pipeline (fast and
predictable on informal text), with line breaks as hard boundaries so bullet lists split too.
Only sentences that hold a contrast word ("but", "however", "although", "though", "yet") go
through the statistical pipeline, whose part-of-speech tags decide whether both sides of the
contrast are clauses of their own ("The desk is friendly but nobody fixes anything") or not
("helpful but understaffed").
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nlp.pipeline import load_pipeline

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span

#: Contrast words and the coarse part-of-speech tags under which they join two clauses.
CONTRAST_WORDS = {
    "but": ("CCONJ",),
    "yet": ("CCONJ",),
    "however": ("ADV",),
    "although": ("SCONJ",),
    "though": ("SCONJ",),
}
#: Each side of a contrast split needs at least this many words and a verb.
MIN_CLAUSE_WORDS = 3
#: Answers with fewer words than this stay one unit.
MIN_WORDS_TO_SPLIT = 6

_CONTRAST = re.compile(r"\b(?:but|yet|however|although|though)\b", re.IGNORECASE)
_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"\w+")
#: Redaction placeholders (``[NAME]``, ``[TICKET]``...): a sentence never starts inside one.
_PLACEHOLDER = re.compile(r"\[[A-Z]{2,12}\]")
_CLAUSE_TAGS = ("VERB", "AUX")


@dataclass(frozen=True)
class Unit:
    """One analysis unit of an answer.

    Attributes
    ----------
    text
        The unit as written (``answer[start:end]``).
    start, end
        Character offsets in the answer.
    index
        Position of the unit in its answer, from 0.
    """

    text: str
    start: int
    end: int
    index: int


@functools.cache
def _sentencizer() -> Language:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _tagging_pipeline() -> tuple[Language, list[str]]:
    nlp = load_pipeline()
    keep = ("tok2vec", "tagger", "attribute_ruler")
    return nlp, [name for name in nlp.pipe_names if name not in keep]


def split_into_units(texts: list[str]) -> list[list[Unit]]:
    """Split each answer into sentence units, splitting contrast clauses that stand on their own.

    Parameters
    ----------
    texts
        Answers (already redacted).

    Returns
    -------
    list of list of Unit
        Per answer, its units in order; empty or punctuation-only answers give no unit, and
        answers under :data:`MIN_WORDS_TO_SPLIT` words give one.
    """
    sentences = _sentence_spans(texts)
    contrast_requests = [
        (texts[answer][start:end], (answer, position))
        for answer, spans in enumerate(sentences)
        for position, (start, end) in enumerate(spans)
        if _CONTRAST.search(texts[answer], start, end)
    ]
    clause_splits: dict[tuple[int, int], list[int]] = {}
    if contrast_requests:
        nlp, disabled = _tagging_pipeline()
        for doc, key in nlp.pipe(contrast_requests, as_tuples=True, disable=disabled):
            clause_splits[key] = _contrast_split_offsets(doc[:])
    units = []
    for answer, spans in enumerate(sentences):
        pieces: list[tuple[int, int]] = []
        for position, (start, end) in enumerate(spans):
            cuts = [start + offset for offset in clause_splits.get((answer, position), [])]
            bounds = [start, *cuts, end]
            pieces.extend(itertools.pairwise(bounds))
        units.append(_make_units(texts[answer], pieces))
    return units


def _sentence_spans(texts: list[str]) -> list[list[tuple[int, int]]]:
    """Per answer, ``(start, end)`` of each sentence; short answers are one span."""
    spans: list[list[tuple[int, int]]] = [[] for _ in texts]
    requests: list[tuple[str, tuple[int, int]]] = []
    for answer, text in enumerate(texts):
        text = text if isinstance(text, str) else ""
        if len(_WORD.findall(text)) < MIN_WORDS_TO_SPLIT:
            spans[answer].append((0, len(text)))
            continue
        requests.extend((line.group(), (answer, line.start())) for line in _LINE.finditer(text))
    for doc, (answer, offset) in _sentencizer().pipe(requests, as_tuples=True):
        bounds = _outside_placeholders(doc.text, [sent.start_char for sent in doc.sents][1:])
        starts = [0, *bounds]
        ends = [*bounds, len(doc.text)]
        spans[answer].extend((offset + start, offset + end)
                             for start, end in zip(starts, ends, strict=True) if end > start)
    return spans


def _outside_placeholders(text: str, bounds: list[int]) -> list[int]:
    """Sentence boundaries moved out of redaction placeholders: "solid. [NAME] was" splits before
    the bracket, never inside it (the sentencizer reads "[" as the end of the previous sentence)."""
    moved: list[int] = []
    for bound in bounds:
        for match in _PLACEHOLDER.finditer(text, max(0, bound - 12), bound + 12):
            if match.start() < bound < match.end():
                bound = match.start()
        if not moved or bound > moved[-1]:
            moved.append(bound)
    return moved


def _contrast_split_offsets(sentence: Span) -> list[int]:
    """Character offsets (within the sentence) where a contrast clause starts."""
    cuts: list[int] = []
    last_cut = 0
    for token in sentence:
        tags = CONTRAST_WORDS.get(token.lower_)
        if tags is None or token.pos_ not in tags:
            continue
        if token.i == sentence.start and token.lower_ in ("although", "though"):
            cut = _end_of_fronted_clause(sentence)
        else:
            cut = token.i
        if cut is None:
            continue
        before, after = sentence.doc[last_cut:cut], sentence.doc[cut:sentence.end]
        if _is_clause(before) and _is_clause(after):
            cuts.append(sentence.doc[cut].idx - sentence.start_char)
            last_cut = cut
    return cuts


def _end_of_fronted_clause(sentence: Span) -> int | None:
    """Token index after the comma that closes a fronted "Although ..., ..." clause."""
    for token in sentence[1:]:
        if token.text == "," and token.i + 1 < sentence.end:
            return token.i + 1
    return None


def _is_clause(span: Span) -> bool:
    words = [token for token in span if token.is_alpha and token.lower_ not in CONTRAST_WORDS]
    return len(words) >= MIN_CLAUSE_WORDS and any(token.pos_ in _CLAUSE_TAGS for token in words)


def _make_units(text: str, pieces: list[tuple[int, int]]) -> list[Unit]:
    units: list[Unit] = []
    for start, end in pieces:
        while start < end and text[start].isspace():
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
            end -= 1
        if _WORD.search(text, start, end):
            units.append(Unit(text[start:end], start, end, len(units)))
    return units
