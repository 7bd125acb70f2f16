"""Tokens and hashed features of the learned name tagger (:mod:`nlp.redaction.tagger`).

Shared by training (:mod:`eval.redaction_model`) and serving, so the two can never drift apart:
a text becomes :class:`Token` s (words, numbers, punctuation, line breaks, a possessive ``'s`` split
off), each
word worth scoring gets a list of feature strings (the word, its shape, affixes, gazetteer and
dictionary membership, capitalisation against the text's own habits, the neighbouring words),
and each string is hashed with CRC-32 into a fixed number of buckets.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from typing import NamedTuple

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+|[^\w\s]|\n")
#: The word tokens of :func:`tokenize` alone (where each word starts: a possessive "'s" never does).
WORD_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
#: The possessive endings :func:`tokenize` splits off a word.
POSSESSIVES = frozenset(("'s", "’s", "'S", "’S"))
_SENTENCE_END = frozenset((".", "!", "?", ":", ";", "\n", "•", "*", "-", "–", "—", "(", "\"", "“", "|"))
_SHAPE_RUNS = re.compile(r"(.)\1+")
#: Nouns that head a place or an organisation: "Chase Bank", "the Barton Street office" (flag ``o``).
ORG_NOUNS = frozenset((
    "bank", "banks", "street", "st", "road", "rd", "avenue", "lane", "station", "office", "offices", "house",
    "building", "campus", "centre", "center", "hospital", "clinic", "school", "college", "university",
    "group", "team", "teams", "depot", "site", "branch", "store", "hall", "park", "square", "court", "tower",
    "plc", "ltd", "inc", "llc", "co", "corp", "holdings", "partners", "associates", "foundation", "trust",
))


class Token(NamedTuple):
    """A token of the text: its offsets, text and lower-cased form."""

    start: int
    end: int
    text: str
    lower: str


class Lexicons(NamedTuple):
    """Word sets the features read, all lower case (see :func:`nlp.redaction.tagger.lexicons`)."""

    given: frozenset[str]
    surnames: frozenset[str]
    local_given: frozenset[str]  # the rules' own list (nlp/data/first_names.txt)
    known: Callable[[str], bool]  # products, departments... (never a name)
    common: Callable[[str], bool]  # an English dictionary word in ordinary use (not a rare entry: "aditi")
    stop: frozenset[str]
    frequency: Callable[[str], float]  # Zipf frequency of a dictionary word, 0.0 when rare or none


def tokenize(text: str) -> list[Token]:
    """Words (possessive ``'s`` split off), digit runs, single punctuation marks and line breaks (a
    name alone on a line signs a message off), with offsets."""
    tokens = []
    make = tuple.__new__  # Token(...) goes through a Python-level __new__: this is the hot loop
    for match in _TOKEN.finditer(text):
        word, (start, end) = match.group(), match.span()
        if len(word) > 3 and word[-2:] in POSSESSIVES:
            tokens.append(make(Token, (start, end - 2, word[:-2], word[:-2].lower())))
            tokens.append(make(Token, (end - 2, end, word[-2:], word[-2:].lower())))
        else:
            tokens.append(make(Token, (start, end, word, word.lower())))
    return tokens


def worth_scoring(tokens: list[Token], index: int, lexicons: Lexicons, *, shouting: bool = False,
                  lowercase_writer: bool = False) -> bool:
    """Skip what is never a name, cheaply: punctuation, digits, known terms, stop words (capitalised ones
    only at a sentence start: "The", but "thanks Will") and lower-case dictionary words, except given
    names in a text that has no capital at all ("the printer", "mark it", but "sarah and tom",
    "ayesha khan")."""
    token = tokens[index]
    if not token.text[0].isalpha() or lexicons.known(token.lower):
        return False
    if len(token.text) > 1 and token.text.isupper():
        return shouting  # "VPN", "HR": acronyms, unless the whole text is in capitals
    if token.lower in lexicons.stop:
        return token.text[0].isupper() and not is_initial(tokens, index)
    if token.text[0].isupper():
        return True
    if lexicons.common(token.lower):  # "mark the ticket"; "sarah and tom" only from one who never capitalises
        return lowercase_writer and (
            token.lower in lexicons.given or _surname_after_given(tokens, index, lexicons))
    return True


def scoring_indices(tokens: list[Token], lexicons: Lexicons, writing: str) -> list[int]:
    """The indices of the tokens :func:`worth_scoring` keeps (``writing``: :func:`text_case`), its two
    commonest refusals tried inline first (punctuation or digits; a stop word not capitalised: its
    answer whatever else holds) so that most tokens cost no call."""
    shouting, lowercase_writer = writing == "upper", writing == "lower"
    stop = lexicons.stop
    return [index for index, token in enumerate(tokens)
            if token.text[0].isalpha() and not (token.lower in stop and not token.text[0].isupper())
            and worth_scoring(tokens, index, lexicons, shouting=shouting, lowercase_writer=lowercase_writer)]


def _surname_after_given(tokens: list[Token], index: int, lexicons: Lexicons) -> bool:
    """"ayesha khan": a surname that is also an English word, straight after a given name."""
    lower = tokens[index].lower
    return index > 0 and lower in lexicons.surnames and tokens[index - 1].lower in lexicons.given


def is_initial(tokens: list[Token], index: int) -> bool:
    """Whether ``tokens[index]`` opens the text or follows sentence-ending punctuation."""
    return index == 0 or tokens[index - 1].text in _SENTENCE_END


def shape(word: str) -> str:
    """``Xx`` / ``x`` / ``X`` / ``Xx-Xx``: character classes with runs collapsed."""
    if word.isalpha():
        if word.islower():
            return "x"
        if word.isupper():
            return "X"
        if word[0].isupper() and word[1:].islower():
            return "Xx" if len(word) > 1 else "X"
    classes = "".join("X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c for c in word)
    return _SHAPE_RUNS.sub(r"\1", classes)


def case_of(word: str) -> str:
    """``cap`` (Title), ``up`` (UPPER), ``low`` (lower) or ``mix``."""
    if word.isupper():
        return "up" if len(word) > 1 else "cap"
    if word.islower():
        return "low"
    return "cap" if word[0].isupper() and word[1:].islower() else "mix"


def text_case(text: str, tokens: list[Token] | None = None) -> str:
    """How the writer uses capitals: ``lower`` (never), ``upper`` (mostly shouting) or ``mixed``.

    ``tokens`` (:func:`tokenize` of ``text``, when the caller has them) saves a second scan of the text."""
    if text.lower() == text:
        return "lower"
    if text.upper() == text:
        return "upper"
    count, shouted = _shouted_words(tokenize(text) if tokens is None else tokens)
    return "upper" if shouted > 0.6 * count else "mixed"


def _shouted_words(tokens: list[Token]) -> tuple[int, int]:
    """How many tokens and how many shouted words (upper case, two letters or more) :func:`text_case`
    counts, line breaks left out and each possessive ``'s`` counted with its word."""
    count = shouted = 0
    previous, previous_shouted = "", False
    for token in tokens:
        word = token.text
        if word in POSSESSIVES:  # only ever split off the word before it (no token starts with "'s")
            whole = previous + word
            shouted += (whole.isupper() and len(whole) > 1) - previous_shouted
            previous, previous_shouted = whole, False
            continue
        if word == "\n":
            continue
        count += 1
        previous, previous_shouted = word, word.isupper() and len(word) > 1
        shouted += previous_shouted
    return count, shouted


def gazetteer_flags(lower: str, lexicons: Lexicons) -> str:
    """The gazetteer and dictionary flags of a lower-case word (``g``, ``s``, ``l``, ``o``, ``c``)."""
    flags = ("g" if lower in lexicons.given else "") + ("s" if lower in lexicons.surnames else "")
    flags += "l" if lower in lexicons.local_given else ""
    flags += "o" if lower in ORG_NOUNS else ""
    return flags + ("c" if lexicons.common(lower) else "")


def _neighbour(tokens: list[Token], index: int) -> tuple[str, str]:
    if 0 <= index < len(tokens):
        token = tokens[index]
        return token.lower, shape(token.text) if token.text[0].isalpha() else token.text
    return "<s>" if index < 0 else "</s>", "<s>" if index < 0 else "</s>"


def _nearest_word(tokens: list[Token], index: int, step: int) -> str:
    """The nearest word before (``step`` -1) or after (+1) ``tokens[index]``, across punctuation:
    "thanks" in "thanks, sipho" and "Cheers!! Jordan"; ``|`` at a line break or the text's edge."""
    index += step
    while 0 <= index < len(tokens):
        text = tokens[index].text
        if text == "\n":
            return "|"
        if text[0].isalpha():
            return tokens[index].lower
        index += step
    return "|"


def token_features(tokens: list[Token], index: int, lexicons: Lexicons, writing: str) -> list[str]:
    """The feature strings of ``tokens[index]``; ``writing`` is :func:`text_case` of the whole text:
    :func:`word_features` (the word alone), then :func:`context_features` (its neighbours)."""
    token = tokens[index]
    initial = "1" if is_initial(tokens, index) else "0"
    own = word_features(token.text, token.lower, initial, lexicons, writing)
    return own + context_features(tokens, index, lexicons, case_of(token.text),
                                  gazetteer_flags(token.lower, lexicons))


def word_features(word: str, lower: str, initial: str, lexicons: Lexicons, writing: str) -> list[str]:
    """The features of :func:`token_features` that depend on the word, whether it opens a sentence
    (``initial``, "1" or "0") and ``writing`` only: the same for every occurrence of the word."""
    case = case_of(word)
    flags = gazetteer_flags(lower, lexicons)
    length = "1" if len(lower) <= 2 else "2" if len(lower) <= 4 else "3" if len(lower) <= 7 else "4"
    usage = frequency_band(lexicons.frequency(lower))
    return [
        "bias", f"w={lower}", f"sh={shape(word)}", f"p3={lower[:3]}", f"x3={lower[-3:]}", f"x2={lower[-2:]}",
        f"x4={lower[-4:]}", f"case={case}", f"case={case}|init={initial}", f"case={case}|txt={writing}",
        f"gz={flags}", f"gz={flags}|case={case}", f"gz={flags}|case={case}|init={initial}",
        f"gz={flags}|txt={writing}", f"len={length}|gz={flags}",
        f"fq={usage}|case={case}", f"fq={usage}|case={case}|txt={writing}", f"fq={usage}|gz={flags}",
    ]


def context_features(tokens: list[Token], index: int, lexicons: Lexicons, case: str, flags: str) -> list[str]:
    """The features of :func:`token_features` that read the neighbouring tokens (``case``:
    :func:`case_of` the word, ``flags``: its gazetteer flags)."""
    previous, previous_shape = _neighbour(tokens, index - 1)
    previous2, _ = _neighbour(tokens, index - 2)
    following, following_shape = _neighbour(tokens, index + 1)
    following2, _ = _neighbour(tokens, index + 2)
    neighbour_flags = (gazetteer_flags(previous, lexicons) if previous[0].isalpha() else "-",
                       gazetteer_flags(following, lexicons) if following[0].isalpha() else "-")
    return [
        f"w-1={previous}", f"w+1={following}", f"w-2={previous2}", f"w+2={following2}",
        f"w-1={previous}|case={case}", f"w+1={following}|case={case}",
        f"s-1={previous_shape}", f"s+1={following_shape}", f"s-1={previous_shape}|s+1={following_shape}",
        f"g-1={neighbour_flags[0]}|case={case}", f"g+1={neighbour_flags[1]}|case={case}",
        f"g-1={neighbour_flags[0]}|gz={flags}", f"g+1={neighbour_flags[1]}|gz={flags}",
        f"pw={_nearest_word(tokens, index, -1)}|case={case}", f"nw={_nearest_word(tokens, index, 1)}",
    ]


def frequency_band(zipf: float) -> str:
    """``0`` (a rare or no dictionary word), ``3`` (Zipf 2.5-3.5: "heaps"), ``4`` ("amber", "patience")
    or ``5`` (4.5 and up: "miles", "mark"): how ordinary a word is, coarse enough to generalise."""
    return "0" if zipf <= 0.0 else "3" if zipf < 3.5 else "4" if zipf < 4.5 else "5"


def hashed(features: list[str], buckets: int) -> list[int]:
    """Bucket index of each feature string (CRC-32 modulo ``buckets``; stable across processes)."""
    return [zlib.crc32(feature.encode("utf-8")) % buckets for feature in features]
