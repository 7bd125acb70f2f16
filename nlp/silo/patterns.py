"""A small phrase syntax for lexicon patterns, compiled to spaCy ``Matcher`` token patterns.

Culture leads edit patterns as plain phrases, so the lexicon stays readable JSON. The syntax:

``internal customer``
    Each word matches case-insensitively (``LOWER``) in its regular inflections
    (``customers``, ``siloed``, ``providing``...). Short words (< 4 letters) match as written.
``order taker|takers``
    ``|`` separates alternatives for one token.
``=us``
    A leading ``=`` turns inflection off for that word.
``IT``
    A word written in capitals matches case-sensitively (``IT`` or ``I.T.``, never ``it``).
``just?``
    A trailing ``?`` makes the token optional.
``[that|this]``
    Brackets mark context: the token must be there but is not part of the flagged span.
``*{0,3}``
    Up to three tokens of any kind.
``@department``
    Any word of the lexicon's word list ``department``.

An optional hyphen is allowed between consecutive words, so ``internal customer`` also matches
``internal-customers`` and ``us versus them`` matches ``us-versus-them``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nlp.errors import LexiconError

HYPHENS = ("-", "–", "—")
_WILDCARD = re.compile(r"^\*\{(\d+),(\d+)\}$")
_WORD = re.compile(r"^[\w.'’&/]+$")
_MIN_INFLECTED_LENGTH = 4


@dataclass(frozen=True)
class CompiledPattern:
    """A spaCy token pattern plus, per pattern token, whether it is context only."""

    tokens: tuple[dict, ...]
    is_context: tuple[bool, ...]


def inflections(word: str) -> tuple[str, ...]:
    """Return ``word`` with its regular noun and verb inflections, lower-cased.

    Parameters
    ----------
    word
        A base form such as ``customer``, ``silo`` or ``supply``.

    Returns
    -------
    tuple of str
        Sorted forms; over-generation (``customering``) is harmless because such words do not occur.
    """
    word = word.lower()
    if len(word) < _MIN_INFLECTED_LENGTH or not word.isalpha():
        return (word,)
    stem = word[:-1] if word.endswith("e") else word
    forms = {word, word + "s", word + "es", stem + "ed", stem + "ing", word + "ed"}
    if word.endswith("y") and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if word.endswith("er"):
        forms.add(word[:-2] + "ing")
    return tuple(sorted(forms))


def _word_spec(alternative: str, word_lists: Mapping[str, Sequence[str]], pattern: str) -> dict:
    if alternative.startswith("@"):
        name = alternative[1:]
        if name not in word_lists:
            raise LexiconError(f"pattern {pattern!r} names an unknown word list {name!r}")
        return {"LOWER": {"IN": sorted({word.lower() for word in word_lists[name]})}}
    if alternative.isupper() and alternative.isalpha() and len(alternative) > 1:
        return {"ORTH": {"IN": [alternative, ".".join(alternative) + "."]}}
    if alternative.startswith("="):
        return {"LOWER": {"IN": [alternative[1:].lower()]}}
    return {"LOWER": {"IN": list(inflections(alternative))}}


def _merge_specs(specs: list[dict]) -> dict:
    """Merge alternative specs into one token spec (``ORTH`` and ``LOWER`` cannot share a dict)."""
    lowers = sorted({form for spec in specs for form in spec.get("LOWER", {}).get("IN", [])})
    orths = sorted({form for spec in specs for form in spec.get("ORTH", {}).get("IN", [])})
    if lowers and orths:
        # Mixed case-sensitive and insensitive alternatives: fall back to listing exact forms.
        orths = sorted(set(orths) | set(lowers) | {form.capitalize() for form in lowers})
        return {"ORTH": {"IN": orths}}
    return {"LOWER": {"IN": lowers}} if lowers else {"ORTH": {"IN": orths}}


def _parse_token(raw: str, word_lists: Mapping[str, Sequence[str]], pattern: str) -> tuple[dict, bool]:
    context = raw.startswith("[")
    if context:
        if "]" not in raw:
            raise LexiconError(f"pattern {pattern!r}: unclosed '[' in {raw!r}")
        optional = raw.endswith("]?")
        raw = raw[1 : raw.index("]")]
    else:
        optional = raw.endswith("?") and len(raw) > 1
        raw = raw[:-1] if optional else raw
    alternatives = [alternative for alternative in raw.split("|") if alternative]
    if any("-" in alternative for alternative in alternatives):
        raise LexiconError(
            f"pattern {pattern!r}: write {raw!r} with spaces; a hyphen between words always matches"
        )
    if not alternatives or not all(_WORD.match(alt.lstrip("=@")) for alt in alternatives):
        raise LexiconError(f"pattern {pattern!r}: cannot read token {raw!r}")
    spec = _merge_specs([_word_spec(alt, word_lists, pattern) for alt in alternatives])
    if optional:
        spec["OP"] = "?"
    return spec, context


def readable_pattern(pattern: str, word_lists: Mapping[str, Sequence[str]] | None = None) -> str:
    """A pattern as a person reads it: the first wording of each word, optional words left out.

    ``=us vs.|vs|versus =them`` -> ``us vs. them``; ``throw|threw *{0,4} over the wall`` ->
    ``throw … over the wall``; ``@department`` -> the list's first word (or "department").
    """
    words: list[str] = []
    for raw in pattern.split():
        if raw.endswith("?") and len(raw) > 1:
            continue
        if _WILDCARD.match(raw):
            words.append("…")
            continue
        first = raw.strip("[]").split("|")[0].lstrip("=")
        if first.startswith("@"):
            listed = (word_lists or {}).get(first[1:], ())
            first = listed[0] if listed else first[1:].replace("_", " ")
        if first and first[0] in "'’" and words:
            words[-1] += first
        elif first:
            if words and words[-1] == "a" and (first[0] in "aeiouAEIOU" or first == "IT"):
                words[-1] = "an"
            words.append(first)
    return " ".join(words)


def compile_pattern(pattern: str, word_lists: Mapping[str, Sequence[str]]) -> CompiledPattern:
    """Compile one phrase pattern into a spaCy ``Matcher`` pattern.

    Parameters
    ----------
    pattern
        A phrase in the syntax described in this module's docstring.
    word_lists
        Named word lists that ``@name`` tokens refer to.

    Raises
    ------
    LexiconError
        If the pattern is empty, has no span token, or cannot be read.
    """
    if not isinstance(pattern, str) or not pattern.split():
        raise LexiconError(f"pattern {pattern!r} is empty or not a string")
    tokens: list[dict] = []
    is_context: list[bool] = []
    previous_was_word = False
    for raw in pattern.split():
        wildcard = _WILDCARD.match(raw)
        if wildcard:
            tokens.append({"OP": f"{{{wildcard[1]},{wildcard[2]}}}"})
            is_context.append(False)
            previous_was_word = False
            continue
        spec, context = _parse_token(raw, word_lists, pattern)
        if previous_was_word:
            tokens.append({"ORTH": {"IN": list(HYPHENS)}, "OP": "?"})
            is_context.append(context or is_context[-1])
        tokens.append(spec)
        is_context.append(context)
        previous_was_word = True
    if all(is_context):
        raise LexiconError(f"pattern {pattern!r} has only context tokens")
    return CompiledPattern(tuple(tokens), tuple(is_context))
