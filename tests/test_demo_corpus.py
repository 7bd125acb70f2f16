"""The demo corpus: hand-written comments, their metadata, and the story the generator tells."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from importlib import resources
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from survey.demo import DEFAULT_DEPARTMENTS, DEFAULT_WAVES, generate_feedback
from survey.demo.comments import (
    EMERGING_THEMES,
    FLAGS,
    NO_THEME,
    PERIODS,
    QUESTIONS,
    SENTIMENTS,
    load_comments,
    read_comment,
)
from survey.demo.corpus import STORY_DEPARTMENT
from survey.demo.story import comment_of, is_complaint, non_answer_share, story_figures

DEMO_RESPONSES = 800  # what `rapport demo` seeds by default
THEMES_JSON = Path(__file__).resolve().parents[1] / "nlp" / "data" / "themes.json"
THEME_IDS = {theme["id"] for theme in json.loads(THEMES_JSON.read_text(encoding="utf-8"))["themes"]}
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
TICKET = re.compile(r"\b(?:INC|RITM|REQ|CHG)\d{7}\b|\b(?:AT|LT-)\d{2,}", re.IGNORECASE)
CONTACT = re.compile(r"[\w.+-]+@example\.(?:com|org|net)\b|\b\d[\d ]{8,}\d\b|\bext(?:ension)?\.? ?\d{3,5}\b",
                     re.IGNORECASE)
SILO_PHRASES = re.compile(r"internal (?:customer|client)s?|order[- ]taker|over the wall|"
                          r"\bus (?:vs|and) them\b|\bthem (?:vs|and) us\b|service provider|"
                          r"\b(?:business|IT) side\b", re.IGNORECASE)


def words(text: str) -> set[str]:
    return set(WORD.findall(text.lower()))


def normalised(text: str) -> str:
    return " ".join(text.casefold().split())


@pytest.fixture(scope="module")
def comments():
    return load_comments()


@pytest.fixture(scope="module")
def demo():
    return generate_feedback(DEMO_RESPONSES, seed=7)


# --- the comments --------------------------------------------------------------------------------

def test_at_least_1600_distinct_comments(comments):
    assert len(comments) >= 1600  # the floor is 1,200; 1,600 lets a demo run without repeats
    assert len({normalised(c.text) for c in comments}) == len(comments), "non-answers must differ too"
    assert len({c.id for c in comments}) == len(comments)


def test_no_two_comments_share_more_than_60_percent_of_their_words(comments):
    """Overlap is the Jaccard index of two comments' word sets: |A & B| / |A | B|, where a word is a
    lower-cased run of letters and digits (with an inner apostrophe, as in "don't").

    It is checked for every pair of comments that are not non-answers, however short (stricter
    than exempting short ones), and must not exceed 0.6. Sets ignore order and repetition, so a
    sentence reused with another opener or a few words swapped (what the old templates produced)
    scores high; the measure is symmetric, so a short comment is not excused by a long one.
    Non-answers ("n/a", "nothing really") are exempt but must still be distinct strings (above).
    """
    content = [c.text for c in comments if c.theme != NO_THEME]
    vectorizer = CountVectorizer(analyzer=lambda text: sorted(words(text)), binary=True)
    matrix = vectorizer.fit_transform(content).astype(np.int32)
    shared = (matrix @ matrix.T).toarray()
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    jaccard = shared / np.maximum(sizes[:, None] + sizes[None, :] - shared, 1)
    np.fill_diagonal(jaccard, 0.0)
    first, second = np.unravel_index(int(jaccard.argmax()), jaccard.shape)
    assert jaccard.max() <= 0.6, (content[first], content[second], float(jaccard.max()))


def test_every_record_has_valid_metadata():
    lines = resources.files("survey.demo").joinpath("data", "comments.jsonl").read_text(
        encoding="utf-8").splitlines()
    for line in lines:
        record = json.loads(line)
        assert set(record) == {"id", "question", "theme", "sentiment", "period", "department",
                               "flags", "text"}, record
        assert record["question"] in QUESTIONS and record["sentiment"] in SENTIMENTS
        assert record["theme"] in THEME_IDS | {NO_THEME, *EMERGING_THEMES} and record["period"] in PERIODS
        assert record["department"] in set(DEFAULT_DEPARTMENTS) | {""}
        assert set(record["flags"]) <= FLAGS and record["flags"] == sorted(set(record["flags"]))
        assert record["text"] == record["text"].strip() and "{" not in record["text"]


def test_flags_match_the_text(comments):
    for comment in comments:
        assert ("ticket" in comment.flags) == bool(TICKET.search(comment.text)), comment
        assert ("contact" in comment.flags) == bool(CONTACT.search(comment.text)), comment
        if SILO_PHRASES.search(comment.text):
            assert "silo" in comment.flags, comment


def test_flag_shares_suit_the_redaction_and_warning_features(comments):
    shares = {flag: sum(flag in c.flags for c in comments) / len(comments) for flag in FLAGS}
    assert 0.04 <= shares["names"] <= 0.09
    assert 0.02 <= shares["quasi_identifier"] <= 0.05
    assert 0.01 <= shares["ticket"] <= 0.03
    assert 0.005 <= shares["contact"] <= 0.03
    assert shares["silo"] >= 0.06 and shares["partnership"] >= 0.04


def test_every_theme_is_praised_and_every_concern_complained_about(comments):
    praised = {c.theme for c in comments if c.question == "doing_well" and c.sentiment == "positive"}
    complained = {c.theme for c in comments if c.question == "change" and c.sentiment == "negative"}
    assert praised >= THEME_IDS
    assert complained >= THEME_IDS - {"praise"}


def test_comments_vary_in_length_and_voice(comments):
    lengths = [len(c.text.split()) for c in comments if c.theme != NO_THEME]
    assert min(lengths) <= 2 and max(lengths) >= 100
    assert 8 <= statistics.median(lengths) <= 20
    assert sum(c.text == c.text.lower() for c in comments) >= 200, "lower-case typing"
    assert sum(not re.search(r"[.!?]$", c.text) for c in comments) >= 400, "no final punctuation"
    assert sum(c.text.startswith(("-", "1.")) for c in comments) >= 2, "bullet-ish lists"


def test_a_bad_record_is_refused_with_its_id():
    line = json.dumps({"id": "c9999", "question": "change", "theme": "weather", "sentiment": "negative",
                       "period": "any", "department": "", "flags": [], "text": "Too much rain."})
    with pytest.raises(ValueError, match="c9999 has an invalid theme"):
        read_comment(line, THEME_IDS)


# --- dealing them out ----------------------------------------------------------------------------

def test_same_seed_same_corpus_and_the_data_is_not_consumed():
    first = generate_feedback(DEMO_RESPONSES, seed=21)
    assert generate_feedback(DEMO_RESPONSES, seed=21) == first
    assert generate_feedback(DEMO_RESPONSES, seed=22) != first


def test_the_default_demo_repeats_no_comment(demo):
    texts = [text for r in demo for key in ("doing_well", "change") if (text := r.answers[key])]
    assert len(texts) > 1400
    assert len(set(texts)) == len(texts)


def test_comments_repeat_only_once_the_pool_is_used_up(comments):
    responses = generate_feedback(2000, seed=3)
    counts = Counter(text for r in responses for key in ("doing_well", "change")
                     if (text := r.answers[key]))
    assert sum(counts.values()) > len(comments), "this run needs more comments than the pool holds"
    assert max(counts.values()) <= 3
    assert len(counts) > 0.9 * len(comments)


def test_comments_fit_their_wave_and_department(demo):
    for response in demo:
        late = DEFAULT_WAVES.index(response.wave) >= 2
        for key in ("doing_well", "change"):
            comment = comment_of(response, key)
            if comment is None:
                continue
            assert comment.question == key
            assert comment.period in ("any", "late" if late else "early")
            assert comment.department in ("", response.department)


def test_scores_agree_with_the_comments(demo):
    tone = {"negative": -1, "neutral": 0, "positive": 1}
    def text_tone(response) -> float:
        return sum(tone[c.sentiment] for key in ("doing_well", "change")
                   if (c := comment_of(response, key)) is not None)
    assert statistics.correlation([r.rating for r in demo], [text_tone(r) for r in demo]) > 0.4
    assert statistics.correlation([r.nps for r in demo], [text_tone(r) for r in demo]) > 0.4
    content = [r for r in demo if (c := comment_of(r, "change")) and c.theme == NO_THEME
               and c.sentiment == "positive"]
    complaints = [r for r in demo if (c := comment_of(r, "change")) and c.sentiment == "negative"]
    assert statistics.mean(r.rating for r in content) > statistics.mean(r.rating for r in complaints) + 1


def test_non_answers_are_a_realistic_share(demo):
    assert 0.07 <= non_answer_share(demo, "change") <= 0.13
    assert 0.05 <= non_answer_share(demo, "doing_well") <= 0.16


def test_the_default_demo_shows_names_quasi_identifiers_tickets_and_contacts(demo):
    dealt = [c for r in demo for key in ("doing_well", "change") if (c := comment_of(r, key))]
    counts = Counter(flag for c in dealt for flag in c.flags)
    assert counts["names"] >= 50 and counts["quasi_identifier"] >= 20
    assert counts["ticket"] >= 10 and counts["contact"] >= 8


# --- the story -----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [7, 8, 9])
def test_delivery_complaints_fall_after_the_second_wave(seed):
    shares = [row.delivery_complaints for row in story_figures(generate_feedback(DEMO_RESPONSES, seed=seed))]
    assert min(shares[:2]) > 2 * max(shares[2:])


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_service_desk_complaints_rise_in_the_story_department(seed):
    corpus = generate_feedback(DEMO_RESPONSES, seed=seed)
    def share(department: str, waves: tuple[str, ...]) -> float:
        cell = [r for r in corpus if r.department == department and r.wave in waves]
        return sum(bool((c := comment_of(r, "change")) and is_complaint("support")(c))
                   for r in cell) / len(cell)
    early, late = DEFAULT_WAVES[:2], DEFAULT_WAVES[2:]
    assert share(STORY_DEPARTMENT, late) > 2 * share(STORY_DEPARTMENT, early)
    others = [d for d in DEFAULT_DEPARTMENTS if d != STORY_DEPARTMENT]
    assert share(STORY_DEPARTMENT, late) > 2 * statistics.mean(share(d, late) for d in others)
    assert all(share(STORY_DEPARTMENT, late) > share(d, late) for d in others)


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_siloing_language_declines_wave_by_wave_as_partnership_language_grows(seed):
    figures = story_figures(generate_feedback(DEMO_RESPONSES, seed=seed))
    silo = [row.silo_language for row in figures]
    assert all(before > after for before, after in pairwise(silo)), silo
    assert silo[0] > 3 * silo[-1]
    partnership = [row.partnership_language for row in figures]
    assert partnership[-1] > 4 * partnership[0] and partnership[-1] > partnership[1]
