"""Segment x theme heat map: theme share or mean sentiment per segment, suppressed cells greyed."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from reports.charts.canvas import (
    NARROW_WIDTH,
    SUPPRESSED_GREY,
    add_note,
    chart_figure,
    figure_to_svg,
    no_data_svg,
    wrap_label,
)
from reports.errors import ChartDataError

# ColorBrewer schemes marked colour-blind safe; neither has a grey that could pass for a suppressed cell.
_COLOUR_MAPS = {"share": "Blues", "sentiment": "RdBu"}


def segment_theme_heatmap(
    segments: Sequence[str],
    themes: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    kind: str = "share",
    title: str | None = None,
    min_group_size: int = 5,
    narrow: bool = False,
) -> str:
    """Heat map with one row per segment and one column per theme, every cell annotated.

    Drawn ``narrow`` (for a phone) it turns a quarter: one row per theme, one column per segment,
    so the long theme names read across and the cells keep their size.

    Parameters
    ----------
    segments : sequence of str
        Row labels (departments or business units).
    themes : sequence of str
        Column labels (concern themes).
    values : sequence of sequences of float or None
        ``values[row][column]``: a share in [0, 1] (``kind='share'``) or a mean sentiment in
        [-1, 1] (``kind='sentiment'``). ``None`` marks a suppressed cell: it is drawn grey and
        labelled ``"<{min_group_size}"``, with no value behind it.
    kind : {'share', 'sentiment'}
        Sequential colours for shares, diverging colours centred on 0 for sentiment.
    title : str or None
        Chart title; a default names the kind.
    min_group_size : int
        Reporting threshold shown in suppressed cells.
    narrow : bool
        Draw for a phone: themes as rows, segments as columns, colour key under the grid.

    Returns
    -------
    str
        Inline-ready SVG.
    """
    if kind not in _COLOUR_MAPS:
        raise ValueError(f"kind must be 'share' or 'sentiment', not {kind!r}")
    title = title or ("Theme share by segment" if kind == "share" else "Theme sentiment by segment")
    _check_shape(segments, themes, values)
    if not segments or not themes:
        return no_data_svg(title)
    rows, columns, cells = (themes, segments, _transposed(values)) if narrow else (segments, themes, values)
    grid = np.ma.masked_invalid(np.array([[np.nan if v is None else v for v in row] for row in cells],
                                         dtype=float))
    largest = 0.0 if grid.count() == 0 else float(grid.max())
    norm = Normalize(0, max(largest, 0.05)) if kind == "share" else Normalize(-1, 1)
    colour_map = colormaps[_COLOUR_MAPS[kind]].with_extremes(bad=SUPPRESSED_GREY)
    with chart_figure(*_heatmap_size(len(rows), len(columns), narrow)) as figure:
        axes = figure.add_subplot()
        image = axes.imshow(grid, cmap=colour_map, norm=norm, aspect="auto")
        _label_axes(axes, rows, columns, title, narrow)
        _annotate_cells(axes, cells, kind, lambda value: colour_map(norm(value)), min_group_size)
        colour_bar = figure.colorbar(image, ax=axes, shrink=0.85, pad=0.02,
                                     location="bottom" if narrow else "right")
        colour_bar.set_label("Share of the segment's units" if kind == "share" else "Mean sentiment")
        if kind == "share":
            colour_bar.ax.xaxis.set_major_formatter(lambda tick, _: f"{tick:.0%}")
            colour_bar.ax.yaxis.set_major_formatter(lambda tick, _: f"{tick:.0%}")
        if any(value is None for row in values for value in row):
            add_note(figure, f"Grey cells: fewer than {min_group_size} respondents, or hidden so that totals "
                             "cannot reveal a small group.")
        return figure_to_svg(figure, title, _describe(segments, themes, values, kind))


def _heatmap_size(rows: int, columns: int, narrow: bool) -> tuple[float, float]:
    """Inches: wide enough for every column, tall enough for every row (narrow: a phone's width)."""
    if narrow:
        return NARROW_WIDTH, min(max(3.5, 0.5 * rows + 3.2), 12.0)
    return min(max(6.0, 0.95 * columns + 3.5), 13.0), min(max(3.0, 0.45 * rows + 2.6), 10.0)


def _transposed(values: Sequence[Sequence[float | None]]) -> list[list[float | None]]:
    return [list(column) for column in zip(*values, strict=True)] if values else []


def _label_axes(axes: Axes, rows: Sequence[str], columns: Sequence[str], title: str,
                narrow: bool) -> None:
    """Column and row labels and the title, on a grid without ticks or frame.

    Wide: segment rows, theme columns. Narrow: theme rows (wrapped), segment columns.
    """
    axes.grid(False)
    if narrow:
        axes.set_xticks(range(len(columns)), list(columns), rotation=45, ha="right",
                        rotation_mode="anchor")
        axes.set_yticks(range(len(rows)), [wrap_label(t, 14) for t in rows])
        axes.set_xlabel("Segment")
        # The grid starts right of the theme names: the title spans the figure instead.
        axes.figure.suptitle(wrap_label(title, 34), x=0.02, ha="left", fontsize=12, fontweight="bold")
    else:
        axes.set_xticks(range(len(columns)), [wrap_label(t, 16) for t in columns], rotation=35,
                        ha="right", rotation_mode="anchor")
        axes.set_yticks(range(len(rows)), list(rows))
        axes.set_xlabel("Concern theme")
        axes.set_ylabel("Segment")
        axes.set_title(title)
    axes.tick_params(length=0)
    axes.spines[:].set_visible(False)


def _annotate_cells(axes: Axes, values: Sequence[Sequence[float | None]], kind: str,
                    colour_of: Callable[[float], tuple[float, float, float, float]],
                    min_group_size: int) -> None:
    """Write each value on its cell (dark or light text for the cell's colour); hatch suppressed ones."""
    for row, row_values in enumerate(values):
        for column, value in enumerate(row_values):
            if value is None:
                _mark_suppressed_cell(axes, row, column, min_group_size)
            else:
                _annotate_cell(axes, row, column, _format_cell(value, kind), colour_of(value))


def _check_shape(segments: Sequence[str], themes: Sequence[str],
                 values: Sequence[Sequence[float | None]]) -> None:
    if len(values) != len(segments):
        raise ChartDataError(f"{len(values)} rows of values for {len(segments)} segments")
    for segment, row in zip(segments, values, strict=True):
        if len(row) != len(themes):
            raise ChartDataError(f"segment {segment!r} has {len(row)} values for {len(themes)} themes")


def _format_cell(value: float, kind: str) -> str:
    return f"{value:.0%}" if kind == "share" else f"{value:+.2f}"


def _mark_suppressed_cell(axes: Axes, row: int, column: int, min_group_size: int) -> None:
    axes.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, facecolor="none", edgecolor="#bbbbbb",
                             hatch="///", linewidth=0))
    axes.text(column, row, f"<{min_group_size}", ha="center", va="center", fontsize=9, color="#333333",
              style="italic",
              bbox={"boxstyle": "round,pad=0.15", "facecolor": SUPPRESSED_GREY, "linewidth": 0})


def _annotate_cell(axes: Axes, row: int, column: int, text: str,
                   background: tuple[float, float, float, float]) -> None:
    red, green, blue, _ = background
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    axes.text(column, row, text, ha="center", va="center", fontsize=9,
              color="black" if luminance > 0.5 else "white")


def _describe(segments: Sequence[str], themes: Sequence[str],
              values: Sequence[Sequence[float | None]], kind: str) -> str:
    rows = []
    for segment, row in zip(segments, values, strict=True):
        cells = ", ".join(
            f"{theme} {'suppressed' if v is None else _format_cell(v, kind)}"
            for theme, v in zip(themes, row, strict=True)
        )
        rows.append(f"{segment}: {cells}")
    return f"{'Theme share' if kind == 'share' else 'Mean sentiment'} by segment. " + "; ".join(rows)
