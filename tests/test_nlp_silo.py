"""Siloing-language detection: lexicon matching, context rules, stance, lexicon versions, metrics."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nlp.errors import LexiconError
from nlp.silo import (
    Lexicon,
    LexiconTerm,
    SiloFlag,
    count_partnership_language,
    count_words,
    default_lexicon,
    find_silo_language,
    partnership_to_silo_ratio,
    share_of_responses_flagged,
    silo_rate_per_thousand_words,
)


@pytest.fixture(scope="session")
def nlp_pipeline():
    """Load the real spaCy pipeline once for the whole session (``load_pipeline`` caches it)."""
    from nlp.pipeline import load_pipeline

    return load_pipeline()


needs_spacy = pytest.mark.usefixtures("nlp_pipeline")


def only_flag(text: str, lexicon: Lexicon | None = None) -> SiloFlag:
    (flags,) = find_silo_language([text], lexicon)
    assert len(flags) == 1, flags
    return flags[0]


@needs_spacy
@pytest.mark.parametrize(
    ("text", "category", "span"),
    [
        ("Our internal customers expect faster access.", "internal_customer", "internal customers"),
        ("Every Internal-Client gets an account manager.", "internal_customer", "Internal-Client"),
        ("IT acts as an internal service provider.", "internal_supplier", "internal service provider"),
        ("The internal-suppliers publish SLAs.", "internal_supplier", "internal-suppliers"),
        ("IT is a service provider to everyone.", "internal_supplier", "service provider"),
        ("We are seen as service-providers by finance.", "internal_supplier", "service-providers"),
        ("IT has become an order-taker.", "order_taker", "order-taker"),
        ("The architects feel like Order Takers.", "order_taker", "Order Takers"),
        ("IT and the business need to agree.", "the_business", "the business"),
        ("The Business wants the CRM by March.", "the_business", "The Business"),
        ("We deliver to the business every sprint.", "the_business", "the business"),
        ("Nobody on the business-side saw the backlog.", "business_it_side", "business-side"),
        ("The IT side says it is ready.", "business_it_side", "IT side"),
        ("It is always us vs. them in that meeting.", "us_versus_them", "us vs. them"),
        ("An us-versus-them culture slows us down.", "us_versus_them", "us-versus-them"),
        ("There is a real us and them mentality.", "us_versus_them", "us and them"),
        ("The old them & us divide is fading.", "us_versus_them", "them & us"),
        ("Requirements get thrown over the wall to IT.", "over_the_wall", "thrown over the wall"),
        ("Developers throw code over the fence to ops.", "over_the_wall", "throw code over the fence"),
        ("The engineer said it was not my job.", "not_my_job", "not my job"),
        ("I was told it wasn't their problem.", "not_my_job", "n't their problem"),
        ("Those people in IT never answer.", "those_people", "Those people in IT"),
        ("Those guys over in HR block it.", "those_people", "Those guys over in HR"),
        ("When the printer jams, that's an IT problem apparently.", "it_problem", "an IT problem"),
        ("The manager said it's an IT issue.", "it_problem", "an IT issue"),
        ("The teams work in silos.", "silos", "silos"),
        ("Our siloed structure slows change.", "silos", "siloed"),
    ],
)
def test_each_category_matches_inflected_and_hyphenated_forms(text: str, category: str, span: str) -> None:
    flag = only_flag(text)
    assert (flag.category, flag.text) == (category, span)
    assert text[flag.start : flag.end] == span


@needs_spacy
@pytest.mark.parametrize(
    "text",
    [
        "Our internet service provider dropped the line twice.",
        "The cloud service provider had an outage.",
        "We moved mail to a managed service provider.",
        "The telecom service provider replaced the phones.",
        "An external service provider runs payroll.",
        "We use a third-party vendor for badge readers.",
        "Our external customers noticed the outage first.",
        "Every customer who called got a callback.",
        "The business case was approved.",
        "Business continuity testing went well.",
        "The desk is open during business hours.",
        "Our business analyst wrote great stories.",
        "The Business Banking division moved platforms.",
        "The Business Intelligence dashboards are faster.",
        "We are in the business of keeping patients safe.",
        "Business as usual work kept slipping.",
        "IT is part of the business.",
        "The business grew by twelve percent.",
        "Please copy us and them on the report.",
        "On the plus side, the laptops are fast.",
        "Put it side by side with the old one.",
        "Those people in the meeting were helpful.",
        "I had an IT issue with my laptop and it was fixed fast.",
        "Our data silos make reporting hard.",
        "It was not my first choice of tool.",
        "The order was taken by sales on Friday.",
        "The kids threw the ball over the hedge.",
    ],
)
def test_traps_are_not_flagged(text: str) -> None:
    assert find_silo_language([text]) == [[]]


@needs_spacy
def test_flags_carry_offsets_suggestion_rationale_and_term_id_in_text_order() -> None:
    text = "Honestly, the business wants everything.  Our internal customers agree."
    first, second = find_silo_language([text])[0]
    assert (first.start, first.end, first.text) == (10, 22, "the business")
    assert (second.start, second.end) == (text.index("internal"), text.index(" agree"))
    assert second.term_id == "internal_customer" and second.suggestion and second.rationale


@needs_spacy
def test_results_keep_input_order_and_empty_texts() -> None:
    flags = find_silo_language(["", "All good this quarter.", "IT and the business rarely talk."])
    assert [len(per_text) for per_text in flags] == [0, 0, 1]


@needs_spacy
@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Our internal customers expect more.", "self-description"),
        ("Please stop calling us internal customers.", "criticised"),
        ("We are not an order taker, we bring ideas.", "criticised"),
        ("IT should be a partner, not an internal vendor.", "criticised"),
        ("We are treated like internal customers rather than colleagues.", "criticised"),
        ("We need to break down the silos between teams.", "criticised"),
        ("We don't want IT to be an order taker.", "criticised"),
        ("The phrase 'internal customer' sounds like a shop.", "quoted"),
        ('The so-called "order takers" were the architects.', "quoted"),
        ("Are we just order takers?", "unknown"),
    ],
)
def test_stance_tells_use_from_quotation_and_criticism(text: str, stance: str) -> None:
    assert only_flag(text).stance == stance


@needs_spacy
def test_partnership_language_counts_inclusive_uses_only() -> None:
    texts = [
        "We partnered with IT and worked together on a shared goal.",
        "Treated like an internal supplier, not a partner.",
        "We waited three weeks for our laptops.",
        "I put together a report for the board.",
        "Our colleagues in IT: we all won.",
    ]
    assert count_partnership_language(texts) == [3, 0, 0, 0, 2]


def test_editing_a_term_returns_a_new_version_and_leaves_the_original_unchanged() -> None:
    original = Lexicon.load()
    edited = original.with_term_edited("order_taker", suggestion="advisor")
    assert edited.version != original.version
    assert original.term("order_taker").suggestion != "advisor"
    assert edited.term("order_taker").suggestion == "advisor"
    assert Lexicon.load().version == original.version
    with pytest.raises(AttributeError):
        original.terms[0].category = "changed"  # type: ignore[misc]


@needs_spacy
def test_disabling_removing_and_adding_terms_change_what_matches() -> None:
    original = default_lexicon()
    text = "IT has become an order taker for shadow IT projects."
    disabled = original.with_term_disabled("order_taker")
    added = disabled.with_term(
        {"id": "shadow_it", "category": "shadow_it", "patterns": ["shadow IT"], "suggestion": "unsanctioned"}
    )
    flags = [[flag.category for flag in per_text] for per_text in
             (find_silo_language([text], lexicon)[0] for lexicon in (original, disabled, added))]
    assert flags == [["order_taker"], [], ["shadow_it"]]
    assert original.without_term("order_taker").version not in {original.version, disabled.version}
    assert default_lexicon().term("order_taker").enabled
    assert disabled.with_term_enabled("order_taker").version == original.version


def test_json_round_trip_keeps_version_and_content() -> None:
    original = default_lexicon()
    restored = Lexicon.from_json(original.to_json())
    assert restored.version == original.version == json.loads(original.to_json())["version"]
    assert restored.terms == original.terms


def test_from_entries_accepts_terms_and_mappings() -> None:
    term = LexiconTerm(id="shadow_it", patterns=("shadow IT",), category="shadow_it")
    lexicon = Lexicon.from_entries([term, {"id": "silo", "category": "silos", "patterns": ["silo"]}])
    assert [t.id for t in lexicon.terms] == ["shadow_it", "silo"]
    assert lexicon.word_lists == default_lexicon().word_lists


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"id": "x", "patterns": ["silo"]}, "category"),
        ({"id": "Bad Id", "category": "c", "patterns": ["silo"]}, "id"),
        ({"id": "x", "category": "c", "patterns": []}, "patterns"),
        ({"id": "x", "category": "c", "patterns": "silo"}, "patterns"),
        ({"id": "x", "category": "c", "patterns": ["[silo"]}, "unclosed"),
        ({"id": "x", "category": "c", "patterns": ["@nowhere"]}, "word list"),
        ({"id": "x", "category": "c", "patterns": ["in-house"]}, "spaces"),
        ({"id": "x", "category": "c", "patterns": ["silo"], "context": {"sometimes": []}}, "context"),
        ({"id": "x", "category": "c", "patterns": ["silo"], "enabled": "yes"}, "enabled"),
        ({"id": "order_taker", "category": "c", "patterns": ["silo"]}, "duplicate"),
    ],
)
def test_malformed_entry_raises_lexicon_error_naming_the_entry(entry: dict, message: str) -> None:
    with pytest.raises(LexiconError, match=message) as caught:
        default_lexicon().with_term(entry)
    assert f"({entry['id']!r})" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_malformed_lexicon_file_raises_lexicon_error(tmp_path) -> None:
    path = tmp_path / "lexicon.json"
    path.write_text('{"terms": [{"id": "ok", "category": "c", "patterns": ["silo"]}, 3]}')
    with pytest.raises(LexiconError, match="entry 1"):
        Lexicon.load(path)
    path.write_text("not json")
    with pytest.raises(LexiconError, match="JSON"):
        Lexicon.load(path)


def test_metrics_over_a_group_and_their_zero_cases() -> None:
    assert silo_rate_per_thousand_words([1, 0, 3], [100, 200, 100]) == 10.0
    assert silo_rate_per_thousand_words(4, 400) == 10.0
    assert silo_rate_per_thousand_words([], []) is None
    assert silo_rate_per_thousand_words([0], [0]) is None
    with pytest.raises(ValueError):
        silo_rate_per_thousand_words([1], [])
    assert share_of_responses_flagged([2, 0, 1, 0]) == 0.5
    assert share_of_responses_flagged([]) is None
    assert partnership_to_silo_ratio([3, 1], [1, 1]) == 2.0
    assert partnership_to_silo_ratio([0], [2]) == 0.0
    assert partnership_to_silo_ratio([2], [0]) is None
    assert partnership_to_silo_ratio(0, 0) is None
    assert partnership_to_silo_ratio(3, 2) == 1.5
    assert count_words("IT-side folks don't read e-mails, 3 times.") == 7


def test_importing_the_package_loads_neither_spacy_nor_flask() -> None:
    code = "import sys, nlp.silo; print('spacy' in sys.modules, 'flask' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.split() == ["False", "False"]


def test_the_pre_screen_turns_away_exactly_the_texts_the_matcher_finds_nothing_in():
    """``may_match`` skips the ``Matcher`` for texts without any pattern's required word; on every
    labelled silo text and demo comment it must say what the ``Matcher`` itself says."""
    from pathlib import Path

    import spacy

    from nlp.silo.matcher import _compile, may_match

    root = Path(__file__).resolve().parent.parent
    texts = [json.loads(line)["text"] for path in (root / "eval/data/silo_labelled.jsonl",
                                                   root / "survey/demo/data/comments.jsonl")
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    tokenizer = spacy.blank("en")
    lexicon = default_lexicon()
    compiled = _compile(lexicon, tokenizer.vocab)
    assert compiled.required_words, "the shipped lexicon's patterns all have a required word"
    screened = [may_match(doc, lexicon) for doc in tokenizer.pipe(texts)]
    matched = [bool(compiled.matcher(doc)) for doc in tokenizer.pipe(texts)]
    assert screened == matched
    assert 0 < sum(matched) < len(texts) / 2  # both outcomes occur, most texts are turned away
    # the word screen alone lets few texts through to the Matcher that it then finds nothing in
    # (631 for 535 matches; the union of one word per pattern let 2,308 of 2,560 through)
    words_pass = [any(all(not {token.lower_ for token in doc}.isdisjoint(options) for options in pattern)
                      for pattern in compiled.required_words) for doc in tokenizer.pipe(texts)]
    assert all(words_pass[index] for index, found in enumerate(matched) if found)
    assert sum(words_pass) < 1.3 * sum(matched)
