"""Relationship health per wave: Net Promoter Score bars."""

from __future__ import annotations

from collections.abc import Sequence

from reports.charts.canvas import (
    NARROW_WIDTH,
    OKABE_ITO,
    TEXT_GREY,
    add_note,
    chart_figure,
    check_series_lengths,
    empty_chart_svg,
    figure_to_svg,
    set_wave_axis,
    wrap_label,
)


def nps_by_wave(
    wave_labels: Sequence[str],
    scores: Sequence[float | None],
    *,
    title: str = "Net Promoter Score by wave",
    min_group_size: int = 5,
    narrow: bool = False,
) -> str:
    """One bar per wave with the NPS (-100 to +100) written on it; suppressed waves say so.

    Parameters
    ----------
    wave_labels : sequence of str
        Waves in chronological order.
    scores : sequence of float or None
        NPS per wave; ``None`` marks a suppressed wave, drawn as a labelled empty slot.
    title : str
        Chart title and accessible name.
    min_group_size : int
        Reporting threshold shown for suppressed waves.
    narrow : bool
        Draw for a phone (narrower, same text size).

    Returns
    -------
    str
        Inline-ready SVG.
    """
    check_series_lengths(wave_labels, scores=scores)
    if not wave_labels or all(score is None for score in scores):
        return empty_chart_svg(title, wave_labels, min_group_size)
    width = NARROW_WIDTH if narrow else min(max(6.0, 0.6 * len(wave_labels) + 3.5), 11.0)
    with chart_figure(width, 3.8) as figure:
        axes = figure.add_subplot()
        axes.axhline(0, color="#888888", linewidth=0.8)
        for position, score in enumerate(scores):
            if score is None:
                axes.text(position, 0, f"<{min_group_size}", ha="center", va="bottom", fontsize=9,
                          color=TEXT_GREY, style="italic")
                continue
            colour = OKABE_ITO[0] if score >= 0 else OKABE_ITO[1]
            axes.bar(position, score, width=0.6, color=colour)
            axes.annotate(f"{score:+.0f}", (position, score), xytext=(0, 3 if score >= 0 else -3),
                          textcoords="offset points", ha="center", va="bottom" if score >= 0 else "top",
                          fontsize=9)
        axes.set_ylim(-100, 100)
        axes.set_ylabel("NPS (promoters - detractors, %)")
        axes.set_title(wrap_label(title, 30) if narrow else title)
        set_wave_axis(axes, wave_labels)
        if None in scores:
            add_note(figure, f"'<{min_group_size}': fewer than {min_group_size} respondents, suppressed.")
        summary = "; ".join(
            f"{wave}: {'suppressed' if s is None else f'{s:+.0f}'}"
            for wave, s in zip(wave_labels, scores, strict=True)
        )
        return figure_to_svg(figure, title, f"NPS by wave. {summary}")
