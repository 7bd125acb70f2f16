"""Lexicon terms and categories in words a person reads ("us vs them", "Business vs IT")."""

from __future__ import annotations

from nlp.silo.lexicon import Lexicon, LexiconTerm
from nlp.silo.patterns import readable_pattern

#: Category id -> its name on pages and in reports; unknown ids read with spaces, capitalised.
CATEGORY_NAMES = {
    "internal_customer": "Internal customer",
    "internal_supplier": "IT as a supplier",
    "order_taker": "Order taker",
    "the_business": "“The business”",
    "business_it_side": "Business vs IT",
    "us_versus_them": "Us vs them",
    "over_the_wall": "Thrown over the wall",
    "not_my_job": "Not my job",
    "those_people": "Those people",
    "it_problem": "“An IT problem”",
    "silos": "Silos",
    "end_users": "End users",
    "partnership": "Partnership",
}


def category_name(category: str) -> str:
    """``business_it_side`` -> ``Business vs IT``."""
    return CATEGORY_NAMES.get(category) or category.replace("_", " ").capitalize()


def term_label(term: LexiconTerm, lexicon: Lexicon | None = None) -> str:
    """A term as a person reads it: its first pattern without the pattern syntax."""
    word_lists = lexicon.word_lists if lexicon is not None else None
    return readable_pattern(term.patterns[0], word_lists) if term.patterns else term.id.replace("_", " ")
