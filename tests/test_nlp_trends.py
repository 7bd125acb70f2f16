"""Trend statistics: bootstrap intervals, significance of changes, rising/falling markers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from nlp.errors import NLPError, StatisticsError
from nlp.trends import Change, Interval, bootstrap_mean_interval, compare_means, compare_shares, trend_marker

SCORES = np.random.default_rng(7).normal(0.2, 0.4, size=60)


def test_bootstrap_interval_brackets_the_mean_and_is_reproducible():
    interval = bootstrap_mean_interval(SCORES)
    assert interval.low < interval.mean < interval.high
    assert interval.n == 60
    assert interval.mean == pytest.approx(SCORES.mean())
    assert bootstrap_mean_interval(SCORES) == interval
    assert bootstrap_mean_interval(SCORES, random_state=1) != interval


def test_bootstrap_interval_is_close_to_the_normal_theory_interval():
    interval = bootstrap_mean_interval(SCORES, n_resamples=4000)
    half_width = stats.t.ppf(0.975, len(SCORES) - 1) * stats.sem(SCORES)
    assert interval.high - interval.low == pytest.approx(2 * half_width, rel=0.15)


def test_higher_confidence_gives_a_wider_interval():
    narrow = bootstrap_mean_interval(SCORES, confidence=0.80)
    wide = bootstrap_mean_interval(SCORES, confidence=0.99)
    assert wide.low < narrow.low and narrow.high < wide.high


@pytest.mark.parametrize("values", [[0.4], [0.4, 0.4, 0.4]])
def test_interval_of_a_single_or_constant_sample_collapses_to_the_mean(values):
    assert bootstrap_mean_interval(values) == Interval(0.4, 0.4, 0.4, len(values))


@pytest.mark.parametrize(("values", "confidence"), [([], 0.95), ([0.1, math.nan], 0.95), ([0.1, 0.2], 1.5)])
def test_invalid_samples_raise_a_statistics_error(values, confidence):
    with pytest.raises(StatisticsError) as raised:
        bootstrap_mean_interval(values, confidence=confidence)
    assert isinstance(raised.value, NLPError) and isinstance(raised.value, ValueError)


def test_compare_means_uses_welch_t_test():
    before, after = SCORES[:30], SCORES[30:] + 0.5
    change = compare_means(before, after)
    expected = stats.ttest_ind(before, after, equal_var=False).pvalue
    assert change == Change(
        pytest.approx(after.mean() - before.mean()), pytest.approx(expected), True, "welch_t"
    )


def test_compare_means_of_similar_groups_is_not_significant():
    change = compare_means(SCORES[:30], SCORES[30:])
    assert not change.significant and change.p_value > 0.05


def test_compare_means_needs_two_values_per_group():
    change = compare_means([0.1], [0.5, 0.6])
    assert math.isnan(change.p_value) and not change.significant
    assert change.difference == pytest.approx(0.45)


def test_compare_shares_uses_the_z_test_for_large_counts():
    change = compare_shares(40, 200, 70, 200)
    pooled = 110 / 400
    z = (70 / 200 - 40 / 200) / math.sqrt(pooled * (1 - pooled) * (2 / 200))
    assert change.test == "two_proportion_z"
    assert change.p_value == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert change.difference == pytest.approx(0.15) and change.significant


def test_compare_shares_uses_fisher_for_small_counts():
    change = compare_shares(1, 10, 6, 10)
    assert change.test == "fisher_exact"
    assert change.p_value == pytest.approx(stats.fisher_exact([[1, 9], [6, 4]]).pvalue)
    assert not change.significant


@pytest.mark.parametrize("counts", [(-1, 10, 2, 10), (11, 10, 2, 10), (1, 0, 2, 10)])
def test_compare_shares_rejects_impossible_counts(counts):
    with pytest.raises(StatisticsError):
        compare_shares(*counts)


@pytest.mark.parametrize(("previous", "current", "significant", "marker"), [
    (None, 0.2, False, "new"),
    (0.0, 0.1, True, "new"),
    (None, 0.0, False, "steady"),
    (0.1, 0.3, True, "rising"),
    (0.3, 0.1, True, "falling"),
    (0.1, 0.3, False, "steady"),
])
def test_trend_marker(previous, current, significant, marker):
    assert trend_marker(previous, current, significant) == marker
