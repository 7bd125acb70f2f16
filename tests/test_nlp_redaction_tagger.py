"""The learned name tagger (nlp.redaction.tagger) in the real redaction path: names in informal writing
go, ordinary words that are also names stay, and the shipped model is plain arrays."""

from __future__ import annotations

import re
import zlib
from importlib import resources

import numpy as np
import pytest

from nlp.redaction import find_personal_data, redact_personal_data
from nlp.redaction.features import hashed, scoring_indices, shape, text_case, tokenize, worth_scoring
from nlp.redaction.spans import Redaction
from nlp.redaction.tagger import confirmed, lexicons, scored_tokens, still_uncertain, tagger_model


def names_in(text: str) -> list[str]:
    return [text[span.start:span.end] for span in find_personal_data(text) if span.label == "NAME"]


@pytest.mark.parametrize(("text", "name"), [
    ("thanks, sipho from payroll", "sipho"),
    ("Cheers, Jordan from Payroll", "Jordan"),
    ("i asked priya raghunathan about the licence", "raghunathan"),
    ("Kind regards - Siobhan", "Siobhan"),
    ("xoliswa and bongani in desktop support sorted it", "xoliswa"),
    ("xoliswa and bongani in desktop support sorted it", "bongani"),
    ("Okonkwo fixed the printer", "Okonkwo"),
    ("honestly thabo is the only one who answers the phone", "thabo"),
    ("Grace from HR walked me through the new leave form", "Grace"),
    ("thanks Will, the dock works now", "Will"),
    ("the engineer, Nguyen Van Minh, was very patient", "Nguyen"),
    ("ping @jsmith if the export fails", "@jsmith"),
    ("Dr. Helen Zhang in analytics was a real partner", "Helen Zhang"),
])
def test_names_in_informal_writing_are_redacted(text, name):
    assert any(name in found for found in names_in(text)), (text, names_in(text))
    assert name not in redact_personal_data(text)


@pytest.mark.parametrize("text", [
    "May is our busiest month, please no changes then.",
    "Will the new laptops arrive before the audit?",
    "Mark the ticket as urgent, it blocks payroll.",
    "Grace period for password resets is far too short.",
    "Bill payments portal is down again.",
    "Teams keeps crashing on Windows after the update.",
    "the Victoria office still has no guest wifi",
    "Windows updates broke Teams and Outlook on Monday.",
    "Thanks for sorting the VPN so quickly, great job.",
    "hey, lol, the printer is jammed again",
    "Please mark the ticket as urgent, the bill run is blocked.",
    "please mark the ticket as urgent, we were in at dawn for the cutover",
    "Kind regards – Facilities",
    "Chase Bank integration broke after the patch",
    "E-signature rollout was rushed and DocuSign keeps logging me out",
])
def test_ordinary_words_that_are_also_names_stay(text):
    assert names_in(text) == []
    assert redact_personal_data(text) == text


def test_an_honorific_is_kept_and_the_name_after_it_goes():
    assert redact_personal_data("Dr. Helen Zhang in analytics helped") == "Dr. [NAME] in analytics helped"


def test_ticket_numbers_become_ticket_placeholders():
    assert redact_personal_data("see INC0012345 and RITM0045678") == "see [TICKET] and [TICKET]"


def test_shipped_model_is_plain_arrays_with_sane_settings():
    path = resources.files("nlp") / "data" / "redaction_tagger.npz"
    with resources.as_file(path) as file, np.load(file, allow_pickle=False) as arrays:
        assert set(arrays.files) == {"weights", "intercept", "threshold", "veto"}
        assert arrays["weights"].dtype == np.float32 and arrays["weights"].ndim == 1
    model = tagger_model()
    assert 0.0 < model.threshold < 1.0 and 0.0 <= model.veto < model.threshold
    assert np.isfinite(model.weights).all() and np.count_nonzero(model.weights) > 10_000


def test_tokens_keep_offsets_and_split_a_possessive():
    text = "Ask Siobhan's team, or O'Brien-Smith."
    tokens = tokenize(text)
    assert all(text[token.start:token.end] == token.text for token in tokens)
    assert [token.text for token in tokens][:4] == ["Ask", "Siobhan", "'s", "team"]
    assert "O'Brien-Smith" in [token.text for token in tokens]


def test_feature_hashing_is_stable_across_processes():
    assert hashed(["bias", "w=sipho"], 1 << 18) == [zlib.crc32(b"bias") % (1 << 18),
                                                    zlib.crc32(b"w=sipho") % (1 << 18)]
    words = ("Sipho", "sipho", "IT", "Al-Farsi", "x")
    assert [shape(word) for word in words] == ["Xx", "x", "X", "Xx-Xx", "x"]
    assert [text_case(text) for text in ("thanks sipho", "THANKS SIPHO!", "Thanks Sipho")] == [
        "lower", "upper", "mixed"]


@pytest.mark.parametrize("text", [
    "JOHN'S PC IS DOWN again", "John'S laptop", "AB's VPN and the HR portal", "IT'S DOWN AGAIN'S x",
    "hi\nTHERE'S NO WIFI", "中文'S ok", "ǅ'S AB cd", "Thanks Sipho", "A's B c",
])
def test_text_case_reads_the_same_from_tokens(text):
    """The tagger passes its tokens to save a scan; a possessive split off must count with its word,
    as when the text's words are counted whole."""
    words = re.findall(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+|[^\w\s]", text)
    whole = ("lower" if text.lower() == text else "upper" if text.upper() == text
             else "upper" if sum(word.isupper() and len(word) > 1 for word in words) > 0.6 * len(words)
             else "mixed")
    assert text_case(text, tokenize(text)) == whole
    assert text_case(text) == whole


def test_text_case_counts_a_shouted_possessive_as_one_word():
    text = "JOHN'S PC VPN is ok"  # 3 of 5 words shouted: mixed (as JOHN + 'S it would be 4 of 6: upper)
    assert text_case(text, tokenize(text)) == "mixed"


@pytest.mark.parametrize("text", [
    "The printer on level 2 is broken and Thandeka fixed it", "thanks to will and the team, ask mark",
    "THE VPN IS DOWN AND NOBODY CALLED ME", "sarah and tom from the desk", "When Will it be The end? Us too",
    "ayesha khan said it's fine", "",
])
def test_scoring_indices_keep_what_worth_scoring_keeps(text):
    tokens, words = tokenize(text), lexicons()
    writing = text_case(text)
    assert scoring_indices(tokens, words, writing) == [
        index for index in range(len(tokens)) if worth_scoring(
            tokens, index, words, shouting=writing == "upper", lowercase_writer=writing == "lower")]


def test_only_words_that_could_be_names_are_scored():
    text = "The printer on level 2 is broken and Thandeka fixed it"
    scored = scored_tokens(text, lexicons(), tagger_model())
    assert [token.text for token, _ in scored] == ["Thandeka"]
    assert scored[0][1] >= tagger_model().threshold


def test_tagger_gates_ner_and_vetoes_rule_names():
    text = "Bruh the vpn died and Thandeka fixed it"
    scored = scored_tokens(text, lexicons(), tagger_model())
    probabilities = {token.text: probability for token, probability in scored}
    starts = {word: text.index(word) for word in ("Thandeka",)}
    # a word the tagger already calls a name needs no NER; an unscored word still goes to NER
    assert still_uncertain([starts["Thandeka"], 0], scored, tagger_model().threshold) == [0]
    rule_span = Redaction(starts["Thandeka"], starts["Thandeka"] + 8, "NAME")
    assert confirmed(text, [rule_span], scored, veto=probabilities["Thandeka"] - 0.01) == [rule_span]
    assert confirmed(text, [rule_span], scored, veto=probabilities["Thandeka"] + 0.01) == []


def test_served_scores_are_the_training_features_scored_exactly():
    """Serving remembers each word's own feature buckets; its scores must be those of the features the
    model was trained on (features.token_features), to the last bit, also when a word comes back."""
    import math

    from nlp.redaction.features import token_features
    from nlp.redaction.tagger import feature_buckets

    model, words = tagger_model(), lexicons()
    texts = ["Thandeka fixed it. Thandeka's team, THANDEKA too", "thanks, sipho from payroll",
             "Ask Priya Raman about it.\nCheers,\n- Jordan", "ALL CAPS FROM PRIYA", "Priya and Priya"]
    for text in texts * 2:
        tokens = tokenize(text)
        writing = text_case(text, tokens)
        expected = []
        for index in scoring_indices(tokens, words, writing):
            trained = hashed(token_features(tokens, index, words, writing), len(model.weights))
            assert feature_buckets(tokens, index, words, writing, len(model.weights)) == trained
            weights = model.weights.take(trained).tolist()
            expected.append((tokens[index], 1.0 / (1.0 + math.exp(-(model.intercept + sum(weights))))))
        assert scored_tokens(text, words, model) == expected
