"""Find siloing language and count partnership language in batches of texts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from nlp.silo.lexicon import PARTNERSHIP_CATEGORY, Lexicon, default_lexicon
from nlp.silo.matcher import TermMatch, match_terms, may_match
from nlp.silo.stance import CRITICISED, QUOTED, classify_stance

if TYPE_CHECKING:
    from spacy.tokenizer import Tokenizer
    from spacy.tokens import Doc

#: Pipeline components the matcher and context rules need; NER is skipped.
NEEDED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
BATCH_SIZE = 64


@dataclass(frozen=True)
class SiloFlag:
    """One siloing phrase found in a text.

    Attributes
    ----------
    text
        The phrase as written.
    start, end
        Character offsets in the input text (``input[start:end] == text``).
    category
        Lexicon category, e.g. ``internal_customer`` or ``the_business``.
    suggestion, rationale
        From the lexicon term, for "check my text".
    stance
        ``self-description``, ``criticised``, ``quoted`` or ``unknown`` (see :mod:`nlp.silo.stance`).
    term_id
        The lexicon term that matched; with the lexicon version it identifies the rule exactly.
    """

    text: str
    start: int
    end: int
    category: str
    suggestion: str
    stance: str
    term_id: str
    rationale: str


def parse_where_needed(texts: Iterable[str], lexicon: Lexicon) -> Iterator[Doc | None]:
    """Yield, per text, its parsed ``Doc``, or ``None`` when no lexicon pattern can match it.

    Every text is tokenised; only those with a candidate match go through the tagger, parser and
    lemmatizer (in batches with ``nlp.pipe``; NER is never run).
    """
    from nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    disabled = [name for name in nlp.pipe_names if name not in NEEDED_COMPONENTS]
    tokenizer = cast("Tokenizer", nlp.tokenizer)  # typed as a plain callable on Language
    docs = list(tokenizer.pipe(texts, batch_size=BATCH_SIZE * 4))
    candidates = [index for index, doc in enumerate(docs) if may_match(doc, lexicon)]
    parsed = nlp.pipe((docs[index] for index in candidates), disable=disabled, batch_size=BATCH_SIZE)
    by_index = dict(zip(candidates, parsed, strict=True))
    for index in range(len(docs)):
        yield by_index.get(index)


def flags_in_doc(doc: Doc, lexicon: Lexicon) -> list[SiloFlag]:
    """Return the siloing flags of one parsed ``Doc`` (partnership terms are left out)."""
    return _flags(doc, match_terms(doc, lexicon), lexicon)


def _flags(doc: Doc, matches: list[TermMatch], lexicon: Lexicon) -> list[SiloFlag]:
    flags = []
    for match in matches:
        if match.term.category == PARTNERSHIP_CATEGORY:
            continue
        span = doc[match.start : match.end]
        flags.append(SiloFlag(
            text=span.text, start=span.start_char, end=span.end_char, category=match.term.category,
            suggestion=match.term.suggestion, stance=classify_stance(span, lexicon.stance_cues),
            term_id=match.term.id, rationale=match.term.rationale,
        ))
    return flags


def partnership_count_in_doc(doc: Doc, lexicon: Lexicon) -> int:
    """Count partnership phrases in one ``Doc``, leaving out negated, criticised or quoted ones."""
    return _partnership_count(doc, match_terms(doc, lexicon), lexicon)


def _partnership_count(doc: Doc, matches: list[TermMatch], lexicon: Lexicon) -> int:
    count = 0
    for match in matches:
        if match.term.category != PARTNERSHIP_CATEGORY:
            continue
        stance = classify_stance(doc[match.start : match.end], lexicon.stance_cues)
        count += stance not in (CRITICISED, QUOTED)
    return count


def find_silo_language(texts: list[str], lexicon: Lexicon | None = None) -> list[list[SiloFlag]]:
    """Return, per text, the siloing phrases it contains.

    Parameters
    ----------
    texts
        Texts to check (survey answers, draft messages); parsed in batches with ``nlp.pipe``.
    lexicon
        The lexicon to apply; ``None`` uses the shipped one (:func:`default_lexicon`).

    Returns
    -------
    list of list of SiloFlag
        One list per input text, in text order; each flag ordered by position.
    """
    lexicon = lexicon or default_lexicon()
    return [flags_in_doc(doc, lexicon) if doc else [] for doc in parse_where_needed(texts, lexicon)]


def count_partnership_language(texts: list[str], lexicon: Lexicon | None = None) -> list[int]:
    """Return, per text, how many partnership phrases it contains.

    What counts: every match of a ``partnership`` term (partner, partnership, collaborate,
    together, jointly, colleague, shared or common goal, one team, co-create, ...; first-person
    plural only in inclusive forms such as "we all", "all of us", "both of us"). A bare "we" or
    "our" is not counted: in partner feedback it usually means the writer's own team. Overlapping
    matches count once, and negated, criticised or quoted uses ("treated as a supplier, not a
    partner", "so-called partnership") do not count.

    Parameters
    ----------
    texts
        Texts to count in.
    lexicon
        The lexicon to apply; ``None`` uses the shipped one.
    """
    lexicon = lexicon or default_lexicon()
    docs = parse_where_needed(texts, lexicon)
    return [partnership_count_in_doc(doc, lexicon) if doc else 0 for doc in docs]


def analyse_silo_language(
    texts: list[str], lexicon: Lexicon | None = None
) -> tuple[list[list[SiloFlag]], list[int]]:
    """Return flags and partnership counts together, parsing and matching each text once."""
    lexicon = lexicon or default_lexicon()
    flags: list[list[SiloFlag]] = []
    counts: list[int] = []
    for doc in parse_where_needed(texts, lexicon):
        matches = match_terms(doc, lexicon) if doc else []
        flags.append(_flags(doc, matches, lexicon) if doc else [])
        counts.append(_partnership_count(doc, matches, lexicon) if doc else 0)
    return flags, counts
