"""Stance of a siloing phrase: used as self-description, or quoted, or criticised.

A culture lead cares about the difference: "our internal customers need..." uses the frame, while
"stop calling us internal customers" or "the phrase 'internal customer'" pushes back on it. The
rules read the dependency parse and the lexicon's ``stance_cues`` word lists:

- **criticised**: the writer pushes back on the frame. The phrase is negated as a description
  (``we are not an order taker``, ``no more us vs. them``); contrasted with a better word
  (``instead of a partner``, ``internal customers rather than colleagues``, ``a vendor, not a
  partner``); under a critique verb (``stop calling us...``, ``break down silos``), a negated wish
  (``we don't want IT to be an order taker``) or an ending verb (``the silo culture has to end``);
  or a naming or treating verb applies it to us (``they call us order takers``, ``we are treated
  like a vendor``). A phrase that is the subject of a clause is not critiqued by that clause's verb
  (``satisfaction among internal clients dropped``).
- **quoted**: the phrase is mentioned rather than used: in quotation marks, or after a
  metalinguistic noun (``the term``, ``words like``) or ``so-called``.
- **unknown**: a question with none of the cues above.
- **self-description**: everything else; the phrase is simply used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

SELF_DESCRIPTION = "self-description"
CRITICISED = "criticised"
QUOTED = "quoted"
UNKNOWN = "unknown"
STANCES = (SELF_DESCRIPTION, CRITICISED, QUOTED, UNKNOWN)

_QUOTES = "'\"‘’“”«»`"
_WINDOW = 4
_FIRST_PERSON = ("we", "us", "i", "me", "our")


def _object_side_ancestors(span: Span) -> Iterator[Token]:
    """Ancestors of the phrase up to the clause whose subject it is (a subject is not critiqued)."""
    token = span.root
    while token.head.i != token.i and not token.dep_.startswith("nsubj"):
        token = token.head
        yield token


def _governor_of_subject(span: Span) -> Token | None:
    token = span.root
    while token.head.i != token.i and not token.dep_.startswith("nsubj"):
        token = token.head
    return token.head if token.dep_.startswith("nsubj") else None


def _window_before(span: Span) -> list[Token]:
    return list(span.doc[max(span.sent.start, span.start - _WINDOW) : span.start])


def _text_after(span: Span) -> str:
    return " ".join(token.lower_ for token in span.doc[span.end : min(span.sent.end, span.end + 3)])


def _is_negated(span: Span, negations: Sequence[str]) -> bool:
    """A negation right before the phrase, with no verb in between, or on its copula."""
    for token in reversed(_window_before(span)):
        if token.pos_ == "VERB" or token.text in ",;:":
            break
        if token.lower_ in negations:
            return True
    root = span.root
    if root.dep_ in ("attr", "oprd") and any(
        child.dep_ == "neg" and not (span.start <= child.i < span.end) for child in root.head.children
    ):
        subjects = [child for child in root.head.children if child.dep_.startswith("nsubj")]
        return any(subject.lower_ in _FIRST_PERSON or subject.text == "IT" for subject in subjects)
    return False


def _is_contrasted(span: Span, cues: Mapping[str, Sequence[str]]) -> bool:
    """``instead of internal customers``, ``internal customers rather than colleagues``."""
    before = " ".join(token.lower_ for token in _window_before(span))
    if any(marker in before for marker in cues.get("contrast_markers", ())):
        return True
    after = _text_after(span)
    if any(after.startswith(marker) for marker in cues.get("contrast_after", ())):
        return True
    return _is_contrasted_with_partnership(span, cues.get("partnership_words", ()))


def _is_contrasted_with_partnership(span: Span, partnership_words: Sequence[str]) -> bool:
    """``a vendor, not a partner``: the phrase set against a partnership word that follows it."""
    following = [token.lower_ for token in span.doc[span.end : min(span.sent.end, span.end + 6)]]
    if following[:2] != [",", "not"]:
        return False
    return any(word in partnership_words for word in following[2:])


def _is_negated_wish(verb: Token, negations: Sequence[str]) -> bool:
    """``we don't want IT to be an order taker``, ``nobody wants a vendor``."""
    return any(
        child.dep_ == "neg" or (child.dep_.startswith("nsubj") and child.lower_ in negations)
        for child in verb.children
    )


def _is_under_critique(span: Span, cues: Mapping[str, Sequence[str]]) -> bool:
    if _is_contrasted(span, cues):
        return True
    negations = cues.get("negations", ())
    for ancestor in _object_side_ancestors(span):
        lemma = ancestor.lemma_.lower()
        if lemma in cues.get("critique_verbs", ()):
            return True
        if lemma in cues.get("naming_verbs", ()) and _applies_to_us(ancestor):
            return True
        if lemma in cues.get("desire_verbs", ()) and _is_negated_wish(ancestor, negations):
            return True
    governor = _governor_of_subject(span)
    return governor is not None and _is_bare_ending(governor, cues.get("ending_verbs", ()))


def _is_bare_ending(verb: Token, ending_verbs: Sequence[str]) -> bool:
    """``the silo culture has to go`` / ``must end``: an ending verb with nothing attached."""
    candidates = [verb, *(child for child in verb.children if child.dep_ == "xcomp")]
    return any(
        candidate.lemma_.lower() in ending_verbs
        and not any(child.dep_ in ("dobj", "prep", "prt", "advmod") for child in candidate.children)
        for candidate in candidates
    )


def _applies_to_us(verb: Token) -> bool:
    """``call us X``, ``we are treated like X``, ``don't call it X``: the label is pushed back on."""
    negated = any(child.dep_ == "neg" for child in verb.children)
    targets = [child for child in verb.children if child.dep_ in ("dobj", "nsubjpass", "dative")]
    return negated or any(target.lower_ in _FIRST_PERSON for target in targets)


def _is_quoted(span: Span, cues: Mapping[str, Sequence[str]]) -> bool:
    text = span.doc.text
    before = text[max(0, span.start_char - 2) : span.start_char].strip()
    after = text[span.end_char : span.end_char + 2].strip()
    if before[-1:] and before[-1] in _QUOTES and after[:1] and after[0] in _QUOTES:
        return True
    window = [token.lower_ for token in _window_before(span)]
    if "so" in window and "called" in window:
        return True
    return any(word in cues.get("metalinguistic_nouns", ()) for word in window)


def classify_stance(span: Span, cues: Mapping[str, Sequence[str]]) -> str:
    """Return the stance of a matched phrase: one of :data:`STANCES`.

    Parameters
    ----------
    span
        The matched phrase in a parsed ``Doc``.
    cues
        The lexicon's ``stance_cues`` word lists (``negations``, ``critique_verbs``,
        ``naming_verbs``, ``desire_verbs``, ``ending_verbs``, ``contrast_markers`` (before the
        phrase), ``contrast_after`` (right after it), ``partnership_words`` (for "X, not a
        partner") and ``metalinguistic_nouns``).
    """
    if _is_negated(span, cues.get("negations", ())) or _is_under_critique(span, cues):
        return CRITICISED
    if _is_quoted(span, cues):
        return QUOTED
    if span.sent.text.rstrip().endswith("?"):
        return UNKNOWN
    return SELF_DESCRIPTION
