"""Wave-over-wave charts: sentiment with its interval, theme volume, and silo-language rate."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from reports.charts.canvas import (
    NARROW_WIDTH,
    OKABE_ITO,
    EventMarker,
    add_note,
    as_plot_values,
    chart_figure,
    check_series_lengths,
    draw_events,
    empty_chart_svg,
    event_note,
    figure_to_svg,
    plot_axes,
    series_style,
    set_title_and_legend,
    set_wave_axis,
)

GAP_NOTE = "A gap means the figure is suppressed (fewer than {n} respondents) or missing."
#: Below this spread (of means and intervals, with 0) the sentiment axis zooms in on the data.
FULL_SCALE_SPREAD = 1.2


def _wave_chart_width(wave_count: int, narrow: bool = False) -> float:
    if narrow:
        return NARROW_WIDTH
    return min(max(6.5, 0.7 * wave_count + 4.5), 11.0)


def _chart_height(height: float, narrow: bool, series_count: int = 1) -> float:
    """Narrow charts put the key under the plot: taller by a line per series."""
    return height + 0.8 + 0.2 * series_count if narrow else height


def sentiment_limits(*series: Sequence[float | None]) -> tuple[float, float] | None:
    """The y range of a sentiment chart: the data (with 0, the neutral line) and a margin, or
    ``None`` when the data spreads over most of the -1..+1 scale and the full scale is clearer."""
    values = [value for values in series for value in values if value is not None] + [0.0]
    low, high = min(values), max(values)
    if high - low >= FULL_SCALE_SPREAD:
        return None
    margin = max(0.15 * (high - low), 0.05)
    return max(-1.0, low - margin), min(1.0, high + margin)


def _sentiment_axis(axes: Axes, limits: tuple[float, float] | None) -> str:
    """Set the sentiment scale; returns the note that says which part of -1..+1 is shown."""
    if limits is None:
        axes.set_ylim(-1.05, 1.05)
        axes.set_yticks([-1, -0.5, 0, 0.5, 1])
        axes.set_yticklabels(["-1\nvery negative", "-0.5", "0\nneutral", "+0.5", "+1\nvery positive"])
        axes.set_ylabel("Sentiment score")
        return ""
    axes.set_ylim(*limits)
    axes.yaxis.set_major_locator(MaxNLocator(5))
    axes.yaxis.set_major_formatter(lambda tick, _: "0" if abs(tick) < 1e-9 else f"{tick:+.2f}")
    axes.set_ylabel("Sentiment score (zoomed)")
    return (f"The axis shows {limits[0]:+.2f} to {limits[1]:+.2f} of the scale from -1 (very negative)"
            " to +1 (very positive).")


def _has_values(*series: Sequence[float | None]) -> bool:
    return any(value is not None for values in series for value in values)


def _format_value(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "suppressed"
    return f"{value:+.2f}" if signed else f"{value:.2f}"


def sentiment_by_wave(
    wave_labels: Sequence[str],
    means: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    *,
    title: str = "Mean sentiment by wave",
    events: Sequence[EventMarker] = (),
    min_group_size: int = 5,
    narrow: bool = False,
) -> str:
    """Mean sentiment per wave with its 95% interval as a band and error bars.

    The y axis fits the data (with 0, the neutral line), so a rise from +0.09 to +0.17 shows; a
    note under the chart says which part of the -1..+1 scale the axis covers.

    Parameters
    ----------
    wave_labels : sequence of str
        Waves in chronological order.
    means, lows, highs : sequence of float or None
        Mean score in [-1, 1] and the bounds of its 95% interval, one per wave; ``None`` marks a
        suppressed wave, drawn as a gap.
    title : str
        Chart title and accessible name.
    events : sequence of EventMarker
        Dated notes drawn between waves.
    min_group_size : int
        Reporting threshold, quoted in the note under the chart.
    narrow : bool
        Draw for a phone: narrower, key under the plot, text the same size in points.

    Returns
    -------
    str
        Inline-ready SVG.
    """
    check_series_lengths(wave_labels, means=means, lows=lows, highs=highs)
    if not wave_labels or not _has_values(means):
        return empty_chart_svg(title, wave_labels, min_group_size)
    x = list(range(len(wave_labels)))
    mean_values, low_values, high_values = (as_plot_values(s) for s in (means, lows, highs))
    with chart_figure(_wave_chart_width(len(wave_labels), narrow), _chart_height(4.2, narrow, 2)) as figure:
        axes = plot_axes(figure, narrow, 2)
        colour = OKABE_ITO[0]
        axes.axhline(0, color="#888888", linewidth=0.8, zorder=1)
        axes.fill_between(x, low_values, high_values, color=colour, alpha=0.15, linewidth=0,
                          label="95% interval")
        below = [m - low for m, low in zip(mean_values, low_values, strict=True)]
        above = [high - m for m, high in zip(mean_values, high_values, strict=True)]
        axes.errorbar(x, mean_values, yerr=[below, above], color=colour, marker="o", capsize=4,
                      linewidth=2, markersize=6, label="Mean sentiment")
        for position, value in enumerate(mean_values):
            if not math.isnan(value):
                axes.annotate(f"{value:+.2f}", (position, value), xytext=(7, 4),
                              textcoords="offset points", fontsize=9, color=colour)
        scale_note = _sentiment_axis(axes, sentiment_limits(means, lows, highs))
        _finish_wave_axes(figure, axes, title, wave_labels, events, min_group_size, [means],
                          narrow=narrow, notes=[scale_note])
        summary = "; ".join(
            f"{wave}: {_format_value(m, True)}" for wave, m in zip(wave_labels, means, strict=True)
        )
        return figure_to_svg(figure, title, f"Mean sentiment per wave. {summary}. {scale_note}".strip())


def theme_volume_by_wave(
    wave_labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    kind: str = "share",
    title: str = "Concern themes by wave",
    min_group_size: int = 5,
    total_themes: int | None = None,
    narrow: bool = False,
) -> str:
    """One line per theme: its share of units (``kind='share'``, 0-1) or unit count per wave.

    When ``total_themes`` is larger than the number of lines, the title says so ("6 of 11 themes").

    Parameters
    ----------
    wave_labels : sequence of str
        Waves in chronological order.
    series : mapping of str to sequence of float or None
        Theme name to one value per wave; ``None`` is suppressed and drawn as a gap.
    kind : {'share', 'count'}
        Whether values are shares (shown as percentages) or counts.
    title : str
        Chart title and accessible name.
    min_group_size : int
        Reporting threshold, quoted in the note under the chart.
    total_themes : int or None
        How many themes there are in all, when ``series`` holds only some of them.
    narrow : bool
        Draw for a phone: narrower, key under the plot.

    Returns
    -------
    str
        Inline-ready SVG.
    """
    if kind not in ("share", "count"):
        raise ValueError(f"kind must be 'share' or 'count', not {kind!r}")
    check_series_lengths(wave_labels, **{f"theme {name!r}": values for name, values in series.items()})
    if not series or not _has_values(*series.values()):
        return empty_chart_svg(title, wave_labels if series else (), min_group_size)
    scale = 100.0 if kind == "share" else 1.0
    scaled = {name: [None if v is None else v * scale for v in values] for name, values in series.items()}
    if total_themes is not None and total_themes > len(series):
        title = f"{title}: {len(series)} of {total_themes} themes shown"
    width = _wave_chart_width(len(wave_labels), narrow) + (0 if narrow else 1.5)
    with chart_figure(width, _chart_height(4.4, narrow, len(series))) as figure:
        axes = plot_axes(figure, narrow, len(series))
        _plot_lines(axes, scaled)
        axes.set_ylim(bottom=0)
        axes.set_ylabel("Share of comment units (%)" if kind == "share" else "Comment units")
        _finish_wave_axes(figure, axes, title, wave_labels, (), min_group_size, series.values(),
                          narrow=narrow)
        unit = "%" if kind == "share" else " units"
        summary = "; ".join(
            f"{name}: " + ", ".join("suppressed" if v is None else f"{v:.0f}{unit}" for v in values)
            for name, values in scaled.items()
        )
        return figure_to_svg(figure, title, f"Per theme, by wave ({', '.join(wave_labels)}). {summary}")


def silo_rate_by_wave(
    wave_labels: Sequence[str],
    series_by_segment: Mapping[str, Sequence[float | None]],
    *,
    title: str = "Siloing language by wave",
    events: Sequence[EventMarker] = (),
    min_group_size: int = 5,
    narrow: bool = False,
) -> str:
    """Silo-language flags per 1,000 words, one line per segment (or one line for "All").

    Parameters
    ----------
    wave_labels : sequence of str
        Waves in chronological order.
    series_by_segment : mapping of str to sequence of float or None
        Segment name to its rate per wave; ``None`` is suppressed and drawn as a gap.
    title : str
        Chart title and accessible name.
    events : sequence of EventMarker
        Dated notes drawn between waves, e.g. a language workshop.
    min_group_size : int
        Reporting threshold, quoted in the note under the chart.
    narrow : bool
        Draw for a phone: narrower, key under the plot.

    Returns
    -------
    str
        Inline-ready SVG.
    """
    check_series_lengths(
        wave_labels, **{f"segment {name!r}": values for name, values in series_by_segment.items()}
    )
    if not series_by_segment or not _has_values(*series_by_segment.values()):
        return empty_chart_svg(title, wave_labels if series_by_segment else (), min_group_size)
    width = _wave_chart_width(len(wave_labels), narrow) + (0 if narrow else 1.2)
    with chart_figure(width, _chart_height(4.2, narrow, len(series_by_segment))) as figure:
        axes = plot_axes(figure, narrow, len(series_by_segment))
        _plot_lines(axes, series_by_segment)
        axes.set_ylim(bottom=0)
        axes.set_ylabel("Flags per 1,000 words")
        _finish_wave_axes(figure, axes, title, wave_labels, events, min_group_size,
                          series_by_segment.values(), narrow=narrow)
        summary = "; ".join(
            f"{name}: " + ", ".join(_format_value(v) for v in values)
            for name, values in series_by_segment.items()
        )
        return figure_to_svg(figure, title, f"Silo flags per 1,000 words by wave. {summary}")


def _plot_lines(axes: Axes, series: Mapping[str, Sequence[float | None]]) -> None:
    for position, (name, values) in enumerate(series.items()):
        axes.plot(range(len(values)), as_plot_values(values), label=name, linewidth=2, markersize=6,
                  **series_style(position))


def _finish_wave_axes(
    figure: Figure,
    axes: Axes,
    title: str,
    wave_labels: Sequence[str],
    events: Sequence[EventMarker],
    min_group_size: int,
    plotted: Iterable[Sequence[float | None]],
    *,
    narrow: bool = False,
    notes: Sequence[str] = (),
) -> None:
    """Title, wave axis, numbered events, key, and one note under the plot (scale, events, gaps)."""
    set_wave_axis(axes, wave_labels)
    key = draw_events(axes, wave_labels, events)
    set_title_and_legend(figure, axes, title, narrow=narrow, pad=16 if events else 6)
    lines = [note for note in notes if note] + ([event_note(key)] if key else [])
    if any(value is None for values in plotted for value in values):
        lines.append(GAP_NOTE.format(n=min_group_size))
    if lines:
        add_note(figure, "\n".join(lines))
