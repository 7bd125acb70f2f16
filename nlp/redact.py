"""Personal-data redaction for partner free text, run before anything is stored.

Patterns (e-mails, URLs, phone numbers, long digit runs, ``@handles``) run on every text; they
cost microseconds. Person names come from two sources: cheap rules (a curated given-name list,
honorifics, cues such as "ask" or "thanks to", surname extension) and spaCy's NER. NER costs a
few milliseconds a sentence, so it only runs on the sentences that hold a capitalised word the
rules cannot explain (not an acronym, product, department, weekday, nor a sentence start). That
keeps the survey submit path fast for the common comment that names nobody.

Nothing here logs text: the input is personal data until this module has finished with it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

from nlp.pipeline import load_pipeline

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from spacy.language import Language

#: Placeholder labels, in the order their patterns run (earlier ones win on overlap).
LABELS = ("EMAIL", "URL", "NAME", "PHONE", "NUMBER")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+"
    r"|(?<![\w@.-])(?:[A-Za-z0-9-]+\.)+"
    r"(?:com|org|net|io|co|uk|de|fr|nl|eu|gov|edu|info|biz|local|corp|internal|intranet|app|dev|cloud)"
    r"\b(?:/[^\s<>\"']*)?"
)
_HANDLE = re.compile(r"(?<![\w.@])@[^\W\d_][\w.'-]*[^\W_]")
_PHONE = re.compile(
    r"(?<![\w/.:,+-])(?:\+\d{1,3}[ \t.-]?)?(?:\(\d{1,5}\)[ \t.-]?)?\d{1,5}(?:[ \t.-]\d{1,8}){1,5}"
    r"(?:[ \t]?(?:ext\.?|x)[ \t]?\d{1,5})?(?![\w/:]|[.,-]\d)"
)
_INTL_PHONE = re.compile(r"(?<![\w+])\+\d{7,15}(?!\w)")
_NUMBER = re.compile(r"(?<![\w.,$€£¥-])(?:[A-Za-z]-?)?\d{6,}(?![\w]|[.,]\d)")
_DATE = re.compile(r"\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4}")
_MONEY_AFTER = re.compile(r"\s?(?:%|k\b|m\b|bn\b|eur|usd|gbp|euros?\b|dollars?\b|pounds?\b)", re.IGNORECASE)
_MONEY_BEFORE = re.compile(r"[$€£¥]\s?$|(?:eur|usd|gbp)\s?$", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:!?)]}'\""

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_BOUNDARY_CHARS = ".!?\n:;•*"
_OPENERS = " \t\r\"'“‘(["
_CUES = frozenset((
    "ask", "asked", "asking", "thanks", "thank", "thx", "cc", "contact", "contacted", "call", "called",
    "email", "emailed", "message", "messaged", "ping", "pinged", "talk", "speak", "spoke", "told", "tell",
    "colleague", "manager", "boss", "with", "by",
))
_CUE_FILLERS = frozenset(("to", "you", "with", "for"))
_HONORIFICS = frozenset(("mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam"))
_SHORT_HONORIFICS = frozenset(("mr", "mrs", "ms", "dr"))  # may precede a name typed in lower case
_PARTICLES = frozenset((
    "van", "von", "de", "da", "di", "del", "della", "du", "le", "la", "al", "el", "bin", "ibn", "der", "den",
))
_NER_WINDOW = 5000
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "ies", "er", "est")
_IRISH_PREFIX = re.compile(r"(?:o|d)['’][^\W\d_]{2,}")


@dataclass(frozen=True)
class Redaction:
    """One piece of personal data found in a text.

    Attributes
    ----------
    start, end
        Character offsets in the original text.
    label
        One of ``NAME``, ``EMAIL``, ``PHONE``, ``URL``, ``NUMBER``.
    """

    start: int
    end: int
    label: str

    @property
    def placeholder(self) -> str:
        """The text that replaces the span, such as ``[NAME]``."""
        return f"[{self.label}]"


@dataclass(frozen=True)
class _NameLexicon:
    given_names: frozenset[str]
    ambiguous_names: frozenset[str]
    known_words: frozenset[str]


@functools.cache
def _lexicon() -> _NameLexicon:
    data = resources.files("nlp") / "data"
    names, ambiguous = set(), set()
    for line in _data_lines(data / "first_names.txt"):
        (ambiguous if line.endswith("*") else names).add(line.rstrip("*"))
    known = set(_data_lines(data / "redaction_known_words.txt"))
    return _NameLexicon(frozenset(names), frozenset(ambiguous), frozenset(known))


def _data_lines(path) -> Iterator[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip().lower()
        if line and not line.startswith("#"):
            yield line


@functools.cache
def _ner_pipeline() -> Language:
    return load_pipeline()


def _ner_disabled(nlp: Language) -> list[str]:
    return [name for name in nlp.pipe_names if name not in ("tok2vec", "ner")]


def redact_personal_data(text: str) -> str:
    """Replace personal data in ``text`` with ``[NAME]``, ``[EMAIL]``, ``[PHONE]``, ``[URL]``, ``[NUMBER]``.

    Parameters
    ----------
    text
        One free-text answer. Empty or odd input (control characters, very long text) is fine.

    Returns
    -------
    str
        The text with each personal-data span replaced by its placeholder.
    """
    return redact_many([text])[0]


def redact_many(texts: list[str]) -> list[str]:
    """Redact a batch of texts; NER runs once over all candidate sentences with ``nlp.pipe``."""
    return [
        apply_redactions(text, found)
        for text, found in zip(texts, find_personal_data_many(texts), strict=True)
    ]


def find_personal_data(text: str) -> list[Redaction]:
    """Return the personal-data spans in ``text``, sorted and non-overlapping."""
    return find_personal_data_many([text])[0]


def find_personal_data_many(texts: list[str]) -> list[list[Redaction]]:
    """Return the personal-data spans of each text (see :func:`find_personal_data`).

    Parameters
    ----------
    texts
        Free-text answers.

    Returns
    -------
    list of list of Redaction
        Per text, spans sorted by offset, never overlapping.
    """
    texts = [text if isinstance(text, str) else "" for text in texts]
    found = [_pattern_spans(text) for text in texts]
    ner_requests: list[tuple[str, tuple[int, int]]] = []
    for index, text in enumerate(texts):
        names, candidates = _rule_names(text, found[index])
        found[index].extend(names)
        ner_requests.extend((window, (index, offset)) for window, offset in _ner_windows(text, candidates))
    if ner_requests:
        for index, span in _ner_names(ner_requests):
            found[index].append(span)
    return [_non_overlapping(spans) for spans in found]


def apply_redactions(text: str, redactions: Iterable[Redaction]) -> str:
    """Return ``text`` with each (non-overlapping, sorted) redaction replaced by its placeholder."""
    pieces, cursor = [], 0
    for redaction in redactions:
        pieces.append(text[cursor:redaction.start])
        pieces.append(redaction.placeholder)
        cursor = redaction.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _pattern_spans(text: str) -> list[Redaction]:
    spans: list[Redaction] = []
    for label, pattern in (("EMAIL", _EMAIL), ("URL", _URL), ("NAME", _HANDLE), ("PHONE", _INTL_PHONE),
                           ("PHONE", _PHONE), ("NUMBER", _NUMBER)):
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if label == "URL":
                end = start + len(match.group().rstrip(_TRAILING_PUNCT))
            if label == "PHONE" and not _looks_like_phone(text, start, end):
                continue
            if label == "NUMBER" and _is_money(text, start, end):
                continue
            if not _overlaps(spans, start, end):
                spans.append(Redaction(start, end, label))
    return spans


def _looks_like_phone(text: str, start: int, end: int) -> bool:
    """Tell a phone number from dates, IP addresses, versions, money and lists of small numbers."""
    candidate = text[start:end]
    digits = sum(char.isdigit() for char in candidate)
    if not 7 <= digits <= 15 or _DATE.fullmatch(candidate) or _is_money(text, start, end):
        return False
    if candidate.startswith("+") or "(" in candidate:
        return True
    groups = re.findall(r"\d+", candidate)
    if any(len(group) < 2 for group in groups):
        return False
    if all(len(group) == 4 and group[:2] in ("19", "20") for group in groups):
        return False  # a run of years
    is_ipv4 = "." in candidate and len(groups) == 4 and all(len(group) <= 3 for group in groups)
    return not is_ipv4


def _is_money(text: str, start: int, end: int) -> bool:
    return bool(_MONEY_BEFORE.search(text[max(0, start - 4):start]) or _MONEY_AFTER.match(text, end))


def _overlaps(spans: Iterable[Redaction], start: int, end: int) -> bool:
    return any(span.start < end and start < span.end for span in spans)


def _non_overlapping(spans: list[Redaction]) -> list[Redaction]:
    kept: list[Redaction] = []
    for span in sorted(spans, key=lambda span: (span.start, -span.end)):
        if kept and span.start < kept[-1].end:
            if span.end > kept[-1].end and span.label == kept[-1].label == "NAME":
                kept[-1] = Redaction(kept[-1].start, span.end, "NAME")
            continue
        kept.append(span)
    return kept


class _Word(NamedTuple):
    start: int
    end: int  # end of the name part, before any possessive "'s"
    lower: str
    capitalised: bool
    acronym: bool
    sentence_initial: bool
    possessive: bool


def _words(text: str, taken: list[Redaction]) -> list[_Word]:
    words = []
    for match in _WORD.finditer(text):
        start, raw = match.start(), match.group()
        possessive = len(raw) > 2 and raw[-1] in "sS" and raw[-2] in "'’"
        core = raw[:-2] if possessive else raw
        if taken and _overlaps(taken, start, start + len(core)):
            continue
        capitalised = core[0].isupper() and not core.isupper()
        words.append(_Word(
            start, start + len(core), core.lower(), capitalised, core.isupper() and len(core) > 1,
            capitalised and _is_sentence_initial(text, start), possessive,
        ))
    return words


def _is_sentence_initial(text: str, start: int) -> bool:
    position = start - 1
    while position >= 0 and text[position] in _OPENERS:
        position -= 1
    return position < 0 or text[position] in _BOUNDARY_CHARS or (
        text[position] in "-–—" and (position == 0 or text[position - 1] in "\n")
    )


def _rule_names(text: str, taken: list[Redaction]) -> tuple[list[Redaction], list[int]]:
    """Names the rules are sure of, and offsets of unexplained capitalised words for NER."""
    lexicon = _lexicon()
    words = _words(text, taken)
    names: list[Redaction] = []
    candidates: list[int] = []
    index, after_name = 0, -1
    while index < len(words):
        word = words[index]
        coordinated = index == after_name + 2 and words[index - 1].lower == "and" and word.capitalised
        if _is_rule_name(text, words, index, lexicon) or (coordinated and not _is_known(word.lower, lexicon)):
            last = _extend_surname(text, words, index, lexicon)
            names.append(Redaction(word.start, words[last].end, "NAME"))
            index = after_name = last
            index += 1
            continue
        if _needs_ner(word, lexicon):
            candidates.append(word.start)
        index += 1
    return names, candidates


def _is_rule_name(text: str, words: list[_Word], index: int, lexicon: _NameLexicon) -> bool:
    word = words[index]
    if word.acronym or _is_known(word.lower, lexicon):
        return False
    before = words[max(0, index - 2):index]
    previous = before[-1].lower if before else ""
    if previous in _HONORIFICS and not before[-1].acronym and (
        word.capitalised or _is_lowercase_name_after_honorific(text, before[-1], word)
    ):
        return True
    cue = previous in _CUES or (previous in _CUE_FILLERS and len(before) == 2 and before[0].lower in _CUES)
    if word.lower in lexicon.given_names:
        return word.capitalised or len(word.lower) >= 4 or cue or word.possessive
    if not word.capitalised:
        return False
    if word.lower in lexicon.ambiguous_names:
        return not word.sentence_initial
    if _IRISH_PREFIX.match(word.lower) or _looks_like_full_name(text, words, index, lexicon):
        return True
    return not word.sentence_initial and cue and previous not in ("with", "by")


def _is_lowercase_name_after_honorific(text: str, honorific: _Word, word: _Word) -> bool:
    """"mr thompson", not "200 ms latency" nor "our dr plan" (disaster recovery)."""
    if honorific.lower not in _SHORT_HONORIFICS or _follows_digit(text, honorific.start):
        return False
    return honorific.lower != "dr" or not _is_common_word(word.lower)


def _looks_like_full_name(text: str, words: list[_Word], index: int, lexicon: _NameLexicon) -> bool:
    """Two adjacent capitalised words that are neither known terms nor English words."""
    if index + 1 >= len(words) or words[index].possessive:
        return False
    word, following = words[index], words[index + 1]
    return (following.capitalised and text[word.end:following.start] == " "
            and not _is_known(following.lower, lexicon)
            and not _is_common_word(word.lower) and not _is_common_word(following.lower))


def _follows_digit(text: str, start: int) -> bool:
    """True for "200 ms": an honorific-looking word that is really a unit."""
    preceding = text[:start].rstrip()
    return bool(preceding) and preceding[-1].isdigit()


def _is_known(lower: str, lexicon: _NameLexicon) -> bool:
    return lower in lexicon.known_words or (lower[-1:] == "s" and lower[:-1] in lexicon.known_words)


def _needs_ner(word: _Word, lexicon: _NameLexicon) -> bool:
    if not word.capitalised or _is_known(word.lower, lexicon):
        return False
    return not word.sentence_initial or word.possessive or not _is_common_word(word.lower)


def _is_common_word(lower: str) -> bool:
    """An English dictionary word or a simple inflection of one (spaCy's lemmatizer index)."""
    words = _common_words()
    return lower in words or any(
        lower.endswith(suffix) and lower[: -len(suffix)] in words for suffix in _SUFFIXES
    )


@functools.cache
def _common_words() -> frozenset[str]:
    nlp = _ner_pipeline()
    words = set(nlp.Defaults.stop_words)
    lookups = nlp.get_pipe("lemmatizer").lookups if "lemmatizer" in nlp.pipe_names else None
    if lookups is not None and lookups.has_table("lemma_index"):
        words.update(word for entries in lookups.get_table("lemma_index").values() for word in entries)
    return frozenset(words)


def _extend_surname(text: str, words: list[_Word], index: int, lexicon: _NameLexicon) -> int:
    """Index of the last word of the name that starts at ``words[index]`` (surnames, particles)."""
    last = index
    while not words[last].possessive and last + 1 < len(words):
        following = words[last + 1]
        if text[words[last].end:following.start] not in (" ", "-"):
            break
        if following.lower in _PARTICLES and last + 2 < len(words) and (
            words[last + 2].capitalised and text[following.end:words[last + 2].start] == " "
        ):
            last += 2
            continue
        surname = following.capitalised or (not words[index].capitalised and following.lower[:3] in (
            "al-", "el-"))
        if not surname or following.acronym or following.lower in lexicon.known_words:
            break
        last += 1
    return last


def _ner_windows(text: str, candidates: list[int]) -> Iterator[tuple[str, int]]:
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


def _ner_names(requests: list[tuple[str, tuple[int, int]]]) -> Iterator[tuple[int, Redaction]]:
    """PERSON entities in the requested windows, trimmed of known words, as ``(text index, span)``."""
    lexicon = _lexicon()
    nlp = _ner_pipeline()
    for doc, (index, offset) in nlp.pipe(requests, as_tuples=True, disable=_ner_disabled(nlp)):
        for entity in doc.ents:
            if entity.label_ != "PERSON":
                continue
            tokens = [token for token in entity if token.is_alpha and not token.is_upper
                      and token.lower_ not in lexicon.known_words and token.lower_ not in _HONORIFICS]
            if len(tokens) == 1 and _is_common_word(tokens[0].lower_):
                continue  # "Zoom Rooms", "Smith": one dictionary word is too weak a sign on its own
            if tokens and any(token.text[0].isupper() for token in tokens):
                start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
                yield index, Redaction(offset + start, offset + end, "NAME")
