"""The word lists the name rules read: given names, known non-name words, cues, honorifics.

Given names and known words are data (``nlp/data/first_names.txt``, where a trailing ``*`` marks a
name that is also a common word, and ``nlp/data/redaction_known_words.txt``: products,
departments, acronyms...), read once into an immutable :class:`NameLexicon`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

#: Words after which a capitalised word is probably a person ("ask Dave", "thanks to Priya").
CUES = frozenset((
    "ask", "asked", "asking", "thanks", "thank", "thx", "cc", "contact", "contacted", "call", "called",
    "email", "emailed", "message", "messaged", "ping", "pinged", "talk", "speak", "spoke", "told", "tell",
    "colleague", "manager", "boss", "with", "by",
))
#: What before "called" names a thing, not a phone call: "the new CRM is called Atlas", "an app called
#: Canva" (searched up to the cue; "a guy called Gareth", "someone called Wayne" stay names).
NAMING_CALLED = re.compile(
    r"(?i:\b(?:(?<!name )(?:is|was)|are|were|be|been|being|so|thing|tool|app|system|platform|product|"
    r"software|program|programme|project|band|show|game|song|movie|film|site|page|bot|chatbot|assistant|feature|module|"
    r"process|form|something|service|server|database|portal|device|laptop|model|room|channel|group|file|"
    r"folder|drive|report|dashboard)[ \t]+)\Z")
#: Words that may stand between a cue and the name ("thanks to", "talk with").
CUE_FILLERS = frozenset(("to", "you", "with", "for"))
HONORIFICS = frozenset(("mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam"))
#: Honorifics that may precede a name typed in lower case ("mr thompson").
SHORT_HONORIFICS = frozenset(("mr", "mrs", "ms", "dr"))
#: Lower-case surname particles ("Ruud van Nistelrooy").
PARTICLES = frozenset((
    "van", "von", "de", "da", "di", "del", "della", "du", "le", "la", "al", "el", "bin", "ibn", "der", "den",
    "dela", "delos", "ap", "dos", "das", "do", "ter", "ten", "te", "bint", "binti", "abu", "los", "las", "ni",
))

#: Words that are also given names, taken only in a strong name slot and with a capital ("May from
#: Facilities", "Summer in comms", "thanks Fortune"); elsewhere they are months, virtues, places.
WORD_NAMES = frozenset((
    "april", "may", "june", "august", "sunday", "monday", "friday", "summer", "autumn", "dawn", "sage",
    "memory",
    "fortune", "promise", "precious", "gift", "lucky", "blessing", "blessed", "hope", "faith", "patience",
    "grace", "joy", "charity", "mercy", "prudence", "comfort", "beauty", "goodness", "innocent", "justice",
    "trust", "wisdom", "happy", "sunny", "rose", "lily", "ivy", "iris", "holly", "amber", "ruby", "pearl",
    "jade", "crystal", "destiny", "harmony", "chase", "jordan", "paris", "victoria", "austin", "chelsea",
    "sydney", "will", "mark", "bill", "pat", "rob", "frank", "jack", "hunter", "river", "sky", "bishop",
    "major", "king", "prince", "princess", "queen", "star", "angel", "marshal", "sterling", "tiger",
))
#: Word names that are abstract nouns first; in lower case a name only straight after a cue ("thanks
#: joy"), never elsewhere ("hope from the desk is fading", "patience is running thin").
VIRTUES = frozenset((
    "hope", "faith", "patience", "joy", "charity", "mercy", "prudence", "comfort", "trust", "justice",
    "wisdom", "happy", "lucky", "blessing", "blessed", "fortune", "destiny", "harmony", "memory", "goodness",
    "beauty", "innocent",
))
#: Words that follow a cue but are no name ("thanks a lot", "ask the team", "cheers all").
NOT_AFTER_CUE = frozenset((
    "a", "an", "the", "all", "everyone", "everybody", "team", "guys", "folks", "again", "so", "very", "much",
    "lot", "for", "to", "in", "on", "at", "it", "them", "him", "her", "me", "us", "you", "your", "our", "my",
    "their", "his", "someone", "anyone", "nobody", "if", "whether", "about", "again", "and", "or", "but",
    "i", "we", "they", "he", "she", "this", "that", "these", "those", "what", "why", "how", "when", "which",
    "who", "please", "kindly", "in", "advance", "any", "some", "no", "not", "just", "also", "only",
    # chat shorthand that no dictionary lists
    "smh", "thx", "thnx", "ty", "tia", "etc", "btw", "idk", "xoxo", "yup", "cya", "ttyl", "brb", "hth",
    "rgds",
    "kk", "hmm", "lmao", "imo", "imho", "afaik", "np", "tho", "pls", "plz", "asap", "fyi", "lol", "omg",
))


@dataclass(frozen=True)
class NameLexicon:
    """Given names (sure and ambiguous) and words that are never names, all lower case."""

    given_names: frozenset[str]
    ambiguous_names: frozenset[str]
    known_words: frozenset[str]

    def is_known(self, lower: str) -> bool:
        """Whether ``lower`` (or its singular, for a plural ``s``) is a known non-name word."""
        return lower in self.known_words or (lower[-1:] == "s" and lower[:-1] in self.known_words)


@functools.cache
def name_lexicon() -> NameLexicon:
    """The shipped lexicon, read once per process."""
    data = resources.files("nlp") / "data"
    names: set[str] = set()
    ambiguous: set[str] = set()
    for line in data_lines(data / "first_names.txt"):
        (ambiguous if line.endswith("*") else names).add(line.rstrip("*"))
    known = set(data_lines(data / "redaction_known_words.txt"))
    return NameLexicon(frozenset(names), frozenset(ambiguous), frozenset(known))


@functools.cache
def word_frequencies() -> dict[str, float]:
    """Zipf frequency (log10 uses per billion words) of English dictionary words used at least about
    once per 3 million words (``nlp/data/frequent_words.txt``, :mod:`eval.redaction_wordfreq`); a
    dictionary word missing from it is rare ("aditi", "tolu"), so it may be a name."""
    lines = data_lines(resources.files("nlp") / "data" / "frequent_words.txt")
    return {word: float(zipf) for word, _, zipf in (line.partition("\t") for line in lines)}


def data_lines(path: Traversable) -> Iterator[str]:
    """The lines of a data file, stripped and lower-cased, without blank lines and ``#`` comments."""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip().lower()
        if line and not line.startswith("#"):
            yield line
