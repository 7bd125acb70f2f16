"""Charts are pure, deterministic, accessible SVG; suppressed figures never show; empty data says so."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

import matplotlib
import pytest

from reports.charts import (
    OKABE_ITO,
    EventMarker,
    nps_by_wave,
    segment_theme_heatmap,
    sentiment_by_wave,
    silo_rate_by_wave,
    theme_volume_by_wave,
)
from reports.errors import ChartDataError

SVG = "{http://www.w3.org/2000/svg}"
WAVES = ["2025 Q3", "2025 Q4", "2026 Q1"]
WORKSHOP = EventMarker("Language workshop", "2025 Q4", date(2025, 9, 18))
SEGMENTS = ["Finance", "Sales", "Operations"]
THEMES = ["Delivery on time, cost and scope", "Communication and transparency", "Trust and blame"]
SHARES = [[0.31, None, 0.12], [0.24, 0.28, None], [0.19, 0.15, 0.34]]


def texts(svg: str) -> list[str]:
    """All visible text of an SVG, one entry per <text> element (multi-line labels joined)."""
    root = ElementTree.fromstring(svg)
    return [" ".join("".join(node.itertext()).split()) for node in root.iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def sentiment_svg() -> str:
    return sentiment_by_wave(WAVES, [-0.2, None, 0.17], [-0.3, None, 0.09], [-0.1, None, 0.25],
                             events=[WORKSHOP])


@pytest.fixture(scope="module")
def share_heatmap_svg() -> str:
    return segment_theme_heatmap(SEGMENTS, THEMES, SHARES, kind="share")


def test_same_input_gives_byte_identical_svg(sentiment_svg):
    again = sentiment_by_wave(WAVES, [-0.2, None, 0.17], [-0.3, None, 0.09], [-0.1, None, 0.25],
                              events=[WORKSHOP])
    assert again == sentiment_svg


def test_svg_is_inline_ready_and_accessible(sentiment_svg):
    assert sentiment_svg.startswith('<svg role="img" aria-label="Mean sentiment by wave"')
    root = ElementTree.fromstring(sentiment_svg)
    assert root.find(f"{SVG}title").text == "Mean sentiment by wave"
    description = root.find(f"{SVG}desc").text
    assert "2025 Q3: -0.20" in description and "2025 Q4: suppressed" in description
    assert "<dc:date>" not in sentiment_svg, "no date metadata, or output would change daily"


def test_text_stays_text_with_title_labels_and_event(sentiment_svg):
    shown = texts(sentiment_svg)
    assert "Mean sentiment by wave" in shown
    assert {"Survey wave", "Sentiment score (zoomed)", *WAVES} <= set(shown)
    assert "Dashed lines: 1: Language workshop (2025-09-18)." in " ".join(shown)
    assert "DejaVuSans-" not in sentiment_svg, "glyphs must not be converted to paths"


def test_charts_use_the_okabe_ito_palette(sentiment_svg):
    lines = silo_rate_by_wave(WAVES, {"Finance": [4.0, 3.0, 2.0], "Sales": [3.0, 2.5, 2.0]})
    assert OKABE_ITO[0].lower() in sentiment_svg
    assert OKABE_ITO[0].lower() in lines and OKABE_ITO[1].lower() in lines


def test_chart_calls_leave_matplotlib_global_state_alone(sentiment_svg):
    assert matplotlib.rcParams["svg.fonttype"] == "path"
    assert matplotlib.rcParams["svg.hashsalt"] is None
    assert matplotlib.rcParams["font.size"] == 10.0


def test_heatmap_labels_every_suppressed_cell_and_never_shows_a_value(share_heatmap_svg):
    shown = texts(share_heatmap_svg)
    suppressed_cells = sum(value is None for row in SHARES for value in row)
    assert shown.count("<5") == suppressed_cells
    # the note gives both reasons a cell is grey, as the pages do (some hide 5 or more, so that
    # totals cannot reveal a small group)
    assert "fewer than 5 respondents, or hidden so that totals cannot reveal a small group" in " ".join(shown)
    visible = {f"{value:.0%}" for row in SHARES for value in row if value is not None}
    assert visible <= set(shown)
    assert "Finance: Delivery on time, cost and scope 31%, Communication and transparency suppressed" in (
        ElementTree.fromstring(share_heatmap_svg).find(f"{SVG}desc").text
    )


def test_heatmap_greys_suppressed_cells(share_heatmap_svg):
    assert "#d9d9d9" in share_heatmap_svg


def test_sentiment_heatmap_annotates_signed_scores_and_suppressed_cells():
    svg = segment_theme_heatmap(["Finance", "HR"], ["Trust and blame"], [[-0.42], [None]], kind="sentiment")
    shown = texts(svg)
    assert "-0.42" in shown and "<5" in shown
    assert "Mean sentiment" in shown


def test_all_suppressed_heatmap_still_draws_the_grid_with_the_configured_threshold():
    svg = segment_theme_heatmap(["Finance", "HR"], ["Trust and blame"], [[None], [None]], min_group_size=10)
    shown = texts(svg)
    assert shown.count("<10") == 2
    assert {"Finance", "HR", "Trust and blame"} <= set(shown)


@pytest.mark.parametrize(
    "draw",
    [
        lambda: sentiment_by_wave(WAVES, [None] * 3, [None] * 3, [None] * 3),
        lambda: theme_volume_by_wave(WAVES, {"Tools": [None] * 3}),
        lambda: silo_rate_by_wave(WAVES, {"All": [None] * 3}),
        lambda: nps_by_wave(WAVES, [None] * 3),
    ],
)
def test_all_suppressed_wave_charts_say_so(draw):
    assert "Every figure is suppressed (fewer than 5 respondents)" in texts(draw())


def test_theme_volume_shows_shares_as_percent_and_notes_gaps():
    svg = theme_volume_by_wave(WAVES, {"Trust and blame": [0.09, None, 0.04]})
    shown = texts(svg)
    assert "Share of comment units (%)" in shown
    assert any(text.startswith("A gap means the figure is suppressed") for text in shown)
    assert "Trust and blame" in shown
    assert "Trust and blame: 9%, suppressed, 4%" in ElementTree.fromstring(svg).find(f"{SVG}desc").text


def test_theme_volume_in_counts_has_no_gap_note_without_gaps():
    shown = texts(theme_volume_by_wave(WAVES, {"Tools": [12, 30, 7]}, kind="count"))
    assert "Comment units" in shown
    assert not any(text.startswith("A gap means") for text in shown)


@pytest.mark.parametrize("wave_count", [1, 12])
def test_one_and_twelve_waves_show_every_wave_label(wave_count):
    waves = [f"2026 pulse {n}" for n in range(1, wave_count + 1)]
    svg = silo_rate_by_wave(waves, {"All": [2.0 + n / 10 for n in range(wave_count)]})
    shown = texts(svg)
    assert all(label in shown for label in waves)
    assert "Flags per 1,000 words" in shown


def test_many_waves_rotate_their_labels_and_few_do_not():
    many = silo_rate_by_wave([f"Pulse wave {n}" for n in range(1, 13)], {"All": [2.0] * 12})
    few = silo_rate_by_wave(["2026 Q1", "2026 Q2"], {"All": [2.0, 1.0]})
    assert len(re.findall(r"rotate\(-35 ", many)) == 12
    assert "rotate(-35 " not in few


def test_long_labels_are_wrapped_onto_several_lines():
    label = "Pulse wave one of the partnership survey"
    svg = silo_rate_by_wave([label], {"All": [2.0]})
    lines = [text for text in texts(svg) if text and text in label]
    assert len(lines) >= 2 and all(len(line) <= 18 for line in lines)
    assert " ".join(lines) == label


def test_nps_by_wave_marks_suppressed_waves():
    shown = texts(nps_by_wave(WAVES, [-14, None, 12]))
    assert {"-14", "+12", "<5"} <= set(shown)


@pytest.mark.parametrize(
    "draw",
    [
        lambda: sentiment_by_wave([], [], [], []),
        lambda: theme_volume_by_wave(WAVES, {}),
        lambda: silo_rate_by_wave([], {}),
        lambda: segment_theme_heatmap([], [], []),
        lambda: nps_by_wave([], []),
    ],
)
def test_empty_data_gives_a_no_data_svg(draw):
    svg = draw()
    assert svg.startswith("<svg")
    assert "No data yet" in texts(svg)


@pytest.mark.parametrize(
    "draw",
    [
        lambda: sentiment_by_wave(WAVES, [0.1, 0.2], [0.0, 0.1], [0.2, 0.3]),
        lambda: theme_volume_by_wave(WAVES, {"Tools": [0.1]}),
        lambda: silo_rate_by_wave(WAVES, {"All": [1.0]}, events=[]),
        lambda: segment_theme_heatmap(SEGMENTS, THEMES, SHARES[:2]),
        lambda: segment_theme_heatmap(SEGMENTS, THEMES, [[0.1], [0.2], [0.3]]),
        lambda: silo_rate_by_wave(WAVES, {"All": [1.0, 2.0, 3.0]},
                                  events=[EventMarker("Workshop", "2030 Q1")]),
    ],
)
def test_inconsistent_input_raises_chart_data_error(draw):
    with pytest.raises(ChartDataError):
        draw()


def test_unknown_kind_is_a_value_error():
    with pytest.raises(ValueError, match="kind"):
        segment_theme_heatmap(SEGMENTS, THEMES, SHARES, kind="volume")
