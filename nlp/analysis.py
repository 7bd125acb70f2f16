"""The whole analysis: answers -> units -> embeddings, sentiment, silo flags, themes -> trends.

Two stages so the app can work incrementally: :func:`analyse_units` does the per-unit work for
new answers only (reusing cached embeddings), and :func:`summarise` rebuilds themes, trends and
silo metrics from all units. :func:`analyse` runs both on an in-memory set of answers.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from nlp.embeddings import Embedder, default_embedder, text_key
from nlp.results import Analysis, AnswerInput, FlagResult, UnitResult

if TYPE_CHECKING:
    from nlp.units import Unit

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

#: Units embedded between two progress reports (about a second each); the embedder sorts each
#: chunk by token count, so larger chunks pad less.
EMBED_CHUNK = 1024


def _no_progress(stage: str, done: int, total: int) -> None:
    """Default progress callback: ignore."""


CachedVectors = Callable[[Sequence[str]], Mapping[str, np.ndarray]]


def embed_with_cache(
    texts: Sequence[str], embedder: Embedder, cached_vectors: CachedVectors | None = None,
    progress: Progress = _no_progress,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Embed ``texts``, reusing vectors that ``cached_vectors(keys)`` already knows.

    Parameters
    ----------
    cached_vectors
        Called once with every text key; returns the known vectors by key (e.g. from SQLite).

    Returns
    -------
    vectors, new
        All vectors in input order, and the newly computed ones keyed by text key.
    """
    keys = [text_key(text) for text in texts]
    cache = dict(cached_vectors(keys)) if cached_vectors is not None else {}
    # Shortest first (by key within a length), so each chunk holds texts of about one length and
    # its batches pad little: 28% fewer padded tokens than chunks of 256 in key order on the
    # bench's units, within 2% of sorting them all at once.
    missing = sorted({key: text for key, text in zip(keys, texts, strict=True)
                      if key not in cache}.items(), key=lambda item: (len(item[1]), item[0]))
    new: dict[str, np.ndarray] = {}
    for start in range(0, len(missing), EMBED_CHUNK):
        chunk = missing[start:start + EMBED_CHUNK]
        vectors = embedder.embed([text for _, text in chunk])
        new.update({key: vector for (key, _), vector in zip(chunk, vectors, strict=True)})
        progress("embedding", start + len(chunk), len(missing))
    if not texts:
        return np.zeros((0, 384), dtype=np.float32), new
    lookup = {**cache, **new}
    return np.vstack([lookup[key] for key in keys]).astype(np.float32), new


def analyse_units(
    answers: Sequence[AnswerInput],
    *,
    lexicon: Any = None,
    embedder: Embedder | None = None,
    cached_vectors: CachedVectors | None = None,
    progress: Progress = _no_progress,
    model_cache: str | os.PathLike[str] | None = None,
) -> tuple[list[UnitResult], np.ndarray, dict[str, np.ndarray]]:
    """Split answers into units, embed them, and score sentiment and siloing language.

    Units leave here without a theme: :func:`nlp.summary.summarise` assigns themes over all
    units of a survey at once, so curation applies to old and new units alike.

    Parameters
    ----------
    answers
        Redacted free-text answers.
    lexicon
        The silo lexicon to use (default: the shipped one).
    embedder
        Embedding backend (default: :func:`nlp.embeddings.default_embedder`).
    cached_vectors
        Looks up known vectors by text key; only units it does not know are embedded.
    progress
        Called as ``progress(stage, done, total)``.
    model_cache
        Folder of the exported ONNX models (the default embedder's and the sentiment encoder's);
        None means ``~/.cache/rapport``.

    Returns
    -------
    units, vectors, new_vectors
        Unit results, their embedding matrix (row per unit), and newly computed vectors.
    """
    from nlp.sentiment.scoring import score_sentiment_with_logits
    from nlp.silo import analyse_silo_language
    from nlp.units import split_into_units

    embedder = embedder or default_embedder("semantic", model_cache)
    split = split_into_units([answer.text for answer in answers])
    pieces = [(answer, unit) for answer, units in zip(answers, split, strict=True) for unit in units]
    texts = [unit.text for _, unit in pieces]
    progress("splitting", len(answers), len(answers))
    # spaCy's siloing pass runs on one core: beside the encoders (native code that lets go of the
    # GIL) it fills the core they would leave idle, instead of running after them.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="siloing") as side:
        siloing = side.submit(analyse_silo_language, texts, lexicon)
        vectors, new_vectors = embed_with_cache(texts, embedder, cached_vectors, progress)
        progress("sentiment", 0, len(texts))
        scores, logits = score_sentiment_with_logits(texts, vectors=vectors, model_cache=model_cache)
        progress("sentiment", len(texts), len(texts))
        progress("siloing language", 0, len(texts))
        flags, partnership = siloing.result()
        progress("siloing language", len(texts), len(texts))
    units = [_unit_result(answer, unit, score, unit_flags, partner_count)
             for (answer, unit), score, unit_flags, partner_count in zip(
                 pieces, scores, flags, partnership, strict=True)]
    if logits is not None:  # kept for the per-survey correction head (nlp.sentiment.correction_head)
        units = [dataclasses.replace(unit, sentiment_logits=tuple(map(float, row)))
                 for unit, row in zip(units, logits, strict=True)]
    return units, vectors, new_vectors


def _unit_result(answer: AnswerInput, unit: Unit, score: float, flags: Sequence[Any],
                 partnership_terms: int) -> UnitResult:
    """One unit's result, still without a theme (:func:`nlp.summary.summarise` assigns those)."""
    from nlp.sentiment import sentiment_label
    from nlp.silo import count_words

    return UnitResult(
        id=f"{answer.response_id}:{answer.question_id}:{unit.index}",
        response_id=answer.response_id, question_id=answer.question_id, position=unit.index,
        wave=answer.wave, segment=answer.segment, text=unit.text, text_key=text_key(unit.text),
        sentiment=float(score), sentiment_label=sentiment_label(float(score)), drivers=(),
        theme_id=None, theme_confidence=0.0,
        flags=tuple(_flag(flag) for flag in flags), partnership_terms=int(partnership_terms),
        words=count_words(unit.text),
    )


def _flag(flag: Any) -> FlagResult:
    return FlagResult(
        text=flag.text, start=flag.start, end=flag.end, category=flag.category,
        term_id=getattr(flag, "term_id", ""), suggestion=flag.suggestion, stance=flag.stance,
    )


def analyse(
    answers: Sequence[AnswerInput],
    *,
    waves: Sequence[str] | None = None,
    taxonomy: Any = None,
    lexicon: Any = None,
    embedder: Embedder | None = None,
    cached_vectors: CachedVectors | None = None,
    min_group_size: int = 5,
    random_state: int = 0,
    progress: Progress = _no_progress,
    model_cache: str | os.PathLike[str] | None = None,
) -> Analysis:
    """Analyse a set of redacted answers end to end.

    Parameters
    ----------
    answers
        Redacted free-text answers with their wave and segment.
    waves
        Wave labels in chronological order (default: order of first appearance).
    min_group_size
        Reporting threshold: figures over fewer respondents are suppressed.
    random_state
        Seed for clustering and bootstrap intervals; same inputs and seed, same outputs.
    embedder, cached_vectors, progress, model_cache
        As for :func:`analyse_units`.

    Returns
    -------
    Analysis
    """
    from nlp.summary import summarise

    embedder = embedder or default_embedder("semantic", model_cache)
    units, vectors, _ = analyse_units(
        answers, lexicon=lexicon, embedder=embedder,
        cached_vectors=cached_vectors, progress=progress, model_cache=model_cache,
    )
    wave_order = tuple(waves) if waves is not None else tuple(dict.fromkeys(a.wave for a in answers))
    return summarise(
        units, vectors, waves=wave_order, taxonomy=taxonomy, lexicon=lexicon,
        embedder=embedder, min_group_size=min_group_size,
        random_state=random_state,
    )
