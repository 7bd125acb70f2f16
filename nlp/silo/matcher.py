"""Lexicon matching with spaCy's ``Matcher`` plus the context rules that keep false positives out."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from nlp.silo.lexicon import ContextRules, Lexicon, LexiconTerm
from nlp.silo.patterns import HYPHENS, compile_pattern

if TYPE_CHECKING:
    from spacy.matcher import Matcher
    from spacy.tokens import Doc, Span, Token
    from spacy.vocab import Vocab

_COMPLEMENT_DEPS = ("attr", "oprd", "acomp")
_ARGUMENT_DEPS = ("nsubj", "nsubjpass", "dobj")


@dataclass(frozen=True)
class TermMatch:
    """A lexicon term found in a ``Doc``, after context rules (token offsets, end exclusive)."""

    term: LexiconTerm
    start: int
    end: int


@dataclass(frozen=True)
class _CompiledLexicon:
    matcher: Matcher
    terms: dict[str, LexiconTerm]
    context_masks: dict[tuple[str, int], tuple[bool, ...]]
    #: Per pattern, the lower-cased word sets of its required tokens: a text can match the pattern
    #: only if it holds a word of each set (``None`` when some pattern has no required token, so
    #: every text goes to the ``Matcher``).
    required_words: tuple[tuple[frozenset[str], ...], ...] | None
    #: The union of every pattern's smallest required set: a text without any of these is out.
    anchor_words: frozenset[str] | None


@functools.lru_cache(maxsize=16)
def _compile(lexicon: Lexicon, vocab: Vocab) -> _CompiledLexicon:
    """Build one ``Matcher`` per lexicon version (cached: lexicons are immutable)."""
    from spacy.matcher import Matcher

    matcher = Matcher(vocab)
    masks: dict[tuple[str, int], tuple[bool, ...]] = {}
    required: list[tuple[frozenset[str], ...]] = []
    for term in lexicon.enabled_terms:
        for index, pattern in enumerate(term.patterns):
            compiled = compile_pattern(pattern, lexicon.word_lists)
            key = f"{term.id}#{index}"
            matcher.add(key, [list(compiled.tokens)], greedy="LONGEST")
            masks[(term.id, index)] = compiled.is_context
            required.append(_required_words(compiled.tokens))
    screen = None if not all(required) else tuple(required)
    anchors = None if screen is None else frozenset().union(*(min(sets, key=len) for sets in screen))
    return _CompiledLexicon(matcher, {term.id: term for term in lexicon.enabled_terms}, masks,
                            screen, anchors)


def _required_words(tokens: tuple[dict, ...]) -> tuple[frozenset[str], ...]:
    """The word sets of the tokens every match must hold, one per required token (lower-cased: an
    ``ORTH`` set then lets through more texts than it matches, never fewer); empty if every token
    is optional or reads no word."""
    return tuple(frozenset(form.lower() for form in spec[attr]["IN"])
                 for spec in tokens if "OP" not in spec
                 for attr in ("LOWER", "ORTH") if attr in spec)


def _trim_context(start: int, alignments: list[int], mask: tuple[bool, ...]) -> tuple[int, int] | None:
    """Return the token range of a match without its context-only tokens."""
    kept = [start + offset for offset, pattern_index in enumerate(alignments) if not mask[pattern_index]]
    return (kept[0], kept[-1] + 1) if kept else None


def may_match(doc: Doc, lexicon: Lexicon) -> bool:
    """Return whether any pattern matches a merely tokenised ``Doc``, before context rules.

    Patterns only read ``LOWER`` and ``ORTH``, so this pre-screen needs no tagger or parser; texts
    that fail it cannot yield a match and skip the expensive part of the pipeline. A text that
    does not hold a word of each required token of some pattern is turned away before the
    ``Matcher`` runs (nine texts in ten of the bench's units).
    """
    compiled = _compile(lexicon, doc.vocab)
    if compiled.required_words is not None:
        words = {token.lower_ for token in doc}
        if compiled.anchor_words is not None and compiled.anchor_words.isdisjoint(words):
            return False
        if not any(all(not words.isdisjoint(options) for options in pattern)
                   for pattern in compiled.required_words):
            return False
    return bool(compiled.matcher(doc))


def match_terms(doc: Doc, lexicon: Lexicon) -> list[TermMatch]:
    """Return the non-overlapping lexicon matches in ``doc`` that pass their context rules.

    Parameters
    ----------
    doc
        A parsed ``Doc`` (tagger, parser and lemmatizer are used by the context rules).
    lexicon
        The lexicon whose enabled terms are matched.

    Returns
    -------
    list of TermMatch
        Sorted by position; where matches overlap the longest wins (``spacy.util.filter_spans``).
    """
    from spacy.tokens import Span
    from spacy.util import filter_spans

    compiled = _compile(lexicon, doc.vocab)
    candidates: list[Span] = []
    # spaCy's type stub has no overload for with_alignments=True, which adds a fourth item.
    matches = cast(list[tuple[int, int, int, list[int]]], compiled.matcher(doc, with_alignments=True))
    for match_id, start, _end, alignments in matches:
        term_id, index = doc.vocab.strings[match_id].split("#")
        term = compiled.terms[term_id]
        bounds = _trim_context(start, alignments, compiled.context_masks[(term_id, int(index))])
        if bounds is None:
            continue
        if passes_context_rules(doc[bounds[0] : bounds[1]], term.context, lexicon):
            candidates.append(Span(doc, bounds[0], bounds[1], label=term_id))
    return [TermMatch(compiled.terms[span.label_], span.start, span.end) for span in filter_spans(candidates)]


def _words_before(span: Span, limit: int) -> list[str]:
    tokens = [token.lower_ for token in span.doc[span.sent.start : span.start] if token.text not in HYPHENS]
    return tokens[-limit:]


def _words_after(span: Span, limit: int) -> list[str]:
    tokens = [token.lower_ for token in span.doc[span.end : span.sent.end] if token.text not in HYPHENS]
    return tokens[:limit]


def _phrase_words(phrase: str) -> list[str]:
    for hyphen in HYPHENS:
        phrase = phrase.replace(hyphen, " ")
    return phrase.lower().split()


def _previous_token(span: Span) -> Token | None:
    for token in reversed(span.doc[span.sent.start : span.start]):
        if token.text not in HYPHENS:
            return token
    return None


def passes_context_rules(span: Span, rules: ContextRules, lexicon: Lexicon) -> bool:
    """Return whether a match survives its term's context rules (see :class:`ContextRules`)."""
    for phrase in rules.not_preceded_by:
        words = _phrase_words(phrase)
        if _words_before(span, len(words)) == words:
            return False
    for phrase in rules.not_followed_by:
        words = _phrase_words(phrase)
        if _words_after(span, len(words)) == words:
            return False
    previous = _previous_token(span)
    if previous is not None and previous.pos_ in rules.reject_after_pos:
        return False
    last = span[-1]
    if rules.head_noun_only and last.dep_ == "compound" and last.head.i >= span.end:
        return False
    root = span.root
    if root.dep_ in ("nsubj", "nsubjpass") and root.head.lemma_ in rules.reject_subject_of:
        return False
    return rules.requires != "it_role" or is_predicated_of_it(span, lexicon)


def _is_it_referent(token: Token, lexicon: Lexicon) -> bool:
    return token.text in ("IT", "I.T.") or token.lower_ in lexicon.word_lists.get("it_referent", ())


def _governing_verb(span: Span) -> Token | None:
    """The verb a role noun is predicated through: ``IT *is* a vendor``, ``*seen* as a vendor``."""
    token = span.root
    while token.dep_ in ("conj", "appos") and token.head.i != token.i:
        token = token.head
    if token.dep_ in _COMPLEMENT_DEPS:
        return token.head
    if token.dep_ == "pobj" and token.head.lower_ in ("as", "like"):
        return token.head.head
    return None


def is_predicated_of_it(span: Span, lexicon: Lexicon) -> bool:
    """Return whether a role noun (``service provider``) is said of IT, us or you.

    ``IT is a service provider``, ``we are treated as a vendor``, ``treat IT like a supplier`` and
    ``the IT service provider team`` pass; ``our cloud service provider`` or ``we use Acme as a
    supplier`` do not.
    """
    if span.start > 0 and _is_it_referent(span.doc[span.start - 1], lexicon):
        # "the IT service provider team": IT named as the provider in the noun phrase itself.
        return True
    verb = _governing_verb(span)
    if verb is None:
        return False
    arguments = list(_arguments(verb))
    objects = [token for token in arguments if token.dep_ == "dobj"]
    if objects:
        return any(_is_it_referent(token, lexicon) for token in objects)
    return any(_is_it_referent(token, lexicon) for token in arguments)


def _arguments(verb: Token) -> Iterator[Token]:
    for child in verb.children:
        if child.dep_ in _ARGUMENT_DEPS:
            yield child
    if verb.dep_ in ("xcomp", "ccomp", "conj", "advcl") and not any(
        child.dep_.startswith("nsubj") for child in verb.children
    ):
        yield from _arguments(verb.head)
