"""The lexicon editor's pattern tester: does a sentence match, which term, and why (or why not).

Runs the real matcher on one sentence in memory (nothing is stored). Besides the matches, it names
terms whose words are there but whose context rules held them back, and disabled terms that would
match, so a culture lead sees why a phrase is or is not flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlp.silo import ContextRules, Lexicon, LexiconTerm, analyse_silo_language
from nlp.silo.wording import category_name, term_label

#: Stances whose phrase criticises or quotes siloing language: "check my text" does not count them.
FINE_AS_WRITTEN = ("criticised", "quoted")


@dataclass(frozen=True)
class TesterMatch:
    """A phrase of the sentence that a term matched."""

    text: str
    term: str
    category: str
    pattern: str
    stance: str


@dataclass(frozen=True)
class TesterResult:
    """What the tester found in one sentence."""

    sentence: str
    matches: tuple[TesterMatch, ...]
    held_back: tuple[tuple[str, str], ...]  # (term, the rule that held it back)
    disabled: tuple[str, ...]  # disabled terms that would match


def _rule_text(rules: ContextRules) -> str:
    parts = []
    if rules.requires == "it_role":
        parts.append("it counts only when IT is said to be one (“IT is a service provider”)")
    if rules.not_preceded_by:
        parts.append(f"not after “{'”, “'.join(rules.not_preceded_by[:4])}”…")
    if rules.not_followed_by:
        parts.append(f"not before “{'”, “'.join(rules.not_followed_by[:4])}”…")
    if rules.head_noun_only:
        parts.append("only as the last word of its noun phrase")
    if rules.reject_after_pos or rules.reject_subject_of:
        parts.append("not in some grammatical positions")
    return "; ".join(parts) or "a context rule"


def _flagged(sentence: str, lexicon: Lexicon) -> list:
    (flags,), _ = analyse_silo_language([sentence], lexicon)
    return flags


def _relaxed(lexicon: Lexicon, terms: list[LexiconTerm]) -> Lexicon:
    for term in terms:
        lexicon = lexicon.with_term_edited(term.id, context=ContextRules(), enabled=True)
    return lexicon


def try_sentence(sentence: str, lexicon: Lexicon) -> TesterResult:
    """Match one sentence against the lexicon and explain the result."""
    terms = {term.id: term for term in lexicon.terms}
    flags = _flagged(sentence, lexicon)
    matched = {flag.term_id for flag in flags}
    matches = tuple(
        TesterMatch(
            flag.text,
            term_label(terms[flag.term_id], lexicon),
            category_name(flag.category),
            terms[flag.term_id].patterns[0],
            flag.stance,
        )
        for flag in flags
    )
    others = [
        term
        for term in lexicon.terms
        if term.id not in matched and (not term.enabled or term.context != ContextRules())
    ]
    loose = (
        {flag.term_id for flag in _flagged(sentence, _relaxed(lexicon, others))} - matched
        if others
        else set()
    )
    held_back = tuple(
        (term_label(terms[tid], lexicon), _rule_text(terms[tid].context))
        for tid in sorted(loose)
        if terms[tid].enabled
    )
    disabled = tuple(term_label(terms[tid], lexicon) for tid in sorted(loose) if not terms[tid].enabled)
    return TesterResult(sentence, matches, held_back, disabled)


__all__ = ["FINE_AS_WRITTEN", "TesterMatch", "TesterResult", "try_sentence"]
