"""Charts read honestly and stay legible on a phone (issue 14, "Legible everywhere").

The sentiment axis fits the data and says which part of the -1..+1 scale it shows; the theme chart
says how many themes it leaves out; event labels sit outside the plot, so they never cover a line;
every chart has a narrow drawing whose text stays at least 9 px on a 390 px phone.
"""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from test_reports_charts import SEGMENTS, SHARES, SVG, THEMES, texts

from reports.charts import (
    EventMarker,
    nps_by_wave,
    segment_theme_heatmap,
    sentiment_by_wave,
    silo_rate_by_wave,
    theme_volume_by_wave,
)
from reports.charts.canvas import chart_figure, draw_events

WAVES = ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
RISE = ([0.09, 0.11, 0.14, 0.17], [0.05, 0.07, 0.10, 0.13], [0.13, 0.15, 0.18, 0.21])
EVENT = EventMarker("Service desk reorganised", "2026 Q2", date(2026, 4, 14))
#: A chart in a card on a 390 px phone is about this many CSS pixels wide.
PHONE_CHART_PX = 330
FIRST_THEMES = {f"Theme {n}": [0.1 + n / 100, 0.12, None, 0.1] for n in range(6)}


def y_tick_labels(svg: str) -> list[str]:
    """The text of the y-axis tick labels (matplotlib groups them under ``ytick_*`` ids)."""
    root = ElementTree.fromstring(svg)
    groups = [group for group in root.iter(f"{SVG}g") if re.fullmatch(r"ytick_\d+", group.get("id", ""))]
    return [" ".join(" ".join("".join(text.itertext()).split()) for text in group.iter(f"{SVG}text"))
            for group in groups]


def smallest_text_px(svg: str, shown_px: float) -> float:
    """The smallest font of the SVG in CSS pixels once the chart is scaled to ``shown_px`` wide."""
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
    sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)px"', svg)]
    return min(sizes) * shown_px / width


def test_a_small_rise_fills_the_sentiment_axis_and_the_note_says_the_scale():
    svg = sentiment_by_wave(WAVES, *RISE)
    ticks = [label for label in y_tick_labels(svg) if label]
    assert ticks and all(-0.2 <= float(label) <= 0.3 for label in ticks), ticks
    assert "-1 very negative" not in ticks
    note = " ".join(texts(svg))
    assert "The axis shows -0.05 to +0.26 of the scale from -1 (very negative) to +1 (very positive)" \
        in note
    assert "The axis shows -0.05 to +0.26" in re.search(r"<desc>(.*)</desc>", svg, re.DOTALL).group(1)


def test_data_spread_over_the_whole_scale_keeps_the_labelled_minus_one_to_plus_one_axis():
    svg = sentiment_by_wave(WAVES, [-0.7, -0.2, 0.3, 0.6], [-0.8, -0.3, 0.2, 0.5], [-0.6, -0.1, 0.4, 0.7])
    assert {"-1 very negative", "0 neutral", "+1 very positive"} <= set(y_tick_labels(svg))
    assert "The axis shows" not in svg


def test_the_theme_chart_says_how_many_themes_it_shows():
    svg = theme_volume_by_wave(WAVES, FIRST_THEMES, total_themes=11)
    assert "Concern themes by wave: 6 of 11 themes shown" in texts(svg)
    assert 'aria-label="Concern themes by wave: 6 of 11 themes shown"' in svg
    every = theme_volume_by_wave(WAVES, FIRST_THEMES, total_themes=6)
    assert "Concern themes by wave" in texts(every) and "of 6 themes" not in every


def test_event_labels_sit_outside_the_plot_so_they_never_cover_a_line():
    with chart_figure(6.5, 4.2) as figure:
        axes = figure.add_subplot()
        for offset in range(3):  # lines across the whole plot, top to bottom
            axes.plot(range(4), [0.1 * offset, 0.9, 0.95, 1.0])
        key = draw_events(axes, WAVES, [EVENT, EventMarker("Workshop", "2026 Q4")])
        renderer = FigureCanvasAgg(figure).get_renderer()
        figure.draw(renderer)
        plot_area = axes.get_window_extent(renderer)
        labels = [text.get_window_extent(renderer) for text in axes.texts]
    assert key == ["1: Service desk reorganised (2026-04-14)", "2: Workshop"]
    assert len(labels) == 2
    assert all(label.y0 >= plot_area.y1 for label in labels), "an event label overlaps the plot"


def test_the_events_are_listed_under_the_chart():
    svg = sentiment_by_wave(WAVES, *RISE, events=[EVENT])
    shown = " ".join(texts(svg))
    assert "Dashed lines: 1: Service desk reorganised (2026-04-14)." in shown


NARROW_CHARTS = {
    "sentiment": lambda narrow: sentiment_by_wave(WAVES, *RISE, events=[EVENT], narrow=narrow),
    "themes": lambda narrow: theme_volume_by_wave(WAVES, FIRST_THEMES, total_themes=11, narrow=narrow),
    "silo": lambda narrow: silo_rate_by_wave(WAVES, {"All": [2.1, 1.8, None, 1.2]}, events=[EVENT],
                                             narrow=narrow),
    "heat map": lambda narrow: segment_theme_heatmap(SEGMENTS, THEMES, SHARES, narrow=narrow),
    "nps": lambda narrow: nps_by_wave(WAVES, [-14, -6, None, 12], narrow=narrow),
}


@pytest.mark.parametrize("name", NARROW_CHARTS)
def test_the_narrow_drawing_keeps_text_readable_on_a_phone(name):
    wide, narrow = NARROW_CHARTS[name](False), NARROW_CHARTS[name](True)
    assert smallest_text_px(wide, PHONE_CHART_PX) < 7.5, "the wide chart squeezed to a phone is tiny"
    assert smallest_text_px(narrow, PHONE_CHART_PX) >= 9
    assert re.search(r"<desc>(.*)</desc>", narrow).group(1) == re.search(r"<desc>(.*)</desc>", wide).group(1)


def test_the_narrow_heat_map_turns_themes_into_rows():
    svg = segment_theme_heatmap(SEGMENTS, THEMES, SHARES, narrow=True)
    shown = texts(svg)
    assert "Segment" in shown and "Concern theme" not in shown
    assert shown.count("<5") == sum(value is None for row in SHARES for value in row)
