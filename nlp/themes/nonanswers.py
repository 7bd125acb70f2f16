"""Recognise non-answers ("n/a", "Nothing really.", "Mixed picture.", "see above", "Useless.").

They are counted as "no content" and kept out of themes, proposals and quotes: a bucket of
"Nothing." is not a concern, and a quote that says nothing wastes a BRM's attention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that, on their own or together, say nothing about IT ("nothing really", "no comment",
#: "not sure", "same as above", "mixed picture", "all good", "ok thanks"). Tuned on the dev split
#: of ``eval/data/non_answers.csv``.
NON_CONTENT_WORDS = _word_set("""
n a na nil none nothing nothin nada no nope not nah zero null non applicable
comment comments commment answer answers response responses add addition additional else further
more really particular particularly specific specifically much anything at all to say said right
now currently moment this that these those time it its is are was be been as above below same
see previous before earlier prior question questions q ditto again per the a an and or of for
on in my i me we our us you your they them there here nothing's that's it's i'm
mixed picture bag varied various depends it depends hard to tell know don't dont unsure sure
idk dunno pass skip nothing's fine ok okay k good great bad alright all well yes yeah yep
thanks thank cheers same usual so-so meh whatever nah nothing so far
report springs mind think can can't tbh guess everything everything's complaints
complaint problems problem issues relevant irrelevant know already new changed change has have
old keep up well done covered haven't havent said before it's its keep going carry on
useless terrible awful rubbish poor excellent brilliant amazing fantastic horrible dreadful
appalling superb perfect satisfactory adequate average decent nice lovely bad worse worst
asdf test testing too many list lots loads neutral happy unhappy shocking lol hmm hm xx xxx
you what
""")
#: Set it to 1 to count every one-word answer as a non-answer; 0 (chosen on the dev split of
#: ``eval/data/non_answers.csv``) keeps one-word concerns ("VPN", "Printers.") as content.
MAX_NON_ANSWER_WORDS = 0
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_ONLY_SYMBOLS = re.compile(r"^[\W_]*$")


#: Hedges around a non-answer ("honestly, nothing", "nothing springs to mind sadly").
_HEDGES = re.compile(r"""
    ^(?:honestly|to\ be\ honest|tbh|sorry|sadly|unfortunately|really|well|um+|er+|hmm+|i'm\ afraid)
     \b[\s,?!.:-]*
  | [\s,?!.:-]*\b(?:honestly|to\ be\ honest|tbh|sorry|sorry\ to\ say|sadly|unfortunately|i'm\ afraid
     |i\ suppose|i\ guess|i'd\ say|at\ the\ moment|right\ now|for\ now|on\ (?:this|that)\ one|this\ time)$
""", re.VERBOSE)
#: Whole answers that decline to answer: "nothing comes to mind", "can't think of anything",
#: "no idea", "hard to say", "pass", "zilch", "neither good nor bad", "I'll get back to you on that".
_DECLINES = re.compile(r"""
    ^(?:nothing|not\ a\ thing|zilch|nada|nowt|none|not\ much|very\ little|not\ a\ lot|nothing\ much
     |nothing\ (?:comes|springs)\ to\ mind|nothing\ i\ can\ think\ of
     |(?:i\ )?can(?:'t|not)\ think\ of\ (?:a\ single\ thing|anything|one|any)
     |(?:i\ )?can(?:'t|not)\ name\ (?:anything|one|any)|(?:i\ )?struggl\w*\ to\ think\ of\ \w+
     |(?:i\ have\ |i've\ )?no\ idea|not\ sure|(?:hard|difficult|tough)\ to\ say
     |(?:i'll\ )?pass|pass\ on\ this(?:\ one)?|neither\ good\ nor\ bad|no\ strong\ (?:views|feelings|opinion)
     |(?:i'll|i\ will)\ get\ back\ to\ you(?:\ on\ that)?
     |(?:i\ )?can(?:'t|not)\ answer\ (?:this|that)(?:\ one)?
     |no\ comment|nothing\ to\ add|nothing\ else|same\ as\ (?:last\ time|before|above))
    (?:\ (?:at\ all|really|big|major|specific|in\ particular|else|to\ add|to\ report))*$
""", re.VERBOSE)


def _declines(text: str) -> bool:
    """True when the answer, hedges removed, is a known way of not answering."""
    core = re.sub(r"\s+", " ", re.sub(r"[\"“”]", "", text.lower().replace("’", "'"))).strip(" .!?,;:-")
    for _ in range(3):
        stripped = _HEDGES.sub("", core).strip(" .!?,;:-")
        if stripped == core:
            break
        core = stripped
    return bool(_DECLINES.match(core))


def is_non_answer(text: str) -> bool:
    """True for answers that carry no content: empty or symbols only, words that all belong to
    :data:`NON_CONTENT_WORDS` ("Nothing really.", "n/a", "No comment", "Useless."), or a known
    way of declining, hedges removed ("Honestly, nothing comes to mind sadly."). A one-word
    concern ("VPN") is content."""
    if _ONLY_SYMBOLS.match(text or ""):
        return True
    words = _WORD.findall(text.lower().replace("’", "'"))
    if len(words) <= MAX_NON_ANSWER_WORDS:
        return True
    return all(word in NON_CONTENT_WORDS or word.isdigit() for word in words) or _declines(text)


def non_answer_mask(texts: Iterable[str]) -> np.ndarray:
    """Boolean mask of :func:`is_non_answer` over ``texts``."""
    return np.array([is_non_answer(text) for text in texts], dtype=bool)
