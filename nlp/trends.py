"""Trend statistics: bootstrap intervals, wave-to-wave significance tests, rising/falling markers.

NumPy and SciPy only; every function is deterministic given its ``random_state``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from nlp.errors import StatisticsError

#: Significance level of :func:`compare_means` and :func:`compare_shares`.
ALPHA = 0.05
#: Expected cell count under which :func:`compare_shares` switches from the z test to Fisher's test.
MIN_EXPECTED_FOR_Z_TEST = 5

TrendMarker = Literal["rising", "falling", "steady", "new"]


@dataclass(frozen=True)
class Interval:
    """A mean with its bootstrap confidence interval.

    Attributes
    ----------
    mean, low, high
        The sample mean and the interval bounds.
    n
        Number of values.
    """

    mean: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class Change:
    """The change between two groups (``after - before``) and whether it is significant.

    Attributes
    ----------
    difference
        Second group minus first: a difference of means or of shares.
    p_value
        Two-sided p-value of ``test`` (``nan`` when the test cannot be run, e.g. one value).
    significant
        ``p_value < ALPHA``.
    test
        Name of the test used: ``welch_t``, ``two_proportion_z``, ``fisher_exact`` or ``none``.
    """

    difference: float
    p_value: float
    significant: bool
    test: str


def bootstrap_mean_interval(
    values: Sequence[float] | np.ndarray,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    random_state: int | None = 0,
) -> Interval:
    """Mean of ``values`` with a percentile bootstrap confidence interval.

    Parameters
    ----------
    values
        The sample, e.g. sentiment scores of one wave and segment.
    confidence
        Confidence level of the interval.
    n_resamples
        Number of bootstrap resamples.
    random_state
        Seed; the same seed gives the same interval.

    Returns
    -------
    Interval
        With one value, or values that are all equal, the interval collapses to the mean.

    Raises
    ------
    StatisticsError
        If ``values`` is empty, holds non-finite numbers, or ``confidence`` is not in (0, 1).
    """
    sample = _finite_sample(values)
    if not 0 < confidence < 1:
        raise StatisticsError(f"confidence must lie between 0 and 1, not {confidence}")
    if np.all(sample == sample[0]):
        value = float(sample[0])
        return Interval(value, value, value, int(sample.size))
    mean = float(sample.mean())
    result = stats.bootstrap(
        (sample,), np.mean, n_resamples=n_resamples, confidence_level=confidence,
        method="percentile", vectorized=True, rng=np.random.default_rng(random_state),
    )
    interval = result.confidence_interval
    return Interval(mean, float(interval.low), float(interval.high), int(sample.size))


def compare_means(before: Sequence[float] | np.ndarray, after: Sequence[float] | np.ndarray) -> Change:
    """Difference of means ``after - before`` with Welch's t test (unequal variances).

    Returns
    -------
    Change
        ``p_value`` is ``nan`` and ``significant`` false when either group has fewer than two values.

    Raises
    ------
    StatisticsError
        If a group is empty or holds non-finite numbers.
    """
    first, second = _finite_sample(before), _finite_sample(after)
    difference = float(second.mean() - first.mean())
    if first.size < 2 or second.size < 2:
        return Change(difference, math.nan, False, "none")
    if np.ptp(first) < 1e-9 and np.ptp(second) < 1e-9:
        # No spread (identical answers score identically): the t statistic is undefined, and the
        # groups differ exactly or not at all.
        p_value = 0.0 if abs(difference) > 1e-9 else 1.0
    else:
        with warnings.catch_warnings():
            # Nearly identical values make scipy warn about precision; the p-value is still sound.
            warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
            p_value = float(stats.ttest_ind(first, second, equal_var=False).pvalue)
    return Change(difference, p_value, p_value < ALPHA, "welch_t")


def compare_shares(count_a: int, total_a: int, count_b: int, total_b: int) -> Change:
    """Difference of shares ``count_b/total_b - count_a/total_a`` with a two-proportion test.

    The z test (as a chi-square test without continuity correction) is used when every expected
    cell count is at least :data:`MIN_EXPECTED_FOR_Z_TEST`, Fisher's exact test otherwise.

    Raises
    ------
    StatisticsError
        If a count is negative, exceeds its total, or a total is zero.
    """
    for count, total in ((count_a, total_a), (count_b, total_b)):
        if total <= 0 or count < 0 or count > total:
            raise StatisticsError(f"a share needs 0 <= count <= total and total > 0, got {count}/{total}")
    table = np.array([[count_a, total_a - count_a], [count_b, total_b - count_b]])
    difference = count_b / total_b - count_a / total_a
    if table[:, 0].sum() in (0, table.sum()):
        return Change(difference, 1.0, False, "none")  # nobody or everybody in both groups
    expected = stats.contingency.expected_freq(table)
    if expected.min() >= MIN_EXPECTED_FOR_Z_TEST:
        p_value = float(stats.chi2_contingency(table, correction=False).pvalue)
        test = "two_proportion_z"
    else:
        p_value = float(stats.fisher_exact(table).pvalue)
        test = "fisher_exact"
    return Change(difference, p_value, p_value < ALPHA, test)


def trend_marker(previous_share: float | None, current_share: float, significant: bool) -> TrendMarker:
    """Mark a theme's share as ``new``, ``rising``, ``falling`` or ``steady`` against the last wave.

    ``new`` when the previous wave had none (``None`` or 0) and this one has some; otherwise a
    direction only when the change is ``significant``.
    """
    if not previous_share:
        return "new" if current_share > 0 else "steady"
    if not significant or current_share == previous_share:
        return "steady"
    return "rising" if current_share > previous_share else "falling"


def _finite_sample(values: Sequence[float] | np.ndarray) -> np.ndarray:
    sample = np.asarray(values, dtype=float).ravel()
    if sample.size == 0:
        raise StatisticsError("a statistic needs at least one value")
    if not np.all(np.isfinite(sample)):
        raise StatisticsError("values must be finite numbers")
    return sample
