"""Small-cell suppression with complementary suppression (DESIGN.md section 3, rule 5).

A figure for a group of fewer than ``min_group_size`` respondents is suppressed (shown as "fewer
than 5"). That alone is not enough: when a table also shows row and column totals, a single
suppressed cell in a row is the row total minus the cells shown. So every row and column of the
table *extended by its totals* must hold either no suppressed entry or at least two; where one
holds exactly one, the next-smallest entry of that line is suppressed too (interior cells before
totals), and the check repeats until nothing changes.

Zero counts are suppressed like any count under the threshold: "nobody in Legal said X" is a
disclosure too. In a mapping keyed by ``(row, column)`` pairs, a combination that is absent is such
a zero (nobody in that segment named that theme): it is suppressed like one, so every consumer
shows it as hidden (never as 0 or a blank, and never left out where its absence would say 0), and
complementary suppression protects it like any hidden cell, so no row or column total minus the
cells shown gives it away. The column totals of such a table (a theme's respondents, shown on the
theme's own pages) are taken as shown whenever they reach the threshold: they are never hidden as a
complement, so a column is protected by its cells. Respondents who gave no segment are a row of a
wave's segment x theme table too (:func:`hidden_segment_theme_pairs`), though no page shows it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, overload

import numpy as np

from nlp.errors import StatisticsError

#: DESIGN.md's default reporting threshold.
DEFAULT_MIN_GROUP_SIZE = 5


@dataclass(frozen=True)
class SuppressedTable:
    """A count table with totals, and which entries must not be shown.

    Attributes
    ----------
    counts
        The cell counts, row by row.
    suppressed, primary
        Per cell: hidden at all, and hidden because the cell itself is under the threshold.
    row_totals, column_totals, grand_total
        The totals of the table.
    row_totals_suppressed, column_totals_suppressed, grand_total_suppressed
        Which totals must not be shown.
    min_group_size
        The threshold used.
    """

    counts: tuple[tuple[int, ...], ...]
    suppressed: tuple[tuple[bool, ...], ...]
    primary: tuple[tuple[bool, ...], ...]
    row_totals: tuple[int, ...]
    column_totals: tuple[int, ...]
    grand_total: int
    row_totals_suppressed: tuple[bool, ...]
    column_totals_suppressed: tuple[bool, ...]
    grand_total_suppressed: bool
    min_group_size: int

    def shown(self, row: int, column: int) -> int | None:
        """The count to display at ``(row, column)``, or ``None`` where it is suppressed."""
        return None if self.suppressed[row][column] else self.counts[row][column]


@dataclass(frozen=True)
class SuppressedCounts:
    """Counts per group or per ``(row, column)`` pair, and which must not be shown.

    Attributes
    ----------
    counts
        Key to count, as given.
    suppressed, primary
        Keys hidden at all, and hidden because their own count is under the threshold. For
        ``(row, column)`` keys these include the pairs absent from ``counts`` (zeros, so primary).
    total, total_suppressed
        The sum of the counts and whether it must be hidden.
    row_totals_suppressed, column_totals_suppressed
        For ``(row, column)`` keys: per row and per column label, whether its total must be
        hidden. Empty for a one-dimensional mapping.
    min_group_size
        The threshold used.
    """

    counts: Mapping[Any, int]
    suppressed: frozenset[Any]
    primary: frozenset[Any]
    total: int
    total_suppressed: bool
    min_group_size: int
    row_totals_suppressed: Mapping[Any, bool] = field(default_factory=lambda: MappingProxyType({}))
    column_totals_suppressed: Mapping[Any, bool] = field(default_factory=lambda: MappingProxyType({}))

    def shown(self, key: Hashable) -> int | None:
        """The count to display for ``key``, or ``None`` where it is suppressed."""
        return None if key in self.suppressed else self.counts[key]


def is_reportable(n: int, min_group_size: int = DEFAULT_MIN_GROUP_SIZE) -> bool:
    """Whether a figure about ``n`` respondents may be shown (``n >= min_group_size``)."""
    return n >= min_group_size


@overload
def suppress_small_cells(counts: Mapping[Any, int], min_group_size: int = ...) -> SuppressedCounts: ...


@overload
def suppress_small_cells(
    counts: Sequence[Sequence[int]] | np.ndarray, min_group_size: int = ...
) -> SuppressedTable: ...


def suppress_small_cells(
    counts: Mapping[Any, int] | Sequence[Sequence[int]] | np.ndarray,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
) -> SuppressedCounts | SuppressedTable:
    """Suppress counts under ``min_group_size`` and enough others that totals cannot reveal them.

    Parameters
    ----------
    counts
        A mapping of group to count (one line, shown with its total); a mapping keyed by
        ``(row, column)`` pairs, e.g. ``(segment, theme)``, or a 2-D array: a table shown with
        row, column and grand totals.
    min_group_size
        Smallest group that may be reported.

    Returns
    -------
    SuppressedCounts or SuppressedTable
        :class:`SuppressedCounts` for a mapping, :class:`SuppressedTable` for an array.

    Raises
    ------
    StatisticsError
        If a count is negative or not an integer, the table is not 2-D, or the threshold is < 1.
    """
    if min_group_size < 1:
        raise StatisticsError(f"min_group_size must be at least 1, not {min_group_size}")
    if isinstance(counts, Mapping):
        return _suppress_mapping(counts, min_group_size)
    return _suppress_table(_as_count_matrix(counts), min_group_size)


def _suppress_mapping(counts: Mapping[Any, int], min_group_size: int) -> SuppressedCounts:
    keys = list(counts)
    if keys and all(isinstance(key, tuple) and len(key) == 2 for key in keys):
        return _suppress_pairs(counts, min_group_size)
    matrix = _as_count_matrix([[counts[key] for key in keys]]) if keys else np.zeros((1, 0), dtype=int)
    table = _suppress_table(matrix, min_group_size)
    return SuppressedCounts(
        counts=MappingProxyType(dict(counts)),
        suppressed=frozenset(key for key, hidden in zip(keys, table.suppressed[0], strict=True) if hidden),
        primary=frozenset(key for key, hidden in zip(keys, table.primary[0], strict=True) if hidden),
        total=table.grand_total,
        total_suppressed=table.row_totals_suppressed[0],
        min_group_size=min_group_size,
    )


def _suppress_pairs(counts: Mapping[tuple[Hashable, Hashable], int], min_group_size: int) -> SuppressedCounts:
    """A mapping keyed by ``(row, column)``: a table whose absent cells are zeros, hidden as such."""
    rows = list(dict.fromkeys(row for row, _ in counts))
    columns = list(dict.fromkeys(column for _, column in counts))
    matrix = np.zeros((len(rows), len(columns)), dtype=np.int64)
    row_index = {row: i for i, row in enumerate(rows)}
    column_index = {column: j for j, column in enumerate(columns)}
    for (row, column), count in counts.items():
        matrix[row_index[row], column_index[column]] = count
    table = _suppress_table(_as_count_matrix(matrix), min_group_size, column_totals_shown=True)
    cells = [((row, column), i, j) for i, row in enumerate(rows) for j, column in enumerate(columns)]
    return SuppressedCounts(
        counts=MappingProxyType(dict(counts)),
        suppressed=frozenset(key for key, i, j in cells if table.suppressed[i][j]),
        primary=frozenset(key for key, i, j in cells if table.primary[i][j]),
        total=table.grand_total,
        total_suppressed=table.grand_total_suppressed,
        min_group_size=min_group_size,
        row_totals_suppressed=MappingProxyType(dict(zip(rows, table.row_totals_suppressed, strict=True))),
        column_totals_suppressed=MappingProxyType(
            dict(zip(columns, table.column_totals_suppressed, strict=True))
        ),
    )


def _suppress_table(matrix: np.ndarray, min_group_size: int,
                    column_totals_shown: bool = False) -> SuppressedTable:
    """Primary and complementary suppression of ``matrix`` extended by its totals.

    With ``column_totals_shown``, column totals at or above the threshold are known to the reader
    (shown elsewhere): they are never hidden as complements, so each column is protected by its cells.
    """
    extended = _with_totals(matrix)
    hidden = extended < min_group_size
    primary = hidden.copy()
    fixed = np.zeros_like(hidden)
    if column_totals_shown:
        fixed[-1, :-1] = ~hidden[-1, :-1]
    while _add_complementary_suppression(extended, hidden, fixed):
        pass
    rows, columns = matrix.shape
    return SuppressedTable(
        counts=_tuples(matrix),
        suppressed=_tuples(hidden[:rows, :columns]),
        primary=_tuples(primary[:rows, :columns]),
        row_totals=tuple(int(value) for value in extended[:rows, columns]),
        column_totals=tuple(int(value) for value in extended[rows, :columns]),
        grand_total=int(extended[rows, columns]),
        row_totals_suppressed=tuple(bool(value) for value in hidden[:rows, columns]),
        column_totals_suppressed=tuple(bool(value) for value in hidden[rows, :columns]),
        grand_total_suppressed=bool(hidden[rows, columns]),
        min_group_size=min_group_size,
    )


def _with_totals(matrix: np.ndarray) -> np.ndarray:
    """The table with a total column and a total row appended (last row/column)."""
    with_row_totals = np.hstack([matrix, matrix.sum(axis=1, keepdims=True)])
    return np.vstack([with_row_totals, with_row_totals.sum(axis=0, keepdims=True)])


def _add_complementary_suppression(extended: np.ndarray, hidden: np.ndarray, fixed: np.ndarray) -> bool:
    """Hide one more entry in each line that has exactly one hidden entry; report if any changed.

    A line is a row or column of the extended table, its total included: with exactly one
    unknown in a line, that unknown is the total minus the others. ``fixed`` entries are known to
    the reader and are never hidden.
    """
    changed = False
    rows, columns = extended.shape
    lines = [[(row, column) for column in range(columns)] for row in range(rows)]
    lines += [[(row, column) for row in range(rows)] for column in range(columns)]
    for line in lines:
        if sum(hidden[cell] for cell in line) != 1:
            continue
        complement = _next_smallest(extended, hidden | fixed, line)
        if complement is not None:
            hidden[complement] = True
            changed = True
    return changed


def _next_smallest(extended: np.ndarray, hidden: np.ndarray,
                   line: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The visible entry of ``line`` to hide next: the smallest interior cell, else a total."""
    last_row, last_column = extended.shape[0] - 1, extended.shape[1] - 1
    visible = [cell for cell in line if not hidden[cell]]
    interior = [cell for cell in visible if cell[0] != last_row and cell[1] != last_column]
    candidates = interior or visible
    return min(candidates, key=lambda cell: (extended[cell], cell)) if candidates else None


def _as_count_matrix(counts: Sequence[Sequence[int]] | np.ndarray) -> np.ndarray:
    matrix = np.asarray(counts)
    if matrix.ndim != 2:
        raise StatisticsError(f"a count table must be 2-D, got {matrix.ndim} dimension(s)")
    if matrix.size and (not np.issubdtype(matrix.dtype, np.integer) or matrix.min() < 0):
        raise StatisticsError("counts must be non-negative integers")
    return matrix.astype(np.int64)


def _tuples(array: np.ndarray) -> tuple[tuple, ...]:
    return tuple(tuple(value.item() for value in row) for row in array)


def hidden_segments(
    total: int, counts: Mapping[Any, int], min_group_size: int = DEFAULT_MIN_GROUP_SIZE
) -> frozenset:
    """Segments of a wave to hide against the wave's total: small ones and their complements.

    ``total`` counts every respondent of the wave; ``counts`` those of each segment. Respondents who
    gave no segment are a group of their own (``None``, the total minus the segments), so neither
    they nor the last small segment can be worked out as the total minus the segments shown. When
    the total itself is under the threshold, every segment is hidden.
    """
    groups: dict[Any, int] = dict(counts)
    unsegmented = total - sum(groups.values())
    if unsegmented > 0:
        groups[None] = unsegmented
    if total < min_group_size:
        return frozenset(groups) | {None}
    return frozenset(suppress_small_cells(groups, min_group_size=min_group_size).suppressed)


def hidden_segment_theme_pairs(
    respondents: Mapping[tuple[Any, Any], int], min_group_size: int = DEFAULT_MIN_GROUP_SIZE
) -> frozenset[tuple[Any, Any]]:
    """(segment, theme) cells of a wave's segment x theme table to hide.

    ``respondents`` holds the wave's respondent counts keyed ``(segment, theme)``, ``None`` standing
    for all: ``(None, None)`` the wave, ``(segment, None)`` a segment, ``(None, theme)`` a theme
    (shown on the theme's own pages). The table has every segment and theme of the wave; a pair not
    in ``respondents`` is a zero. Respondents who gave no segment are a row of their own (segment
    ``None``: a theme's total minus its segments), so a theme's total minus the segment cells shown
    never gives their count for the theme away; the row is shown nowhere, but its small cells (zeros
    too) are hidden and protected like any other, and returned with the rest.
    """
    segments = list(dict.fromkeys(segment for segment, _ in respondents if segment is not None))
    themes = list(dict.fromkeys(theme for _, theme in respondents if theme is not None))
    if not segments or not themes:
        return frozenset()
    table = {(segment, theme): respondents.get((segment, theme), 0)
             for segment in segments for theme in themes}
    unsegmented = respondents.get((None, None), 0) - sum(respondents.get((segment, None), 0)
                                                         for segment in segments)
    if unsegmented > 0:
        for theme in themes:
            named = sum(table[(segment, theme)] for segment in segments)
            table[(None, theme)] = max(respondents.get((None, theme), 0) - named, 0)
    return suppress_small_cells(table, min_group_size=min_group_size).suppressed
