"""Small-cell suppression: primary suppression, and complementary suppression that blocks differencing."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.errors import StatisticsError
from nlp.suppression import (
    SuppressedCounts,
    SuppressedTable,
    hidden_segment_theme_pairs,
    hidden_segments,
    is_reportable,
    suppress_small_cells,
)


def recoverable_cells(counts: np.ndarray, hidden: np.ndarray) -> set[tuple[int, int]]:
    """Hidden cells an attacker can compute from the shown cells and totals, by repeated differencing.

    ``hidden`` covers the table extended by a total column and a total row. Any row or column with
    exactly one unknown gives that unknown away; solving it may give away more, so repeat.
    """
    extended = np.vstack([np.hstack([counts, counts.sum(1, keepdims=True)]),
                          np.append(counts.sum(0), counts.sum())])
    unknown = {tuple(cell) for cell in np.argwhere(hidden)}
    lines = [[(r, c) for c in range(extended.shape[1])] for r in range(extended.shape[0])]
    lines += [[(r, c) for r in range(extended.shape[0])] for c in range(extended.shape[1])]
    recovered: set[tuple[int, int]] = set()
    progress = True
    while progress:
        progress = False
        for line in lines:
            missing = [cell for cell in line if cell in unknown]
            if len(missing) == 1:
                unknown.discard(missing[0])
                recovered.add(missing[0])
                progress = True
    del extended
    return recovered


def extended_mask(result: SuppressedTable) -> np.ndarray:
    cells = np.array(result.suppressed, dtype=bool)
    with_rows = np.hstack([cells, np.array(result.row_totals_suppressed, dtype=bool)[:, None]])
    return np.vstack([with_rows, np.append(result.column_totals_suppressed, result.grand_total_suppressed)])


def test_is_reportable():
    assert is_reportable(5) and is_reportable(12, 10)
    assert not is_reportable(4) and not is_reportable(0) and not is_reportable(9, 10)


def test_counts_under_the_threshold_are_suppressed_with_a_complement():
    result = suppress_small_cells({"Finance": 12, "Legal": 3, "Sales": 20, "HR": 9})
    assert isinstance(result, SuppressedCounts)
    assert result.primary == {"Legal"}
    # Legal = 44 - 12 - 20 - 9 if only Legal were hidden, so the next-smallest (HR) goes too.
    assert result.suppressed == {"Legal", "HR"}
    assert result.shown("Sales") == 20 and result.shown("Legal") is None
    assert result.total == 44 and not result.total_suppressed


def test_nothing_is_suppressed_when_every_group_is_large_enough():
    result = suppress_small_cells({"Finance": 12, "Sales": 20})
    assert result.suppressed == frozenset() and result.shown("Finance") == 12


def test_zero_counts_are_suppressed_too():
    result = suppress_small_cells({"Finance": 12, "Legal": 0, "Sales": 20})
    assert "Legal" in result.primary and len(result.suppressed) == 2


def test_primary_suppression_alone_would_leak_the_hidden_cell():
    counts = np.array([[10, 3, 12], [8, 9, 15], [20, 11, 7]])
    primary_only = np.zeros((4, 4), dtype=bool)
    primary_only[:3, :3] = counts < 5
    assert recoverable_cells(counts, primary_only) == {(0, 1)}


def test_complementary_suppression_blocks_differencing_in_a_table():
    counts = np.array([[10, 3, 12], [8, 9, 15], [20, 11, 7]])
    result = suppress_small_cells(counts)
    assert isinstance(result, SuppressedTable)
    assert result.primary[0][1] and result.suppressed[0][1]
    assert recoverable_cells(counts, extended_mask(result)) == set()
    assert sum(map(sum, result.suppressed)) == 4  # the smallest rectangle that protects one cell
    assert result.shown(2, 2) == 7 and result.shown(0, 1) is None


def test_differencing_is_blocked_on_many_random_tables():
    rng = np.random.default_rng(3)
    for _ in range(200):
        counts = rng.integers(0, 25, size=(rng.integers(1, 6), rng.integers(1, 6)))
        result = suppress_small_cells(counts)
        mask = extended_mask(result)
        primary = {tuple(cell) for cell in np.argwhere(np.array(result.primary, dtype=bool))}
        assert not (recoverable_cells(counts, mask) & primary), counts
        assert all(result.suppressed[r][c] for r, c in zip(*np.nonzero(counts < 5), strict=True))


def test_small_totals_are_suppressed_with_their_complement():
    counts = np.array([[2, 1], [10, 12]])
    result = suppress_small_cells(counts)
    assert result.suppressed[0] == (True, True)
    # Row 0's total (3) would be the grand total minus row 1's total, so that goes too.
    assert result.row_totals_suppressed == (True, True)
    assert recoverable_cells(counts, extended_mask(result)) == set()


def test_custom_threshold():
    result = suppress_small_cells({"Finance": 8, "Sales": 20, "Legal": 30}, min_group_size=10)
    assert result.primary == {"Finance"} and result.suppressed == {"Finance", "Sales"}


@pytest.mark.parametrize("counts", [[[1, -2]], [1, 2, 3], [[1.5, 2.0]]])
def test_invalid_tables_raise(counts):
    with pytest.raises(StatisticsError):
        suppress_small_cells(counts)


def test_invalid_threshold_raises():
    with pytest.raises(StatisticsError):
        suppress_small_cells({"Finance": 8}, min_group_size=0)


def pair_mask(result, rows: list[str], columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Counts (absent pairs as zeros) and the extended hidden mask of a ``(row, column)`` result."""
    counts = np.array([[result.counts.get((row, column), 0) for column in columns] for row in rows])
    hidden = np.zeros((len(rows) + 1, len(columns) + 1), dtype=bool)
    for i, row in enumerate(rows):
        hidden[i, -1] = result.row_totals_suppressed[row]
        for j, column in enumerate(columns):
            hidden[i, j] = (row, column) in result.suppressed
    for j, column in enumerate(columns):
        hidden[-1, j] = result.column_totals_suppressed[column]
    hidden[-1, -1] = result.total_suppressed
    return counts, hidden


def test_segment_by_theme_mappings_are_protected_as_tables():
    counts = {("Finance", "delivery"): 10, ("Finance", "support"): 3, ("Finance", "value"): 12,
              ("Sales", "delivery"): 8, ("Sales", "support"): 9, ("Sales", "value"): 15,
              ("Legal", "delivery"): 20, ("Legal", "support"): 11, ("Legal", "value"): 7}
    result = suppress_small_cells(counts)
    assert result.primary == {("Finance", "support")}
    assert result.suppressed == {("Finance", "support"), ("Finance", "delivery"),
                                 ("Sales", "support"), ("Sales", "delivery")}
    assert result.shown(("Legal", "value")) == 7


def test_an_absent_pair_is_a_hidden_zero_that_no_total_gives_away():
    # Legal (3 respondents) has no "delivery" units at all: shown as 0, or as the delivery total
    # minus the cells shown, it says "nobody in Legal said delivery". It is hidden like any count
    # under the threshold, and its column gets a complement like any hidden cell.
    counts = {("Finance", "delivery"): 10, ("Finance", "value"): 20, ("Sales", "delivery"): 9,
              ("Sales", "value"): 12, ("Legal", "value"): 3}
    result = suppress_small_cells(counts)
    assert ("Legal", "delivery") in result.primary and result.shown(("Legal", "delivery")) is None
    assert ("Sales", "delivery") in result.suppressed  # or 19 - 10 - 9 = 0 for Legal
    rows, columns = ["Finance", "Sales", "Legal"], ["delivery", "value"]
    matrix, hidden = pair_mask(result, rows, columns)
    assert recoverable_cells(matrix, hidden) == set()


def test_absent_pairs_of_any_segment_are_hidden_and_protected():
    # Finance has no "support" units: a hidden zero, so Finance's total minus its delivery and value
    # cells must not give it away either.
    counts = {("Finance", "delivery"): 3, ("Finance", "value"): 20, ("Sales", "delivery"): 9,
              ("Sales", "support"): 7, ("Sales", "value"): 12, ("Legal", "support"): 8, ("Legal", "value"): 6}
    result = suppress_small_cells(counts)
    assert {("Finance", "support"), ("Legal", "delivery")} <= result.primary
    rows, columns = ["Finance", "Sales", "Legal"], ["delivery", "support", "value"]
    matrix, hidden = pair_mask(result, rows, columns)
    assert recoverable_cells(matrix, hidden) == set()


def test_segment_by_theme_totals_are_taken_as_shown_so_complements_go_to_cells():
    # A theme's total is shown on its own pages whenever it reaches the threshold, whatever this
    # table decides: hiding theme Y's total (14) as a complement of theme X's (3) would leave A x Y
    # (2) as the only hidden cell of Y's column, and 14 - 6 - 6 gives it away.
    counts = {("A", "X"): 1, ("B", "X"): 1, ("C", "X"): 1, ("A", "Y"): 2, ("B", "Y"): 6, ("C", "Y"): 6,
              ("A", "Z"): 30, ("B", "Z"): 5, ("C", "Z"): 5}
    result = suppress_small_cells(counts)
    rows, columns = ["A", "B", "C"], ["X", "Y", "Z"]
    matrix, _ = pair_mask(result, rows, columns)
    seen_totals = np.vstack([np.hstack([matrix, matrix.sum(1, keepdims=True)]),
                             np.append(matrix.sum(0), matrix.sum())])
    _, hidden = pair_mask(result, rows, columns)
    hidden[-1, :-1] = seen_totals[-1, :-1] < 5  # theme totals: hidden only when small themselves
    assert not result.column_totals_suppressed["Y"]
    assert recoverable_cells(matrix, hidden) == set()


def test_differencing_is_blocked_on_many_random_sparse_mappings():
    rng = np.random.default_rng(11)
    rows, columns = ["a", "b", "c", "d"], ["w", "x", "y", "z"]
    for _ in range(100):
        counts = {(row, column): int(rng.integers(0, 25)) for row in rows for column in columns
                  if rng.random() < 0.7}
        if not counts:
            continue
        result = suppress_small_cells(counts)
        present_rows = [row for row in rows if row in result.row_totals_suppressed]
        present_columns = [column for column in columns if column in result.column_totals_suppressed]
        matrix, hidden = pair_mask(result, present_rows, present_columns)
        hidden[-1, :-1] = matrix.sum(0) < 5  # a theme's total is shown on its own pages unless small
        primary = {(present_rows.index(r), present_columns.index(c)) for r, c in result.primary}
        absent = {(i, j) for i, r in enumerate(present_rows) for j, c in enumerate(present_columns)
                  if (r, c) not in counts}
        assert absent <= primary, counts  # a pair nobody answered is a hidden zero
        assert not (recoverable_cells(matrix, hidden) & primary), counts


def test_segments_are_hidden_against_the_wave_total_with_the_unsegmented_as_a_group():
    assert hidden_segments(9, {"Finance": 7, "HR": 2}) == {"Finance", "HR"}  # 9 - 7 would give HR away
    assert hidden_segments(13, {"Finance": 6, "HR": 5}) == {"HR", None}  # nor the 2 without a segment
    assert hidden_segments(20, {"Finance": 10, "HR": 10}) == frozenset()
    assert hidden_segments(4, {"Finance": 4}) == {"Finance", None}  # a small wave hides everything


def test_no_small_group_is_the_total_minus_the_segments_shown_on_random_waves():
    rng = np.random.default_rng(5)
    for _ in range(300):
        counts = {name: int(rng.integers(0, 12)) for name in "abcd" if rng.random() < 0.8}
        unsegmented = int(rng.integers(0, 4))
        total = sum(counts.values()) + unsegmented
        hidden = hidden_segments(total, counts)
        unknown = [counts[name] for name in hidden if name is not None] + [unsegmented] * (unsegmented > 0)
        assert all(n >= 5 for name, n in counts.items() if name not in hidden), (counts, hidden)
        assert total < 5 or len(unknown) != 1 or unknown[0] >= 5, (counts, unsegmented, hidden)


def _wave(cells: dict[tuple[str, str], int], unsegmented: dict[str, int],
          people: dict[str | None, int]) -> dict:
    """A wave's respondent counts as analysis stores them: segment x theme cells, theme totals (the
    partners without a segment included), segment totals and the wave total (``None``: all)."""
    themes = {theme for _, theme in cells} | set(unsegmented)
    wave = dict(cells)
    wave.update({(None, theme): unsegmented.get(theme, 0) + sum(n for (_, t), n in cells.items()
                                                                 if t == theme) for theme in themes})
    wave.update({(segment, None): n for segment, n in people.items() if segment is not None})
    wave[(None, None)] = sum(people.values())
    return wave


def test_partners_without_a_segment_are_a_hidden_row_that_no_theme_total_gives_away():
    # Finance and HR are large in both themes; the 2 partners without a department named X only.
    # X's total (22) minus Finance and HR would be their 2, Y's total minus them their 0.
    wave = _wave({("Finance", "X"): 10, ("HR", "X"): 10, ("Finance", "Y"): 8, ("HR", "Y"): 9},
                 {"X": 2}, {"Finance": 10, "HR": 10, None: 2})
    hidden = hidden_segment_theme_pairs(wave)
    assert {(None, "X"), (None, "Y")} <= hidden
    for theme in ("X", "Y"):
        assert any(segment is not None for segment, t in hidden if t == theme), (theme, hidden)


def test_no_partners_without_a_segment_add_no_row():
    wave = _wave({("Finance", "X"): 10, ("HR", "X"): 10, ("Finance", "Y"): 8, ("HR", "Y"): 9},
                 {}, {"Finance": 10, "HR": 10})
    assert hidden_segment_theme_pairs(wave) == frozenset()


def test_no_theme_total_gives_away_a_small_cell_of_any_row_on_random_waves():
    rng = np.random.default_rng(17)
    segments, themes = ["a", "b", "c"], ["w", "x", "y", "z"]
    for _ in range(150):
        cells = {(s, t): int(rng.integers(0, 20)) for s in segments for t in themes if rng.random() < 0.8}
        unsegmented = {t: int(rng.integers(0, 8)) for t in themes if rng.random() < 0.7}
        people = {s: 1 + max([n for (r, _), n in cells.items() if r == s], default=0) for s in segments}
        people[None] = max(unsegmented.values(), default=0)
        hidden = hidden_segment_theme_pairs(_wave(cells, unsegmented, people))
        rows = segments + [None] * (people[None] > 0)
        matrix = np.array([[cells.get((s, t), 0) if s is not None else unsegmented.get(t, 0) for t in themes]
                           for s in rows])
        mask = np.zeros((len(rows) + 1, len(themes) + 1), dtype=bool)
        for i, segment in enumerate(rows):
            mask[i, :-1] = [(segment, theme) in hidden for theme in themes]
        mask[-1, :-1] = matrix.sum(0) < 5  # a theme's total is shown on its own pages unless small
        # A row's sum over themes is shown nowhere (a partner may name several themes, so it is not
        # the segment's respondents); the algorithm may rely on it being unknown.
        mask[:-1, -1] = True
        small = {tuple(cell) for cell in np.argwhere(matrix < 5)}
        assert small <= {tuple(cell) for cell in np.argwhere(mask[:-1, :-1])}, (cells, unsegmented)
        assert not (recoverable_cells(matrix, mask) & small), (cells, unsegmented, sorted(hidden, key=str))
