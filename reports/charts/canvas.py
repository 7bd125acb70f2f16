"""The shared drawing surface of every chart: house style, palette, labels, and SVG output.

Charts draw on a bare :class:`matplotlib.figure.Figure` (never ``pyplot``), inside a lock and an
``rc_context``, so no global state leaks between calls or threads. SVG output is deterministic:
a fixed hash salt per chart, no date metadata, and text kept as ``<text>`` elements.
"""

from __future__ import annotations

import contextlib
import html
import io
import math
import re
import textwrap
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reports.errors import ChartDataError

#: Okabe-Ito colours, ordered for lines on white (yellow last: weakest contrast).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
#: Markers that, with the colours, keep up to 16 series apart even in greyscale print.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
SUPPRESSED_GREY = "#d9d9d9"
#: Width in inches of a chart drawn for a phone: shown about 330 px wide, its 9-10 pt text stays
#: 11-13 px (a wide chart squeezed to a phone shows the same text at about 5 px).
NARROW_WIDTH = 3.9
TEXT_GREY = "#444444"
FONT_FAMILY = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "sans-serif"]

_STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.image_inline": True,
    "font.family": "sans-serif",
    "font.sans-serif": FONT_FAMILY,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.edgecolor": "#888888",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#e5e5e5",
    "grid.linewidth": 0.8,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "path.simplify": False,
}
# rcParams are process-wide: one chart at a time keeps a web worker's threads from mixing styles.
_RENDER_LOCK = threading.Lock()
_KEY_AXES = "key"
_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>.*?</style>", re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r' style="([^"]*)"')


def _presentation_attributes(svg: str) -> str:
    """Turn inline ``style`` into SVG presentation attributes: a page whose CSP forbids inline
    styles (the Rapport web app's does) still draws the chart. Matplotlib's one ``<style>`` rule
    (round joins, butt caps) moves to the root element, whose attributes every element inherits."""

    def expand(match: re.Match[str]) -> str:
        pairs = (item.split(":", 1) for item in match.group(1).split(";") if ":" in item)
        return "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)

    svg = _STYLE_ATTRIBUTE.sub(expand, _STYLE_ELEMENT.sub("", svg, count=1))
    return svg.replace("<svg", '<svg stroke-linejoin="round" stroke-linecap="butt"', 1)


@dataclass(frozen=True)
class EventMarker:
    """A dated note drawn on a wave chart, such as "language workshop".

    Attributes
    ----------
    label : str
        Short text shown next to the marker.
    wave_label : str
        The first wave after the event; the marker sits between this wave and the one before it.
    on : datetime.date or None
        When it happened; shown after the label when given.
    """

    label: str
    wave_label: str
    on: date | None = None

    @property
    def text(self) -> str:
        """The label with its date, as drawn."""
        return f"{self.label} ({self.on.isoformat()})" if self.on else self.label


@contextlib.contextmanager
def chart_figure(width: float, height: float) -> Iterator[Figure]:
    """Yield a fresh figure in the house style; rcParams are restored and the lock released on exit.

    Parameters
    ----------
    width, height : float
        Size in inches.
    """
    with _RENDER_LOCK, matplotlib.rc_context(_STYLE):
        yield Figure(figsize=(width, height), layout="constrained")


def figure_to_svg(figure: Figure, title: str, description: str = "") -> str:
    """Serialise ``figure`` to inline-ready SVG with ``<title>``, ``<desc>`` and an aria label.

    Must be called inside :func:`chart_figure`. The XML prologue is dropped so the string can be
    pasted into HTML as is; the hash salt derives from the title, so ids differ between charts.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The drawn figure.
    title : str
        Accessible name of the chart.
    description : str
        Plain-text summary of what the chart shows, for screen readers.

    Returns
    -------
    str
        The SVG document, byte-identical for identical input.
    """
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"rapport:{title}"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "Rapport"})
    svg = _presentation_attributes(_PROLOGUE.sub("", buffer.getvalue(), count=1))
    accessible = f'<svg role="img" aria-label="{html.escape(title)}"'
    heading = f"<title>{html.escape(title, quote=False)}</title>"
    if description:
        heading += f"<desc>{html.escape(description, quote=False)}</desc>"
    svg = svg.replace("<svg", accessible, 1)
    closing = svg.index(">", svg.index(accessible)) + 1
    return svg[:closing] + "\n " + heading + svg[closing:]


def no_data_svg(title: str, message: str = "No data yet") -> str:
    """Return a small chart-sized SVG that says there is nothing to show."""
    with chart_figure(7.5, 2.2) as figure:
        axes = figure.add_subplot()
        axes.set_axis_off()
        axes.set_title(title)
        axes.text(0.5, 0.45, message, ha="center", va="center", fontsize=13, color=TEXT_GREY,
                  transform=axes.transAxes)
        return figure_to_svg(figure, title, message)


def empty_chart_svg(title: str, wave_labels: Sequence[str], min_group_size: int) -> str:
    """The placeholder for a wave chart with nothing to draw: no waves yet, or every figure suppressed."""
    if wave_labels:
        return no_data_svg(title, f"Every figure is suppressed (fewer than {min_group_size} respondents)")
    return no_data_svg(title)


def check_series_lengths(wave_labels: Sequence[str], **series: Sequence[object]) -> None:
    """Raise :class:`ChartDataError` when a series does not have one value per wave."""
    for name, values in series.items():
        if len(values) != len(wave_labels):
            raise ChartDataError(
                f"{name} has {len(values)} values for {len(wave_labels)} waves"
            )


def as_plot_values(values: Sequence[float | None]) -> list[float]:
    """Turn ``None`` (suppressed or missing) into NaN, which matplotlib draws as a gap."""
    return [math.nan if value is None else float(value) for value in values]


def wrap_label(label: str, width: int = 14) -> str:
    """Wrap a tick label on word boundaries so long names stack instead of overlapping."""
    return "\n".join(textwrap.wrap(label, width=width, break_long_words=True)) or label


def set_wave_axis(axes: Axes, wave_labels: Sequence[str]) -> None:
    """Put wave labels on the x axis, rotating them when there are many or they are long."""
    positions = range(len(wave_labels))
    axes.set_xticks(list(positions))
    axes.set_xlim(-0.5, len(wave_labels) - 0.5)
    longest = max((len(label) for label in wave_labels), default=0)
    if len(wave_labels) * max(longest, 4) > 60:
        axes.set_xticklabels([wrap_label(label, 18) for label in wave_labels], rotation=35,
                             ha="right", rotation_mode="anchor")
    else:
        axes.set_xticklabels([wrap_label(label) for label in wave_labels])
    axes.set_xlabel("Survey wave")


def draw_events(axes: Axes, wave_labels: Sequence[str], events: Sequence[EventMarker]) -> list[str]:
    """Draw each event as a dashed line before its wave, numbered just above the plot.

    The numbers sit outside the plotting area, where no line or point is drawn, so a label never
    covers the data; the returned key ("1: Language workshop (2025-09-18)") goes in the chart's note.
    """
    index = {label: position for position, label in enumerate(wave_labels)}
    key = []
    for number, event in enumerate(events, start=1):
        if event.wave_label not in index:
            raise ChartDataError(f"event {event.label!r} refers to unknown wave {event.wave_label!r}")
        x = max(index[event.wave_label] - 0.5, -0.45)
        axes.axvline(x, color=TEXT_GREY, linestyle=(0, (4, 3)), linewidth=1, zorder=1)
        axes.annotate(str(number), xy=(x, 1), xycoords=("data", "axes fraction"), xytext=(0, 3),
                      textcoords="offset points", ha="center", va="bottom", fontsize=9,
                      fontweight="bold", color=TEXT_GREY, annotation_clip=False)
        key.append(f"{number}: {event.text}")
    return key


def event_note(key: Sequence[str]) -> str:
    """The note under a chart that says what each numbered dashed line marks."""
    return "Dashed lines: " + "; ".join(key) + "." if key else ""


def plot_axes(figure: Figure, narrow: bool = False, key_entries: int = 0) -> Axes:
    """The axes to plot on. A narrow chart also gets a frameless strip under the plot for its key,
    so the key never lands on the wave labels whatever their height."""
    if not narrow or key_entries == 0:
        return figure.add_subplot()
    grid = figure.add_gridspec(2, 1, height_ratios=[3.2, 0.2 * key_entries + 0.1])
    key = figure.add_subplot(grid[1])
    key.set_axis_off()
    key.set_label(_KEY_AXES)
    return figure.add_subplot(grid[0])


def set_title_and_legend(figure: Figure, axes: Axes, title: str, *, narrow: bool = False,
                         pad: float = 6) -> None:
    """The title and the series key: the key right of the plot, or in the strip under it (narrow)."""
    handles, labels = axes.get_legend_handles_labels()
    key = next((other for other in figure.axes if other.get_label() == _KEY_AXES), None)
    if narrow:
        axes.set_title(wrap_label(title, 30), pad=pad)
    else:
        axes.set_title(title, pad=pad)
    if key is not None:
        key.legend(handles, labels, loc="upper left", borderaxespad=0, ncols=1)
    else:
        figure.legend(handles, labels, loc="outside right upper")


def add_note(figure: Figure, text: str) -> None:
    """Add a small explanatory note under the plot (e.g. what a gap means), wrapped to the width."""
    width = int(figure.get_figwidth() * 72 / 5.6)  # characters of 9 pt text across the figure
    wrapped = "\n".join(textwrap.fill(line, width) for line in text.split("\n"))
    figure.supxlabel(wrapped, fontsize=9, color=TEXT_GREY, x=0.01, ha="left")


def series_style(position: int) -> dict[str, Any]:
    """Colour and marker for the n-th series: colours first, then markers, so neighbours differ."""
    return {
        "color": OKABE_ITO[position % len(OKABE_ITO)],
        "marker": MARKERS[(position // len(OKABE_ITO) + position) % len(MARKERS)],
    }
