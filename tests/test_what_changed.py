"""The overview's "what changed" sentences read as a person would write them."""

from __future__ import annotations

from survey.services.what_changed import _theme_sentence
from survey.store.insights import ThemeCell


def cell(share: float, marker: str | None = None, suppressed: bool = False) -> ThemeCell:
    return ThemeCell(wave_id=1, wave="Q1", segment="", theme_id="tools", responses=40, share=share,
                     sentiment_mean=0.0, change_p_value=None, marker=marker, suppressed=suppressed)


def test_a_share_that_rounds_to_the_same_percent_held_rather_than_went_from_6_to_6():
    assert _theme_sentence("Tools and systems", cell(0.064), cell(0.059)) == (
        "Tools and systems held at 6% of comments.", False)


def test_other_moves_keep_their_sentences():
    assert _theme_sentence("Tools", cell(0.05), cell(0.07)) == (
        "Tools went from 5% to 7% of comments: not enough responses to tell whether that is a real change.",
        False)
    assert _theme_sentence("Tools", cell(0.10), cell(0.16, "rising")) == (
        "Tools rose from 10% to 16% of comments (significant).", True)
    assert _theme_sentence("Tools", cell(0.10, suppressed=True), cell(0.16)) == (
        "Tools: not enough responses to tell how it moved.", False)
