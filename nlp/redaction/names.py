"""Person names in free text: cheap rules first, spaCy's NER only where the rules are unsure.

The rules (:func:`rule_names`) find names they are sure of: a given name from the shipped list,
a capitalised word after an honorific or a cue ("ask", "thanks to"), two unknown capitalised words
in a row, Irish ``O'`` names, and surnames and particles that follow. Every other capitalised word
that is not a known term, an acronym or a plain sentence start becomes a candidate; only the
sentences holding candidates go through NER (:mod:`nlp.redaction.ner`). Informal cues
(:mod:`nlp.redaction.informal`) add names; the tagger may veto positional ones but not a name the
writer signs, greets or introduces; names split by particles ("Rowena" "dela" "Cruz") are joined.
:func:`find_names` is the one entry point; the rest is its machinery.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from typing import NamedTuple

from nlp.redaction.edges import settled_names
from nlp.redaction.features import POSSESSIVES, Token, tokenize
from nlp.redaction.informal import InformalNames, informal_names
from nlp.redaction.lexicon import (
    CUE_FILLERS,
    CUES,
    HONORIFICS,
    NAMING_CALLED,
    NOT_AFTER_CUE,
    PARTICLES,
    SHORT_HONORIFICS,
    WORD_NAMES,
    NameLexicon,
    name_lexicon,
    word_frequencies,
)
from nlp.redaction.ner import NerRequest, is_common_word, ner_names, ner_windows
from nlp.redaction.spans import Redaction, overlaps
from nlp.redaction.tagger import (
    agreed,
    confirmed,
    irregular_forms,
    lexicons,
    scored_tokens,
    spans_of,
    still_uncertain,
    tagger_model,
)

#: A dictionary word rarer than this Zipf frequency (once per 3 million words, the list's floor) is no
#: ordinary word to the informal cues: "aditi", "tolu", "anele" are WordNet entries but names in
#: feedback (dev sweep 2.5-4.0: higher cuts buy little recall for much precision).
ORDINARY_ZIPF = 2.5
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_BOUNDARY_CHARS = ".!?\n:;•*"
_OPENERS = " \t\r\"'“‘(["
_CONTRACTION = re.compile(r"['’](?:s|re|ve|ll|d|t|m)$")
_PLACE_NOUN = re.compile(
    r"[ \t]+(?:office|offices|team|teams|centre|center|site|branch|campus|station|building|depot|store|"
    r"line|room|hub|plant|warehouse|region|clinic|hospital|school|street|road|bank|group|portal|system|app|"
    r"server|sites|link|links|lines|stores|branches|national|springs|gardens|ave|avenue|county|lake|"
    r"meeting|boardroom)\b",
    re.IGNORECASE)
_START_END = operator.attrgetter("start", "end")
_LONGEST_PARTICLE_GAP = 14  # " de los " with some spare spaces
_PARTICLE_GAP = re.compile(r"(?i)(?:[ \t]+(?:" + "|".join(sorted(PARTICLES)) + r")){1,2}[ \t]+")
#: Pronouns and titles that rules must never take ("Jess and I", "Mr . Mr", "ask You").
_NEVER_NAMES = frozenset(("i", "you", "me", "he", "she", "we", "they", "him", "her", "them", "us",
                          *HONORIFICS))
#: Verbs after which a lower-case word is a person: "i guess sandeep tried his best", "bob retired".
_DOER_VERBS = frozenset(("fixed", "sorted", "solved", "resolved", "helped", "replied", "answered", "rang",
                         "emailed",
                         "explained", "installed", "configured", "retired", "tried", "promised"))
#: The least tagger probability of an unknown lower-case doer ("sandeep" 0.12; "app" scores less).
_DOER_FLOOR = 0.1
_DETERMINERS = frozenset(("the", "a", "an", "this", "that", "my", "our", "your", "their", "his", "her", "its",
                          "no"))
_GROUP_JOINER = re.compile(r"[ \t]*,[ \t]*|[ \t](?:and|or|&|\+)[ \t]")
_IRISH_PREFIX = re.compile(r"(?:o|d)['’][^\W\d_]{2,}")


def find_names(texts: list[str], taken: list[list[Redaction]]) -> list[list[Redaction]]:
    """The person names in each text, as ``NAME`` spans (they may overlap each other).

    Parameters
    ----------
    texts
        Free-text answers.
    taken
        Per text, spans other detectors already claimed (e-mails, URLs...); words inside them are
        not read as names.

    Returns
    -------
    list of list of Redaction
        Per text, in no particular order.
    """
    found: list[list[Redaction]] = []
    requests: list[NerRequest] = []
    model = tagger_model()
    for index, (text, claimed) in enumerate(zip(texts, taken, strict=True)):
        tokens = tokenize(text)  # one tokenisation for the rules and the tagger
        names, candidates = rule_names(text, claimed, tokens)
        scored = scored_tokens(text, lexicons(), model, tokens)
        tagged = [Redaction(*span) for span in spans_of(text, scored, model.threshold)
                  if not overlaps(claimed, span[0], span[1])]
        informal = _informal_names(text, claimed)
        ruled = _ungrouped(text, confirmed(text, names + informal.cued, scored, model.veto)) + informal.signed
        doers = _doers(text, scored, model.threshold)
        ruled += agreed(informal.hinted, scored, model.threshold) + [
            span for span in doers if not overlaps(claimed, span.start, span.end)]
        found.append(_settled(text, _joined_over_particles(text, ruled + tagged), informal.signed))
        candidates = still_uncertain(candidates, scored, model.threshold)
        requests.extend((window, (index, offset)) for window, offset in ner_windows(text, candidates))
    if requests:
        for index, span in ner_names(requests):
            found[index] += _settled(texts[index], [span])
    return found


def _ungrouped(text: str, spans: list[Redaction]) -> list[Redaction]:
    """Each name of a group the informal cues found as one span ("Tunde + Kehinde", "Dimitra, Kostas &
    Eleni": one span so that the tagger vetoes the group or none of it) as a span of its own."""
    split = []
    for span in spans:
        if not _GROUP_JOINER.search(text, span.start, span.end):
            split.append(span)
            continue
        split += [Redaction(span.start + word.start(), span.start + word.end(), "NAME")
                  for word in _WORD.finditer(text[span.start:span.end])
                  if word.group().lower() not in ("and", "or")]
    return split


def _doers(text: str, scored: list[tuple[Token, float]], threshold: float) -> list[Redaction]:
    """A lower-case word the tagger scored, before a verb of doing: no English word is a name ("i guess
    sandeep tried his best"), a given or word name is one when the tagger agrees ("bob retired").
    Read off the scored words, so it costs nothing where the tagger had nothing to score."""
    spans = []
    for token, probability in scored:
        if not token.text.islower() or text[token.end:token.end + 1] != " ":
            continue
        following = text[token.end + 1:token.end + 14].split(None, 1)
        if not following or following[0].rstrip(".,!?") not in _DOER_VERBS:
            continue
        previous = text[max(0, token.start - 8):token.start].split()
        if previous and previous[-1].lower() in _DETERMINERS:
            continue  # "the app fixed the crash": a noun
        unknown = not _is_ordinary(token.lower) and probability >= _DOER_FLOOR and token.text.isalpha() and (
            token.lower not in NOT_AFTER_CUE and len(token.lower) > 2)
        named = token.lower in _given_names() or token.lower in WORD_NAMES
        if unknown or (named and probability >= threshold):
            spans.append(Redaction(token.start, token.end, "NAME"))
    return spans


@functools.lru_cache(maxsize=1 << 16)
def _is_ordinary(lower: str) -> bool:
    """An English word, product or department ("she's", "that's": the word before the ending).

    Cached: the informal cues ask about the same few thousand words over and over."""
    head = _CONTRACTION.sub("", lower) if "'" in lower or "’" in lower else lower
    if name_lexicon().is_known(head) or head in irregular_forms():  # "came", "went", "easier"
        return True
    frequencies = word_frequencies()
    zipf = frequencies.get(head) or (frequencies.get(head[:-3] + "y", 0.0) if head.endswith("ied") else 0.0)
    return is_common_word(head) and zipf >= ORDINARY_ZIPF  # "replied": the list holds "reply"


@functools.cache
def _given_names() -> frozenset[str]:
    """The rules' given names, sure and ambiguous ("will", "grace"), in one set."""
    lexicon = name_lexicon()
    return lexicon.given_names | lexicon.ambiguous_names


class _Informal(NamedTuple):
    signed: list[Redaction]
    cued: list[Redaction]
    hinted: list[Redaction]


def _informal_names(text: str, taken: list[Redaction]) -> _Informal:
    """Names that informal cues point at (:mod:`nlp.redaction.informal`), outside claimed spans."""
    found: InformalNames = informal_names(text, _is_ordinary, _given_names().__contains__)
    return _Informal(*([Redaction(start, end, label) for start, end, label in spans
                        if not overlaps(taken, start, end)] for spans in found))


def _joined_over_particles(text: str, spans: list[Redaction]) -> list[Redaction]:
    """One span over two names with only particles between them: "Rowena" "dela" "Cruz"."""
    if len(spans) < 2:
        return spans
    ordered = sorted(spans, key=_START_END)
    joined = [Redaction(left.start, right.end, "NAME") for left, right in itertools.pairwise(ordered)
              if 2 < right.start - left.end <= _LONGEST_PARTICLE_GAP
              and _PARTICLE_GAP.fullmatch(text, left.end, right.start)]
    return spans + joined if joined else spans


def _settled(text: str, spans: list[Redaction], signed: list[Redaction] | None = None) -> list[Redaction]:
    """Drop names that head a place or unit ("the Austin team", "Victoria Station"), are a place or a
    thing (:mod:`nlp.redaction.edges`), and widen the rest over initials and a given name before them."""
    if not spans:
        return spans
    return settled_names(text, [span for span in spans if not _PLACE_NOUN.match(text, span.end)],
                         _names_before_surnames(), _person_words(), signed or [])


@functools.cache
def _person_words() -> frozenset[str]:
    """Every given name and surname known (the rules' list and the gazetteer)."""
    words = lexicons()
    return _given_names() | words.given | words.surnames


@functools.cache
def _names_before_surnames() -> frozenset[str]:
    """Given names that may stand before a surname: the rules' own, and the gazetteer's that are no
    ordinary English word ("blessing", "fortune" are word names: see WORD_NAMES)."""
    words = lexicons()
    return _given_names() | frozenset(name for name in words.given if not words.common(name))


class Word(NamedTuple):
    """A word of the text as the rules see it."""

    start: int
    end: int  # end of the name part, before any possessive "'s"
    lower: str
    capitalised: bool
    acronym: bool
    sentence_initial: bool
    possessive: bool


def words_of(text: str, taken: list[Redaction], tokens: list[Token] | None = None) -> list[Word]:
    """The words of ``text`` outside ``taken`` spans, read off ``tokens`` (:func:`tokenize` of ``text``;
    tokenised here when the caller has none). A word is a token whose first character is a letter (a
    word character that is no decimal digit, as in :data:`_WORD`); :func:`tokenize` splits a possessive
    "'s" off words of two letters or more and leaves "a's" whole, which the rules read as "a"."""
    tokens = tokenize(text) if tokens is None else tokens
    words = []
    make = tuple.__new__  # Word(...) goes through a Python-level __new__: this is a hot loop
    last = len(tokens) - 1
    for index, token in enumerate(tokens):
        core = token.text
        first = core[0]
        if not first.isalnum() or first.isdecimal():
            continue
        start = token.start
        if index < last and tokens[index + 1].start == token.end and tokens[index + 1].text in POSSESSIVES:
            possessive = True
        elif len(core) == 3 and core[1:] in POSSESSIVES:
            possessive, core = True, core[0]
        else:
            possessive = False
        if taken and overlaps(taken, start, start + len(core)):
            continue
        upper = core.isupper()
        capitalised = not upper and first.isupper()
        lower = token.lower if core is token.text else core.lower()
        words.append(make(Word, (start, start + len(core), lower, capitalised, upper and len(core) > 1,
                                 capitalised and _is_sentence_initial(text, start), possessive)))
    return words


def _is_sentence_initial(text: str, start: int) -> bool:
    position = start - 1
    while position >= 0 and text[position] in _OPENERS:
        position -= 1
    return position < 0 or text[position] in _BOUNDARY_CHARS or (
        text[position] in "-–—" and (position == 0 or text[position - 1] in "\n")
    )


def rule_names(text: str, taken: list[Redaction],
               tokens: list[Token] | None = None) -> tuple[list[Redaction], list[int]]:
    """Names the rules are sure of, and offsets of unexplained capitalised words for NER (``tokens``:
    :func:`tokenize` of ``text``, when the caller has them)."""
    lexicon = name_lexicon()
    words = words_of(text, taken, tokens)
    names: list[Redaction] = []
    candidates: list[int] = []
    index, after_name = 0, -1
    given = lexicon.given_names
    while index < len(words):
        word = words[index]
        if word.lower in _NEVER_NAMES or (  # lower case: a rule name only as a given name or after "mr"
                not word.capitalised and word.lower not in given and (
                    index == 0 or words[index - 1].lower not in HONORIFICS)):
            index += 1
            continue
        coordinated = index == after_name + 2 and words[index - 1].lower == "and" and word.capitalised
        if _is_rule_name(text, words, index, lexicon) or (coordinated and not lexicon.is_known(word.lower)):
            last = _extend_surname(text, words, index, lexicon)
            names.append(Redaction(word.start, words[last].end, "NAME"))
            index = after_name = last
            index += 1
            continue
        if _needs_ner(word, lexicon):
            candidates.append(word.start)
        index += 1
    return names, candidates


def _is_rule_name(text: str, words: list[Word], index: int, lexicon: NameLexicon) -> bool:
    word = words[index]
    if word.acronym or lexicon.is_known(word.lower):
        return False
    before = words[max(0, index - 2):index]
    previous = before[-1].lower if before else ""
    if previous in HONORIFICS and not before[-1].acronym and (
        word.capitalised or _is_lowercase_name_after_honorific(text, before[-1], word)
    ):
        return True
    cue = previous in CUES or (previous in CUE_FILLERS and len(before) == 2 and before[0].lower in CUES)
    if previous == "called" and NAMING_CALLED.search(text, 0, before[-1].start):
        cue = False  # "the new CRM is called Atlas"
    if word.lower in lexicon.given_names:
        long_name = len(word.lower) >= 4 and word.lower not in WORD_NAMES  # "victoria sponge": a word
        return word.capitalised or long_name or cue or word.possessive
    if not word.capitalised:
        return False
    if word.lower in lexicon.ambiguous_names:
        return not word.sentence_initial
    if _IRISH_PREFIX.match(word.lower) or _looks_like_full_name(text, words, index, lexicon):
        return True
    return not word.sentence_initial and cue and previous not in ("with", "by")


def _is_lowercase_name_after_honorific(text: str, honorific: Word, word: Word) -> bool:
    """"mr thompson", not "200 ms latency" nor "our dr plan" (disaster recovery)."""
    if honorific.lower not in SHORT_HONORIFICS or _follows_digit(text, honorific.start):
        return False
    return honorific.lower != "dr" or not is_common_word(word.lower)


def _looks_like_full_name(text: str, words: list[Word], index: int, lexicon: NameLexicon) -> bool:
    """Two adjacent capitalised words that are neither known terms nor English words."""
    if index + 1 >= len(words) or words[index].possessive:
        return False
    word, following = words[index], words[index + 1]
    return (following.capitalised and text[word.end:following.start] == " "
            and not lexicon.is_known(following.lower)
            and not is_common_word(word.lower) and not is_common_word(following.lower))


def _follows_digit(text: str, start: int) -> bool:
    """True for "200 ms": an honorific-looking word that is really a unit."""
    preceding = text[:start].rstrip()
    return bool(preceding) and preceding[-1].isdigit()


def _needs_ner(word: Word, lexicon: NameLexicon) -> bool:
    if not word.capitalised or lexicon.is_known(word.lower):
        return False
    return not word.sentence_initial or word.possessive or not is_common_word(word.lower)


def _particles_after(text: str, words: list[Word], last: int) -> int:
    """How many particles (one or two: "dela", "van der", "de los") follow ``words[last]`` before a
    capitalised surname; 0 when none do."""
    count = 0
    while count < 2 and last + count + 1 < len(words) and words[last + count + 1].lower in PARTICLES:
        count += 1
        following = words[last + count]
        if last + count + 1 < len(words) and words[last + count + 1].capitalised and (
                text[following.end:words[last + count + 1].start] == " "):
            return count
    return 0


def _extend_surname(text: str, words: list[Word], index: int, lexicon: NameLexicon) -> int:
    """Index of the last word of the name that starts at ``words[index]`` (surnames, particles)."""
    last = index
    while not words[last].possessive and last + 1 < len(words):
        following = words[last + 1]
        if text[words[last].end:following.start] not in (" ", "-"):
            break
        particles = _particles_after(text, words, last)
        if particles:
            last += particles + 1
            continue
        surname = following.capitalised or (not words[index].capitalised and following.lower[:3] in (
            "al-", "el-"))
        if not surname or following.acronym or following.lower in lexicon.known_words:
            break
        last += 1
    return last
